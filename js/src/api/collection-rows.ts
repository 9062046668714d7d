// api/collection-rows.ts: the rows of a collection (collection.ts) with
// what its output needs. On the engine path, one engine call; on the cursor
// path, the engine streams rows in batches and this applies the key filter,
// each where({...}) post-filter, de-duplication (or() and distinct()), the
// predicates in the order they were added, offset and limit, stopping
// early; with orderBy, it sorts before offset and limit. Values are decoded
// only for rows whose value a predicate, a sort or the caller needs.
import type { QueryOutput } from '../engine/engine.js';
import { cmp, keyId } from '../values/key-compare.js';
import { getByKeyPath } from '../values/key-path.js';
import { decodeValue } from '../values/value-decoder.js';
import { isKey, resolveQuery, virtualKey, type CollectionState, type Plan, type ResolvedQuery } from './query-plan.js';

export interface Row {
  key: unknown;
  primaryKey: unknown;
  value?: unknown;
}

/** Rows per engine call of the cursor path. */
const BATCH = 256;

/**
 * A streamed read (each() and its variants): rows go to `visit` as the
 * cursor reaches them, in order, instead of into a result array, so memory
 * stays one batch whatever the collection's size.
 */
export interface RowStream {
  /** Called with each row passing the collection's filters, offset and limit. */
  visit(row: Row): void;
  /** Awaited between two engine batches (a sliced read yields a task there). */
  between?(): Promise<void>;
  /** Rows per engine call (default BATCH). */
  batch?: number;
}

/**
 * The rows of `run` (the plan of `state`, a collection of `table`). `unique`:
 * one row per index key, the one with the lowest primary key (IndexedDB's
 * nextunique/prevunique), before predicates, offset and limit. With
 * `stream`, the rows go to stream.visit instead (and [] resolves).
 */
export async function rowsOf(
  run: Plan,
  state: CollectionState,
  table: string,
  output: QueryOutput,
  unique: boolean,
  stream?: RowStream,
): Promise<Row[]> {
  const engine = run.engine;
  // A virtual index's keys are cut to its parts (and unique among those): the cursor path does that.
  // A stream always takes the cursor path: the engine path answers in one piece.
  if (run.enginePath && !run.main.depth && !stream) {
    // Triples of (key, primary key, value); values are read only when asked for.
    const items = await engine.query(run.description({ unique }), run.ranges, output === 'values' ? 'rows' : 'keyPairs');
    const rows: Row[] = [];
    for (let i = 0; i < items.length; i += 3) rows.push({ key: items[i], primaryKey: items[i + 1], value: items[i + 2] });
    return rows;
  }
  const needValues = output === 'values' || state.predicates.length > 0 || state.orderBy.length > 0 || run.main.postFilter !== undefined;
  const queries = [run.main, ...state.or.map((q) => resolveQuery(q, run.schema, table))];
  const seen = state.distinct || queries.length > 1 ? new Set<string>() : undefined;
  const sorting = state.orderBy.length > 0;
  let skip = sorting ? 0 : state.offset;
  // Dexie's leading offset (CollectionState.leadingOffset): armed until the first row passing the predicates.
  let advance = sorting ? 0 : state.leadingOffset;
  let advancing = 0; // raw rows the cursor moves past
  if (advance > 0 && state.predicates.length === 0 && !run.main.postFilter && !run.main.keyFilter) {
    skip += advance; // nothing filters: a plain offset
    advance = 0;
  }
  const take = sorting ? Infinity : state.limit;
  const out: Row[] = [];
  let taken = 0;
  // Sorted rows are only known once all are read: they are streamed after the sort.
  const visit = stream && !sorting ? (row: Row) => stream.visit(row) : undefined;
  let stopped = take === 0;
  // Runs one row through the key filter, de-duplication, predicates, offset and limit.
  const consider = (query: ResolvedQuery, row: Row) => {
    if (advancing > 0) {
      advancing--;
      return;
    }
    if (query.postFilter && !query.postFilter(row.value)) return;
    if (seen) {
      const id = keyId(row.primaryKey);
      if (seen.has(id)) return;
      seen.add(id);
    }
    let include = true;
    for (const predicate of state.predicates) {
      if (predicate.kind === 'filter') {
        if (!predicate.fn(row.value)) {
          include = false;
          break;
        }
      } else if (predicate.fn(row.value)) {
        stopped = true;
        include = predicate.includeStop;
        break;
      }
    }
    if (!include) return;
    if (advance > 0) {
      advancing = advance - 1;
      advance = 0;
      return;
    }
    if (skip > 0) skip--;
    else {
      if (visit) visit(row);
      else out.push(row);
      if (++taken >= take) stopped = true;
    }
  };
  for (const query of queries) {
    if (stopped) break;
    const cursor = engine.openCursor(
      run.description({ index: query.index, offset: 0, limit: -1, orderBy: [], distinct: false }),
      query.ranges,
    );
    // unique: the representative of each run of equal keys (first forward, last in reverse).
    let pending: Row | undefined;
    let previous: Row | undefined;
    try {
      let done = false;
      while (!done && !stopped) {
        const batch = await cursor.next(stream?.batch ?? BATCH, needValues);
        done = batch.done;
        for (const encoded of batch.rows) {
          if (query.keyFilter && !query.keyFilter(encoded.key)) continue;
          const row: Row = { key: query.depth ? virtualKey(encoded.key, query.depth) : encoded.key, primaryKey: encoded.primaryKey };
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
        if (!done && !stopped && stream?.between) await stream.between();
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
  const from = state.leadingOffset + state.offset;
  const page = sortable.slice(from, state.limit === Infinity ? undefined : from + state.limit);
  if (!stream) return page;
  for (const row of page) stream.visit(row);
  return [];
}
