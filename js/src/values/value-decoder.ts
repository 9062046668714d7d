// values/value-decoder.ts: bytes in the value format (value-format.ts) back
// to values: decodeValue for one value, decodeRows for a query batch whose
// values stay encoded until asked for. Bytes that are not a valid encoded
// value raise DataCloneError.
//
// Shared references (tags 28/29): an object under tag 28 is registered as
// soon as it exists, before its contents are read, so a reference inside it
// (a cycle) resolves to it. A reference to a share not yet started is
// malformed. A sharing root (tag 40107) starts a value's own numbering.
// Size: ~420 lines: the CBOR reader (a JS fast path for short strings, a key cache) and every stored type belong together.
import { DataCloneError } from '../errors.js';
import { rememberBlobBytes } from './blob-bytes.js';
import { TAG, TYPED_ARRAY_OF_TAG } from './value-format.js';

/** What the reader returns for an array hole (HOLE_BYTE): the array case leaves that index empty. */
const HOLE = Symbol('hole');
const textDecoder = new TextDecoder('utf-8', { fatal: false });
const KEY_CACHE_SIZE = 4096; // a power of two
const keyCache: Array<string | undefined> = new Array(KEY_CACHE_SIZE);

/** Strings up to this many bytes are decoded in JS (see Reader.text); longer ones by TextDecoder. */
const SHORT_TEXT = 128;
/** charCodesOfLength[n]: a scratch array of n char codes for Reader.text. */
const charCodesOfLength: number[][] = [];

/** A File when the runtime has one, else (older runtimes) a Blob carrying name and lastModified. */
function makeFile(parts: BlobPart[], type: string, name: string, lastModified: number): Blob {
  if (typeof File !== 'undefined') return new File(parts, name, { type, lastModified });
  return Object.assign(new Blob(parts, { type }), { name, lastModified });
}

