// sync/electric/shape-position-store.ts: where a table's shape sync stands
// (handle, offset, cursor, the shape's definition and schema), kept in the
// database itself, so it is written in the same engine transaction as the
// rows it describes and a reload resumes exactly there.
//
// Format: one row of the engine's internal `_indexie_meta` table (the table
// that holds the schema and version; core/src/database.cc reads only the
// names it knows and ignores others), named `electric:<table>`, whose value
// is the JSON of ShapePosition. Users never see it as a table; it goes away
// with the database.
//
// The engine's SQL entry point takes SQL text without parameters, so the
// name and value go in as hex blob literals (X'…', cast to TEXT) made here
// from UTF-8 bytes: only [0-9a-f] is ever spliced into the SQL.
import type { Engine } from '../../engine/engine.js';
import type { ElectricSchema } from './value-parser.js';

export interface ShapePosition {
  /** The shape's definition (url without query, params) as JSON: a different one starts over. */
  shape: string;
  handle: string;
  offset: string;
  cursor: string;
  /** True once the snapshot of this handle is complete (an up-to-date was applied). */
  live: boolean;
  schema: ElectricSchema;
  /** When the last up-to-date was applied (ms since the epoch). */
  syncedAt?: number;
}

const encoder = new TextEncoder();
const hexText = (text: string): string =>
  `CAST(X'${Array.from(encoder.encode(text), (b) => b.toString(16).padStart(2, '0')).join('')}' AS TEXT)`;
const rowName = (table: string): string => hexText(`electric:${table}`);

/** The stored position of `table`'s shape sync, if any. */
export async function readShapePosition(engine: Engine, table: string): Promise<ShapePosition | undefined> {
  const { rows } = await engine.executeSql(`SELECT value FROM _indexie_meta WHERE name = ${rowName(table)}`);
  if (rows.length === 0) return undefined;
  try {
    return JSON.parse(String(rows[0][0])) as ShapePosition;
  } catch {
    return undefined; // unreadable: start over (a refetch), never fail the app
  }
}

/** Stores `position` (in the caller's engine transaction). */
export async function writeShapePosition(engine: Engine, table: string, position: ShapePosition): Promise<void> {
  await engine.executeSql(
    `INSERT OR REPLACE INTO _indexie_meta(name, value) VALUES (${rowName(table)}, ${hexText(JSON.stringify(position))})`,
  );
}

/** Forgets `table`'s position (in the caller's engine transaction). */
export async function deleteShapePosition(engine: Engine, table: string): Promise<void> {
  await engine.executeSql(`DELETE FROM _indexie_meta WHERE name = ${rowName(table)}`);
}
