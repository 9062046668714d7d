// table.ts: Table, the Dexie-compatible CRUD surface of one table.
//
// Every method resolves once the engine has applied the operation (the
// engine is synchronous and in memory; durability arrives with the
// IndexedDB bridge). A method that reads, changes and writes a record
// (update, upsert) does so without yielding, so nothing interleaves.
import { BulkError, DataError, InvalidArgumentError, engineError } from './errors.js';
import type { Engine } from './engine.js';
import { getByKeyPath, setByKeyPath } from './key-path.js';
import type { TableSchema } from './table-schema.js';

/** What a Table needs from its database. */
export interface TableHost {
  /** The open engine (opening the database first if needed). */
  engine(): Promise<Engine>;
  /** The table's schema; valid once engine() has resolved. */
  schemaOf(table: string): TableSchema;
}

export interface BulkOptions {
  allKeys?: boolean;
}

export type Changes = Record<string, unknown>;
export interface ModifyContext<T = unknown> {
  value?: T;
  primKey: unknown;
}
export type UpdateFunction<T = unknown> = (this: ModifyContext<T>, value: T, ctx: ModifyContext<T>) => unknown;

type Item = Record<string, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function failureError(failure: { code: string; message: string }): Error {
  return engineError(failure.code, failure.message);
}

export class Table<T = any, TKey = any> {
  readonly name: string;
  readonly #host: TableHost;

  constructor(name: string, host: TableHost) {
    this.name = name;
    this.#host = host;
  }

  /** The table's schema (available once the database is open). */
  get schema(): TableSchema {
    return this.#host.schemaOf(this.name);
  }

  // --- Writes -------------------------------------------------------------

  async add(item: T, key?: TKey): Promise<TKey> {
    return this.#writeOne('add', item, key);
  }

  async put(item: T, key?: TKey): Promise<TKey> {
    return this.#writeOne('put', item, key);
  }

  async bulkAdd(items: readonly T[], keysOrOptions?: readonly TKey[] | BulkOptions, options?: BulkOptions): Promise<any> {
    return this.#writeBulk('add', 'Table.bulkAdd()', items, keysOrOptions, options);
  }

  async bulkPut(items: readonly T[], keysOrOptions?: readonly TKey[] | BulkOptions, options?: BulkOptions): Promise<any> {
    return this.#writeBulk('put', 'Table.bulkPut()', items, keysOrOptions, options);
  }

