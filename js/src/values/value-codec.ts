// values/value-codec.ts: the value format. Every value indexie stores is encoded
// here once, and the engine reads these bytes only to find key paths
// (core/include/indexie/value_reader.h). This is on-disk format: never
// renumber a tag.
//
// CBOR (RFC 8949), definite lengths only, with these representations:
//   number      integer in ±(2^53-1), not -0: major 0/1; any other number (incl.
//               -0, NaN, ±Infinity, fractions): float64 (0xfb)
//   string      major 3 (UTF-8); a string with lone surrogates: tag 40103 over
//               its WTF-8 bytes (TextEncoder would replace them)
//   boolean, null, undefined   0xf5/0xf4, 0xf6, 0xf7
//   bigint      tag 2 (n >= 0) or 3 (-1-n) over big-endian magnitude bytes
//   Array       major 4; a hole in a sparse array is simple value 19 (0xf3)
//   plain object  major 5 with text keys: own enumerable string-keyed properties
//               (class instances are stored as plain objects, as structured clone does)
//   Date        tag 40100 over float64 milliseconds (NaN for an invalid Date)
//   ArrayBuffer tag 40101 over bytes;  DataView tag 40102 over bytes
//   typed array RFC 8746 tag (64 + type) over its bytes, little-endian
//   Map         tag 259 over a map (any keys);  Set tag 258 over an array
//   RegExp      tag 21066 over [source, flags]
// Functions, symbols, Blobs and other host objects raise DataCloneError.
import { DataCloneError } from '../errors.js';

export const TAG = {
  positiveBigInt: 2,
  negativeBigInt: 3,
  set: 258,
  map: 259,
  regExp: 21066,
  date: 40100,
  arrayBuffer: 40101,
  dataView: 40102,
  wtf8String: 40103,
} as const;

type TypedArray =
  | Uint8Array | Uint8ClampedArray | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array
  | Float32Array | Float64Array | BigUint64Array | BigInt64Array;
type TypedArrayConstructor = { new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TypedArray; BYTES_PER_ELEMENT: number; name: string };

// RFC 8746 tags of the little-endian typed arrays.
const TYPED_ARRAY_TAGS: Array<[TypedArrayConstructor, number]> = [
  [Uint8Array, 64], [Uint16Array, 69], [Uint32Array, 70], [BigUint64Array, 71], [Uint8ClampedArray, 68],
  [Int8Array, 72], [Int16Array, 77], [Int32Array, 78], [BigInt64Array, 79], [Float32Array, 85], [Float64Array, 86],
];
const TAG_OF_TYPED_ARRAY = new Map<unknown, number>(TYPED_ARRAY_TAGS.map(([ctor, tag]) => [ctor, tag]));
const TYPED_ARRAY_OF_TAG = new Map<number, TypedArrayConstructor>(TYPED_ARRAY_TAGS.map(([ctor, tag]) => [tag, ctor]));

const MAX_DEPTH = 1000;
const HOLE_BYTE = 0xf3;  // CBOR simple value 19: an array hole
const HOLE = Symbol('hole');
const LONG_STRING = 64;  // longer strings go through TextEncoder
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: false });
const KEY_CACHE_SIZE = 4096;  // a power of two
const keyCache: Array<string | undefined> = new Array(KEY_CACHE_SIZE);

class Writer {
  buffer = new Uint8Array(256);
  view = new DataView(this.buffer.buffer);
  pos = 0;

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
      if (c >= 0xd800 && c <= 0xdfff) wellFormed = false;  // a lone surrogate, kept as WTF-8
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
  if (depth > MAX_DEPTH) {
    throw new DataCloneError(`the value is nested more than ${MAX_DEPTH} levels deep (or refers to itself)`);
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
    if (value instanceof DataView) {
      w.header(6, TAG.dataView);
    } else {
      const tag = TAG_OF_TYPED_ARRAY.get(value.constructor);
      if (tag === undefined) throw new DataCloneError(`${describe(value)} cannot be stored`);
      w.header(6, tag);
    }
    w.bytes(2, viewBytes(value));
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
  if (typeof Blob !== 'undefined' && value instanceof Blob) {
    throw new DataCloneError('Blob and File values cannot be stored yet: store `await blob.arrayBuffer()` instead');
  }
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise) {
    throw new DataCloneError(`${describe(value)} cannot be stored`);
  }
  // Other objects (class instances): their own enumerable properties, as structured clone does.
  encodeObject(w, value as Record<string, unknown>, depth);
}

function encodeObject(w: Writer, value: Record<string, unknown>, depth: number): void {
  const keys = Object.keys(value);
  w.header(5, keys.length);
  for (const key of keys) {
    w.string(key);
    encodeInto(w, value[key], depth + 1);
  }
}

