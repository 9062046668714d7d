// api/collection.ts: Collection, a lazy query (Dexie's Collection) and its
// execution.
//
// A collection is a where-clause (an index and key ranges) plus JS
// predicates (filter/and, until, a key filter for the ignore-case methods),
// direction, distinct, offset/limit, extra where-clauses joined with or(),
// and an optional sort (orderBy, an extension). Execution takes one of two
// paths:
//   - engine path: no JS predicate and no or(): one call; the engine applies
//     ranges, order, distinct, offset, limit and sorting, and reads values only
//     for the rows returned (count() reads none);
//   - cursor path: the engine streams rows in batches; JS applies the key
//     filter, the predicates in the order they were added, de-duplication,
//     then offset and limit, and stops early. Values are decoded only for
//     rows whose value a predicate or the caller needs.
// Offset and limit compose in call order, as in Dexie: offset(5).limit(10)
// gives rows 5..14, limit(10).offset(5) gives rows 5..9.
import { contextualAsyncMethods, postTask } from '../transactions/async-context.js';
import { DataError, ModifyError, InvalidArgumentError, SchemaError } from '../errors.js';
import type { Engine, QueryDescription, QueryOutput, RangeSpec } from '../engine.js';
import { cmp, keyId } from '../values/key-compare.js';
import { getByKeyPath } from '../values/key-path.js';
import { modifyRecords, type Changes, type ModifyFunction } from './modify.js';
import type { TableSchema } from './table-schema.js';
import type { IndexableType, UpdateFunction, UpdateSpec } from './types.js';
import { decodeValue } from '../values/value-decoder.js';
import { WhereClause } from './where-clause.js';

/** A key range as a where-clause states it (before it is mapped onto an index). */
export interface KeyRange {
  lower: unknown;        // undefined = unbounded
  upper: unknown;
  lowerOpen: boolean;
  upperOpen: boolean;
  prefix?: boolean;      // strings starting with `lower`
}

type Predicate =
  | { kind: 'filter'; fn: (value: any) => unknown }
  | { kind: 'until'; fn: (value: any) => unknown; includeStop: boolean };

/** What a collection reads. `ranges` null = every key. */
export interface Query {
  index: string | string[];           // as asked: '' or ':id' = primary key, a name, '[a+b]', or ['a', 'b']
  ranges: KeyRange[] | null;
  criteria?: Record<string, unknown>; // where({...}): resolved against the schema when run
  keyFilter?: (key: unknown) => boolean;
  error?: Error;                      // a where-clause that failed: every terminal call rejects with it
}

export interface CollectionState {
  query: Query;
  or: Query[];
  predicates: Predicate[];
  reverse: boolean;
  distinct: boolean;
  offset: number;
  limit: number;                      // Infinity = none
  orderBy: Array<[keyPath: string, descending: boolean]>;
}

/** What a collection needs from its table. */
export interface CollectionHost {
  readonly tableName: string;
  engine(): Promise<Engine>;
  write<R>(operation: (engine: Engine) => R, what: string): Promise<R>;
  /**
   * Counts every event that may change what a read sees (a write unit
   * starting, a commit, a rollback shown, another tab's commit applied): a
   * read spread over several tasks is consistent if it did not move.
   */
  readEpoch(): number;
  /** Whether a read here may be spread over several tasks (not inside a transaction). */
  slicesReads(): boolean;
  /** A write of many items that may run as slices (TableHost.writeInSlices). */
  writeInSlices<R>(count: number | ((engine: Engine) => number), writeSlice: (engine: Engine, from: number, to: number) => R, what: string): Promise<R[]>;
  schema(): TableSchema;
  /** The table's reading hook chain, if any subscriber listens. */
  reader(): ((value: unknown) => unknown) | undefined;
}

/** Where each() and its variants are: the index key and the primary key of the current record. */
export interface CursorInfo<TKey = unknown> {
  key: IndexableType;
  primaryKey: TKey;
}

interface Row {
  key: unknown;
  primaryKey: unknown;
  value?: unknown;
}

