// values/value-encoder.ts: values to bytes in the value format
// (value-format.ts has the representations and tags): encodeValue for one
// value, encodeValues for the one buffer of a bulk write. A value that
// cannot be stored raises DataCloneError naming where in the value it is.
//
// Shared and cyclic references: a value is written in one pass that notes
// every object it meets; an object met a second time is only noted (a
// placeholder is written, nothing is followed, so a cycle ends). If any
// was, the value is written again, marking those objects (tag 28) and
// referring back to them (tag 29). Values without sharing pay one Set
// lookup per object and are written once.
// Size: ~430 lines: the CBOR writer (hand-made UTF-8 for short strings) and the walk over every stored type belong together.
import { DataCloneError, DataError } from '../errors.js';
import { knownBlobBytes } from './blob-bytes.js';
import { HOLE_BYTE, TAG, TAG_OF_TYPED_ARRAY } from './value-format.js';

const MAX_DEPTH = 1000;
const LONG_STRING = 64; // longer strings go through TextEncoder
const textEncoder = new TextEncoder();

class Writer {
  buffer = new Uint8Array(256);
  view = new DataView(this.buffer.buffer);
  pos = 0;
  /** First pass: every object met in the value being written (null: keys, written without sharing). */
  seen: Set<object> | null = new Set<object>();
  /** First pass: the objects met more than once (null: none yet). */
  repeated: Set<object> | null = null;
  /** Second pass: each repeated object's share number once written (-1 before), else null (first pass). */
  shares: Map<object, number> | null = null;
  nextShare = 0;

  ensure(extra: number): void {
    if (this.pos + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.pos));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  header(major: number, length: number): void {
    this.ensure(9);
    const m = major << 5;
    if (length < 24) {
      this.buffer[this.pos++] = m | length;
    } else if (length < 0x100) {
      this.buffer[this.pos++] = m | 24;
      this.buffer[this.pos++] = length;
    } else if (length < 0x10000) {
      this.buffer[this.pos++] = m | 25;
      this.view.setUint16(this.pos, length);
      this.pos += 2;
    } else if (length < 0x100000000) {
      this.buffer[this.pos++] = m | 26;
      this.view.setUint32(this.pos, length);
      this.pos += 4;
    } else {
      this.buffer[this.pos++] = m | 27;
      this.view.setUint32(this.pos, Math.floor(length / 0x100000000));
      this.view.setUint32(this.pos + 4, length >>> 0);
      this.pos += 8;
    }
  }

  bytes(major: number, data: Uint8Array): void {
    this.header(major, data.length);
    this.ensure(data.length);
    this.buffer.set(data, this.pos);
    this.pos += data.length;
  }

  float64(value: number): void {
    this.ensure(9);
    this.buffer[this.pos++] = 0xfb;
    this.view.setFloat64(this.pos, value);
    this.pos += 8;
  }

