// values/value-format.ts: the value format, shared by the encoder
// (value-encoder.ts) and the decoder (value-decoder.ts). Every value indexie
// stores is encoded once, in JS, and the engine reads these bytes only to
// find key paths (core/include/indexie/value_reader.h). This is on-disk
// format: never renumber a tag, only add.
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
//   a view (typed array or DataView) on part of its buffer, or on a buffer
//               met elsewhere in the value: tag 40108 over [view's tag,
//               ArrayBuffer, byteOffset, length (elements; a DataView's bytes)],
//               the ArrayBuffer whole (and shared, see below), as structured
//               clone keeps it
//   Map         tag 259 over a map (any keys);  Set tag 258 over an array
//   RegExp      tag 21066 over [source, flags]
//   boxed primitive (new String('s'), new Number(1), new Boolean(false),
//               Object(1n))   tag 40104 over the primitive's own encoding
//   Blob        tag 40105 over [type, bytes]
//   File        tag 40106 over [type, bytes, name, lastModified]
//               (a Blob's bytes are read asynchronously before the write: blob-bytes.ts)
//   shared and cyclic references, as structured clone keeps them (CBOR
//               value sharing, http://cbor.schmorp.de/value-sharing): an
//               object met more than once in one value is written once,
//               under tag 28 ("shareable"); every later meeting is tag 29
//               over n, "the n-th tag-28 item of this value" (0-based, in
//               the order the tag-28 headers appear in the bytes). Only
//               objects met twice are marked, so a value without sharing is
//               written exactly as before, and a key injected into a stored
//               value (new plain objects, unmarked) renumbers nothing. A
//               reference always points back (to an item already started:
//               an ancestor, for a cycle). A value that shares objects is
//               wrapped in tag 40107 ("sharing root"): its numbering starts
//               there, so values the engine returns side by side in one
//               response (a query batch) each keep their own.
// Functions, symbols, WeakMaps, WeakSets, Promises and other host objects
// raise DataCloneError.

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
  boxedPrimitive: 40104,
  blob: 40105,
  file: 40106,
  shareable: 28,
  sharedReference: 29,
  sharingRoot: 40107,
  bufferView: 40108,
} as const;

export type TypedArray =
  | Uint8Array
  | Uint8ClampedArray
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigUint64Array
  | BigInt64Array;
export type TypedArrayConstructor = {
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TypedArray;
  BYTES_PER_ELEMENT: number;
  name: string;
};

// RFC 8746 tags of the little-endian typed arrays.
const TYPED_ARRAY_TAGS: Array<[TypedArrayConstructor, number]> = [
  [Uint8Array, 64],
  [Uint16Array, 69],
  [Uint32Array, 70],
  [BigUint64Array, 71],
  [Uint8ClampedArray, 68],
  [Int8Array, 72],
  [Int16Array, 77],
  [Int32Array, 78],
  [BigInt64Array, 79],
  [Float32Array, 85],
  [Float64Array, 86],
];
export const TAG_OF_TYPED_ARRAY = new Map<unknown, number>(TYPED_ARRAY_TAGS.map(([ctor, tag]) => [ctor, tag]));
export const TYPED_ARRAY_OF_TAG = new Map<number, TypedArrayConstructor>(TYPED_ARRAY_TAGS.map(([ctor, tag]) => [tag, ctor]));

/** CBOR simple value 19 (0xf3): a hole in a sparse array. */
export const HOLE_BYTE = 0xf3;