class Reader {
  view: DataView;
  pos = 0;
  /** The objects under tag 28 so far, by share number (null until the first). */
  shares: unknown[] | null = null;
  /** The share number the next object made takes (a tag 28 was just read), or -1. */
  pendingShare = -1;
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
      case 24:
        this.pos += 1;
        return this.bytes[p];
      case 25:
        this.pos += 2;
        return this.view.getUint16(p);
      case 26:
        this.pos += 4;
        return this.view.getUint32(p);
      case 27:
        this.pos += 8;
        return this.view.getUint32(p) * 0x100000000 + this.view.getUint32(p + 4);
      default:
        return this.fail();
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
          if (cached.charCodeAt(i) !== bytes[start + i]) {
            same = false;
            break;
          }
        }
        if (same) {
          this.pos = start + n;
          return cached;
        }
      }
      const text = this.text(n);
      if (text.length === n) keyCache[slot] = text; // ASCII only: one byte per character
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
      case 0:
        return this.length(info);
      case 1:
        return -1 - this.length(info);
      case 2:
        return this.take(this.length(info)).slice();
      case 3:
        return this.text(this.length(info));
      case 4: {
        const n = this.length(info);
        const out = new Array(n);
        if (this.pendingShare >= 0) this.share(out);
        for (let i = 0; i < n; i++) {
          const element = this.item();
          if (element !== HOLE) out[i] = element;
        }
        return out;
      }
      case 5: {
        const n = this.length(info);
        const out: Record<string, unknown> = {};
        if (this.pendingShare >= 0) this.share(out);
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
      case 6:
        return this.tagged(this.length(info));
      default:
        return this.simple(info);
    }
  }

  simple(info: number): unknown {
    switch (info) {
      case 19:
        return HOLE;
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25: {
        const half = this.view.getUint16(this.pos);
        this.pos += 2;
        const exp = (half >> 10) & 0x1f,
          mant = half & 0x3ff;
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
      default:
        return this.fail();
    }
  }

  /** Registers `object` under the pending share number (it has just been made). */
  share(object: unknown): void {
    this.shares![this.pendingShare] = object;
    this.pendingShare = -1;
  }

  tagged(tag: number): unknown {
    // Only an array, a plain object, a Map or a Set can hold a reference to itself: they register
    // themselves when made; the tag-28 case registers any other object once read.
    const share = this.pendingShare;
    this.pendingShare = -1;
    switch (tag) {
      case TAG.sharingRoot: {
        // A value of its own: its share numbers start here (values of one batch each have theirs).
        const outer = this.shares;
        this.shares = null;
        try {
          return this.item();
        } finally {
          this.shares = outer;
        }
      }
      case TAG.shareable: {
        const shares = (this.shares ??= []);
        const index = shares.length;
        shares.push(undefined);
        this.pendingShare = index;
        const value = this.item();
        this.pendingShare = -1;
        shares[index] = value;
        return value;
      }
      case TAG.sharedReference: {
        const index = this.item();
        if (typeof index !== 'number' || this.shares === null || index >= this.shares.length) return this.fail();
        return this.shares[index];
      }
      case TAG.bufferView: {
        const initial = this.bytes[this.pos++];
        if (initial !== 0x84) this.fail(); // an array of 4
        const viewTag = this.item();
        const buffer = this.item();
        const byteOffset = this.item();
        const length = this.item();
        const Ctor = viewTag === TAG.dataView ? DataView : TYPED_ARRAY_OF_TAG.get(viewTag as number);
        if (!Ctor || !(buffer instanceof ArrayBuffer) || typeof byteOffset !== 'number' || typeof length !== 'number') return this.fail();
        try {
          return new Ctor(buffer, byteOffset, length);
        } catch {
          return this.fail(); // out of the buffer's bounds
        }
      }
      case TAG.boxedPrimitive: {
        const primitive = this.item();
        const type = typeof primitive;
        if (type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'bigint') return this.fail();
        return Object(primitive);
      }
      case TAG.blob:
      case TAG.file: {
        const fields = this.item();
        if (!Array.isArray(fields) || fields.length !== (tag === TAG.file ? 4 : 2)) return this.fail();
        const [type, bytes, name, lastModified] = fields as [string, Uint8Array<ArrayBuffer>, string, number];
        if (typeof type !== 'string' || !(bytes instanceof Uint8Array)) return this.fail();
        const blob = tag === TAG.file ? makeFile([bytes], type, String(name), Number(lastModified)) : new Blob([bytes], { type });
        rememberBlobBytes(blob, bytes);
        return blob;
      }
      case TAG.date:
        return new Date(this.item() as number);
      case TAG.arrayBuffer:
        return this.bytesContent().slice().buffer;
      case TAG.dataView:
        return new DataView(this.bytesContent().slice().buffer);
      case TAG.wtf8String:
        return decodeWtf8(this.bytesContent());
      case TAG.positiveBigInt:
        return bytesToBigInt(this.bytesContent());
      case TAG.negativeBigInt:
        return -1n - bytesToBigInt(this.bytesContent());
      case TAG.set: {
        const initial = this.bytes[this.pos++];
        if (initial >> 5 !== 4) this.fail();
        const n = this.length(initial & 0x1f);
        const out = new Set();
        if (share >= 0) this.shares![share] = out;
        for (let i = 0; i < n; i++) out.add(this.item());
        return out;
      }
      case TAG.map: {
        const initial = this.bytes[this.pos++];
        if (initial >> 5 !== 5) this.fail();
        const n = this.length(initial & 0x1f);
        const out = new Map();
        if (share >= 0) this.shares![share] = out;
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
    if (b < 0x80) {
      c = b;
      i += 1;
    } else if (b < 0xe0) {
      c = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
      i += 2;
    } else if (b < 0xf0) {
      c = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
      i += 3;
    } else {
      c = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
      i += 4;
    }
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
    case 2:
    case 3:
      reader.pos += n;
      return;
    case 4:
      for (let i = 0; i < n; i++) skipItem(reader);
      return;
    case 5:
      for (let i = 0; i < 2 * n; i++) skipItem(reader);
      return;
    case 6:
      skipItem(reader);
      return;
    default:
      return;
  }
}

/** Decodes one encoded value. */
export function decodeValue(bytes: Uint8Array): unknown {
  const reader = new Reader(bytes);
  const value = reader.item();
  if (reader.pos !== bytes.length) reader.fail();
  return value;
}
