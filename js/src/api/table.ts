// api/table.ts: Table, the Dexie-compatible CRUD surface of one table, and
// the public Transaction: TransactionBase (transactions/transaction.ts) with
// its tables typed as Table objects.
//
// Table and Transaction name each other (table.startTransaction() gives a
// Transaction, tx.table() a Table), and Table names HookFunction, whose
// subscribers get the Transaction: so all three are declared here, over
// bases that name none of them (TransactionBase; hook-types.ts's generic
// forms), and no import cycle arises.
//
// A write outside a transaction resolves once it is durable
// (db/write-path.ts); inside one, once the engine applied it (the commit
// makes it durable). A method that reads, changes and writes a record
// (update, upsert) does so without yielding, so nothing interleaves.
//
// Size: ~590 lines. Table is Dexie's whole table API (about 40 short
// methods, one concept, with the overloads Dexie's callback forms need);
// the public Transaction and the hook types add 40 lines that must live
// beside it (above). Checking keys and writing them back are its own rules.
import { contextualAsyncMethods, thenShortcuts, type PromiseExtended } from '../transactions/async-context.js';
import { BulkError, DataError, InvalidArgumentError, QuotaExceededError, engineError, inOperation } from '../errors.js';
import { isValidKey } from '../values/key-compare.js';
import { definedClass, mapTableToClass, type MappedClass } from './mapped-class.js';
import { modifyRecord, type Changes, type ModifyFunction } from './modify.js';
import type { Engine } from '../engine/engine.js';
import { getByKeyPath, setByKeyPath } from '../values/key-path.js';
import { Collection, WhereClause, type CollectionHost, type CursorInfo } from './collection.js';
import type { CollectionState, Query } from './query-plan.js';
import type { StartTransactionOptions, TableHost } from '../db/table-host.js';
import type { TableSchema } from '../db/table-schema.js';
import { TransactionBase, type TransactionBackend, type TransactionMode, type TransactionSession } from '../transactions/transaction.js';
import type { StrategyName, TableHooks } from '../hooks/table-hooks.js';
import { hookFunction, type CreatingHookOf, type DeletingHookOf, type HookFunctionOf, type UpdatingHookOf } from './hook-types.js';
import type { ModifyContext, UpdateFunction, UpdateSpec } from './types.js';
import { startElectricSync, type ElectricSync, type ElectricSyncOptions } from '../sync/electric/electric-sync.js';

export interface BulkOptions {
  allKeys?: boolean;
}

export type { Changes, ModifyContext, UpdateFunction };

type Item = Record<string, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function failureError(failure: { code: string; message: string; error?: Error }): Error {
  return failure.error ?? engineError(failure.code, failure.message);
}

/** One change for Table.applyRemote(): a record to store (under `key` for outbound keys), or a key to delete. */
export type RemoteChange<TInsertType = unknown, TKey = unknown> =
  { type: 'put'; value: TInsertType; key?: TKey } | { type: 'delete'; key: TKey };

/**
 * One table. T is its record type, TKey its primary key type, TInsertType
 * what add/put accept (T by default; EntityTable<T, 'id'> makes an
 * auto-incremented 'id' optional), as Dexie's Table<T, TKey, TInsertType>.
 */
export class Table<T = any, TKey = any, TInsertType = T> {
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

  /**
   * An explicit read-write transaction: `await using tx = db.users.startTransaction()`;
   * operations through tx.table('users') belong to it; `await tx.commit()`
   * makes them durable; leaving the block without commit rolls back.
   */
  startTransaction(options?: StartTransactionOptions): Transaction {
    // db/ makes every transaction through api/indexie.ts's factory: it is a Transaction.
    return this.#host.startTransaction(options) as Transaction;
  }

  // --- Hooks ----------------------------------------------------------------

  /** Dexie's hook('creating' | 'updating' | 'deleting' | 'reading', fn), and hook.onAdd/onUpdate/onDelete(fn). */
  get hook(): HookFunction<T, TKey, TInsertType> {
    const hooks = this.#host.hooks as TableHooks & { api?: HookFunction };
    return (hooks.api ??= hookFunction(hooks));
  }

  /** When the async hooks run relative to the local write: Strategy.LOCAL_FIRST (default) or NETWORK_FIRST. */
  get strategy(): StrategyName {
    return this.#host.hooks.strategy;
  }

