// engine-types.ts: the plain data that crosses the engine seam, in JS terms:
// query descriptions and ranges (core/include/indexie/query.h), write
// results, schema info, and the cursor interface Engine hands out.
import type { NativeTableSchema } from '../indexie-core.js';
import type { EncodedRow } from '../values/value-decoder.js';

export type EngineTableSchema = NativeTableSchema;

export interface EngineInfo {
  version: number;
  tables: Record<string, EngineTableSchema>;
}

export interface EngineWriteResult {
  keys: unknown[]; // undefined where that item failed
  failures: Array<{ position: number; code: string; message: string }>;
}

/** What a query reads (core/include/indexie/query.h QuerySpec). */
export interface QueryDescription {
  table: string;
  index: string; // '' = the primary key
  reverse: boolean;
  distinct: boolean;
  unique: boolean;
  offset: number;
  limit: number; // -1 = no limit
  orderBy: Array<[keyPath: string, descending: boolean]>;
}

/** One key range as the engine parses it: kind 0 bounds, 1 string prefix, 2 array prefix. */
export type RangeSpec = [kind: 0 | 1 | 2, lower: unknown, upper: unknown, lowerOpen: boolean, upperOpen: boolean];

/** values / keys / primaryKeys: one item per row; rows: (key, primaryKey, value) triples; keyPairs: triples without values. */
export type QueryOutput = 'values' | 'keys' | 'primaryKeys' | 'rows' | 'keyPairs';

export interface EngineCursor {
  /** Up to `max` more rows; `done` once the scan is exhausted. */
  next(max: number, withValues: boolean): Promise<{ rows: EncodedRow[]; done: boolean }>;
  /** Up to `max` more rows' values only (decoded in one go: the fast path of a sliced toArray). */
  nextValues(max: number): Promise<{ values: unknown[]; done: boolean }>;
  close(): void;
}
