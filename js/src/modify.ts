// modify.ts: applying a change (an object of key-path changes, or a
// function) to one stored record and writing the result: shared by
// Table.update/upsert/bulkUpdate and Collection.modify.
import { DataError, InvalidArgumentError, engineError } from './errors.js';
import type { Engine } from './engine.js';
import { cmp } from './key-compare.js';
import { getByKeyPath, setByKeyPath } from './key-path.js';

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
 * the result. A function may edit `value`, replace it (`ctx.value = ...`) or
 * delete the record (`delete ctx.value`). A changed inbound primary key moves
 * the record (add under the new key first, so a taken key fails cleanly).
 */
export function modifyRecord(engine: Engine, table: string, keyPath: string | string[] | null, key: unknown,
                             value: unknown, changes: Changes | ModifyFunction, allowKeyChange = true): ModifyOutcome {
  let next: unknown = value;
  if (typeof changes === 'function') {
    const ctx: ModifyContext = { value, primKey: key };
    changes.call(ctx, value, ctx);
    if (!('value' in ctx)) {
      engine.delete(table, [key]);
      return 'deleted';
    }
    next = ctx.value;
  } else if (changes !== null && typeof changes === 'object') {
    for (const [path, change] of Object.entries(changes)) setByKeyPath(value as Record<string, unknown>, path, change);
  } else {
    throw new InvalidArgumentError('expected an object of changes or a function');
  }
  if (keyPath === null) {
    throwFirstFailure(engine.write(table, 'put', [next], [key]));
    return 'updated';
  }
  const newKey = getByKeyPath(next, keyPath);
  if (cmp(newKey, key) !== 0) {
    if (!allowKeyChange) throw new DataError('bulkUpdate() cannot change a primary key');
    throwFirstFailure(engine.write(table, 'add', [next]));
    engine.delete(table, [key]);
    return 'moved';
  }
  throwFirstFailure(engine.write(table, 'put', [next]));
  return 'updated';
}

function throwFirstFailure(result: { failures: Array<{ code: string; message: string }> }): void {
  if (result.failures.length > 0) {
    const failure = result.failures[0] as { code: string; message: string; error?: Error };
    throw failure.error ?? engineError(failure.code, failure.message);
  }
}
