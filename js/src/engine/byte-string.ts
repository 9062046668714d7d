// byte-string.ts: raw bytes held as a JS string of char codes 0..255, one per
// byte (a "byte string"), the form live-query read sets and change sets
// (read-set.ts, change-set.ts) keep encoded keys and names in.
//
// Why: the C++ sets (core/include/indexie/read_set.h, change_set.h) keep
// std::string and compare with its operators, which order bytes as unsigned
// (memcmp order, a prefix first). JS compares strings by UTF-16 code units,
// so for byte strings `<`, `===`, Array.prototype.sort() and Map keys give
// exactly that order and equality, natively and without a comparator.
// Names (tables, indexes) stay their UTF-8 bytes too: the C++ neither checks
// nor decodes them, and sorts them by those bytes.

/** Bytes [start, end) of `bytes` as a byte string. */
export function byteStringOf(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const length = end - start;
  if (length <= 16) {
    let out = '';
    for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]);
    return out;
  }
  const CHUNK = 8192; // below engines' argument-count limits
  let out = '';
  for (let at = start; at < end; at += CHUNK) {
    out += String.fromCharCode.apply(null, bytes.subarray(at, Math.min(end, at + CHUNK)) as unknown as number[]);
  }
  return out;
}

/** A byte string's bytes. */
export function bytesOf(byteString: string): Uint8Array {
  const out = new Uint8Array(byteString.length);
  for (let i = 0; i < byteString.length; i++) out[i] = byteString.charCodeAt(i);
  return out;
}
