// api/collection.ts: Collection, a lazy query (Dexie's Collection), and the
// public WhereClause, which starts one (the conditions of where-clause.ts,
// giving a Collection). The two return each other (where('x').equals(1) is
// a Collection, collection.or('y') a WhereClause), so WhereClause is
// declared here, over where-clause.ts's WhereClauseOf<C>, which names no
// Collection.
//
// Size: ~450 lines: Dexie's Collection is some 40 public methods (with the
// overloads of Dexie's callback forms), most of them a few lines over the
// two execution paths, which live elsewhere.
//
// A collection is a where-clause (an index and key ranges) plus JS
// predicates (filter/and, until, a key filter for the ignore-case methods),
// direction, distinct, offset/limit, extra where-clauses joined with or(),
// and an optional sort (orderBy, an extension). Execution takes one of two
// paths (query-plan.ts decides, collection-rows.ts runs it):
//   - engine path: no JS predicate and no or(): one call; the engine applies
//     ranges, order, distinct, offset, limit and sorting, and reads values only
//     for the rows returned (count() reads none);
//   - cursor path: the engine streams rows in batches; JS applies the key
//     filter, the predicates in the order they were added, de-duplication,
//     then offset and limit, and stops early. Values are decoded only for
//     rows whose value a predicate or the caller needs.
// Offset and limit compose in call order, as in Dexie: offset(5).limit(10)
// gives rows 5..14, limit(10).offset(5) gives rows 5..9.
import { sortRecordsBy } from './sort-by.js';
import { contextualAsyncMethods, postTask, thenShortcuts, type PromiseExtended } from '../transactions/async-context.js';
import { InvalidArgumentError, ModifyError } from '../errors.js';
import type { Engine, QueryDescription, QueryOutput, RangeSpec } from '../engine/engine.js';
import { cmp } from '../values/key-compare.js';
import { getByKeyPath } from '../values/key-path.js';
import { rowsOf, type Row } from './collection-rows.js';
import { modifyRecords, type Changes, type ModifyFunction } from './modify.js';
import { planQuery, type CollectionState, type Plan } from './query-plan.js';
import type { TableSchema } from '../db/table-schema.js';
import type { IndexableType, UpdateFunction, UpdateSpec } from './types.js';
import { WhereClauseOf } from './where-clause.js';

/** What a collection needs from its table. */
export interface CollectionHost {
  readonly tableName: string;
  engine(): Promise<Engine>;
  write<R>(operation: (engine: Engine) => R | Promise<R>, what: string): Promise<R>;
  /**
   * Counts every event that may change what a read sees (a write unit
   * starting, a commit, a rollback shown, another tab's commit applied): a
   * read spread over several tasks is consistent if it did not move.
   */
  readEpoch(): number;
  /** Runs a read of several engine calls as one unit (TableHost.readUnit, db/table-host.ts). */
  readUnit<R>(read: (engine: Engine) => Promise<R>, what: string): Promise<R>;
  /** Whether a read here may be spread over several tasks (not inside a transaction). */
  slicesReads(): boolean;
  /** A write of many items that may run as slices (TableHost.writeInSlices). */
  writeInSlices<R>(
    count: number | ((engine: Engine) => Promise<number>),
    writeSlice: (engine: Engine, from: number, to: number) => Promise<R>,
    what: string,
    options?: { stores?: readonly unknown[] },
  ): Promise<R[]>;
  schema(): TableSchema;
  /** The table's reading hook chain, if any subscriber listens. */
  reader(): ((value: unknown) => unknown) | undefined;
}

/** Where each() and its variants are: the index key and the primary key of the current record. */
export interface CursorInfo<TKey = unknown> {
  key: IndexableType;
  primaryKey: TKey;
}

/** The cursor information each() and its variants pass for `row`. */
/**
 * An each*() callback as Dexie 4 runs it: an exception it throws does not
 * stop the iteration or reject the promise (Dexie's wrap() has no error
 * catcher there; the fidelity scenario "each(), eachKey() and
 * eachPrimaryKey() whose callback throws" shows it on Dexie itself). indexie
 * says so on the console, once per call, where Dexie stays silent.
 */
function swallowing(what: string, visit: (row: Row) => unknown): (row: Row) => unknown {
  let told = false;
  return (row) => {
    try {
      return visit(row);
    } catch (error) {
      if (!told) console.warn(`indexie: the callback of ${what} threw (ignored, as Dexie does; the iteration goes on):`, error);
      told = true;
      return undefined;
    }
  };
}

