// api/query-plan.ts: what a collection asks for, and how it maps onto a
// table's schema. A where-clause states key ranges on an index as it was
// named (KeyRange, Query); when the collection runs, resolveQuery() finds the
// index (or the compound index whose first parts serve as a virtual index)
// and turns the ranges into the engine's RangeSpecs, and planQuery() decides
// between the engine path and the cursor path (collection.ts).
import { DataError, InvalidArgumentError, SchemaError } from '../errors.js';
import type { Engine, QueryDescription, RangeSpec } from '../engine/engine.js';
import { cmp } from '../values/key-compare.js';
import { getByKeyPath } from '../values/key-path.js';
import type { TableSchema } from '../db/table-schema.js';

/** A key range as a where-clause states it (before it is mapped onto an index). */
export interface KeyRange {
  lower: unknown; // undefined = unbounded
  upper: unknown;
  lowerOpen: boolean;
  upperOpen: boolean;
  prefix?: boolean; // strings starting with `lower`
}

export type Predicate =
  { kind: 'filter'; fn: (value: any) => unknown } | { kind: 'until'; fn: (value: any) => unknown; includeStop: boolean };

/** What a collection reads. `ranges` null = every key. */
export interface Query {
  index: string | string[]; // as asked: '' or ':id' = primary key, a name, '[a+b]', or ['a', 'b']
  ranges: KeyRange[] | null;
  criteria?: Record<string, unknown>; // where({...}): resolved against the schema when run
  keyFilter?: (key: unknown) => boolean;
  error?: Error; // a where-clause that failed: every terminal call rejects with it
}

export interface CollectionState {
  /** Collection.raw(): values as stored, past the table's reading hooks (and mapToClass). */
  raw?: boolean;
  query: Query;
  or: Query[];
  predicates: Predicate[];
  reverse: boolean;
  distinct: boolean;
  /**
   * Dexie's first offset, when offset() came before any filter, or(), limit or
   * other offset: Dexie then moves its cursor with advance(). Without JS
   * predicates it is a plain offset; with some (added later), the first row
   * passing them is dropped and the cursor skips the n - 1 rows after it,
   * whatever they are (collection-rows.ts reproduces it).
   */
  leadingOffset: number;
  offset: number; // offsets counted after predicates, in call order with limit
  limit: number; // Infinity = none
  orderBy: Array<[keyPath: string, descending: boolean]>;
}

/** A collection's query mapped onto the schema, ready to run on `engine`. */
export interface Plan {
  engine: Engine;
  schema: TableSchema;
  main: ResolvedQuery;
  /** No JS predicate and no or(): the engine runs it in one call (see collection.ts). */
  enginePath: boolean;
  /** The engine's description of the main query; `overrides` for a variant of it. */
  description(overrides?: Partial<QueryDescription>): QueryDescription;
  ranges: RangeSpec[] | null;
}

/** Plans `state` (a collection of `table`, whose schema is `schema`) for running on `engine`. */
export function planQuery(engine: Engine, schema: TableSchema, table: string, state: CollectionState): Plan {
  const main = resolveQuery(state.query, schema, table);
  const enginePath = !main.keyFilter && main.postFilter === undefined && state.predicates.length === 0 && state.or.length === 0;
  const description = (overrides: Partial<QueryDescription> = {}): QueryDescription => ({
    table,
    index: main.index,
    reverse: state.reverse,
    distinct: state.distinct,
    unique: false,
    offset: state.leadingOffset + state.offset,
    limit: state.limit === Infinity ? -1 : state.limit,
    orderBy: state.orderBy.map(([path, desc]) => [path, desc !== state.reverse]),
    ...overrides,
  });
  return { engine, schema, main, enginePath, description, ranges: main.ranges };
}

/** Whether `value` is a valid key (cmp orders it). */
export function isKey(value: unknown): boolean {
  return !Number.isNaN(cmp(value, value));
}

