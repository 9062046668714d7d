// sync/outbox/json-values.ts: what the REST protocol can carry. Records and
// keys travel as JSON, so a synced table's records must be JSON values that
// come back equal: plain objects, arrays, strings, finite numbers,
// booleans, null. A write that stores anything else (a Date, Map, Set,
// binary, bigint, NaN) is refused with a DataError before anything is
// written: the alternative, a record that changes shape on the other
// device, loses data silently.
import { DataError } from '../../errors.js';
import type { SyncKey } from './tables.js';

/** Where `value` stops being JSON-safe ('born: a Date'), or undefined when it is. */
export function jsonProblem(value: unknown, path = ''): string | undefined {
  const at = path || 'the record';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${at} is ${value}`;
    case 'undefined':
      return undefined; // an absent property (JSON drops it, and reading it gives undefined either way)
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) return `${path}[${i}] is undefined`;
          const problem = jsonProblem(value[i], `${path}[${i}]`);
          if (problem) return problem;
        }
        return undefined;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return `${at} is a ${value.constructor?.name ?? 'non-plain object'}`;
      for (const [name, field] of Object.entries(value)) {
        const problem = jsonProblem(field, path ? `${path}.${name}` : name);
        if (problem) return problem;
      }
      return undefined;
    }
    default:
      return `${at} is a ${typeof value}`;
  }
}

/** Throws a DataError naming what cannot be synced, for a record about to be written to `table`. */
export function checkSyncedValue(table: string, value: unknown): void {
  const problem = jsonProblem(value);
  if (problem) {
    throw new DataError(
      `table '${table}' syncs with a REST server, where records travel as JSON, and ${problem}, which JSON cannot carry: ` +
        'store dates as ISO strings or numbers, binary as base64 strings',
    );
  }
}

/** Whether `key` is a key the protocol carries (string, finite number, non-empty array of those). */
export function isSyncKey(key: unknown): key is SyncKey {
  if (typeof key === 'string') return true;
  if (typeof key === 'number') return Number.isFinite(key);
  return Array.isArray(key) && key.length > 0 && key.every(isSyncKey);
}
