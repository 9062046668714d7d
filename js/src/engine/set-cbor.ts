// set-cbor.ts: the CBOR subset the live-query set wire formats use
// (read-set.ts, change-set.ts; in C++ core/src/cbor_reader.h and cbor.cc's
// writers), over bytes that may come from another tab, Worker or version.
//
// Reader contract, exactly as cbor_reader.h's StrictReader: every read checks
// what it reads and fails cleanly (returns false, or undefined for a value)
// on anything malformed, never reading past the input. Definite lengths
// only: an additional info of 28..31 (reserved, indefinite) is malformed; a
// header argument may use any of the 1/2/4/8-byte forms (non-minimal forms
// are accepted, as the C++ accepts them); an array count or string length
// larger than the bytes left is malformed. Booleans are the single bytes
// 0xF4/0xF5 and null 0xF6. Strings come back as byte strings
// (byte-string.ts): text is not decoded or checked, as the C++ does not.
//
// Writer contract, as cbor.cc's WriteHeader: every header in its shortest
// form, so the same set serializes to the same bytes in JS and in C++.
import { byteStringOf } from './byte-string.js';

/** The CBOR major types the formats use. */
export const Major = { unsigned: 0, bytes: 2, text: 3, array: 4 } as const;
export type Major = (typeof Major)[keyof typeof Major];
type StringMajor = typeof Major.bytes | typeof Major.text;

export class StrictReader {
  readonly #in: Uint8Array;
  #pos = 0;

  constructor(input: Uint8Array) {
    this.#in = input;
  }

  /** An array header: its element count, or undefined. */
  array(): number | undefined {
    return this.#expect(Major.array);
  }

  /** An unsigned integer (exact up to 2^53; above that only ever compared), or undefined. */
  unsigned(): number | undefined {
    return this.#expect(Major.unsigned);
  }

  /** A boolean, or undefined. */
  bool(): boolean | undefined {
    if (this.#pos >= this.#in.length) return undefined;
    const byte = this.#in[this.#pos++];
    if (byte !== 0xf4 && byte !== 0xf5) return undefined;
    return byte === 0xf5;
  }

  /** Consumes a null if one is next; false (and nothing consumed) otherwise. */
  null(): boolean {
    if (this.#pos >= this.#in.length || this.#in[this.#pos] !== 0xf6) return false;
    this.#pos++;
    return true;
  }

  /** A text or byte string (per `major`) as a byte string, or undefined. */
  string(major: StringMajor): string | undefined {
    const size = this.#expect(major);
    if (size === undefined || size > this.#in.length - this.#pos) return undefined;
    const value = byteStringOf(this.#in, this.#pos, this.#pos + size);
    this.#pos += size;
    return value;
  }

  atEnd(): boolean {
    return this.#pos === this.#in.length;
  }

  #expect(major: Major): number | undefined {
    const input = this.#in;
    if (this.#pos >= input.length) return undefined;
    const initial = input[this.#pos++];
    const info = initial & 0x1f;
    let arg: number;
    if (info < 24) {
      arg = info;
    } else {
      if (info > 27) return undefined; // reserved, or indefinite length
      const size = 1 << (info - 24);
      if (this.#pos + size > input.length) return undefined;
      arg = 0;
      for (let i = 0; i < size; i++) arg = arg * 256 + input[this.#pos + i];
      this.#pos += size;
    }
    if (initial >> 5 !== major) return undefined;
    // Counts are bounded by the input: every element takes at least one byte.
    if (major === Major.array && arg > input.length - this.#pos) return undefined;
    return arg;
  }
}

/** Appends CBOR items to a growing buffer; `finish()` gives the bytes. */
export class SetWriter {
  #out = new Uint8Array(256);
  #length = 0;

  header(major: Major, arg: number): this {
    const initial = major << 5;
    if (arg < 24) return this.#byte(initial | arg);
    const size = arg <= 0xff ? 1 : arg <= 0xffff ? 2 : arg <= 0xffffffff ? 4 : 8;
    this.#byte(initial | (24 + Math.log2(size)));
    this.#reserve(size);
    for (let i = size - 1; i >= 0; i--) this.#out[this.#length++] = Math.floor(arg / 2 ** (8 * i)) & 0xff;
    return this;
  }

  bool(value: boolean): this {
    return this.#byte(value ? 0xf5 : 0xf4);
  }

  null(): this {
    return this.#byte(0xf6);
  }

  /** A text or byte string (per `major`) given as a byte string. */
  string(major: StringMajor, byteString: string): this {
    this.header(major, byteString.length);
    this.#reserve(byteString.length);
    for (let i = 0; i < byteString.length; i++) this.#out[this.#length++] = byteString.charCodeAt(i);
    return this;
  }

  finish(): Uint8Array {
    return this.#out.slice(0, this.#length);
  }

  #byte(value: number): this {
    this.#reserve(1);
    this.#out[this.#length++] = value;
    return this;
  }

  #reserve(size: number): void {
    if (this.#length + size <= this.#out.length) return;
    const grown = new Uint8Array(Math.max(this.#out.length * 2, this.#length + size));
    grown.set(this.#out.subarray(0, this.#length));
    this.#out = grown;
  }
}
