// engine.ts: one open engine database, in JS terms. It owns the native
// handle, encodes keys and values on the way in, decodes them on the way
// out, and turns every engine failure into a named error (errors.ts).
// Everything here is synchronous: the engine answers from memory.
import { DatabaseClosedError, unwrap } from './errors.js';
import type { NativeEngineDatabase, NativeTableSchema } from './indexie-core.js';
import { decodeValue, encodeValue, encodeValues } from './value-codec.js';
import { loadCoreModule } from './wasm-module.js';

export type EngineTableSchema = NativeTableSchema;

export interface EngineInfo {
  version: number;
  tables: Record<string, EngineTableSchema>;
}

export interface EngineWriteResult {
  keys: unknown[];  // undefined where that item failed
  failures: Array<{ position: number; code: string; message: string }>;
}

export class Engine {
  #native: NativeEngineDatabase | undefined;

  private constructor(native: NativeEngineDatabase) {
    this.#native = native;
  }

  static async open(name: string): Promise<Engine> {
    const core = await loadCoreModule();
    const native = new core.EngineDatabase();
    const opened = native.open(name);
    if (!opened.ok) native.delete();
    unwrap(opened);
    return new Engine(native);
  }

  static async exists(name: string): Promise<boolean> {
    return (await loadCoreModule()).databaseExists(name);
  }

  get isOpen(): boolean {
    return this.#native !== undefined;
  }

  close(): void {
    if (!this.#native) return;
    this.#native.close();
    this.#native.delete();
    this.#native = undefined;
  }

  get #db(): NativeEngineDatabase {
    if (!this.#native) throw new DatabaseClosedError('the database is closed');
    return this.#native;
  }

  info(): EngineInfo { return unwrap(this.#db.info()); }
  begin(): void { unwrap(this.#db.begin()); }
  commit(): void { unwrap(this.#db.commit()); }
  rollback(): void { unwrap(this.#db.rollback()); }
  setVersion(version: number): void { unwrap(this.#db.setVersion(version)); }
  setSchema(specs: Record<string, string>): void { unwrap(this.#db.setSchema(specs)); }

  write(table: string, mode: 'add' | 'put', values: readonly unknown[], keys?: readonly unknown[]): EngineWriteResult {
    const result = unwrap(this.#db.write(table, mode === 'add', encodeValues(values), keys ? encodeValues(keys) : null));
    return { keys: decodeValue(result.keys) as unknown[], failures: result.failures };
  }

  get(table: string, key: unknown): unknown {
    const bytes = unwrap(this.#db.get(table, encodeValue(key)));
    return bytes === undefined ? undefined : decodeValue(bytes);
  }

  bulkGet(table: string, keys: readonly unknown[]): unknown[] {
    return decodeValue(unwrap(this.#db.bulkGet(table, encodeValues(keys)))) as unknown[];
  }

  /** The first record (lowest primary key) whose index `index` equals `key`, as [primaryKey, value]. */
  getByIndex(table: string, index: string, key: unknown): [unknown, unknown] | undefined {
    const bytes = unwrap(this.#db.getByIndex(table, index, encodeValue(key)));
    return bytes === undefined ? undefined : (decodeValue(bytes) as [unknown, unknown]);
  }

  delete(table: string, keys: readonly unknown[]): number {
    return unwrap(this.#db.deleteKeys(table, encodeValues(keys)));
  }

  clear(table: string): void { unwrap(this.#db.clear(table)); }
  count(table: string): number { return unwrap(this.#db.count(table)); }
  scan(table: string): unknown[] { return decodeValue(unwrap(this.#db.scan(table))) as unknown[]; }

  /** Runs SQL on the engine's SQLite database (diagnostics). */
  executeSql(sql: string) { return unwrap(this.#db.executeSql(sql)); }
}

/** Validates a store spec without a database; resolves to the parsed schema. */
export async function parseTableSchema(table: string, spec: string): Promise<EngineTableSchema> {
  return unwrap((await loadCoreModule()).parseSchema(table, spec));
}