/** Encodes one value. */
export function encodeValue(value: unknown): Uint8Array {
  const w = new Writer();
  try {
    encodeInto(w, value, 0);
  } catch (error) {
    throw withPath(error, value, '');
  }
  return w.buffer.slice(0, w.pos);
}

/** Encodes an array of values as one encoded array (one buffer for a bulk write). */
export function encodeValues(values: readonly unknown[]): Uint8Array {
  const w = new Writer();
  w.header(4, values.length);
  for (let i = 0; i < values.length; i++) {
    try {
      encodeInto(w, values[i], 1);
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

/** The key path of the first function or symbol inside `value` ('' for the value itself), if any. */
function pathOfUnstorable(value: unknown, path: string, seen: Set<object>): string | undefined {
  if (typeof value === 'function' || typeof value === 'symbol') return path;
  if (value === null || typeof value !== 'object' || seen.has(value)) return undefined;
  seen.add(value);
  const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((item, i) => [`[${i}]`, item])
    : value instanceof Map ? [...value].map(([key, item]) => [`.get(${String(key)})`, item])
    : Object.entries(value).map(([key, item]) => [`.${key}`, item]);
  for (const [step, item] of entries) {
    const found = pathOfUnstorable(item, path + step, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Strings up to this many bytes are decoded in JS (see Reader.text); longer ones by TextDecoder. */
const SHORT_TEXT = 128;
/** charCodesOfLength[n]: a scratch array of n char codes for Reader.text. */
const charCodesOfLength: number[][] = [];

class Reader {
  view: DataView;
  pos = 0;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(): never {
    throw new DataCloneError('stored bytes are not a valid encoded value');
  }

  length(info: number): number {
    if (info < 24) return info;
    const p = this.pos;
    switch (info) {
      case 24: this.pos += 1; return this.bytes[p];
      case 25: this.pos += 2; return this.view.getUint16(p);
      case 26: this.pos += 4; return this.view.getUint32(p);
      case 27: this.pos += 8; return this.view.getUint32(p) * 0x100000000 + this.view.getUint32(p + 4);
      default: return this.fail();
    }
  }

  take(n: number): Uint8Array {
    if (this.pos + n > this.bytes.length) this.fail();
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A map key: short ASCII keys come from a cache, since records repeat their property names. */
  key(n: number): string {
    const start = this.pos;
    if (n > 0 && n <= 24 && start + n <= this.bytes.length) {
      const bytes = this.bytes;
      let hash = n;
      for (let i = start; i < start + n; i++) hash = (Math.imul(hash, 31) + bytes[i]) | 0;
      const slot = hash & (KEY_CACHE_SIZE - 1);
      const cached = keyCache[slot];
      if (cached !== undefined && cached.length === n) {
        let same = true;
        for (let i = 0; i < n; i++) {
          if (cached.charCodeAt(i) !== bytes[start + i]) { same = false; break; }
        }
        if (same) {
          this.pos = start + n;
          return cached;
        }
      }
      const text = this.text(n);
      if (text.length === n) keyCache[slot] = text;  // ASCII only: one byte per character
      return text;
    }
    return this.text(n);
  }

  text(n: number): string {
    const start = this.pos;
    const end = start + n;
    if (end > this.bytes.length) this.fail();
    this.pos = end;
    const bytes = this.bytes;
    if (n <= SHORT_TEXT) {
      // ASCII (most short strings): char codes gathered into an array reused
      // per length, then one String.fromCharCode call: no intermediate
      // strings or subarrays, which the garbage collector made 3x slower.
      let codes = charCodesOfLength[n];
      if (codes === undefined) codes = charCodesOfLength[n] = new Array<number>(n).fill(0);
      for (let i = 0; i < n; i++) {
        const b = bytes[start + i];
        if (b >= 0x80) return textDecoder.decode(bytes.subarray(start, end));
        codes[i] = b;
      }
      return String.fromCharCode.apply(null, codes);
    }
    return textDecoder.decode(bytes.subarray(start, end));
  }

  item(): unknown {
    if (this.pos >= this.bytes.length) this.fail();
    const initial = this.bytes[this.pos++];
    const major = initial >> 5;
    const info = initial & 0x1f;
    switch (major) {
      case 0: return this.length(info);
      case 1: return -1 - this.length(info);
      case 2: return this.take(this.length(info)).slice();
      case 3: return this.text(this.length(info));
      case 4: {
        const n = this.length(info);
        const out = new Array(n);
        for (let i = 0; i < n; i++) {
          const element = this.item();
          if (element !== HOLE) out[i] = element;
        }
        return out;
      }
      case 5: {
        const n = this.length(info);
        const out: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const initial = this.bytes[this.pos];
          let key: string;
          if (initial >> 5 === 3) {
            this.pos++;
            key = this.key(this.length(initial & 0x1f));
          } else {
            key = String(this.item());
          }
          const value = this.item();
          if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
          else out[key] = value;
        }
        return out;
      }
      case 6: return this.tagged(this.length(info));
      default: return this.simple(info);
    }
  }

  simple(info: number): unknown {
    switch (info) {
      case 19: return HOLE;
      case 20: return false;
      case 21: return true;
      case 22: return null;
      case 23: return undefined;
      case 25: {
        const half = this.view.getUint16(this.pos);
        this.pos += 2;
        const exp = (half >> 10) & 0x1f, mant = half & 0x3ff;
        const value = exp === 0 ? mant * 2 ** -24 : exp === 31 ? (mant ? NaN : Infinity) : (mant + 1024) * 2 ** (exp - 25);
        return half & 0x8000 ? -value : value;
      }
      case 26: {
        const v = this.view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      }
      case 27: {
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      default: return this.fail();
    }
  }

  tagged(tag: number): unknown {
    switch (tag) {
      case TAG.date: return new Date(this.item() as number);
      case TAG.arrayBuffer: return this.bytesContent().slice().buffer;
      case TAG.dataView: return new DataView(this.bytesContent().slice().buffer);
      case TAG.wtf8String: return decodeWtf8(this.bytesContent());
      case TAG.positiveBigInt: return bytesToBigInt(this.bytesContent());
      case TAG.negativeBigInt: return -1n - bytesToBigInt(this.bytesContent());
      case TAG.set: return new Set(this.item() as unknown[]);
      case TAG.map: {
        const initial = this.bytes[this.pos++];
        if (initial >> 5 !== 5) this.fail();
        const n = this.length(initial & 0x1f);
        const out = new Map();
        for (let i = 0; i < n; i++) {
          const key = this.item();
          out.set(key, this.item());
        }
        return out;
      }
      case TAG.regExp: {
        const [source, flags] = this.item() as [string, string];
        return new RegExp(source, flags);
      }
      default: {
        const Ctor = TYPED_ARRAY_OF_TAG.get(tag);
        if (!Ctor) return this.fail();
        const bytes = this.bytesContent().slice();
        return new Ctor(bytes.buffer, 0, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
      }
    }
  }

  bytesContent(): Uint8Array {
    const initial = this.bytes[this.pos++];
    if (initial >> 5 !== 2) this.fail();
    return this.take(this.length(initial & 0x1f));
  }
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let out = 0n;
  for (const b of bytes) out = (out << 8n) | BigInt(b);
  return out;
}

function decodeWtf8(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    let c: number;
    if (b < 0x80) { c = b; i += 1; }
    else if (b < 0xe0) { c = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f); i += 2; }
    else if (b < 0xf0) { c = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f); i += 3; }
    else { c = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f); i += 4; }
    s += String.fromCodePoint(c);
  }
  return s;
}

/** A row of a query batch: keys decoded, the value left encoded until asked for. */
export interface EncodedRow {
  key: unknown;
  primaryKey: unknown;
  valueBytes: Uint8Array | undefined;
}

/** Decodes a batch of [key, primaryKey, value] triples (the engine's "rows" output) without decoding values. */
export function decodeRows(bytes: Uint8Array): EncodedRow[] {
  const reader = new Reader(bytes);
  const initial = bytes[reader.pos++];
  if (initial >> 5 !== 4) reader.fail();
  const count = reader.length(initial & 0x1f) / 3;
  const rows: EncodedRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const key = reader.item();
    const primaryKey = reader.item();
    const start = reader.pos;
    if (bytes[start] === 0xf7) {
      reader.pos++;
      rows[i] = { key, primaryKey, valueBytes: undefined };
    } else {
      skipItem(reader);
      rows[i] = { key, primaryKey, valueBytes: bytes.subarray(start, reader.pos) };
    }
  }
  return rows;
}

// Advances past one item without building it.
function skipItem(reader: Reader): void {
  const initial = reader.bytes[reader.pos++];
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (major === 7) {
    reader.pos += info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : info === 24 ? 1 : 0;
    return;
  }
  const n = reader.length(info);
  switch (major) {
    case 2: case 3: reader.pos += n; return;
    case 4: for (let i = 0; i < n; i++) skipItem(reader); return;
    case 5: for (let i = 0; i < 2 * n; i++) skipItem(reader); return;
    case 6: skipItem(reader); return;
    default: return;
  }
}

/** Decodes one encoded value. */
export function decodeValue(bytes: Uint8Array): unknown {
  const reader = new Reader(bytes);
  const value = reader.item();
  if (reader.pos !== bytes.length) reader.fail();
  return value;
}