function cursorOf<TKey>(row: Row): CursorInfo<TKey> {
  return { key: row.key as IndexableType, primaryKey: row.primaryKey as TKey };
}

/** Rows per engine call of a sliced read (#valuesInSlices). */
const READ_BATCH = 1000;
/** A sliced read yields once a slice took this long, in ms (well under the 50 ms of a long task). */
const SLICE_MS = 16;

/**
 * A lazy query over a table of T (records), TKey (primary keys) and
 * TInsertType (what add/put accept; the shape modify's changes refer to),
 * as Dexie's Collection<T, TKey, TInsertType>.
 */
export class Collection<T = any, TKey = any, TInsertType = T> {
  readonly #host: CollectionHost;
  #state: CollectionState;

  constructor(host: CollectionHost, state: CollectionState) {
    this.#host = host;
    this.#state = state;
  }

  // --- Composition (each returns this collection, as Dexie's do) ----------

  /** Keeps the records `fn` accepts; a type guard narrows the record type. */
  filter<S extends T>(fn: (value: T) => value is S): Collection<S, TKey, TInsertType>;
  filter(fn: (value: T) => unknown): this;
  filter(fn: (value: T) => unknown): this {
    this.#state.predicates.push({ kind: 'filter', fn });
    return this;
  }

  and<S extends T>(fn: (value: T) => value is S): Collection<S, TKey, TInsertType>;
  and(fn: (value: T) => unknown): this;
  and(fn: (value: T) => unknown): this {
    return this.filter(fn);
  }

  until(fn: (value: T) => unknown, includeStopEntry = false): this {
    this.#state.predicates.push({ kind: 'until', fn, includeStop: includeStopEntry });
    return this;
  }

  reverse(): this {
    this.#state.reverse = !this.#state.reverse;
    return this;
  }

  /** Dexie's raw(): values come back as stored, past the table's reading hooks and mapToClass. */
  raw(): this {
    this.#state.raw = true;
    return this;
  }