  number(value: number): void {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
      if (value >= 0) this.header(0, value);
      else this.header(1, -1 - value);
    } else {
      this.float64(value);
    }
  }

  string(value: string): void {
    if (value.length >= LONG_STRING) {
      this.longString(value);
      return;
    }
    // Short strings: encoded by hand (faster than TextEncoder for them), which
    // also finds lone surrogates. At most 63 * 3 = 189 bytes: a 1- or 2-byte header.
    const maxBytes = value.length * 3;
    const reserved = maxBytes < 24 ? 1 : 2;
    this.ensure(reserved + maxBytes);
    const buf = this.buffer;
    const start = this.pos;
    const bodyStart = start + reserved;
    let p = bodyStart;
    let wellFormed = true;
    for (let i = 0; i < value.length; i++) {
      let c = value.charCodeAt(i);
      if (c < 0x80) {
        buf[p++] = c;
        continue;
      }
      if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 0x3f);
        continue;
      }
      if (c >= 0xd800 && c <= 0xdbff) {
        const next = value.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          i++;
          buf[p++] = 0xf0 | (c >> 18);
          buf[p++] = 0x80 | ((c >> 12) & 0x3f);
          buf[p++] = 0x80 | ((c >> 6) & 0x3f);
          buf[p++] = 0x80 | (c & 0x3f);
          continue;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) wellFormed = false; // a lone surrogate, kept as WTF-8
      buf[p++] = 0xe0 | (c >> 12);
      buf[p++] = 0x80 | ((c >> 6) & 0x3f);
      buf[p++] = 0x80 | (c & 0x3f);
    }
    const length = p - bodyStart;
    if (!wellFormed) {
      const body = buf.slice(bodyStart, p);
      this.pos = start;
      this.header(6, TAG.wtf8String);
      this.bytes(2, body);
      return;
    }
    const headerSize = length < 24 ? 1 : 2;
    if (headerSize !== reserved) buf.copyWithin(start + headerSize, bodyStart, p);
    if (headerSize === 1) {
      buf[start] = 0x60 | length;
    } else {
      buf[start] = 0x78;
      buf[start + 1] = length;
    }
    this.pos = start + headerSize + length;
  }

  longString(value: string): void {
    if (!value.isWellFormed()) {
      this.header(6, TAG.wtf8String);
      this.bytes(2, wtf8(value));
      return;
    }
    // A fixed 5-byte header (CBOR allows a longer-than-needed length field),
    // so TextEncoder can write straight into the buffer.
    const max = value.length * 3;
    this.ensure(5 + max);
    const { written } = textEncoder.encodeInto(value, this.buffer.subarray(this.pos + 5, this.pos + 5 + max));
    this.buffer[this.pos] = 0x7a;
    this.view.setUint32(this.pos + 1, written);
    this.pos += 5 + written;
  }
}

// WTF-8 bytes of a string that may hold lone surrogates.
function wtf8(value: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i);
    const next = value.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
      i++;
      out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    } else if (c < 0x80) {
      out.push(c);
    } else if (c < 0x800) {
      out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    } else {
      out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    }
  }
  return new Uint8Array(out);
}

