// value-codec.ts: the value codec under the name engine.ts imports it by.
// The codec lives in values/ (values/value-format.ts,
// values/value-encoder.ts, values/value-decoder.ts); engine.ts is being
// rewritten elsewhere and keeps its import of './value-codec.js' until it
// moves, then this file goes. Only re-exports: the structure test counts it
// in layer values.
export { encodeValue, encodeValues } from './values/value-encoder.js';
export { decodeRows, decodeValue, type EncodedRow } from './values/value-decoder.js';
