// values/key-compare.ts: IndexedDB key order in JS (Dexie's `cmp`): number <
// Date < string < binary < array; strings by UTF-16 code units; arrays
// element-wise then by length; -0 equals 0. Invalid keys compare as NaN, as in
// Dexie. The engine orders encoded keys the same way
// (core/include/indexie/key_codec.h); JS needs this only where it sorts or
// compares keys itself (sortBy, filters).

const enum Rank {
  Number = 1,
  Date,
  String,
  Binary,
  Array,
}

function rank(key: unknown): Rank | 0 {
  switch (typeof key) {
    case 'number':
      return Number.isNaN(key) ? 0 : Rank.Number;
    case 'string':
      return Rank.String;
    case 'object':
      if (key instanceof Date) return Number.isNaN(key.getTime()) ? 0 : Rank.Date;
      if (Array.isArray(key)) return Rank.Array;
      if (key instanceof ArrayBuffer || ArrayBuffer.isView(key)) return Rank.Binary;
      return 0;
    default:
      return 0;
  }
}

function bytes(key: ArrayBuffer | ArrayBufferView): Uint8Array {
  return key instanceof ArrayBuffer ? new Uint8Array(key) : new Uint8Array(key.buffer, key.byteOffset, key.byteLength);
}

export function cmp(a: unknown, b: unknown): number {
  const ra = rank(a),
    rb = rank(b);
  if (ra === 0 || rb === 0) return NaN;
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case Rank.Number:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case Rank.Date: {
      const x = (a as Date).getTime(),
        y = (b as Date).getTime();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Rank.String:
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case Rank.Binary: {
      const x = bytes(a as ArrayBuffer),
        y = bytes(b as ArrayBuffer);
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
    default: {
      const x = a as unknown[],
        y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = cmp(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length > y.length ? 1 : 0;
    }
  }
}

/** Whether `key` is a valid key (an array that contains itself is not: IndexedDB's rule). */
export function isValidKey(key: unknown, open: unknown[] = []): boolean {
  if (rank(key) === 0) return false;
  if (!Array.isArray(key)) return true;
  if (open.includes(key)) return false;
  open.push(key);
  const valid = key.every((element) => isValidKey(element, open));
  open.pop();
  return valid;
}

/** A string that is equal for equal keys (for de-duplicating primary keys in JS). */
export function keyId(key: unknown): string {
  switch (typeof key) {
    case 'number':
      return `n${key === 0 ? 0 : key}`;
    case 'string':
      return `s${key}`;
    default:
      if (key instanceof Date) return `d${key.getTime()}`;
      if (Array.isArray(key)) return `a[${key.map(keyId).join(',')}]`;
      if (key instanceof ArrayBuffer || ArrayBuffer.isView(key)) return `b${Array.from(bytes(key as ArrayBuffer)).join('.')}`;
      return `?${String(key)}`;
  }
}