  set strategy(strategy: StrategyName) {
    if (strategy !== 'local-first' && strategy !== 'network-first') {
      throw new InvalidArgumentError(`strategy must be Strategy.LOCAL_FIRST or Strategy.NETWORK_FIRST, not ${String(strategy)}`);
    }
    this.#host.hooks.strategy = strategy;
  }

  /**
   * Writes changes that come from a server: stored and seen by every reader,
   * but no hook fires, so a sync never echoes its own changes back. All or
   * nothing.
   */
  applyRemote(changes: ReadonlyArray<RemoteChange<TInsertType, TKey>>): PromiseExtended<void>;
  async applyRemote(changes: ReadonlyArray<RemoteChange<TInsertType, TKey>>): Promise<void> {
    if (!Array.isArray(changes)) throw new InvalidArgumentError('Table.applyRemote() takes an array of {type, value|key}');
    await this.#host.write(
      async (engine) => {
        await engine.begin();
        try {
          for (const change of changes) {
            if (change.type === 'put') {
              const result = await engine.write(this.name, 'put', [change.value], change.key === undefined ? undefined : [change.key]);
              if (result.failures.length > 0) throw failureError(result.failures[0]);
            } else if (change.type === 'delete') {
              await engine.delete(this.name, [change.key]);
            } else {
              throw new InvalidArgumentError(`Table.applyRemote(): unknown change type '${String((change as { type: unknown }).type)}'`);
            }
          }
        } catch (error) {
          await engine.rollback();
          throw error;
        }
        await engine.commit();
      },
      `Table.applyRemote() on '${this.name}'`,
      { silent: true, stores: changes.map((change) => (change as { value?: unknown }).value) },
    );
  }

  /**
   * Keeps this table equal to an ElectricSQL shape (a Postgres table, or the
   * rows of it a `where` selects): the initial snapshot, then live changes,
   * applied silently (no hook fires; live queries re-run), one transaction
   * per up-to-date batch, resumable across reloads. See README "ElectricSQL sync".
   */
  syncElectric(options: ElectricSyncOptions): ElectricSync {
    return startElectricSync(this.name, this.#host, options);
  }

  // --- Queries --------------------------------------------------------------

  #collectionHost(): CollectionHost {
    return {
      tableName: this.name,
      engine: () => this.#host.engine(),
      write: (operation, what) => this.#host.write(operation, what),
      writeInSlices: (count, writeSlice, what, options) => this.#host.writeInSlices(count, writeSlice, what, options),
      readUnit: (read, what) => this.#host.readUnit(read, what),
      readEpoch: () => this.#host.readEpoch(),
      slicesReads: () => this.#host.slicesReads(),
      schema: () => this.schema,
      reader: () => this.#host.hooks.reader,
    };
  }

  #collection(query: Query): Collection<T, TKey, TInsertType> {
    const state: CollectionState = {
      query,
      or: [],
      predicates: [],
      reverse: false,
      distinct: false,
      leadingOffset: 0,
      offset: 0,
      limit: Infinity,
      orderBy: [],
    };
    return new Collection<T, TKey, TInsertType>(this.#collectionHost(), state);
  }

  /**
   * where('index') / where('[a+b]') / where(['a', 'b']) / where(':id') gives a
   * WhereClause; where({a: 1, b: 2}) gives the matching Collection (a compound
   * index covering the keys if there is one, else one index and a filter).
   * Criteria are typed loosely, as in Dexie: key paths to keys.
   */
  where(index: string | string[]): WhereClause<T, TKey, TInsertType>;
  where(criteria: { [keyPath: string]: any }): Collection<T, TKey, TInsertType>;
  where(
    indexOrCriteria: string | string[] | Record<string, unknown>,
  ): WhereClause<T, TKey, TInsertType> | Collection<T, TKey, TInsertType> {
    if (typeof indexOrCriteria === 'string' || Array.isArray(indexOrCriteria)) {
      return new WhereClause<T, TKey, TInsertType>(indexOrCriteria, (query) => this.#collection(query));
    }
    if (!isPlainObject(indexOrCriteria))
      throw new InvalidArgumentError('where() takes an index name, an array of key paths, or an object of criteria');
    return this.#collection({ index: '', ranges: null, criteria: indexOrCriteria });
  }

  /** Every record, in primary-key order. */
  toCollection(): Collection<T, TKey, TInsertType> {
    return this.#collection({ index: '', ranges: null });
  }

  /**
   * Every record that has the index, in index order. orderBy('[a+b]') or
   * orderBy(['a', 'b']) uses a compound index; (extension) several paths
   * without one, or '-path' for descending, sort in the engine.
   */
  orderBy(index: string | string[]): Collection<T, TKey, TInsertType> {
    const paths = Array.isArray(index) ? index : [index];
    const plainIndex = paths.every((p) => !p.startsWith('-')) && this.#hasIndexFor(index);
    if (plainIndex) return this.#collection({ index, ranges: null });
    if (typeof index === 'string' && !index.startsWith('-')) {
      // As Dexie: one key path that is not an index is a SchemaError (a typo), not an empty result.
      return this.#collection({ index, ranges: null });
    }
    return this.toCollection().orderBy(...paths);
  }

  #hasIndexFor(index: string | string[]): boolean {
    try {
      const { primKey, indexes } = this.schema;
      const wanted = Array.isArray(index) ? `[${index.join('+')}]` : index;
      const name = (keyPath: string | string[] | null) => (Array.isArray(keyPath) ? `[${keyPath.join('+')}]` : keyPath);
      return wanted === ':id' || name(primKey.keyPath) === wanted || indexes.some((i) => i.name === wanted);
    } catch {
      return true; // schema not loaded yet: let the query resolve it when it runs
    }
  }

  /** The records `fn` accepts; a type guard narrows the collection's record type. */
  filter<S extends T>(fn: (value: T) => value is S): Collection<S, TKey, TInsertType>;
  filter(fn: (value: T) => unknown): Collection<T, TKey, TInsertType>;
  filter(fn: (value: T) => unknown): Collection<T, TKey, TInsertType> {
    return this.toCollection().filter(fn);
  }

  reverse(): Collection<T, TKey, TInsertType> {
    return this.toCollection().reverse();
  }

  offset(n: number): Collection<T, TKey, TInsertType> {
    return this.toCollection().offset(n);
  }

  limit(n: number): Collection<T, TKey, TInsertType> {
    return this.toCollection().limit(n);
  }

  each(fn: (value: T, cursor: CursorInfo<TKey>) => unknown): Promise<void> {
    return this.toCollection().each(fn);
  }

  // --- Writes -------------------------------------------------------------

  /** Adds a record (a ConstraintError if its key exists); resolves its primary key. */
  add(item: TInsertType, key?: TKey): PromiseExtended<TKey>;
  async add(item: TInsertType, key?: TKey): Promise<TKey> {
    return this.#writeOne('add', item, key);
  }

  /** Adds or replaces a record; resolves its primary key. */
  put(item: TInsertType, key?: TKey): PromiseExtended<TKey>;
  async put(item: TInsertType, key?: TKey): Promise<TKey> {
    return this.#writeOne('put', item, key);
  }

  /** Adds records; resolves the last key, or every key with {allKeys: true}. */
  bulkAdd<B extends boolean>(
    items: readonly TInsertType[],
    keys: readonly TKey[],
    options: { allKeys: B },
  ): Promise<B extends true ? TKey[] : TKey>;
  bulkAdd<B extends boolean>(items: readonly TInsertType[], options: { allKeys: B }): PromiseExtended<B extends true ? TKey[] : TKey>;
  bulkAdd(items: readonly TInsertType[], keys?: readonly TKey[], options?: BulkOptions): PromiseExtended<TKey>;
  async bulkAdd(items: readonly TInsertType[], keysOrOptions?: readonly TKey[] | BulkOptions, options?: BulkOptions): Promise<any> {
    return this.#writeBulk('add', 'Table.bulkAdd()', items, keysOrOptions, options);
  }

  /** Adds or replaces records; resolves the last key, or every key with {allKeys: true}. */
  bulkPut<B extends boolean>(
    items: readonly TInsertType[],
    keys: readonly TKey[],
    options: { allKeys: B },
  ): Promise<B extends true ? TKey[] : TKey>;
  bulkPut<B extends boolean>(items: readonly TInsertType[], options: { allKeys: B }): PromiseExtended<B extends true ? TKey[] : TKey>;
  bulkPut(items: readonly TInsertType[], keys?: readonly TKey[], options?: BulkOptions): PromiseExtended<TKey>;
  async bulkPut(items: readonly TInsertType[], keysOrOptions?: readonly TKey[] | BulkOptions, options?: BulkOptions): Promise<any> {
    return this.#writeBulk('put', 'Table.bulkPut()', items, keysOrOptions, options);
  }

  async #writeOne(mode: 'add' | 'put', item: TInsertType, key: TKey | undefined): Promise<TKey> {
    // As Dexie: a key passed for an inbound table is ignored (the record's own key counts).
    const explicitKey = key === undefined || key === null || this.#inbound() ? undefined : [key];
    return this.#host.write(
      async (engine) => {
        const result = await engine.write(this.name, mode, [item], explicitKey);
        if (result.failures.length > 0) throw failureError(result.failures[0]);
        this.#writeKeyBack(item, result.keys[0]);
        return result.keys[0] as TKey;
      },
      `Table.${mode}() on '${this.name}'`,
      { addsOnly: mode === 'add', stores: [item] },
    );
  }

  async #writeBulk(
    mode: 'add' | 'put',
    operation: string,
    items: readonly TInsertType[],
    keysOrOptions: readonly TKey[] | BulkOptions | undefined,
    options: BulkOptions | undefined,
  ): Promise<any> {
    if (!Array.isArray(items)) throw new InvalidArgumentError(`${operation} takes an array of items`);
    const keys = Array.isArray(keysOrOptions) ? (keysOrOptions as readonly TKey[]) : undefined;
    // (items, keys, options), (items, undefined, options) or (items, options), as Dexie reads them.
    const opts: BulkOptions =
      (Array.isArray(keysOrOptions) || keysOrOptions === undefined ? options : (keysOrOptions as BulkOptions)) ?? {};
    if (keys && keys.length !== items.length) {
      throw new InvalidArgumentError(`${operation}: got ${keys.length} keys for ${items.length} items`);
    }
    const invalidAt = this.#firstInvalidKey(items, keys);
    if (invalidAt >= 0) {
      // As Dexie (IndexedDB refuses the request at once): the items before it are written,
      // it and the ones after are not, and the call fails with a DataError, not a BulkError.
      // (A constraint failure among those is overtaken by the DataError, as in Dexie.)
      if (invalidAt > 0) {
        await this.#writeBulk(mode, operation, items.slice(0, invalidAt), keys?.slice(0, invalidAt), undefined).catch((error: unknown) => {
          if (!(error instanceof BulkError)) throw error;
        });
      }
      throw new DataError(
        `${operation} on '${this.name}': item ${invalidAt} has no valid primary key, so it and the items after it were not written`,
      );
    }
    const slices = await this.#host.writeInSlices(
      items.length,
      async (engine, from, to) => {
        const whole = from === 0 && to === items.length;
        const result = await engine.write(
          this.name,
          mode,
          whole ? items : items.slice(from, to),
          keys && !whole ? keys.slice(from, to) : keys,
        );
        // As Dexie 4: bulk writes leave the caller's objects as they were (no key written back).
        return { keys: result.keys, failures: result.failures.map((failure) => ({ ...failure, position: failure.position + from })) };
      },
      `${operation} on '${this.name}'`,
      { addsOnly: mode === 'add', stores: items },
    );
    const failures = slices.flatMap((slice) => slice.failures);
    if (failures.length > 0) {
      // As Dexie outside a transaction: the other items were written.
      const byPos: Record<number, Error> = {};
      for (const failure of failures) byPos[failure.position] = failureError(failure);
      // Storage refusing the whole write (a full quota) is not a per-item failure: as in Dexie,
      // whose transaction aborts with it, the call fails with that error itself.
      const errors = Object.values(byPos);
      if (failures.length === items.length && errors.every((error) => error instanceof QuotaExceededError)) {
        throw new QuotaExceededError(
          `${operation} on '${this.name}': the storage quota is exhausted, nothing of it was saved (${errors[0].message})`,
        );
      }
      throw new BulkError(operation, items.length, byPos);
    }
    const resultKeys = slices.length === 1 ? slices[0].keys : slices.flatMap((slice) => slice.keys);
    return opts.allKeys ? resultKeys : resultKeys[resultKeys.length - 1];
  }

  /** The position of the first item whose primary key is invalid (IndexedDB's DataError), or -1. */
  #firstInvalidKey(items: readonly unknown[], keys: readonly unknown[] | undefined): number {
    let primKey: TableSchema['primKey'];
    try {
      primKey = this.schema.primKey;
    } catch {
      return -1; // schema not loaded yet: the engine checks each item
    }
    const { keyPath, auto } = primKey;
    return items.findIndex((item, i) => {
      if (keyPath === null) return keys && keys[i] !== undefined ? !isValidKey(keys[i]) : !auto;
      if (item === null || typeof item !== 'object') return true;
      const paths = typeof keyPath === 'string' ? [keyPath] : keyPath;
      const parts = paths.map((path) => getByKeyPath(item, path));
      if (typeof keyPath === 'string' && parts[0] === undefined) return !auto;
      return !isValidKey(typeof keyPath === 'string' ? parts[0] : parts);
    });
  }

  /**
   * Records read from this table come back as instances of `constructor`
   * (Dexie's mapToClass: its prototype, the record's properties; the
   * constructor is not called). Returns the constructor.
   */
  mapToClass<C extends MappedClass>(constructor: C): C {
    return mapTableToClass(this.#host.hooks, constructor, this.#host.db, this.name);
  }

  /** The database this table belongs to (Dexie's table.db). */
  get db(): any {
    return this.#host.db;
  }

  /** Dexie's defineClass(structure): a class mapped to this table, whose constructor copies its argument. */
  // The structure argument only documents the class's shape (as in Dexie); it has no effect.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  defineClass(_structure?: object): new (content?: Partial<T>) => T {
    return this.mapToClass(definedClass()) as unknown as new (content?: Partial<T>) => T;
  }

  /** Whether the primary key is inbound (read from the record by its key path). */
  #inbound(): boolean {
    try {
      return this.schema.primKey.keyPath !== null;
    } catch {
      return false; // schema not loaded yet: the engine decides, as before
    }
  }

  /**
   * As Dexie's add() and put(): the key the write resolved to is written into
   * the object at an inbound key path, as IndexedDB returns it (so a binary
   * key becomes an ArrayBuffer there, a Date a new Date). A frozen object is left as it is.
   */
  #writeKeyBack(item: unknown, key: unknown): void {
    const { keyPath } = this.schema.primKey;
    if (keyPath === null || !isPlainObjectLike(item)) return;
    try {
      if (typeof keyPath === 'string') setByKeyPath(item as Item, keyPath, key);
      else keyPath.forEach((path, i) => setByKeyPath(item as Item, path, (key as unknown[])[i]));
    } catch {
      // as Dexie: an object that cannot take the key keeps its own
    }
  }

  delete(key: TKey): PromiseExtended<void>;
  async delete(key: TKey): Promise<void> {
    await this.#host.write((engine) => engine.delete(this.name, [key]), `Table.delete() on '${this.name}'`);
  }

  bulkDelete(keys: readonly TKey[]): PromiseExtended<void>;
  async bulkDelete(keys: readonly TKey[]): Promise<void> {
    if (!Array.isArray(keys)) throw new InvalidArgumentError('Table.bulkDelete() takes an array of keys');
    // As Dexie (IndexedDB refuses the request at once): the keys before an invalid one are deleted.
    const invalidAt = keys.findIndex((key) => !isValidKey(key));
    const valid = invalidAt < 0 ? keys : keys.slice(0, invalidAt);
    if (valid.length > 0) await this.#host.write((engine) => engine.delete(this.name, valid), `Table.bulkDelete() on '${this.name}'`);
    if (invalidAt >= 0) {
      throw new DataError(
        `Table.bulkDelete() on '${this.name}': key ${invalidAt} is not a valid key, so it and the keys after it were not deleted`,
      );
    }
  }

  clear(): PromiseExtended<void>;
  async clear(): Promise<void> {
    await this.#host.write((engine) => engine.clear(this.name), `Table.clear() on '${this.name}'`);
  }

  /**
   * Applies `changes` (dotted key paths; `undefined` removes a property) or
   * runs `fn` on the record. Resolves 1 if the record exists, else 0.
   * `fn` may edit the object, replace it (`ctx.value = ...`) or delete the
   * record (`delete ctx.value`).
   */
  update(keyOrObject: TKey | T, changes: UpdateSpec<TInsertType> | UpdateFunction<T, TKey>): PromiseExtended<number>;
  async update(keyOrObject: TKey | T, changes: UpdateSpec<TInsertType> | UpdateFunction<T, TKey>): Promise<number> {
    // As Dexie, which reads the key path of what it is given: null or undefined is a TypeError.
    if (keyOrObject === null || keyOrObject === undefined) throw new TypeError(`Table.update(): ${String(keyOrObject)} is not a key`);
    const key = this.#keyOf(keyOrObject);
    if (key === undefined && isPlainObject(keyOrObject)) {
      throw new InvalidArgumentError(`Table.update(): the object given has no primary key at '${String(this.schema.primKey.keyPath)}'`);
    }
    return this.#storing([changes]).write(async (engine) => {
      const current = await engine.get(this.name, key);
      if (current === undefined) return 0;
      await this.#applyAndStore(engine, key, current as T, changes);
      return 1;
    }, `Table.update() on '${this.name}'`);
  }

  /** Updates the record if it exists, else creates it from `changes`. Resolves true if it existed. */
  upsert(key: TKey, changes: UpdateSpec<TInsertType>): PromiseExtended<boolean>;
  async upsert(key: TKey, changes: UpdateSpec<TInsertType>): Promise<boolean> {
    return this.#storing([changes]).write(async (engine) => {
      const current = await engine.get(this.name, key);
      const keyPath = this.schema.primKey.keyPath;
      let base = current;
      if (base === undefined) {
        base = {};
        if (typeof keyPath === 'string') setByKeyPath(base as Item, keyPath, key);
        else if (Array.isArray(keyPath)) keyPath.forEach((path, i) => setByKeyPath(base as Item, path, (key as unknown[])[i]));
      }
      await this.#applyAndStore(engine, key, base as T, changes);
      return current !== undefined;
    }, `Table.upsert() on '${this.name}'`);
  }

  /** Applies each `{key, changes}`; resolves the number of records that existed. */
  bulkUpdate(updates: ReadonlyArray<{ key: TKey; changes: UpdateSpec<TInsertType> }>): PromiseExtended<number>;
  async bulkUpdate(updates: ReadonlyArray<{ key: TKey; changes: UpdateSpec<TInsertType> }>): Promise<number> {
    if (!Array.isArray(updates)) throw new InvalidArgumentError('Table.bulkUpdate() takes an array of {key, changes}');
    // As Dexie (which reads them all first): an invalid key fails the whole call, nothing written.
    const invalid = updates.findIndex((update) => !isValidKey(update?.key));
    if (invalid >= 0) throw new DataError(`Table.bulkUpdate(): the key at position ${invalid} is not a valid key; nothing was updated`);
    return this.#storing(updates.map((update) => update.changes)).write(async (engine) => {
      let updated = 0;
      const byPos: Record<number, Error> = {};
      for (const [position, { key, changes }] of updates.entries()) {
        try {
          const current = await engine.get(this.name, key);
          if (current === undefined) continue;
          await this.#applyAndStore(engine, key, current as T, changes, /*allowKeyChange=*/ false);
          updated++;
        } catch (error) {
          byPos[position] = error as Error;
        }
      }
      if (Object.keys(byPos).length > 0) throw new BulkError('Table.bulkUpdate()', updates.length, byPos);
      return updated;
    }, `Table.bulkUpdate() on '${this.name}'`);
  }

  /** The host's write, for an operation that stores `values` (their Blobs are read first: TableHost WriteOptions.stores). */
  #storing(values: readonly unknown[]): Pick<TableHost, 'write'> {
    return { write: (operation, what, options) => this.#host.write(operation, what, { ...options, stores: values }) };
  }

  #keyOf(keyOrObject: unknown): unknown {
    const keyPath = this.schema.primKey.keyPath;
    if (keyPath !== null && isPlainObject(keyOrObject)) return getByKeyPath(keyOrObject, keyPath);
    return keyOrObject;
  }

  #applyAndStore(
    engine: Engine,
    key: unknown,
    value: T,
    changes: UpdateSpec<TInsertType> | UpdateFunction<T, TKey>,
    allowKeyChange = true,
  ): Promise<unknown> {
    return modifyRecord(engine, this.name, this.schema.primKey.keyPath, key, value, changes as Changes | ModifyFunction, allowKeyChange);
  }

  // --- Reads --------------------------------------------------------------

  /** The record with this primary key, or with these index values ({email: 'x'}; typed loosely, as in Dexie). */
  get<R>(key: TKey, thenShortcut: (value: T | undefined) => R | PromiseLike<R>): PromiseExtended<R>;
  get<R>(criteria: { [keyPath: string]: any }, thenShortcut: (value: T | undefined) => R | PromiseLike<R>): PromiseExtended<R>;
  get(key: TKey): PromiseExtended<T | undefined>;
  get(criteria: { [keyPath: string]: any }): PromiseExtended<T | undefined>;
  async get(keyOrCriteria: TKey | Record<string, unknown>): Promise<any> {
    if (keyOrCriteria === undefined || keyOrCriteria === null) {
      throw new TypeError(`Table.get() on '${this.name}' needs a key or an object of criteria, got ${String(keyOrCriteria)}`);
    }
    // As Dexie: get(criteria) is where(criteria).first() (a SchemaError when no index serves them).
    if (isPlainObject(keyOrCriteria)) return this.where(keyOrCriteria).first();
    const engine = await this.#host.engine();
    try {
      return this.#read(await engine.get(this.name, keyOrCriteria));
    } catch (error) {
      throw inOperation(error, `Table.get() on '${this.name}'`);
    }
  }

  /** A stored value as readers get it: through the reading hooks, if any. */
  #read(value: unknown): T | undefined {
    const reader = this.#host.hooks.reader;
    return (reader && value !== undefined ? reader(value) : value) as T | undefined;
  }

  bulkGet(keys: readonly TKey[]): PromiseExtended<Array<T | undefined>>;
  async bulkGet(keys: readonly TKey[]): Promise<Array<T | undefined>> {
    if (!Array.isArray(keys)) throw new InvalidArgumentError('Table.bulkGet() takes an array of keys');
    const engine = await this.#host.engine();
    return (await engine.bulkGet(this.name, keys)).map((value) => this.#read(value));
  }

  count<R>(thenShortcut: (count: number) => R | PromiseLike<R>): PromiseExtended<R>;
  count(): PromiseExtended<number>;
  async count(): Promise<any> {
    const engine = await this.#host.engine();
    return engine.count(this.name);
  }

  /** Every record in primary key order (a long result is read in slices: Collection.toArray). */
  toArray<R>(thenShortcut: (rows: T[]) => R | PromiseLike<R>): PromiseExtended<R>;
  toArray(): PromiseExtended<T[]>;
  async toArray(): Promise<any> {
    return this.toCollection().toArray();
  }
}

