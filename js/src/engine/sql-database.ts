// sql-database.ts: direct SQL access to an engine database. This is the
// lowest public layer (the table API is built on the same engine); it is
// useful for diagnostics and for checking what the engine stores.
import { DatabaseClosedError } from '../errors.js';
import type { NativeSqlDatabase } from '../indexie-core.js';
import { decodeResult } from './requests.js';
import { loadCoreModule } from '../wasm-module.js';

/** The rows of a statement: INTEGERs past 2^53 come back as BigInt, BLOBs as Uint8Array. */
export interface SqlResult {
  columns: string[];
  rows: Array<Array<null | number | bigint | string | Uint8Array>>;
  changes: number | bigint;
}

export class SqlDatabase {
  #native: NativeSqlDatabase | undefined;

  private constructor(native: NativeSqlDatabase) {
    this.#native = native;
  }

  /** Opens (creating if needed) an engine database; ':memory:' is private and temporary. */
  static async open(name = ':memory:'): Promise<SqlDatabase> {
    const core = await loadCoreModule();
    const native = new core.SqlDatabase();
    try {
      decodeResult(native.open(name));
    } catch (error) {
      native.delete();
      throw error;
    }
    return new SqlDatabase(native);
  }

  /** Runs every statement in `sql`; resolves to the rows of the last one that returned rows. */
  execute(sql: string): SqlResult {
    if (!this.#native) throw new DatabaseClosedError('the database is closed; open it again to run SQL');
    return decodeResult(this.#native.execute(sql)) as SqlResult;
  }

  get isOpen(): boolean {
    return this.#native !== undefined;
  }

  close(): void {
    this.#native?.close();
    this.#native?.delete();
    this.#native = undefined;
  }
}

/** The SQLite version compiled into the engine, e.g. "3.53.4". */
export async function sqliteVersion(): Promise<string> {
  return (await loadCoreModule()).sqliteVersion();
}