function bigintBytes(magnitude: bigint): Uint8Array {
  let hex = magnitude.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

function viewBytes(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  const name = (value as object)?.constructor?.name;
  return name ? `a ${name}` : 'this value';
}

function encodeInto(w: Writer, value: unknown, depth: number): void {
  switch (typeof value) {
    case 'number':
      w.number(value);
      return;
    case 'string':
      w.string(value);
      return;
    case 'boolean':
      w.ensure(1);
      w.buffer[w.pos++] = value ? 0xf5 : 0xf4;
      return;
    case 'undefined':
      w.ensure(1);
      w.buffer[w.pos++] = 0xf7;
      return;
    case 'bigint':
      if (value >= 0n) {
        w.header(6, TAG.positiveBigInt);
        w.bytes(2, bigintBytes(value));
      } else {
        w.header(6, TAG.negativeBigInt);
        w.bytes(2, bigintBytes(-1n - value));
      }
      return;
    case 'object':
      break;
    default:
      throw new DataCloneError(`${describe(value)} cannot be stored`);
  }
  if (value === null) {
    w.ensure(1);
    w.buffer[w.pos++] = 0xf6;
    return;
  }
  if (w.shares === null) {
    if (w.seen?.has(value)) {
      // Met before: noted, and the second pass writes a reference here.
      (w.repeated ??= new Set()).add(value);
      w.ensure(1);
      w.buffer[w.pos++] = 0xf7;
      return;
    }
    w.seen?.add(value);
  } else {
    const share = w.shares.get(value);
    if (share !== undefined) {
      if (share >= 0) {
        w.header(6, TAG.sharedReference);
        w.header(0, share);
        return;
      }
      w.shares.set(value, w.nextShare++);
      w.header(6, TAG.shareable);
    }
  }
  if (depth > MAX_DEPTH) {
    // A key (written without sharing) this deep is not a key, or contains itself: IndexedDB's DataError.
    if (w.seen === null) throw new DataError(`a key nested more than ${MAX_DEPTH} levels deep (or containing itself) is not a valid key`);
    throw new DataCloneError(`the value is nested more than ${MAX_DEPTH} levels deep`);
  }
  if (Array.isArray(value)) {
    w.header(4, value.length);
    for (let i = 0; i < value.length; i++) {
      const element = value[i];
      if (element === undefined && !(i in value)) {
        w.ensure(1);
        w.buffer[w.pos++] = HOLE_BYTE;
      } else {
        encodeInto(w, element, depth + 1);
      }
    }
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    encodeObject(w, value as Record<string, unknown>, depth);
    return;
  }
  if (value instanceof Date) {
    w.header(6, TAG.date);
    w.float64(value.getTime());
    return;
  }
  if (ArrayBuffer.isView(value)) {
    const tag = value instanceof DataView ? TAG.dataView : TAG_OF_TYPED_ARRAY.get(value.constructor);
    if (tag === undefined) throw new DataCloneError(`${describe(value)} cannot be stored`);
    encodeView(w, value, tag, depth);
    return;
  }
  if (value instanceof ArrayBuffer) {
    w.header(6, TAG.arrayBuffer);
    w.bytes(2, new Uint8Array(value));
    return;
  }
  if (value instanceof Map) {
    w.header(6, TAG.map);
    w.header(5, value.size);
    for (const [k, v] of value) {
      encodeInto(w, k, depth + 1);
      encodeInto(w, v, depth + 1);
    }
    return;
  }
  if (value instanceof Set) {
    w.header(6, TAG.set);
    w.header(4, value.size);
    for (const v of value) encodeInto(w, v, depth + 1);
    return;
  }
  if (value instanceof RegExp) {
    w.header(6, TAG.regExp);
    w.header(4, 2);
    w.string(value.source);
    w.string(value.flags);
    return;
  }
  if (value instanceof String || value instanceof Number || value instanceof Boolean || value instanceof BigInt) {
    // Structured clone keeps a boxed primitive's type and its primitive value (not other own properties).
    w.header(6, TAG.boxedPrimitive);
    encodeInto(w, value.valueOf(), depth + 1);
    return;
  }
  if (typeof Blob !== 'undefined' && value instanceof Blob) {
    encodeBlob(w, value);
    return;
  }
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise || value instanceof Symbol) {
    throw new DataCloneError(`${describe(value)} cannot be stored`);
  }
  // A platform object of a kind not handled above (a CryptoKey, an ImageBitmap, a file system
  // handle...): IndexedDB keeps it by reference to the browser's own object, which a database file
  // cannot hold. Refuse it, rather than store it as an empty object.
  const kind = Object.prototype.toString.call(value).slice(8, -1);
  if (kind !== 'Object' && kind !== 'Error' && kind !== 'Arguments') {
    throw new DataCloneError(`a ${kind} cannot be stored (indexie stores values in its database file, which cannot hold one)`);
  }
  // Other objects (class instances): their own enumerable properties, as structured clone does.
  encodeObject(w, value as Record<string, unknown>, depth);
}

/**
 * A typed array or DataView: its bytes alone, unless it views part of its
 * buffer, or its buffer is met elsewhere in the value (another view, or the
 * ArrayBuffer itself): then, as structured clone keeps them, the view over
 * its (whole, possibly shared) buffer. A key's views are only their bytes.
 */
function encodeView(w: Writer, view: ArrayBufferView, tag: number, depth: number): void {
  const buffer = view.buffer as ArrayBuffer;
  const partial = view.byteOffset !== 0 || view.byteLength !== buffer.byteLength;
  const keys = w.seen === null && w.shares === null;
  if (!keys && (partial || w.shares?.has(buffer))) {
    w.header(6, TAG.bufferView);
    w.header(4, 4);
    w.header(0, tag);
    encodeInto(w, buffer, depth + 1);
    w.header(0, view.byteOffset);
    w.header(0, view instanceof DataView ? view.byteLength : (view as unknown as { length: number }).length);
    return;
  }
  if (w.shares === null && w.seen !== null) {
    // First pass: the buffer counts as met, so meeting it again marks it shared.
    if (w.seen.has(buffer)) (w.repeated ??= new Set()).add(buffer);
    else w.seen.add(buffer);
  }
  w.header(6, tag);
  w.bytes(2, viewBytes(view));
}