function isPlainObjectLike(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

contextualAsyncMethods(Table.prototype, { operations: true });
thenShortcuts(Table.prototype, { get: 1, count: 0, toArray: 0 });

/**
 * A transaction (Dexie's Transaction): TransactionBase's lifecycle,
 * operations and commit, with tx.table<T, TKey, TInsertType>(name) and
 * tx.<table> typed as Table objects bound to it. Every transaction a
 * database makes is one of these (db/ creates them through the factory
 * api/indexie.ts hands it).
 */
export class Transaction extends TransactionBase {
  declare readonly parent: Transaction | undefined;

  constructor(
    backend: TransactionBackend,
    mode: TransactionMode,
    storeNames: readonly string[],
    options: { parent?: Transaction; optimistic?: boolean; upgrade?: boolean; session?: TransactionSession } = {},
  ) {
    super(backend, mode, storeNames, options);
  }

  override get root(): Transaction {
    return super.root as Transaction;
  }

  /** The table `name`, bound to this transaction; typed as db.table<T, TKey, TInsertType>(name) is. */
  override table<T = any, TKey = any, TInsertType = T>(name: string): Table<T, TKey, TInsertType> {
    return super.table(name) as Table<T, TKey, TInsertType>;
  }
}

/** hook('creating'): before a record is added (see CreatingHookOf). */
export type CreatingHook<T = any, TKey = any> = CreatingHookOf<T, TKey, Transaction>;
/** hook('updating'): before a stored record changes (see UpdatingHookOf). */
export type UpdatingHook<T = any, TKey = any, TInsertType = T> = UpdatingHookOf<T, TKey, TInsertType, Transaction>;
/** hook('deleting'): before a stored record is deleted (see DeletingHookOf). */
export type DeletingHook<T = any, TKey = any> = DeletingHookOf<T, TKey, Transaction>;
/** table.hook, typed by the table's T, TKey and TInsertType (see HookFunctionOf). An interface, not an alias, so it shows by name in editors. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a named interface over the generic form
export interface HookFunction<T = any, TKey = any, TInsertType = T> extends HookFunctionOf<T, TKey, TInsertType, Transaction> {}