  async #writeOne(mode: 'add' | 'put', item: T, key: TKey | undefined): Promise<TKey> {
    const engine = await this.#host.engine();
    const result = engine.write(this.name, mode, [item], key === undefined ? undefined : [key]);
    if (result.failures.length > 0) throw failureError(result.failures[0]);
    this.#writeKeyBack(item, result.keys[0]);
    return result.keys[0] as TKey;
  }

  async #writeBulk(mode: 'add' | 'put', operation: string, items: readonly T[],
                   keysOrOptions: readonly TKey[] | BulkOptions | undefined, options: BulkOptions | undefined): Promise<any> {
    if (!Array.isArray(items)) throw new InvalidArgumentError(`${operation} takes an array of items`);
    const keys = Array.isArray(keysOrOptions) ? (keysOrOptions as readonly TKey[]) : undefined;
    const opts: BulkOptions = (Array.isArray(keysOrOptions) ? options : (keysOrOptions as BulkOptions | undefined)) ?? {};
    if (keys && keys.length !== items.length) {
      throw new InvalidArgumentError(`${operation}: got ${keys.length} keys for ${items.length} items`);
    }
    const engine = await this.#host.engine();
    const result = engine.write(this.name, mode, items, keys);
    result.keys.forEach((key, i) => { if (key !== undefined) this.#writeKeyBack(items[i], key); });
    if (result.failures.length > 0) {
      const byPos: Record<number, Error> = {};
      for (const failure of result.failures) byPos[failure.position] = failureError(failure);
      throw new BulkError(operation, items.length, byPos);
    }
    return opts.allKeys ? result.keys : result.keys[result.keys.length - 1];
  }

  /** Dexie writes a generated inbound key into the object that was added. */
  #writeKeyBack(item: unknown, key: unknown): void {
    const { primKey } = this.schema;
    if (!primKey.auto || typeof primKey.keyPath !== 'string' || !isPlainObjectLike(item)) return;
    if (getByKeyPath(item, primKey.keyPath) === undefined) setByKeyPath(item as Item, primKey.keyPath, key);
  }

  async delete(key: TKey): Promise<void> {
    const engine = await this.#host.engine();
    engine.delete(this.name, [key]);
  }

  async bulkDelete(keys: readonly TKey[]): Promise<void> {
    if (!Array.isArray(keys)) throw new InvalidArgumentError('Table.bulkDelete() takes an array of keys');
    const engine = await this.#host.engine();
    engine.delete(this.name, keys);
  }

  async clear(): Promise<void> {
    const engine = await this.#host.engine();
    engine.clear(this.name);
  }

  /**
   * Applies `changes` (dotted key paths; `undefined` removes a property) or
   * runs `fn` on the record. Resolves 1 if the record exists, else 0.
   * `fn` may edit the object, replace it (`ctx.value = ...`) or delete the
   * record (`delete ctx.value`).
   */
  async update(keyOrObject: TKey | T, changes: Changes | UpdateFunction<T>): Promise<number> {
    const engine = await this.#host.engine();
    const key = this.#keyOf(keyOrObject);
    const current = engine.get(this.name, key);
    if (current === undefined) return 0;
    this.#applyAndStore(engine, key, current as T, changes);
    return 1;
  }

  /** Updates the record if it exists, else creates it from `changes`. Resolves true if it existed. */
  async upsert(key: TKey, changes: Changes): Promise<boolean> {
    const engine = await this.#host.engine();
    const current = engine.get(this.name, key);
    const keyPath = this.schema.primKey.keyPath;
    let base = current;
    if (base === undefined) {
      base = {};
      if (typeof keyPath === 'string') setByKeyPath(base as Item, keyPath, key);
      else if (Array.isArray(keyPath)) keyPath.forEach((path, i) => setByKeyPath(base as Item, path, (key as unknown[])[i]));
    }
    this.#applyAndStore(engine, key, base as T, changes);
    return current !== undefined;
  }

  /** Applies each `{key, changes}`; resolves the number of records that existed. */
  async bulkUpdate(updates: ReadonlyArray<{ key: TKey; changes: Changes }>): Promise<number> {
    if (!Array.isArray(updates)) throw new InvalidArgumentError('Table.bulkUpdate() takes an array of {key, changes}');
    const engine = await this.#host.engine();
    let updated = 0;
    const byPos: Record<number, Error> = {};
    updates.forEach(({ key, changes }, position) => {
      try {
        const current = engine.get(this.name, key);
        if (current === undefined) return;
        this.#applyAndStore(engine, key, current as T, changes, /*allowKeyChange=*/ false);
        updated++;
      } catch (error) {
        byPos[position] = error as Error;
      }
    });
    if (Object.keys(byPos).length > 0) throw new BulkError('Table.bulkUpdate()', updates.length, byPos);
    return updated;
  }

  #keyOf(keyOrObject: unknown): unknown {
    const keyPath = this.schema.primKey.keyPath;
    if (keyPath !== null && isPlainObject(keyOrObject)) return getByKeyPath(keyOrObject, keyPath);
    return keyOrObject;
  }

  /** Applies changes or a function to `value` and writes the result (or deletes it). */
  #applyAndStore(engine: Engine, key: unknown, value: T, changes: Changes | UpdateFunction<T>, allowKeyChange = true): void {
    let next: T | undefined = value;
    if (typeof changes === 'function') {
      const ctx: ModifyContext<T> = { value, primKey: key };
      changes.call(ctx, value, ctx);
      if (!('value' in ctx)) {
        engine.delete(this.name, [key]);
        return;
      }
      next = ctx.value;
    } else if (changes !== null && typeof changes === 'object') {
      for (const [path, change] of Object.entries(changes)) setByKeyPath(value as Item, path, change);
    } else {
      throw new InvalidArgumentError('update() takes an object of changes or a function');
    }
    const keyPath = this.schema.primKey.keyPath;
    if (keyPath === null) {
      const result = engine.write(this.name, 'put', [next], [key]);
      if (result.failures.length > 0) throw failureError(result.failures[0]);
      return;
    }
    const newKey = getByKeyPath(next, keyPath);
    if (keysDiffer(newKey, key)) {
      if (!allowKeyChange) throw new DataError('bulkUpdate() cannot change a primary key');
      // The primary key changed: add under the new key first (fails if taken), then drop the old record.
      const added = engine.write(this.name, 'add', [next]);
      if (added.failures.length > 0) throw failureError(added.failures[0]);
      engine.delete(this.name, [key]);
      return;
    }
    const result = engine.write(this.name, 'put', [next]);
    if (result.failures.length > 0) throw failureError(result.failures[0]);
  }

  // --- Reads --------------------------------------------------------------

  /** The record with this primary key, or with these index values ({email: 'x'}). */
  async get(keyOrCriteria: TKey | Record<string, unknown>): Promise<T | undefined> {
    if (keyOrCriteria === undefined || keyOrCriteria === null) {
      throw new TypeError(`Table.get() on '${this.name}' needs a key or an object of criteria, got ${keyOrCriteria}`);
    }
    const engine = await this.#host.engine();
    if (isPlainObject(keyOrCriteria)) return this.#getByCriteria(engine, keyOrCriteria);
    return engine.get(this.name, keyOrCriteria) as T | undefined;
  }

  async #getByCriteria(engine: Engine, criteria: Record<string, unknown>): Promise<T | undefined> {
    const paths = Object.keys(criteria);
    if (paths.length === 0) throw new InvalidArgumentError('Table.get() needs at least one criterion');
    const { primKey, indexes } = this.schema;
    const sameSet = (keyPath: string | string[] | null) =>
      Array.isArray(keyPath) ? keyPath.length === paths.length && keyPath.every((p) => paths.includes(p))
                             : paths.length === 1 && keyPath === paths[0];
    if (sameSet(primKey.keyPath)) {
      const key = Array.isArray(primKey.keyPath) ? primKey.keyPath.map((p) => criteria[p]) : criteria[paths[0]];
      return engine.get(this.name, key) as T | undefined;
    }
    const index = indexes.find((candidate) => sameSet(candidate.keyPath));
    if (index) {
      const key = Array.isArray(index.keyPath) ? index.keyPath.map((p) => criteria[p]) : criteria[paths[0]];
      return engine.getByIndex(this.name, index.name, key)?.[1] as T | undefined;
    }
    // No index covers the criteria: scan. (Queries on indexes arrive with the where() API.)
    return engine.scan(this.name).find((record) => paths.every((p) => !keysDiffer(getByKeyPath(record, p), criteria[p]))) as T | undefined;
  }

  async bulkGet(keys: readonly TKey[]): Promise<Array<T | undefined>> {
    if (!Array.isArray(keys)) throw new InvalidArgumentError('Table.bulkGet() takes an array of keys');
    const engine = await this.#host.engine();
    return engine.bulkGet(this.name, keys) as Array<T | undefined>;
  }

  async count(): Promise<number> {
    const engine = await this.#host.engine();
    return engine.count(this.name);
  }

  async toArray(): Promise<T[]> {
    const engine = await this.#host.engine();
    return engine.scan(this.name) as T[];
  }
}

function isPlainObjectLike(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether two keys differ (by IndexedDB key equality; -0 equals 0). */
function keysDiffer(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() !== b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length !== b.length || a.some((x, i) => keysDiffer(x, b[i]));
  if (ArrayBuffer.isView(a) || a instanceof ArrayBuffer) {
    if (!(ArrayBuffer.isView(b) || b instanceof ArrayBuffer)) return true;
    const x = bytesOf(a), y = bytesOf(b);
    return x.length !== y.length || x.some((v, i) => v !== y[i]);
  }
  return a !== b;
}

function bytesOf(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}
