// value-codec.ts: the value codec under the name engine.ts imports it by.
// The codec lives in values/ now; engine.ts is being rewritten elsewhere
// and keeps its import of './value-codec.js' until it moves, then this
// file goes. Only re-exports: the structure test keeps it in layer values.
export { decodeRows, decodeValue, encodeValue, encodeValues, type EncodedRow } from './values/value-codec.js';
