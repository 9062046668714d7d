// api/sort-by.ts: the order Collection.sortBy(keyPath) puts records in, as
// Dexie 4 does it: the records are sorted in JS by the value at the key
// path, compared as keys are, with Dexie's rules for values that are not
// valid keys (so an app moving from Dexie sees the same order, also with
// mixed or missing values):
//   - values of different kinds: an array sorts after binary, binary after
//     a string, a string after a Date, a Date after anything else; two other
//     kinds are incomparable;
//   - same kind: numbers, Dates and strings by value, binary by bytes,
//     arrays element by element; other kinds (objects, booleans, null,
//     undefined) are incomparable.
// Incomparable pairs count as equal to Array.prototype.sort (a NaN result),
// which is what Dexie's comparator gives it. A key path through a missing
// object (`a.b` where `a` is undefined or null) is a TypeError, as in Dexie.

type Kind = string;

function kindOf(value: unknown): Kind {
  const type = typeof value;
  if (type !== 'object') return type;
  if (ArrayBuffer.isView(value)) return 'binary';
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  return tag === 'ArrayBuffer' ? 'binary' : tag;
}

function bytesOf(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : new Uint8Array(value);
}

/** Dexie's comparison for sortBy(): -1, 0, 1, or NaN for an incomparable pair. */
export function sortByCompare(a: unknown, b: unknown): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb) {
    for (const kind of ['Array', 'binary', 'string', 'Date']) {
      if (ka === kind) return 1;
      if (kb === kind) return -1;
    }
    return NaN;
  }
  switch (ka) {
    case 'number':
    case 'string':
      return (a as number) > (b as number) ? 1 : (a as number) < (b as number) ? -1 : 0;
    case 'Date': {
      const x = (a as Date).getTime();
      const y = (b as Date).getTime();
      return x > y ? 1 : x < y ? -1 : 0;
    }
    case 'binary': {
      const x = bytesOf(a as ArrayBufferView);
      const y = bytesOf(b as ArrayBufferView);
      for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    case 'Array': {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < x.length && i < y.length; i++) {
        const order = sortByCompare(x[i], y[i]);
        if (order !== 0) return order;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    default:
      return NaN;
  }
}

/** The value at `keyPath` as Dexie's sortBy reads it: through a missing object is a TypeError. */
function valueAt(record: unknown, parts: readonly string[]): unknown {
  let value = record as Record<string, unknown>;
  for (const part of parts) value = value[part] as Record<string, unknown>;
  return value;
}

/** `records` sorted by the value at `keyPath`, descending if `reverse` (sorts in place; returns it). */
export function sortRecordsBy<T>(records: T[], keyPath: string, reverse: boolean): T[] {
  const parts = keyPath.split('.');
  const direction = reverse ? -1 : 1;
  return records.sort((a, b) => direction * sortByCompare(valueAt(a, parts), valueAt(b, parts)));
}