  #reader(): ((value: unknown) => unknown) | undefined {
    return this.#state.raw ? undefined : this.#host.reader();
  }

  desc(): this {
    return this.reverse();
  }

  distinct(): this {
    this.#state.distinct = true;
    return this;
  }

  offset(n: number): this {
    if (!(n >= 0)) throw new InvalidArgumentError(`offset(${n}): expected a number >= 0`);
    const s = this.#state;
    if (n === 0) return this;
    const plainKeyRange =
      s.predicates.length === 0 &&
      s.or.length === 0 &&
      !s.query.keyFilter &&
      s.leadingOffset === 0 &&
      s.offset === 0 &&
      s.limit === Infinity;
    if (plainKeyRange) {
      s.leadingOffset = n; // see CollectionState.leadingOffset
      return this;
    }
    this.#state.offset += n;
    if (this.#state.limit !== Infinity) this.#state.limit = Math.max(0, this.#state.limit - n);
    return this;
  }

  limit(n: number): this {
    if (typeof n === 'number' && n < 0) n = 0; // as Dexie: a negative limit gives no rows
    if (!(n >= 0)) throw new InvalidArgumentError(`limit(${n}): expected a number >= 0`);
    this.#state.limit = Math.min(this.#state.limit, n);
    return this;
  }

  /**
   * Extension: sorts the collection by key paths before offset/limit, in the
   * engine when possible. A path prefixed with '-' sorts descending:
   * orderBy('lastName', '-age'). Records lacking a sort key are left out, as
   * an index would leave them out.
   */
  orderBy(...keyPaths: Array<string | string[]>): this {
    const paths = keyPaths.flat();
    if (paths.length === 0) throw new InvalidArgumentError('orderBy() needs at least one key path');
    this.#state.orderBy = paths.map((p) => (p.startsWith('-') ? [p.slice(1), true] : [p, false]));
    return this;
  }

  /** Adds a where-clause whose matches join this collection (de-duplicated by primary key). */
  or(index: string | string[]): WhereClause<T, TKey, TInsertType> {
    return new WhereClause<T, TKey, TInsertType>(index, (query) => {
      this.#state.or.push(query);
      return this;
    });
  }

  clone(): Collection<T, TKey, TInsertType> {
    const s = this.#state;
    return new Collection(this.#host, {
      ...s,
      query: { ...s.query },
      or: s.or.map((q) => ({ ...q })),
      predicates: [...s.predicates],
      orderBy: [...s.orderBy],
    });
  }

  // --- Reading --------------------------------------------------------------

  toArray<R>(thenShortcut: (rows: T[]) => R | PromiseLike<R>): PromiseExtended<R>;
  toArray(): PromiseExtended<T[]>;
  async toArray(): Promise<any> {
    const run = await this.#plan();
    if (run.enginePath) {
      // The common case: in slices when it is long (#valuesInSlices), else in one engine call.
      const values =
        (await this.#valuesInSlices(run)) ?? ((await (await this.#plan()).engine.query(run.description(), run.ranges, 'values')) as T[]);
      const reader = this.#reader();
      return reader ? values.map((value) => reader(value) as T) : values;
    }
    return (await this.#rows('values')).map((row) => row.value as T);
  }

  /**
   * The values of an engine-path collection in index order, read in batches
   * and yielding a task whenever a slice took SLICE_MS, so a long result does
   * not block the page. Resolves undefined (the caller reads it in one call)
   * when the collection sorts, de-duplicates or skips, or when data changed
   * between slices (host.readEpoch()): a result never mixes two states.
   */
  async #valuesInSlices(run: {
    engine: Engine;
    description(overrides?: Partial<QueryDescription>): QueryDescription;
    ranges: readonly RangeSpec[] | null;
  }): Promise<T[] | undefined> {
    const state = this.#state;
    if (state.orderBy.length > 0 || state.distinct || state.offset + state.leadingOffset > 0 || !this.#host.slicesReads()) return undefined;
    const { engine } = run;
    const epoch = this.#host.readEpoch();
    const cursor = engine.openCursor(run.description({ offset: 0, limit: -1 }), run.ranges);
    const values: T[] = [];
    try {
      let sliceStart = performance.now();
      for (;;) {
        // Never past the limit: a live query's read set is what was scanned.
        const batch = await cursor.nextValues(Math.min(READ_BATCH, state.limit - values.length));
        for (const value of batch.values) values.push(value as T);
        if (batch.done || values.length >= state.limit) return values;
        if (performance.now() - sliceStart >= SLICE_MS) {
          await new Promise<void>((resume) => postTask(resume));
          if (this.#host.readEpoch() !== epoch || !engine.isOpen) return undefined;
          sliceStart = performance.now();
        }
      }
    } finally {
      cursor.close();
    }
  }

  count<R>(thenShortcut: (result: number) => R | PromiseLike<R>): PromiseExtended<R>;
  count(): PromiseExtended<number>;
  async count(): Promise<any> {
    const run = await this.#plan();
    if (run.enginePath) return run.engine.countQuery(run.description(), run.ranges);
    return (await this.#rows('primaryKeys')).length;
  }

  first<R>(thenShortcut: (result: T | undefined) => R | PromiseLike<R>): PromiseExtended<R>;
  first(): PromiseExtended<T | undefined>;
  async first(): Promise<any> {
    return (await this.clone().limit(1).toArray())[0];
  }

  last<R>(thenShortcut: (result: T | undefined) => R | PromiseLike<R>): PromiseExtended<R>;
  last(): PromiseExtended<T | undefined>;
  async last(): Promise<any> {
    return this.clone().reverse().first();
  }

  keys<R>(thenShortcut: (result: IndexableType[]) => R | PromiseLike<R>): PromiseExtended<R>;
  keys(): PromiseExtended<IndexableType[]>;
  async keys(): Promise<any> {
    const run = await this.#plan();
    if (run.enginePath && !run.main.depth) return (await run.engine.query(run.description(), run.ranges, 'keys')) as IndexableType[];
    return (await this.#rows('keys')).map((row) => row.key as IndexableType);
  }

  primaryKeys<R>(thenShortcut: (result: TKey[]) => R | PromiseLike<R>): PromiseExtended<R>;
  primaryKeys(): PromiseExtended<TKey[]>;
  async primaryKeys(): Promise<any> {
    const run = await this.#plan();
    if (run.enginePath) return (await run.engine.query(run.description(), run.ranges, 'primaryKeys')) as TKey[];
    return (await this.#rows('primaryKeys')).map((row) => row.primaryKey as TKey);
  }

  /** Each index key once (IndexedDB's nextunique/prevunique); offset and limit count unique keys. */
  uniqueKeys<R>(thenShortcut: (result: IndexableType[]) => R | PromiseLike<R>): PromiseExtended<R>;
  uniqueKeys(): PromiseExtended<IndexableType[]>;
  async uniqueKeys(): Promise<any> {
    return (await this.#rows('keys', true)).map((row) => row.key as IndexableType);
  }

  firstKey(): PromiseExtended<IndexableType | undefined>;
  async firstKey(): Promise<IndexableType | undefined> {
    return (await this.clone().limit(1).keys())[0];
  }

  lastKey(): PromiseExtended<IndexableType | undefined>;
  async lastKey(): Promise<IndexableType | undefined> {
    return this.clone().reverse().firstKey();
  }

  each(fn: (value: T, cursor: CursorInfo<TKey>) => unknown): PromiseExtended<void>;
  async each(fn: (value: T, cursor: CursorInfo<TKey>) => unknown): Promise<void> {
    // async: contextualAsyncMethods wraps only async methods (so the promise keeps the caller's transaction).
    return this.#stream('values', false, 'Collection.each()', (row) => fn(row.value as T, cursorOf<TKey>(row)));
  }

  eachKey(fn: (key: IndexableType, cursor: CursorInfo<TKey>) => unknown): PromiseExtended<void>;
  async eachKey(fn: (key: IndexableType, cursor: CursorInfo<TKey>) => unknown): Promise<void> {
    return this.#stream('keys', false, 'Collection.eachKey()', (row) => fn(row.key as IndexableType, cursorOf<TKey>(row)));
  }

  eachPrimaryKey(fn: (primaryKey: TKey, cursor: CursorInfo<TKey>) => unknown): PromiseExtended<void>;
  async eachPrimaryKey(fn: (primaryKey: TKey, cursor: CursorInfo<TKey>) => unknown): Promise<void> {
    return this.#stream('primaryKeys', false, 'Collection.eachPrimaryKey()', (row) => fn(row.primaryKey as TKey, cursorOf<TKey>(row)));
  }

  eachUniqueKey(fn: (key: IndexableType, cursor: CursorInfo<TKey>) => unknown): PromiseExtended<void>;
  async eachUniqueKey(fn: (key: IndexableType, cursor: CursorInfo<TKey>) => unknown): Promise<void> {
    return this.#stream('keys', true, 'Collection.eachUniqueKey()', (row) => fn(row.key as IndexableType, cursorOf<TKey>(row)));
  }

  /**
   * Streams the collection's rows to `callback` as the cursor reads them (one
   * READ_BATCH in memory at a time, whatever the size), as one read unit
   * (CollectionHost.readUnit: writes called meanwhile wait when its lock was
   * free). Outside a
   * transaction it yields a task whenever a slice took SLICE_MS, so a long
   * scan does not block the page. `callback` is the app's, run as Dexie runs
   * it (swallowing).
   */
  async #stream(output: QueryOutput, unique: boolean, what: string, callback: (row: Row) => unknown): Promise<void> {
    const visit = swallowing(what, callback);
    const reader = output === 'values' ? this.#reader() : undefined;
    const sliced = this.#host.slicesReads();
    await this.#host.readUnit(async (engine) => {
      let sliceStart = performance.now();
      const between = async (): Promise<void> => {
        if (!sliced || performance.now() - sliceStart < SLICE_MS) return;
        await new Promise<void>((resume) => postTask(resume));
        sliceStart = performance.now();
      };
      const stream = {
        batch: READ_BATCH,
        between,
        visit: (row: Row) => {
          if (reader) row.value = reader(row.value);
          visit(row);
        },
      };
      await rowsOf(this.#planWith(engine), this.#state, this.#host.tableName, output, unique, stream);
    }, what);
  }

  /** Dexie's in-memory sort of the collection's records by a key path. */
  sortBy<R>(keyPath: string, thenShortcut: (rows: T[]) => R | PromiseLike<R>): PromiseExtended<R>;
  sortBy(keyPath: string): PromiseExtended<T[]>;
  async sortBy(keyPath: string): Promise<any> {
    return sortRecordsBy(await this.toArray(), keyPath, this.#state.reverse);
  }

  // --- Aggregates (extension): computed in the engine when no JS predicate applies ----

  sum(keyPath: string): Promise<number> {
    return this.#aggregate('sum', keyPath) as Promise<number>;
  }
  avg(keyPath: string): Promise<number | undefined> {
    return this.#aggregate('avg', keyPath) as Promise<number | undefined>;
  }
  min(keyPath: string): Promise<unknown> {
    return this.#aggregate('min', keyPath);
  }
  max(keyPath: string): Promise<unknown> {
    return this.#aggregate('max', keyPath);
  }

  async #aggregate(op: 'sum' | 'avg' | 'min' | 'max', keyPath: string): Promise<unknown> {
    const run = await this.#plan();
    if (run.enginePath) return run.engine.aggregate(run.description(), run.ranges, op, keyPath);
    let sum = 0,
      numbers = 0;
    let best: unknown;
    for (const row of await this.#rows('values')) {
      const v = getByKeyPath(row.value, keyPath);
      if (op === 'sum' || op === 'avg') {
        if (typeof v === 'number' && !Number.isNaN(v)) {
          sum += v;
          numbers++;
        }
      } else if (!Number.isNaN(cmp(v, v)) && (best === undefined || (op === 'min' ? cmp(v, best) < 0 : cmp(v, best) > 0))) {
        best = v;
      }
    }
    if (op === 'sum') return sum;
    if (op === 'avg') return numbers ? sum / numbers : undefined;
    return best;
  }

  // --- Writing --------------------------------------------------------------

  /**
   * Applies `changes` to every record (all or nothing). Resolves the number
   * of records modified; failures raise ModifyError and change nothing.
   */
  modify(changes: UpdateSpec<TInsertType> | UpdateFunction<T, TKey>): PromiseExtended<number>;
  async modify(changes: UpdateSpec<TInsertType> | UpdateFunction<T, TKey>): Promise<number> {
    const table = this.#host.tableName;
    const keyPath = this.#host.schema().primKey.keyPath;
    const change = changes as Changes | ModifyFunction;
    let keys: unknown[] = [];
    const failures: Error[] = [];
    const failedKeys: unknown[] = [];
    let done = 0;
    await this.#host.writeInSlices(
      // Read inside the write: after catching up with other tabs, with no other write in between.
      async (engine) => {
        keys = (await this.#rowsWith(engine, 'primaryKeys')).map((row) => row.primaryKey);
        return keys.length;
      },
      async (engine, from, to) => {
        // Values by primary key (the fastest read path); records in a savepoint, so a change
        // function that throws undoes this slice (and the sliced write undoes the others).
        const slice = keys.slice(from, to);
        const values = await engine.bulkGet(table, slice, /* forUpdate */ true);
        await engine.begin();
        try {
          const outcome = await modifyRecords(engine, table, keyPath, slice, values, change);
          done += outcome.done;
          failures.push(...outcome.failures);
          failedKeys.push(...outcome.failedKeys);
        } catch (error) {
          await engine.rollback();
          throw error;
        }
        await engine.commit();
      },
      `Collection.modify() on '${table}'`,
      { stores: [changes] },
    );
    // As Dexie: records that could not be written are a ModifyError, and the others stay written
    // (in a transaction, until it aborts).
    if (failures.length > 0) throw new ModifyError(failures, failedKeys, done);
    return done;
  }

  /** Deletes every record of the collection; resolves how many. */
  delete(): PromiseExtended<number>;
  async delete(): Promise<number> {
    return this.#host.write(async (engine) => {
      const keys = (await this.#rowsWith(engine, 'primaryKeys')).map((row) => row.primaryKey);
      await engine.delete(this.#host.tableName, keys);
      // As Dexie: the count of rows the collection matched (on a multi-entry index, a record
      // matched through two of its entries counts twice), not of distinct records.
      return keys.length;
    }, `Collection.delete() on '${this.#host.tableName}'`);
  }

  // --- Execution ------------------------------------------------------------

  async #plan() {
    return this.#planWith(await this.#host.engine());
  }

  #planWith(engine: Engine): Plan {
    return planQuery(engine, this.#host.schema(), this.#host.tableName, this.#state);
  }

  /**
   * The collection's rows, with what `output` needs. `unique`: one row per
   * index key, the one with the lowest primary key (IndexedDB's
   * nextunique/prevunique), before predicates, offset and limit.
   */
  async #rows(output: QueryOutput, unique = false): Promise<Row[]> {
    const rows = await this.#rowsWith(await this.#host.engine(), output, unique);
    const reader = output === 'values' ? this.#reader() : undefined;
    if (reader) for (const row of rows) row.value = reader(row.value);
    return rows;
  }

  #rowsWith(engine: Engine, output: QueryOutput, unique = false): Promise<Row[]> {
    return rowsOf(this.#planWith(engine), this.#state, this.#host.tableName, output, unique);
  }
}

/**
 * A condition on one index of a table of T / TKey / TInsertType (Dexie's
 * WhereClause<T, TKey, TInsertType>): where-clause.ts's WhereClauseOf, whose
 * conditions give the table's Collection.
 */
export class WhereClause<T = any, TKey = any, TInsertType = T> extends WhereClauseOf<Collection<T, TKey, TInsertType>> {}

contextualAsyncMethods(Collection.prototype, { operations: true });
thenShortcuts(Collection.prototype, {
  toArray: 0,
  count: 0,
  first: 0,
  last: 0,
  keys: 0,
  primaryKeys: 0,
  uniqueKeys: 0,
  firstKey: 0,
  lastKey: 0,
  sortBy: 1,
});
