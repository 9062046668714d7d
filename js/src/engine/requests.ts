// requests.ts: the JS half of the engine's request protocol
// (core/include/indexie/engine_requests.h, which documents every opcode and
// its arguments): building a request batch, sending it through the request
// buffer with one call, and reading the results.
//
// A request is CBOR in the value format. Values and keys inside it are
// encoded by values/ exactly as they will be stored, and spliced in as they
// are: the request builder writes only the envelope (arrays, opcodes,
// strings, numbers, booleans) itself, and keeps pre-encoded parts as they
// are until the one copy into the wasm heap.
import { InternalError, engineError } from '../errors.js';
import type { CoreModule } from '../indexie-core.js';
import { encodeValues } from '../values/value-encoder.js';
import type { QueryDescription, RangeSpec } from './engine-types.js';
import { decodeValue } from '../values/value-decoder.js';

/** Opcodes: engine_requests.h EngineOp. */
export const Op = {
  info: 0,
  begin: 1,
  commit: 2,
  rollback: 3,
  setVersion: 4,
  setSchema: 5,
  write: 6,
  get: 7,
  bulkGet: 8,
  getByIndex: 9,
  delete: 10,
  clear: 11,
  count: 12,
  scan: 13,
  query: 14,
  aggregate: 15,
  openCursor: 16,
  cursorNext: 17,
  closeCursor: 18,
  takeChanges: 19,
  pageChanges: 20,
  readPages: 21,
  pageDiffs: 22,
  checkpoint: 23,
  revert: 24,
  applyRemote: 25,
  executeSql: 26,
  recordReads: 27,
  takeReads: 28,
} as const;

const textEncoder = new TextEncoder();

/** Writes one request batch: call op() per operation, then its arguments. */
export class RequestBuilder {
  #parts: Uint8Array[] = [];
  #buffer = new Uint8Array(256);
  #view = new DataView(this.#buffer.buffer);
  #pos = 0;
  #start = 0; // where the part being written began in #buffer
  #ops = 0;

  /** Starts a batch (a builder is reused: one request at a time, synchronously). */
  reset(): this {
    this.#parts = [];
    this.#pos = 0;
    this.#start = 0;
    this.#ops = 0;
    // The batch header is patched in by send(): room for a 1 + 2 byte array header.
    this.#ensure(3);
    this.#pos = 3;
    return this;
  }

  get operations(): number {
    return this.#ops;
  }

  /** An operation of `args` arguments after its opcode. */
  op(opcode: number, args = 0): this {
    this.#ops++;
    this.#header(4, args + 1);
    return this.uint(opcode);
  }

  uint(value: number): this {
    this.#header(0, value);
    return this;
  }

  number(value: number): this {
    if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return this.uint(value);
    this.#ensure(9);
    this.#buffer[this.#pos] = 0xfb;
    this.#view.setFloat64(this.#pos + 1, value);
    this.#pos += 9;
    return this;
  }

  bool(value: boolean): this {
    this.#ensure(1);
    this.#buffer[this.#pos++] = value ? 0xf5 : 0xf4;
    return this;
  }

  null(): this {
    this.#ensure(1);
    this.#buffer[this.#pos++] = 0xf6;
    return this;
  }

  text(value: string): this {
    const bytes = textEncoder.encode(value);
    this.#header(3, bytes.length);
    this.#ensure(bytes.length);
    this.#buffer.set(bytes, this.#pos);
    this.#pos += bytes.length;
    return this;
  }

  array(length: number): this {
    this.#header(4, length);
    return this;
  }

  map(entries: number): this {
    this.#header(5, entries);
    return this;
  }

  /** A byte string (pages); kept as a part of its own, not copied here. */
  bytes(value: Uint8Array): this {
    this.#header(2, value.length);
    return this.encoded(value);
  }

  /** An item already in the value format (values/value-encoder.ts), spliced in as it is. */
  encoded(item: Uint8Array): this {
    if (item.length < 64) {
      this.#ensure(item.length);
      this.#buffer.set(item, this.#pos);
      this.#pos += item.length;
      return this;
    }
    this.#cut();
    this.#parts.push(item);
    return this;
  }

