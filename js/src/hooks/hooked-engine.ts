// hooks/hooked-engine.ts: the engine as a table's write operations see it when
// hooks listen on that table. Writes go record by record: the stored record
// is read first, Dexie's creating / updating / deleting hooks run with
// Dexie's contract (table-hooks.ts), then the record is written, then the
// hook's onsuccess / onerror is called. Each change is recorded for the
// asynchronous hooks, which run before the transaction commits.
//
// Every other engine call passes through untouched, so Table, Collection and
// modify code is the same with and without hooks.
import { engineError } from '../errors.js';
import type { Engine, EngineWriteResult } from '../engine/engine.js';
import { allPrimaryKeys, interceptWrites } from '../engine/intercepted-engine.js';
import { getByKeyPath, setByKeyPath } from '../values/key-path.js';
import type { Change } from '../transactions/transaction.js';
import { runNowInContext } from '../transactions/async-context.js';
import type { TableHooks } from './table-hooks.js';

type Failure = EngineWriteResult['failures'][number] & { error?: Error };
type Callbacks = { onsuccess?: (value: unknown) => void; onerror?: (error: unknown) => void };

/**
 * Calls one hook subscriber with a `this` of its own, as Dexie does, and adds
 * the onsuccess / onerror it set to `all`: with several subscribers, each
 * one's callbacks are called, in subscription order.
 */
/**
 * Calls a CRUD hook subscriber with its own `this` (for onsuccess/onerror),
 * in the write's transaction: as in Dexie, Indexie.currentTransaction is the
 * transaction the hook receives, in the hook and in its callbacks.
 */
function callHook(all: Callbacks, transaction: unknown, fn: (...args: any[]) => unknown, ...args: unknown[]): unknown {
  const context = typeof transaction === 'object' ? transaction : null;
  const own: Callbacks = {};
  const returned = runNowInContext(context, () => fn.apply(own, args));
  for (const name of ['onsuccess', 'onerror'] as const) {
    const earlier = all[name];
    const added = own[name];
    if (typeof added !== 'function') continue;
    const addedInContext = (value: unknown): unknown => runNowInContext(context, () => added(value));
    all[name] = earlier
      ? (value: unknown) => {
          earlier(value);
          addedInContext(value);
        }
      : addedInContext;
  }
  return returned;
}

