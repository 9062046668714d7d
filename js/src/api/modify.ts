// api/modify.ts: applying a change (an object of key-path changes, or a
// function) to one stored record and writing the result: shared by
// Table.update/upsert/bulkUpdate and Collection.modify.
import { DataError, InvalidArgumentError, engineError } from '../errors.js';
import type { Engine } from '../engine/engine.js';
import { cmp } from '../values/key-compare.js';
import { getByKeyPath, setByKeyPath } from '../values/key-path.js';
import { asPropModification } from '../values/prop-modification.js';
import { decodeValue } from '../values/value-decoder.js';
import { encodeValue } from '../values/value-encoder.js';

export type Changes = Record<string, unknown>;
export interface ModifyContext<T = unknown> {
  value?: T;
  primKey: unknown;
}
export type ModifyFunction<T = unknown> = (this: ModifyContext<T>, value: T, ctx: ModifyContext<T>) => unknown;

/** What happened to the record. */
export type ModifyOutcome = 'updated' | 'deleted' | 'moved';

/**
 * Applies `changes` to `value` (a decoded record of `table` with primary key
 * `key`, where `keyPath` is the table's inbound key path or null) and stores
 * the result. A function may edit `value`, replace it (`ctx.value = ...`),
 * delete the record (`delete ctx.value`), or return false to leave it as it was. A changed inbound primary key moves
 * the record (add under the new key first, so a taken key fails cleanly).
 */
export async function modifyRecord(
  engine: Engine,
  table: string,
  keyPath: string | string[] | null,
  key: unknown,
  value: unknown,
  changes: Changes | ModifyFunction,
  allowKeyChange = true,
): Promise<ModifyOutcome> {
  const next = applyChanges(key, value, changes);
  if (next === UNCHANGED) return 'updated';
  if (next === DELETED) {
    await engine.delete(table, [key]);
    return 'deleted';
  }
  if (keyPath === null) {
    throwFirstFailure(await engine.write(table, 'put', [next], [key]));
    return 'updated';
  }
  if (cmp(getByKeyPath(next, keyPath), key) !== 0) {
    if (!allowKeyChange) throw new DataError('bulkUpdate() cannot change a primary key');
    return moveRecord(engine, table, key, next);
  }
  throwFirstFailure(await engine.write(table, 'put', [next]));
  return 'updated';
}

/**
 * Collection.modify() over many records (`values[i]` stored under `keys[i]`),
 * in as few engine calls as it can: the records keeping their primary key
 * are written by one put, the deleted ones by one delete; a record whose key
 * changes moves on its own. A record whose change throws or whose write
 * fails is a failure; the others are written (the caller decides whether to
 * keep them).
 */
export async function modifyRecords(
  engine: Engine,
  table: string,
  keyPath: string | string[] | null,
  keys: readonly unknown[],
  values: readonly unknown[],
  changes: Changes | ModifyFunction,
): Promise<{ done: number; failures: Error[]; failedKeys: unknown[] }> {
  const puts: unknown[] = [];
  const putKeys: unknown[] = [];
  const deletes: unknown[] = [];
  const failures: Error[] = [];
  const failedKeys: unknown[] = [];
  let done = 0;
  for (const [i, key] of keys.entries()) {
    if (values[i] === undefined) continue; // no longer there
    try {
      // An object of changes is copied per record, so records never share a changed value (a
      // structured clone, by the value codec: Blobs in it stay ones whose bytes are known).
      const next = applyChanges(key, values[i], typeof changes === 'function' ? changes : (decodeValue(encodeValue(changes)) as Changes));
      if (next === UNCHANGED) {
        done++; // as Dexie counts it: the record was visited and kept
      } else if (next === DELETED) {
        deletes.push(key);
      } else if (keyPath !== null && cmp(getByKeyPath(next, keyPath), key) !== 0) {
        try {
          await moveRecord(engine, table, key, next);
        } catch (error) {
          throw new WriteFailure(error);
        }
        done++;
      } else {
        puts.push(next);
        putKeys.push(key);
      }
    } catch (error) {
      // As Dexie: the modify function's own exception fails the call with that error, before this
      // batch writes anything; a record that fails to be written is a failure (a ModifyError).
      if (!(error instanceof WriteFailure)) throw error;
      failures.push(error.cause as Error);
      failedKeys.push(key);
    }
  }
  if (puts.length > 0) {
    const result = await engine.write(table, 'put', puts, keyPath === null ? putKeys : undefined);
    done += puts.length - result.failures.length;
    for (const failure of result.failures) {
      failures.push(failureError(failure));
      failedKeys.push(putKeys[failure.position]);
    }
  }
  if (deletes.length > 0) done += await engine.delete(table, deletes);
  return { done, failures, failedKeys };
}

const DELETED = Symbol('deleted');

/** A record's write failed (not its modify function): carried to modifyRecords' failure list. */
class WriteFailure extends Error {
  constructor(cause: unknown) {
    super('a record of modify() could not be written', { cause });
  }
}
const UNCHANGED = Symbol('unchanged');

/** `value` with `changes` applied (a function may edit it, replace it with ctx.value, or delete it). */
function applyChanges(key: unknown, value: unknown, changes: Changes | ModifyFunction): unknown {
  if (typeof changes === 'function') {
    const ctx: ModifyContext = { value, primKey: key };
    // As Dexie: returning false discards the change; a value deleted or set to null or undefined deletes the record.
    if (changes.call(ctx, value, ctx) === false) return UNCHANGED;
    return ctx.value == null ? DELETED : ctx.value;
  }
  if (changes !== null && typeof changes === 'object') {
    // As Dexie: an object of changes cannot apply to a stored null (a key-value table's value).
    if (value === null || value === undefined)
      throw new TypeError(`cannot apply changes to a stored ${String(value)}: Cannot convert undefined or null to object`);
    for (const [path, change] of Object.entries(changes)) {
      const modification = asPropModification(change);
      const next = modification ? modification.execute(getByKeyPath(value, path)) : change;
      setByKeyPath(value as Record<string, unknown>, path, next);
    }
    return value;
  }
  throw new InvalidArgumentError('expected an object of changes or a function');
}

/** A changed inbound primary key: add under the new key first, so a taken key fails cleanly. */
async function moveRecord(engine: Engine, table: string, key: unknown, next: unknown): Promise<ModifyOutcome> {
  throwFirstFailure(await engine.write(table, 'add', [next]));
  await engine.delete(table, [key]);
  return 'moved';
}

function failureError(failure: { code: string; message: string; error?: Error }): Error {
  return failure.error ?? engineError(failure.code, failure.message);
}

function throwFirstFailure(result: { failures: Array<{ code: string; message: string }> }): void {
  if (result.failures.length > 0) throw failureError(result.failures[0]);
}