function encodeBlob(w: Writer, blob: Blob): void {
  const bytes = knownBlobBytes(blob);
  if (bytes === undefined) {
    throw new DataCloneError(
      'a Blob whose bytes were not read before the write cannot be stored (a Blob made inside a modify() or ' +
        'update() function or a hook: its bytes can only be read asynchronously; pass it as a value or in the changes object instead)',
    );
  }
  const isFile = typeof File !== 'undefined' && blob instanceof File;
  w.header(6, isFile ? TAG.file : TAG.blob);
  w.header(4, isFile ? 4 : 2);
  w.string(blob.type);
  w.bytes(2, bytes);
  if (isFile) {
    w.string(blob.name);
    w.number(blob.lastModified);
  }
}

function encodeObject(w: Writer, value: Record<string, unknown>, depth: number): void {
  const keys = Object.keys(value);
  w.header(5, keys.length);
  for (const key of keys) {
    w.string(key);
    encodeInto(w, value[key], depth + 1);
  }
}

/** Writes one whole value (each value has its own share numbers), in a second pass if it shares objects. */
function encodeWhole(w: Writer, value: unknown, depth: number): void {
  const start = w.pos;
  if (w.seen !== null && w.seen.size > 0) w.seen.clear();
  w.repeated = null;
  encodeInto(w, value, depth);
  const repeated = w.repeated as Set<object> | null; // set by encodeInto
  if (repeated === null) return;
  w.pos = start;
  w.header(6, TAG.sharingRoot);
  w.shares = new Map();
  for (const object of repeated) w.shares.set(object, -1);
  w.nextShare = 0;
  try {
    encodeInto(w, value, depth);
  } finally {
    w.shares = null;
    w.repeated = null;
  }
}

/**
 * How to encode. keys: the values are keys (or hold keys, as a query's
 * ranges): written without value sharing, since a key's identity means
 * nothing and the engine reads each bound on its own (an object met twice is
 * written twice; a cyclic key is nested too deep).
 */
export interface EncodeOptions {
  keys?: boolean;
}

/** Encodes one value. */
export function encodeValue(value: unknown, options?: EncodeOptions): Uint8Array {
  const w = new Writer();
  if (options?.keys) w.seen = null;
  try {
    encodeWhole(w, value, 0);
  } catch (error) {
    throw withPath(error, value, '');
  }
  return w.buffer.slice(0, w.pos);
}

/** Encodes an array of values as one encoded array (one buffer for a bulk write); each value is its own. */
export function encodeValues(values: readonly unknown[], options?: EncodeOptions): Uint8Array {
  const w = new Writer();
  if (options?.keys) w.seen = null;
  w.header(4, values.length);
  for (let i = 0; i < values.length; i++) {
    try {
      encodeWhole(w, values[i], 1);
    } catch (error) {
      throw withPath(error, values[i], values.length > 1 ? `item ${i}` : '');
    }
  }
  return w.buffer.slice(0, w.pos);
}

/**
 * A DataCloneError names where the value that cannot be stored is (found
 * again only now, on the error path, so encoding pays nothing for it):
 * "a function at .profile.save cannot be stored".
 */
function withPath(error: unknown, root: unknown, prefix: string): unknown {
  if (!(error instanceof DataCloneError)) return error;
  const path = pathOfUnstorable(root, '', new Set());
  const where = [prefix, path === undefined ? '' : path === '' ? '' : `at ${path}`].filter(Boolean).join(' ');
  if (where) error.message = error.message.replace(/ cannot be stored/, ` (${where}) cannot be stored`);
  return error;
}

/** The key path of the first function, symbol or unread Blob inside `value` ('' for the value itself), if any. */
function pathOfUnstorable(value: unknown, path: string, seen: Set<object>): string | undefined {
  if (typeof value === 'function' || typeof value === 'symbol') return path;
  if (value === null || typeof value !== 'object' || seen.has(value)) return undefined;
  if (typeof Blob !== 'undefined' && value instanceof Blob) return knownBlobBytes(value) ? undefined : path;
  seen.add(value);
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((item, i) => [`[${i}]`, item])
    : value instanceof Map
      ? [...value].map(([key, item]) => [`.get(${String(key)})`, item])
      : Object.entries(value).map(([key, item]) => [`.${key}`, item]);
  for (const [step, item] of entries) {
    const found = pathOfUnstorable(item, path + step, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}