export function hookedEngine(
  engine: Engine,
  table: string,
  keyPath: string | string[] | null,
  hooks: TableHooks,
  transaction: unknown,
  changes: Change[],
): Engine {
  const record = (change: Change): void => {
    if (hooks.hasAsync) changes.push(change);
  };
  const storedValue = async (key: unknown): Promise<unknown> => {
    if (key === undefined) return undefined;
    try {
      return await engine.get(table, key);
    } catch {
      return undefined; // an invalid key: the write itself reports it
    }
  };
  const keyOf = (item: unknown): unknown => {
    if (keyPath === null) return undefined;
    if (Array.isArray(keyPath)) {
      const parts = keyPath.map((path) => getByKeyPath(item, path));
      return parts.some((part) => part === undefined) ? undefined : parts;
    }
    return getByKeyPath(item, keyPath);
  };

  const write = async (
    target: string,
    mode: 'add' | 'put',
    values: readonly unknown[],
    keys?: readonly unknown[],
  ): Promise<EngineWriteResult> => {
    if (target !== table) return engine.write(target, mode, values, keys);
    const result: EngineWriteResult = { keys: [], failures: [] };
    for (let position = 0; position < values.length; position++) {
      const item = values[position];
      let key = keys ? keys[position] : keyOf(item);
      const previous = mode === 'put' ? await storedValue(key) : undefined;
      const callbacks: Callbacks = {};
      let diff: Record<string, unknown> | undefined;
      let written: unknown;
      try {
        if (previous === undefined) {
          for (const fn of hooks.creating.subscribers) {
            const returned = callHook(callbacks, transaction, fn, key, item, transaction);
            if (returned !== undefined && key === undefined) {
              key = returned;
              if (typeof keyPath === 'string') setByKeyPath(item as Record<string, unknown>, keyPath, returned);
            }
          }
        } else {
          diff = objectDiff(previous, item);
          for (const fn of hooks.updating.subscribers) {
            const more: unknown = callHook(callbacks, transaction, fn, diff, key, previous, transaction);
            if (more !== null && typeof more === 'object') {
              for (const [path, change] of Object.entries(more)) {
                // As Dexie: a key path the object holds as a literal property ('a.b' itself) is set as such.
                if (Object.prototype.hasOwnProperty.call(item, path)) (item as Record<string, unknown>)[path] = change;
                else setByKeyPath(item as Record<string, unknown>, path, change);
              }
              diff = { ...diff, ...more };
            }
          }
        }
        const explicitKey = keys !== undefined || (keyPath === null && key !== undefined);
        const one = await engine.write(table, mode, [item], explicitKey ? [key] : undefined);
        if (one.failures.length > 0) {
          result.failures.push({ ...one.failures[0], position });
          callbacks.onerror?.(engineError(one.failures[0].code, one.failures[0].message));
          continue;
        }
        written = one.keys[0];
      } catch (error) {
        result.failures.push({
          position,
          code: (error as Error).name ?? 'Error',
          message: String((error as Error).message ?? error),
          error: error as Error,
        } as Failure);
        callbacks.onerror?.(error);
        continue;
      }
      result.keys[position] = written;
      callbacks.onsuccess?.(previous === undefined ? written : item);
      record(
        previous === undefined
          ? { type: 'add', table, key: written, item }
          : { type: 'update', table, key: written, item, previous, changes: diff },
      );
    }
    return result;
  };

  const remove = async (target: string, keys: readonly unknown[]): Promise<number> => {
    if (target !== table) return engine.delete(target, keys);
    let deleted = 0;
    for (const key of keys) {
      const previous = await storedValue(key);
      if (previous === undefined) {
        await engine.delete(table, [key]); // still validates the key
        continue;
      }
      const callbacks: Callbacks = {};
      try {
        for (const fn of hooks.deleting.subscribers) callHook(callbacks, transaction, fn, key, previous, transaction);
        deleted += await engine.delete(table, [key]);
      } catch (error) {
        callbacks.onerror?.(error);
        throw error;
      }
      callbacks.onsuccess?.(undefined);
      record({ type: 'delete', table, key, previous });
    }
    return deleted;
  };

  const clear = async (target: string): Promise<void> => {
    if (target !== table) return engine.clear(target);
    await remove(table, await allPrimaryKeys(engine, table));
  };

  return interceptWrites(engine, { write, delete: remove, clear });
}

/**
 * Dexie's getObjectDiff: the key paths whose values differ between a and b
 * (undefined = removed). A cycle is not followed twice (`visiting`: the
 * objects of `a` being compared), so cyclic records end.
 */
export function objectDiff(
  a: unknown,
  b: unknown,
  out: Record<string, unknown> = {},
  prefix = '',
  visiting = new Set<object>(),
): Record<string, unknown> {
  const from = a as Record<string, unknown>;
  const to = b as Record<string, unknown>;
  if (visiting.has(from)) return out;
  visiting.add(from);
  for (const property of Object.keys(from)) {
    if (!Object.prototype.hasOwnProperty.call(to, property)) {
      out[prefix + property] = undefined;
    } else if (isPlainObject(from[property]) && isPlainObject(to[property])) {
      objectDiff(from[property], to[property], out, `${prefix}${property}.`, visiting);
    } else if (!sameValue(from[property], to[property], visiting)) {
      out[prefix + property] = to[property];
    }
  }
  for (const property of Object.keys(to)) {
    if (!Object.prototype.hasOwnProperty.call(from, property)) out[prefix + property] = to[property];
  }
  visiting.delete(from);
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function sameValue(a: unknown, b: unknown, visiting: Set<object>): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) {
    if (visiting.has(a)) return true; // a cycle: compared where it started
    visiting.add(a);
    const same = a.length === b.length && a.every((item, i) => sameValue(item, b[i], visiting));
    visiting.delete(a);
    return same;
  }
  if (isPlainObject(a) && isPlainObject(b)) return Object.keys(objectDiff(a, b, {}, '', visiting)).length === 0;
  return false;
}
