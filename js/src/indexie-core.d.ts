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
  // Encoded inputs are passed as (pointer, length) into the wasm heap (see engine.ts withBytes).
  write(table: string, add: boolean, values: number, valuesLength: number, keys: number, keysLength: number): EngineResult<NativeWriteResult>;
  get(table: string, key: number, keyLength: number): EngineResult<Uint8Array | undefined>;
  bulkGet(table: string, keys: number, keysLength: number, forUpdate: boolean): EngineResult<Uint8Array>;
  getByIndex(table: string, index: string, key: number, keyLength: number): EngineResult<Uint8Array | undefined>;
  deleteKeys(table: string, keys: number, keysLength: number): EngineResult<number>;
  clear(table: string): EngineResult<undefined>;
  count(table: string): EngineResult<number>;
  scan(table: string): EngineResult<Uint8Array>;
  query(description: object, ranges: number, rangesLength: number, output: string): EngineResult<any>;
  aggregate(description: object, ranges: number, rangesLength: number, op: string, keyPath: string): EngineResult<Uint8Array>;
  openCursor(description: object, ranges: number, rangesLength: number): EngineResult<number>;
  cursorNext(id: number, max: number, output: 'rows' | 'keyPairs' | 'values'): EngineResult<{ rows: Uint8Array; done: boolean }>;
  closeCursor(id: number): void;
  changes(): EngineResult<{ fileSize: number; pages: Uint32Array }>;
  readPages(first: number, count: number): EngineResult<Uint8Array>;
  pageDiffs(maxBytes: number): EngineResult<Uint8Array | undefined>;
  checkpoint(): EngineResult<undefined>;
  revert(): EngineResult<undefined>;
  applyRemote(fileSize: number, pageNumbers: number[], pointer: number, count: number, replaceAll: boolean): EngineResult<undefined>;
  executeSql(sql: string): EngineResult<SqlResultValue>;
  setReadRecorder(readSet: NativeReadSet | null): EngineResult<undefined>;
  takeChanges(): EngineResult<Uint8Array | undefined>;
}

/** What a live query's run read (read_set.h). */
export interface NativeReadSet {
  clear(): void;
  isEmpty(): boolean;
  merge(other: NativeReadSet): void;
  intersects(changes: NativeChangeSet): boolean;
  delete(): void;
}

/** Merged change sets (change_set.h). */
export interface NativeChangeSet {
  add(pointer: number, length: number): EngineResult<undefined>;
  addEverything(): void;
  isEmpty(): boolean;
  serialize(): Uint8Array;
  delete(): void;
}

export interface CoreModule {
  HEAPU8: Uint8Array;  // re-read after every call: memory growth replaces it
  _malloc(size: number): number;
  _free(ptr: number): void;
  SqlDatabase: new () => NativeSqlDatabase;
  EngineDatabase: new () => NativeEngineDatabase;
  ReadSet: new () => NativeReadSet;
  ChangeSet: new () => NativeChangeSet;
  sqliteVersion(): string;
  parseSchema(table: string, spec: string): EngineResult<NativeTableSchema>;
  databaseExists(name: string): boolean;
  deleteFile(name: string): void;
  loadFile(name: string, fileSize: number, pageNumbers: number[], pointer: number, count: number): void;
}

export interface CoreModuleOptions {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, prefix: string) => string;
}

declare function createIndexieCore(options?: CoreModuleOptions): Promise<CoreModule>;
export default createIndexieCore;