export interface ResolvedQuery {
  index: string; // '' = primary key, else the real index name
  ranges: RangeSpec[] | null;
  keyFilter?: (key: unknown) => boolean;
  postFilter?: (value: unknown) => boolean; // where({...}) criteria no index covers
  /** A virtual index: the first `depth` parts of the compound index `index` (its keys are cut to them). */
  depth?: number;
}

/** A virtual index's key: the first `depth` parts of a compound key (one part: the part itself). */
export function virtualKey(key: unknown, depth: number): unknown {
  if (!Array.isArray(key)) return key;
  return depth === 1 ? key[0] : key.slice(0, depth);
}

/** Maps a where-clause onto the table's schema: which index, which ranges. */
export function resolveQuery(query: Query, schema: TableSchema, table: string): ResolvedQuery {
  // As Dexie: a where-clause on an index the table lacks is a SchemaError, whatever its arguments.
  if (query.error) {
    if (!query.criteria) findIndex(query.index, schema, table);
    throw query.error;
  }
  if (query.criteria) return resolveCriteria(query.criteria, schema, table);
  const target = findIndex(query.index, schema, table);
  const ranges = query.ranges === null ? null : query.ranges.map((r) => toRangeSpec(r, target.depth));
  const keyFilter =
    query.keyFilter && target.depth > 0 ? (key: unknown) => query.keyFilter!(virtualKey(key, target.depth)) : query.keyFilter;
  return { index: target.index, ranges, keyFilter, ...(target.depth > 0 ? { depth: target.depth } : {}) };
}

interface IndexTarget {
  index: string;
  depth: number; // 0: the index itself; n: the first n parts of a compound index (a virtual index)
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
  throw new SchemaError(`table '${table}' has no index '${name}' to query: add it to the schema, ` + `or use filter() to scan`);
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
    const value = criteria[path];
    // As Dexie, whose where({a: v}) is where('a').equals(v): null or undefined is a TypeError.
    if (paths.length === 1 && (value === null || value === undefined))
      throw new TypeError(`where({${path}: ${String(value)}}): not a valid key`);
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
  // Else the index serving most criteria narrows the scan (a single index, or the first parts of a
  // compound one: a virtual index, as in Dexie); the other criteria are checked in JS.
  let best: { name: string; paths: string[]; depth: number } | undefined;
  for (const candidate of candidates) {
    const keyPath = candidate.keyPath;
    let served: { name: string; paths: string[]; depth: number } | undefined;
    if (typeof keyPath === 'string' && paths.includes(keyPath)) served = { name: candidate.name, paths: [keyPath], depth: 0 };
    else if (Array.isArray(keyPath)) {
      let n = 0;
      while (n < keyPath.length && paths.includes(keyPath[n])) n++;
      if (n > 0) served = { name: candidate.name, paths: keyPath.slice(0, n), depth: n };
    }
    if (served && (!best || served.paths.length > best.paths.length)) best = served;
  }
  if (!best) {
    throw new SchemaError(
      `table '${table}' has no index for where({${paths.join(', ')}}): ` +
        `add an index (a compound [${paths.join('+')}] serves them all), or use filter()`,
    );
  }
  const key = best.depth === 0 ? criteria[best.paths[0]] : best.paths.map((p) => criteria[p]);
  const rest = paths.filter((p) => !best.paths.includes(p));
  return {
    index: best.name,
    ranges: [[best.depth === 0 ? 0 : 2, key, key, false, false]],
    ...(best.depth > 0 ? { depth: best.depth } : {}),
    ...(rest.length === 0
      ? {}
      : {
          postFilter: (value: unknown) =>
            rest.every((p) => {
              const actual = getByKeyPath(value, p);
              const index = schema.idxByName[p];
              if (index?.multi && Array.isArray(actual)) return actual.some((element) => cmp(element, criteria[p]) === 0);
              return cmp(actual, criteria[p]) === 0;
            }),
        }),
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return `a ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value}`;
}