const BATCH = 256;
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

  desc(): this {
    return this.reverse();
  }

  distinct(): this {
    this.#state.distinct = true;
    return this;
  }

  offset(n: number): this {
    if (!(n >= 0)) throw new InvalidArgumentError(`offset(${n}): expected a number >= 0`);
    this.#state.offset += n;
    if (this.#state.limit !== Infinity) this.#state.limit = Math.max(0, this.#state.limit - n);
    return this;
  }

  limit(n: number): this {
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

  async toArray(): Promise<T[]> {
    const run = await this.#plan();
    if (run.enginePath) {
      // The common case: in slices when it is long (#valuesInSlices), else in one engine call.
      const values = (await this.#valuesInSlices(run)) ?? (await this.#plan()).engine.query(run.description(), run.ranges, 'values') as T[];
      const reader = this.#host.reader();
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
  async #valuesInSlices(run: { engine: Engine; description(overrides?: Partial<QueryDescription>): QueryDescription; ranges: readonly RangeSpec[] | null }): Promise<T[] | undefined> {
    const state = this.#state;
    if (state.orderBy.length > 0 || state.distinct || state.offset > 0 || !this.#host.slicesReads()) return undefined;
    const { engine } = run;
    const epoch = this.#host.readEpoch();
    const cursor = engine.openCursor(run.description({ offset: 0, limit: -1 }), run.ranges);
    const values: T[] = [];
    try {
      let sliceStart = performance.now();
      for (;;) {
        // Never past the limit: a live query's read set is what was scanned.
        const batch = cursor.nextValues(Math.min(READ_BATCH, state.limit - values.length));
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

  async count(): Promise<number> {
    const run = await this.#plan();
    if (run.enginePath) return run.engine.countQuery(run.description(), run.ranges);
    return (await this.#rows('primaryKeys')).length;
  }

  async first(): Promise<T | undefined> {
    return (await this.clone().limit(1).toArray())[0];
  }

  async last(): Promise<T | undefined> {
    return this.clone().reverse().first();
  }

  async keys(): Promise<IndexableType[]> {
    const run = await this.#plan();
    if (run.enginePath) return run.engine.query(run.description(), run.ranges, 'keys') as IndexableType[];
    return (await this.#rows('keys')).map((row) => row.key as IndexableType);
  }

  async primaryKeys(): Promise<TKey[]> {
    const run = await this.#plan();
    if (run.enginePath) return run.engine.query(run.description(), run.ranges, 'primaryKeys') as TKey[];
    return (await this.#rows('primaryKeys')).map((row) => row.primaryKey as TKey);
  }

  /** Each index key once (IndexedDB's nextunique/prevunique); offset and limit count unique keys. */
  async uniqueKeys(): Promise<IndexableType[]> {
    return (await this.#rows('keys', true)).map((row) => row.key as IndexableType);
  }

  async firstKey(): Promise<IndexableType | undefined> {
    return (await this.clone().limit(1).keys())[0];
  }

  async lastKey(): Promise<IndexableType | undefined> {
    return this.clone().reverse().firstKey();
  }

  async each(fn: (value: T, cursor: CursorInfo<TKey>) => unknown): Promise<void> {
    for (const row of await this.#rows('values')) fn(row.value as T, { key: row.key as IndexableType, primaryKey: row.primaryKey as TKey });
  }

  async eachKey(fn: (key: IndexableType, cursor: CursorInfo<TKey>) => unknown): Promise<void> {
    for (const row of await this.#rows('keys')) fn(row.key as IndexableType, { key: row.key as IndexableType, primaryKey: row.primaryKey as TKey });
  }

  async eachPrimaryKey(fn: (primaryKey: TKey, cursor: CursorInfo<TKey>) => unknown): Promise<void> {
    for (const row of await this.#rows('primaryKeys')) fn(row.primaryKey as TKey, { key: row.key as IndexableType, primaryKey: row.primaryKey as TKey });
  }

  async eachUniqueKey(fn: (key: IndexableType, cursor: CursorInfo<TKey>) => unknown): Promise<void> {
    for (const row of await this.#rows('keys', true)) fn(row.key as IndexableType, { key: row.key as IndexableType, primaryKey: row.primaryKey as TKey });
  }

  /** Dexie's in-memory sort of the collection's records by a key path. */
  async sortBy(keyPath: string): Promise<T[]> {
    const values = await this.toArray();
    const direction = this.#state.reverse ? -1 : 1;
    return values.sort((a, b) => direction * (cmp(getByKeyPath(a, keyPath), getByKeyPath(b, keyPath)) || 0));
  }

  // --- Aggregates (extension): computed in the engine when no JS predicate applies ----

  sum(keyPath: string): Promise<number> { return this.#aggregate('sum', keyPath) as Promise<number>; }
  avg(keyPath: string): Promise<number | undefined> { return this.#aggregate('avg', keyPath) as Promise<number | undefined>; }
  min(keyPath: string): Promise<unknown> { return this.#aggregate('min', keyPath); }
  max(keyPath: string): Promise<unknown> { return this.#aggregate('max', keyPath); }

  async #aggregate(op: 'sum' | 'avg' | 'min' | 'max', keyPath: string): Promise<unknown> {
    const run = await this.#plan();
    if (run.enginePath) return run.engine.aggregate(run.description(), run.ranges, op, keyPath);
    let sum = 0, numbers = 0;
    let best: unknown;
    for (const row of await this.#rows('values')) {
      const v = getByKeyPath(row.value, keyPath);
      if (op === 'sum' || op === 'avg') {
        if (typeof v === 'number' && !Number.isNaN(v)) { sum += v; numbers++; }
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
      (engine) => {
        keys = this.#rowsWith(engine, 'primaryKeys').map((row) => row.primaryKey);
        return keys.length;
      },
      (engine, from, to) => {
        // Values by primary key (the fastest read path); records in a savepoint, so the
        // all-or-nothing rollback below also holds when this runs as one piece.
        const slice = keys.slice(from, to);
        const values = engine.bulkGet(table, slice, /* forUpdate */ true);
        engine.begin();
        try {
          const outcome = modifyRecords(engine, table, keyPath, slice, values, change);
          done += outcome.done;
          failures.push(...outcome.failures);
          failedKeys.push(...outcome.failedKeys);
        } catch (error) {
          engine.rollback();
          throw error;
        }
        if (to === keys.length && failures.length > 0) {
          engine.rollback();
          throw new ModifyError(failures, failedKeys, done);
        }
        engine.commit();
      },
      `Collection.modify() on '${table}'`);
    return done;
  }

  /** Deletes every record of the collection; resolves how many. */
  async delete(): Promise<number> {
    return this.#host.write((engine) => {
      const keys = this.#rowsWith(engine, 'primaryKeys').map((row) => row.primaryKey);
      return engine.delete(this.#host.tableName, keys);
    }, `Collection.delete() on '${this.#host.tableName}'`);
  }

  // --- Execution ------------------------------------------------------------

  async #plan() {
    return this.#planWith(await this.#host.engine());
  }

  #planWith(engine: Engine) {
    const schema = this.#host.schema();
    const state = this.#state;
    const main = resolveQuery(state.query, schema, this.#host.tableName);
    const enginePath = !main.keyFilter && main.postFilter === undefined && state.predicates.length === 0 && state.or.length === 0;
    const description = (overrides: Partial<QueryDescription> = {}): QueryDescription => ({
      table: this.#host.tableName,
      index: main.index,
      reverse: state.reverse,
      distinct: state.distinct,
      unique: false,
      offset: state.offset,
      limit: state.limit === Infinity ? -1 : state.limit,
      orderBy: state.orderBy.map(([path, desc]) => [path, desc !== state.reverse]),
      ...overrides,
    });
    return { engine, schema, main, enginePath, description, ranges: main.ranges };
  }

  /**
   * The collection's rows, with what `output` needs. `unique`: one row per
   * index key, the one with the lowest primary key (IndexedDB's
   * nextunique/prevunique), before predicates, offset and limit.
   */
  async #rows(output: QueryOutput, unique = false): Promise<Row[]> {
    const rows = this.#rowsWith(await this.#host.engine(), output, unique);
    const reader = output === 'values' ? this.#host.reader() : undefined;
    if (reader) for (const row of rows) row.value = reader(row.value);
    return rows;
  }

  #rowsWith(engine: Engine, output: QueryOutput, unique = false): Row[] {
    const run = this.#planWith(engine);
    const state = this.#state;
    if (run.enginePath) {
      // Triples of (key, primary key, value); values are read only when asked for.
      const items = engine.query(run.description({ unique }), run.ranges, output === 'values' ? 'rows' : 'keyPairs');
      const rows: Row[] = [];
      for (let i = 0; i < items.length; i += 3) rows.push({ key: items[i], primaryKey: items[i + 1], value: items[i + 2] });
      return rows;
    }
    const needValues = output === 'values' || state.predicates.length > 0 || state.orderBy.length > 0 || run.main.postFilter !== undefined;
    const queries = [run.main, ...state.or.map((q) => resolveQuery(q, run.schema, this.#host.tableName))];
    const seen = state.distinct || queries.length > 1 ? new Set<string>() : undefined;
    const sorting = state.orderBy.length > 0;
    let skip = sorting ? 0 : state.offset;
    const take = sorting ? Infinity : state.limit;
    const out: Row[] = [];
    let stopped = take === 0;
    // Runs one row through the key filter, de-duplication, predicates, offset and limit.
    const consider = (query: ResolvedQuery, row: Row) => {
      if (query.postFilter && !query.postFilter(row.value)) return;
      if (seen) {
        const id = keyId(row.primaryKey);
        if (seen.has(id)) return;
        seen.add(id);
      }
      let include = true;
      for (const predicate of state.predicates) {
        if (predicate.kind === 'filter') {
          if (!predicate.fn(row.value)) { include = false; break; }
        } else if (predicate.fn(row.value)) {
          stopped = true;
          include = predicate.includeStop;
          break;
        }
      }
      if (!include) return;
      if (skip > 0) skip--;
      else {
        out.push(row);
        if (out.length >= take) stopped = true;
      }
    };
    for (const query of queries) {
      if (stopped) break;
      const cursor = engine.openCursor(run.description({ index: query.index, offset: 0, limit: -1, orderBy: [], distinct: false }), query.ranges);
      // unique: the representative of each run of equal keys (first forward, last in reverse).
      let pending: Row | undefined;
      let previous: Row | undefined;
      try {
        let done = false;
        while (!done && !stopped) {
          const batch = cursor.next(BATCH, needValues);
          done = batch.done;
          for (const encoded of batch.rows) {
            if (query.keyFilter && !query.keyFilter(encoded.key)) continue;
            const row: Row = { key: encoded.key, primaryKey: encoded.primaryKey };
            if (encoded.valueBytes) row.value = decodeValue(encoded.valueBytes);
            if (unique) {
              const sameKey = previous !== undefined && cmp(previous.key, row.key) === 0;
              previous = row;
              if (!state.reverse) {
                if (!sameKey) consider(query, row);
              } else {
                if (!sameKey && pending) consider(query, pending);
                pending = row;
              }
              if (stopped) break;
              continue;
            }
            consider(query, row);
            if (stopped) break;
          }
        }
        if (unique && state.reverse && pending && !stopped) consider(query, pending);
      } finally {
        cursor.close();
      }
    }
    if (!sorting) return out;
    const fields = state.orderBy.map(([path, desc]) => [path, desc !== state.reverse] as const);
    const sortable = out.filter((row) => fields.every(([path]) => isKey(getByKeyPath(row.value, path))));
    sortable.sort((a, b) => {
      for (const [path, desc] of fields) {
        const c = cmp(getByKeyPath(a.value, path), getByKeyPath(b.value, path));
        if (c !== 0) return desc ? -c : c;
      }
      const c = cmp(a.primaryKey, b.primaryKey);
      return state.reverse ? -c : c;
    });
    const end = state.limit === Infinity ? undefined : state.offset + state.limit;
    return sortable.slice(state.offset, end);
  }
}

function isKey(value: unknown): boolean {
  return !Number.isNaN(cmp(value, value));
}

interface ResolvedQuery {
  index: string;                      // '' = primary key, else the real index name
  ranges: RangeSpec[] | null;
  keyFilter?: (key: unknown) => boolean;
  postFilter?: (value: unknown) => boolean;  // where({...}) criteria no index covers
}

/** Maps a where-clause onto the table's schema: which index, which ranges. */
export function resolveQuery(query: Query, schema: TableSchema, table: string): ResolvedQuery {
  if (query.error) throw query.error;
  if (query.criteria) return resolveCriteria(query.criteria, schema, table);
  const target = findIndex(query.index, schema, table);
  const ranges = query.ranges === null ? null : query.ranges.map((r) => toRangeSpec(r, target.depth));
  return { index: target.index, ranges, keyFilter: query.keyFilter };
}

interface IndexTarget {
  index: string;
  depth: number;  // 0: the index itself; n: the first n parts of a compound index (a virtual index)
}

function pathsOf(name: string | string[]): string[] {
  if (Array.isArray(name)) return name;
  return name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1).split('+') : [name];
}

function findIndex(requested: string | string[], schema: TableSchema, table: string): IndexTarget {
  if (requested === '' || requested === ':id') return { index: '', depth: 0 };
  const wanted = pathsOf(requested);
  const same = (keyPath: string | string[] | null) =>
    keyPath !== null && pathsOf(keyPath).length === wanted.length && pathsOf(keyPath).every((p, i) => p === wanted[i]);
  if (same(schema.primKey.keyPath)) return { index: '', depth: 0 };
  const exact = schema.indexes.find((index) => same(index.keyPath));
  if (exact) return { index: exact.name, depth: 0 };
  // A compound index (or compound primary key) starting with the wanted paths serves as a virtual index.
  const startsWith = (keyPath: string | string[] | null) =>
    Array.isArray(keyPath) && keyPath.length > wanted.length && wanted.every((p, i) => keyPath[i] === p);
  if (startsWith(schema.primKey.keyPath)) return { index: '', depth: wanted.length };
  const compound = schema.indexes.find((index) => startsWith(index.keyPath));
  if (compound) return { index: compound.name, depth: wanted.length };
  const name = Array.isArray(requested) ? `[${requested.join('+')}]` : requested;
  throw new SchemaError(`table '${table}' has no index '${name}' to query: add it to the schema, ` +
    `or use filter() to scan`);
}

function toRangeSpec(range: KeyRange, depth: number): RangeSpec {
  if (depth === 0) {
    return range.prefix ? [1, range.lower, undefined, false, false] : [0, range.lower, range.upper, range.lowerOpen, range.upperOpen];
  }
  // Virtual index: bounds become array prefixes of the compound key.
  const wrap = (key: unknown) => (key === undefined ? undefined : depth === 1 ? [key] : key);
  if (range.prefix) return [2, wrap(range.lower), wrap(`${range.lower as string}\uffff`), false, false];
  return [2, wrap(range.lower), wrap(range.upper), range.lowerOpen, range.upperOpen];
}

function resolveCriteria(criteria: Record<string, unknown>, schema: TableSchema, table: string): ResolvedQuery {
  const paths = Object.keys(criteria);
  if (paths.length === 0) throw new InvalidArgumentError('where({}) needs at least one criterion');
  for (const path of paths) {
    if (!isKey(criteria[path])) throw new DataError(`where({${path}: ...}): ${describe(criteria[path])} is not a valid key`);
  }
  const coversAll = (keyPath: string | string[] | null) =>
    keyPath !== null && pathsOf(keyPath).length === paths.length && pathsOf(keyPath).every((p) => paths.includes(p));
  const candidates = [{ name: '', keyPath: schema.primKey.keyPath, multi: false }, ...schema.indexes];
  const full = candidates.find((c) => coversAll(c.keyPath));
  if (full) {
    const key = Array.isArray(full.keyPath) ? full.keyPath.map((p) => criteria[p]) : criteria[paths[0]];
    return { index: full.name, ranges: [[0, key, key, false, false]] };
  }
  // One indexed criterion narrows the scan; the others are checked in JS.
  const single = candidates.find((c) => typeof c.keyPath === 'string' && paths.includes(c.keyPath));
  if (!single) {
    throw new SchemaError(`table '${table}' has no index for where({${paths.join(', ')}}): ` +
      `add an index (a compound [${paths.join('+')}] serves them all), or use filter()`);
  }
  const key = criteria[single.keyPath as string];
  const rest = paths.filter((p) => p !== single.keyPath);
  return {
    index: single.name,
    ranges: [[0, key, key, false, false]],
    postFilter: (value) => rest.every((p) => {
      const actual = getByKeyPath(value, p);
      const index = schema.idxByName[p];
      if (index?.multi && Array.isArray(actual)) return actual.some((element) => cmp(element, criteria[p]) === 0);
      return cmp(actual, criteria[p]) === 0;
    }),
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return `a ${typeof value === 'object' ? (value as object).constructor?.name ?? 'object' : typeof value}`;
}

contextualAsyncMethods(Collection.prototype);
