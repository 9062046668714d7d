// db/internal-tables.ts: tables the library keeps for itself inside the
// user's database (sync's outbox, cursors, record versions), so that what
// they describe and the rows they describe commit in one engine transaction
// (DESIGN "Sync is a layer over the engine").
//
// Contract: an internal table's name starts with INTERNAL_TABLE_PREFIX. It
// is an ordinary engine table (same storage, same commits, same flush to
// IndexedDB), but it is never adopted into the user's schema: it is not in
// db.tables, db.table() refuses it, a transaction cannot name it, and a
// schema upgrade keeps it (upgrades only change the user's tables).
// Library code reads and writes it on the raw engine.
import type { Engine, EngineInfo } from '../engine/engine.js';
import { SchemaError } from '../errors.js';

/** The prefix of every internal table's name; user schemas may not use it. */
export const INTERNAL_TABLE_PREFIX = '$indexie:';

export function isInternalTable(name: string): boolean {
  return name.startsWith(INTERNAL_TABLE_PREFIX);
}

/** `info` with the internal tables left out: the schema users see. */
export function visibleSchema(info: EngineInfo): EngineInfo {
  return { ...info, tables: Object.fromEntries(Object.entries(info.tables).filter(([name]) => !isInternalTable(name))) };
}

/** The specs (name -> spec) of the internal tables `info` has: kept across an upgrade. */
export function internalSpecs(info: EngineInfo): Record<string, string> {
  return Object.fromEntries(
    Object.values(info.tables)
      .filter((table) => isInternalTable(table.name))
      .map((table) => [table.name, table.spec]),
  );
}

/** Refuses a declared schema that names an internal table. */
export function checkDeclaredName(table: string): void {
  if (isInternalTable(table)) {
    throw new SchemaError(`table name '${table}' is reserved: names starting with '${INTERNAL_TABLE_PREFIX}' are indexie's own`);
  }
}

/**
 * Creates the internal tables of `specs` that the engine lacks (and
 * nothing else): inside the caller's engine transaction if one is open (a
 * savepoint), so it commits or vanishes with the write that needed it.
 * Returns whether it created any.
 */
export async function ensureInternalTables(engine: Engine, specs: Readonly<Record<string, string>>): Promise<boolean> {
  const info = await engine.info();
  const missing = Object.keys(specs).filter((name) => !info.tables[name]);
  if (missing.length === 0) return false;
  const current = Object.fromEntries(Object.values(info.tables).map((table) => [table.name, table.spec]));
  await engine.setSchema({ ...current, ...specs });
  return true;
}
