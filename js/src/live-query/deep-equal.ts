// live-query/deep-equal.ts: structural equality of query results, so a live
// query does not emit a result equal to the one it emitted last.
//
// Covers what the value codec can produce (values/value-format.ts): primitives
// (NaN equals NaN, -0 equals 0 as in IndexedDB keys), arrays, plain objects,
// Dates, ArrayBuffers and typed arrays, Maps and Sets. Anything else (class
// instances from a `reading` hook, functions) is equal only to itself, so a
// result holding one is always emitted: a needless emission, never a
// missed one. Shared and cyclic references end: a pair of objects already
// being compared counts as equal there (the comparison that started it decides).

export function deepEqual(a: unknown, b: unknown, comparing = new Map<object, object>()): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (comparing.get(a) === b) return true;
  comparing.set(a, b);
  const proto = Object.getPrototypeOf(a);
  if (proto !== Object.getPrototypeOf(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], other[i], comparing)) return false;
    return true;
  }
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(a);
    const other = b as Record<string, unknown>;
    if (keys.length !== Object.keys(other).length) return false;
    for (const key of keys) {
      if (!Object.prototype.hasOwnProperty.call(other, key) || !deepEqual((a as Record<string, unknown>)[key], other[key], comparing))
        return false;
    }
    return true;
  }
  if (a instanceof Date) return a.getTime() === (b as Date).getTime() || (Number.isNaN(a.getTime()) && Number.isNaN((b as Date).getTime()));
  if (a instanceof ArrayBuffer) return bytesEqual(new Uint8Array(a), new Uint8Array(b as ArrayBuffer));
  if (ArrayBuffer.isView(a)) {
    const other = b as ArrayBufferView;
    return bytesEqual(
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
      new Uint8Array(other.buffer, other.byteOffset, other.byteLength),
    );
  }
  if (a instanceof Map) {
    const other = b as Map<unknown, unknown>;
    if (a.size !== other.size) return false;
    for (const [key, value] of a) if (!other.has(key) || !deepEqual(value, other.get(key), comparing)) return false;
    return true;
  }
  if (a instanceof Set) {
    const other = b as Set<unknown>;
    if (a.size !== other.size) return false;
    for (const value of a) if (!other.has(value)) return false;
    return true;
  }
  return false;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
