// indexie-core.d.ts: types of the Emscripten glue (the build output
// dist/indexie-core.js, which sits beside this file in the package), i.e.
// of the handles in wasm/: engine_handle.cc, sql_handle.cc, page_file.cc,
// live_sets.cc, js_bridge.cc and file_backend_js.cc. Keep in step with those files.
//
// Bytes in go through the request buffer (js_bridge.h): write them at
// requestBuffer(capacity), pass the length. Results come back as encoded
// result values (core/include/indexie/engine_requests.h), decoded by
// engine/requests.ts.

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

/** A parsed table schema as the engine reports it. */
export interface NativeTableSchema {
  name: string;
  spec: string;
  primKey: NativeIndexSpec;
  indexes: NativeIndexSpec[];
}

/** One engine database (engine_handle.cc): everything through execute(). */
export interface NativeEngineDatabase {
  /** An encoded result batch of one. Opens `name` on the in-memory page VFS. */
  open(name: string): Uint8Array;
  /**
   * Opens `name` as a file read page by page through `CoreModule.indexieFileBackend` (which must be
   * set, with the files' sync access handles open, before the call); SQLite's page cache is bounded
   * by `cacheKiB` KiB (0: the default, 32 MiB); `durability` 'strict' flushes each commit to the disk
   * (synchronous=FULL), 'relaxed' hands it to the OS (synchronous=NORMAL; WAL either way). Same result
   * as open().
   */
  openFile(name: string, cacheKiB: number, durability: 'relaxed' | 'strict'): Uint8Array;
  close(): void;
  delete(): void;
  /** Runs the request batch of `length` bytes in the request buffer; returns the encoded response batch. */
  execute(length: number): Uint8Array;
  setReadRecorder(readSet: NativeReadSet | null): void;
}

/** A plain SQLite database (sql_handle.cc); results are encoded result values. */
export interface NativeSqlDatabase {
  open(name: string): Uint8Array;
  execute(sql: string): Uint8Array;
  close(): void;
  delete(): void;
}

/** What a live query's run read (read_set.h). */
export interface NativeReadSet {
  clear(): void;
  isEmpty(): boolean;
  merge(other: NativeReadSet): void;
  /** Merges the serialized read set (an engine's takeReads result) of `length` bytes in the request buffer; false, and nothing merged, if it does not parse. */
  addSerialized(length: number): boolean;
  intersects(changes: NativeChangeSet): boolean;
  delete(): void;
}

/** Merged change sets (change_set.h). */
export interface NativeChangeSet {
  /** Merges the serialized change set of `length` bytes in the request buffer; false if it does not parse. */
  add(length: number): boolean;
  addEverything(): void;
  isEmpty(): boolean;
  serialize(): Uint8Array;
  delete(): void;
}

/**
 * The files of openFile() databases (wasm/file_backend_js.cc): synchronous calls the VFS makes,
 * over OPFS FileSystemSyncAccessHandles in a Worker. `ptr` is an address in HEAPU8 (re-read it at
 * each call). Paths are '<name>', '<name>-wal' and '<name>-journal'; the side files always exist, a
 * 0-byte one counts as absent.
 */
export interface NativeFileBackend {
  /** A file id >= 1 for `path`, or 0 when there is no such file. */
  open(path: string): number;
  /** Size in bytes; -1 on error. */
  size(id: number): number;
  /** Bytes copied into HEAPU8 at `ptr` (fewer at the end of the file); -1 on error. */
  read(id: number, ptr: number, length: number, offset: number): number;
  /** 0 ok, -1 error, -2 storage full (quota): the engine reports QuotaExceededError. */
  write(id: number, ptr: number, length: number, offset: number): number;
  /** 0 ok, -1 error. */
  truncate(id: number, size: number): number;
  /** 0 ok, -1 error: everything written to the file before is durable (flush()). */
  sync(id: number): number;
  close(id: number): void;
}

export interface CoreModule {
  HEAPU8: Uint8Array; // re-read after every call: memory growth replaces it
  /** The backend of openFile() databases; set it before the first openFile(). */
  indexieFileBackend?: NativeFileBackend;
  /** The request buffer's address, at least `capacity` bytes. */
  requestBuffer(capacity: number): number;
  SqlDatabase: new () => NativeSqlDatabase;
  EngineDatabase: new () => NativeEngineDatabase;
  ReadSet: new () => NativeReadSet;
  ChangeSet: new () => NativeChangeSet;
  sqliteVersion(): string;
  /** An encoded result value: the NativeTableSchema, or the failure. */
  parseSchema(table: string, spec: string): Uint8Array;
  databaseExists(name: string): boolean;
  deleteFile(name: string): void;
  /** Installs a file of `fileSize` bytes whose pages `pageNumbers` are in the request buffer, in that order. */
  loadFile(name: string, fileSize: number, pageNumbers: Uint32Array): void;
}

export interface CoreModuleOptions {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, prefix: string) => string;
  /**
   * Emscripten's hook to instantiate the module itself: instantiate with
   * `imports`, call `receive(instance, module)`, return {} (asynchronous).
   */
  instantiateWasm?: (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => object;
}

declare function createIndexieCore(options?: CoreModuleOptions): Promise<CoreModule>;
export default createIndexieCore;