  /** The finished batch: its bytes, in parts (the one copy happens in the host). */
  finish(): EncodedRequest {
    if (this.#ops > 0xffff) throw new InternalError('too many operations in one engine request');
    this.#cut();
    // The batch header, in the 3 bytes reset() kept at the start of the first part
    // (an array of #ops in CBOR's 16-bit length form).
    const head = this.#parts[0];
    head[0] = 0x99;
    head[1] = this.#ops >> 8;
    head[2] = this.#ops & 0xff;
    let length = 0;
    for (const part of this.#parts) length += part.length;
    const parts = this.#parts;
    this.#parts = [];
    return { parts, length, operations: this.#ops };
  }

  #cut(): void {
    if (this.#pos > this.#start) this.#parts.push(this.#buffer.subarray(this.#start, this.#pos));
    // The parts keep views of the old buffer: write on in a fresh one.
    this.#buffer = new Uint8Array(Math.max(256, this.#buffer.length));
    this.#view = new DataView(this.#buffer.buffer);
    this.#pos = 0;
    this.#start = 0;
  }

  #ensure(extra: number): void {
    if (this.#pos + extra <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.#pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buffer.subarray(0, this.#pos));
    this.#buffer = next;
    this.#view = new DataView(next.buffer);
  }

  #header(major: number, value: number): void {
    this.#ensure(9);
    const m = major << 5;
    const b = this.#buffer;
    if (value < 24) {
      b[this.#pos++] = m | value;
    } else if (value < 0x100) {
      b[this.#pos++] = m | 24;
      b[this.#pos++] = value;
    } else if (value < 0x10000) {
      b[this.#pos++] = m | 25;
      this.#view.setUint16(this.#pos, value);
      this.#pos += 2;
    } else if (value < 0x100000000) {
      b[this.#pos++] = m | 26;
      this.#view.setUint32(this.#pos, value);
      this.#pos += 4;
    } else {
      b[this.#pos++] = m | 27;
      this.#view.setUint32(this.#pos, Math.floor(value / 0x100000000));
      this.#view.setUint32(this.#pos + 4, value >>> 0);
      this.#pos += 8;
    }
  }
}

/** A request batch as bytes: `parts` in order make `length` bytes. */
export interface EncodedRequest {
  parts: Uint8Array[];
  length: number;
  operations: number;
}

/** Each operation's result item of a response batch to `request`. */
export function responseResults(request: EncodedRequest, response: Uint8Array): unknown[] {
  const results = decodeValue(response) as unknown[];
  if (!Array.isArray(results) || results.length !== request.operations) {
    throw new InternalError(
      `the engine answered ${String((results as unknown[] | undefined)?.length)} results to ${request.operations} operations`,
    );
  }
  return results;
}

/** The request buffer's address per module, and its capacity. */
const requestBuffers = new WeakMap<CoreModule, { at: number; capacity: number }>();

/** The address of at least `length` bytes of the module's request buffer (js_bridge.h). */
export function requestBuffer(core: CoreModule, length: number): number {
  let buffer = requestBuffers.get(core);
  if (!buffer || buffer.capacity < length) {
    const capacity = Math.max(length, 64 * 1024, (buffer?.capacity ?? 0) * 2);
    buffer = { at: core.requestBuffer(capacity), capacity };
    requestBuffers.set(core, buffer);
  }
  return buffer.at;
}

/** The value of one operation's result ([true, value]), or throws its error ([false, code, message]). */
export function resultValue(result: unknown): unknown {
  const [ok, value, message] = result as [boolean, unknown, string?];
  if (ok === true) return value;
  throw engineError(String(value), String(message));
}

/** The value of an encoded result (the other handles' convention: one result, not a batch). */
export function decodeResult(bytes: Uint8Array): unknown {
  return resultValue(decodeValue(bytes));
}

/** The encoded range list of a query (null: every key). */
export function encodedRanges(ranges: readonly RangeSpec[] | null): Uint8Array | undefined {
  return ranges === null ? undefined : encodeValues(ranges, { keys: true });
}

/** The query description and its ranges, as two arguments (engine_requests.h `query`). */
export function writeQuery(r: RequestBuilder, d: QueryDescription, ranges: Uint8Array | undefined): RequestBuilder {
  r.array(8).text(d.table).text(d.index).bool(d.reverse).bool(d.distinct).bool(d.unique).number(d.offset).number(d.limit);
  r.array(d.orderBy.length);
  for (const [keyPath, descending] of d.orderBy) r.array(2).text(keyPath).bool(descending);
  return ranges ? r.encoded(ranges) : r.null();
}
