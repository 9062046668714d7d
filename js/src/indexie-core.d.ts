// Types of the Emscripten glue (build output indexie-core.js), i.e. of the
// embind facade in wasm/bindings.cc. Keep in step with that file.
import type { EngineResult } from './errors.js';

export interface SqlResultValue {
  columns: string[];
  rows: Array<Array<null | number | bigint | string | Uint8Array>>;
  changes: number | bigint;
}

export interface NativeSqlDatabase {
  open(name: string): EngineResult<undefined>;
  execute(sql: string): EngineResult<SqlResultValue>;
  close(): void;
  delete(): void;
}

/** A parsed index or primary key (schema.h IndexSpec); Dexie's IndexSpec shape. */
export interface NativeIndexSpec {
  name: string;
  keyPath: string | string[] | null;
  unique: boolean;
  multi: boolean;
  auto: boolean;
  compound: boolean;
  src: string;
}

export interface NativeTableSchema {
  name: string;
  spec: string;
  primKey: NativeIndexSpec;
  indexes: NativeIndexSpec[];
}

export interface NativeWriteResult {
  keys: Uint8Array;  // encoded array; undefined where an item failed
  failures: Array<{ position: number; code: string; message: string }>;
}

export interface NativeEngineDatabase {
  open(name: string): EngineResult<undefined>;
  close(): void;
  delete(): void;
  info(): EngineResult<{ version: number; tables: Record<string, NativeTableSchema> }>;
  begin(): EngineResult<undefined>;
  commit(): EngineResult<undefined>;
  rollback(): EngineResult<undefined>;
  setVersion(version: number): EngineResult<undefined>;
  setSchema(specs: Record<string, string>): EngineResult<undefined>;
  write(table: string, add: boolean, values: Uint8Array, keys: Uint8Array | null): EngineResult<NativeWriteResult>;
  get(table: string, key: Uint8Array): EngineResult<Uint8Array | undefined>;
  bulkGet(table: string, keys: Uint8Array): EngineResult<Uint8Array>;
  getByIndex(table: string, index: string, key: Uint8Array): EngineResult<Uint8Array | undefined>;
  deleteKeys(table: string, keys: Uint8Array): EngineResult<number>;
  clear(table: string): EngineResult<undefined>;
  count(table: string): EngineResult<number>;
  scan(table: string): EngineResult<Uint8Array>;
  executeSql(sql: string): EngineResult<SqlResultValue>;
}

export interface CoreModule {
  SqlDatabase: new () => NativeSqlDatabase;
  EngineDatabase: new () => NativeEngineDatabase;
  sqliteVersion(): string;
  parseSchema(table: string, spec: string): EngineResult<NativeTableSchema>;
  databaseExists(name: string): boolean;
}

export interface CoreModuleOptions {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, prefix: string) => string;
}

declare function createIndexieCore(options?: CoreModuleOptions): Promise<CoreModule>;
export default createIndexieCore;
