// engine.ts: one open engine database, in JS terms. It owns the native
// handle, encodes keys and values on the way in, decodes them on the way
// out, and turns every engine failure into a named error (errors.ts).
// Everything here is synchronous: the engine answers from memory.
import { DatabaseClosedError, unwrap, type EngineResult } from './errors.js';

type EngineResultOf<T> = EngineResult<T>;
import type { CoreModule, NativeChangeSet, NativeEngineDatabase, NativeReadSet, NativeTableSchema } from './indexie-core.js';
import { decodeRows, decodeValue, encodeValue, encodeValues, type EncodedRow } from './value-codec.js';
import { coreIfLoaded, loadCoreModule, loadedCore } from './wasm-module.js';

export type EngineTableSchema = NativeTableSchema;

export interface EngineInfo {
  version: number;
  tables: Record<string, EngineTableSchema>;
}

export interface EngineWriteResult {
  keys: unknown[];  // undefined where that item failed
  failures: Array<{ position: number; code: string; message: string }>;
}

/** What a query reads (core/include/indexie/query.h QuerySpec). */
export interface QueryDescription {
  table: string;
  index: string;  // '' = the primary key
  reverse: boolean;
  distinct: boolean;
  unique: boolean;
  offset: number;
  limit: number;  // -1 = no limit
  orderBy: Array<[keyPath: string, descending: boolean]>;
}

/** One key range as the engine parses it: kind 0 bounds, 1 string prefix, 2 array prefix. */
export type RangeSpec = [kind: 0 | 1 | 2, lower: unknown, upper: unknown, lowerOpen: boolean, upperOpen: boolean];

/** values / keys / primaryKeys: one item per row; rows: (key, primaryKey, value) triples; keyPairs: triples without values. */
export type QueryOutput = 'values' | 'keys' | 'primaryKeys' | 'rows' | 'keyPairs';

export interface EngineCursor {
  /** Up to `max` more rows; `done` once the scan is exhausted. */
  next(max: number, withValues: boolean): { rows: EncodedRow[]; done: boolean };
  /** Up to `max` more rows' values only (decoded in one go: the fast path of a sliced toArray). */
  nextValues(max: number): { values: unknown[]; done: boolean };
  close(): void;
}

export class Engine {
  #native: NativeEngineDatabase | undefined;
  readonly #core: CoreModule;

  private constructor(core: CoreModule, native: NativeEngineDatabase) {
    this.#core = core;
    this.#native = native;
  }

  /** Copies `bytes` into the wasm heap for the duration of `use(pointer, length)`. */
  #withBytes<T>(bytes: Uint8Array, use: (pointer: number, length: number) => T): T {
    const pointer = this.#core._malloc(Math.max(bytes.length, 1));
    try {
      this.#core.HEAPU8.set(bytes, pointer);
      return use(pointer, bytes.length);
    } finally {
      this.#core._free(pointer);
    }
  }

  static async open(name: string): Promise<Engine> {
    const core = await loadCoreModule();
    const native = new core.EngineDatabase();
    const opened = native.open(name);
    if (!opened.ok) native.delete();
    unwrap(opened);
    return new Engine(core, native);
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
    const db = this.#db;
    const result = unwrap(this.#withBytes(encodeValues(values), (vp, vl) =>
      keys ? this.#withBytes(encodeValues(keys), (kp, kl) => db.write(table, mode === 'add', vp, vl, kp, kl))
           : db.write(table, mode === 'add', vp, vl, 0, 0)));
    return { keys: decodeValue(result.keys) as unknown[], failures: result.failures };
  }

  get(table: string, key: unknown): unknown {
    const db = this.#db;
    const bytes = unwrap(this.#withBytes(encodeValue(key), (p, l) => db.get(table, p, l)));
    return bytes === undefined ? undefined : decodeValue(bytes);
  }

  /**
   * The values of `keys` (undefined where none). forUpdate: the next write
   * call may put these records back, and then need not read them again.
   */
  bulkGet(table: string, keys: readonly unknown[], forUpdate = false): unknown[] {
    const db = this.#db;
    return decodeValue(unwrap(this.#withBytes(encodeValues(keys), (p, l) => db.bulkGet(table, p, l, forUpdate)))) as unknown[];
  }

  /** The first record (lowest primary key) whose index `index` equals `key`, as [primaryKey, value]. */
  getByIndex(table: string, index: string, key: unknown): [unknown, unknown] | undefined {
    const db = this.#db;
    const bytes = unwrap(this.#withBytes(encodeValue(key), (p, l) => db.getByIndex(table, index, p, l)));
    return bytes === undefined ? undefined : (decodeValue(bytes) as [unknown, unknown]);
  }

  delete(table: string, keys: readonly unknown[]): number {
    const db = this.#db;
    return unwrap(this.#withBytes(encodeValues(keys), (p, l) => db.deleteKeys(table, p, l)));
  }

  clear(table: string): void { unwrap(this.#db.clear(table)); }
  count(table: string): number { return unwrap(this.#db.count(table)); }
  scan(table: string): unknown[] { return decodeValue(unwrap(this.#db.scan(table))) as unknown[]; }

  /** `ranges` null = every key. */
  #withRanges<T>(ranges: readonly RangeSpec[] | null, use: (pointer: number, length: number) => T): T {
    return ranges === null ? use(0, 0) : this.#withBytes(encodeValues(ranges), use);
  }

  query(description: QueryDescription, ranges: readonly RangeSpec[] | null, output: QueryOutput): unknown[] {
    const db = this.#db;
    return decodeValue(unwrap(this.#withRanges(ranges, (p, l) => db.query(description, p, l, output)) as EngineResultOf<Uint8Array>)) as unknown[];
  }

  countQuery(description: QueryDescription, ranges: readonly RangeSpec[] | null): number {
    const db = this.#db;
    return unwrap(this.#withRanges(ranges, (p, l) => db.query(description, p, l, 'count')) as EngineResultOf<number>);
  }

  aggregate(description: QueryDescription, ranges: readonly RangeSpec[] | null, op: 'sum' | 'min' | 'max' | 'avg', keyPath: string): unknown {
    const db = this.#db;
    return decodeValue(unwrap(this.#withRanges(ranges, (p, l) => db.aggregate(description, p, l, op, keyPath))));
  }

  openCursor(description: QueryDescription, ranges: readonly RangeSpec[] | null): EngineCursor {
    const db = this.#db;
    const id = unwrap(this.#withRanges(ranges, (p, l) => db.openCursor(description, p, l)));
    return {
      next: (max, withValues) => {
        const batch = unwrap(this.#db.cursorNext(id, max, withValues ? 'rows' : 'keyPairs'));
        return { rows: decodeRows(batch.rows), done: batch.done };
      },
      nextValues: (max) => {
        const batch = unwrap(this.#db.cursorNext(id, max, 'values'));
        return { values: decodeValue(batch.rows) as unknown[], done: batch.done };
      },
      close: () => { if (this.#native) this.#native.closeCursor(id); },
    };
  }

  // --- Persistence (idb_bridge change tracking) ---

  /** Pages changed since the last checkpoint, and the file size. */
  changes(): { fileSize: number; pages: Uint32Array } { return unwrap(this.#db.changes()); }
  /** A copy of pages [first, first + count). */
  readPages(first: number, count: number): Uint8Array { return unwrap(this.#db.readPages(first, count)); }
  /** The changed pages' differing byte ranges since the last checkpoint (page-file-format.ts, delta format 3). */
  pageDiffs(maxBytes = Number.MAX_SAFE_INTEGER): Uint8Array | undefined { return unwrap(this.#db.pageDiffs(maxBytes)); }
  /** The changes are stored: they become the checkpoint. */
  checkpoint(): void { unwrap(this.#db.checkpoint()); }
  /** Storing failed: back to the last checkpoint (the engine reconnects to the restored file). */
  revert(): void { unwrap(this.#db.revert()); }

  /** Applies pages another tab stored (all pages of the file when `replaceAll`), then reconnects. */
  applyRemote(fileSize: number, pages: Map<number, Uint8Array>, replaceAll: boolean): void {
    const db = this.#db;
    const numbers = [...pages.keys()];
    const pointer = this.#core._malloc(Math.max(numbers.length * 4096, 1));
    try {
      numbers.forEach((page, i) => this.#core.HEAPU8.set(pages.get(page)!, pointer + i * 4096));
      unwrap(db.applyRemote(fileSize, numbers, pointer, numbers.length, replaceAll));
    } finally {
      this.#core._free(pointer);
    }
  }

  /** Installs a database file loaded from storage (before opening it). */
  static async loadFile(name: string, fileSize: number, pages: Map<number, Uint8Array>): Promise<void> {
    const core = await loadCoreModule();
    const numbers = [...pages.keys()];
    const pointer = core._malloc(Math.max(numbers.length * 4096, 1));
    try {
      numbers.forEach((page, i) => core.HEAPU8.set(pages.get(page)!, pointer + i * 4096));
      core.loadFile(name, fileSize, numbers, pointer, numbers.length);
    } finally {
      core._free(pointer);
    }
  }

  static async deleteFile(name: string): Promise<void> {
    (await loadCoreModule()).deleteFile(name);
  }

  // --- Live queries (core/include/indexie/read_set.h, change_set.h) ---

  /** Reads add what they read to `readSet` until this is called with null. */
  recordReadsInto(readSet: NativeReadSet | null): void {
    if (this.#native) unwrap(this.#native.setReadRecorder(readSet));  // a closed engine reads nothing more
  }
  /** What writes changed since the last call (change_set.h wire format), or undefined if nothing. */
  takeChanges(): Uint8Array | undefined { return unwrap(this.#db.takeChanges()); }

  /** Runs SQL on the engine's SQLite database (diagnostics). */
  executeSql(sql: string) { return unwrap(this.#db.executeSql(sql)); }
}

/** Bytes of wasm memory the engine module holds (0 before it loads). */
export function engineMemoryBytes(): number {
  return coreIfLoaded()?.HEAPU8.byteLength ?? 0;
}

/** An empty read set (free it with delete()); the engine module must be loaded. */
export function newReadSet(): NativeReadSet {
  return new (loadedCore().ReadSet)();
}

/** A change set built from serialized ones (free it with delete()). `null` stands for "everything changed". */
export function changeSetOf(parts: ReadonlyArray<Uint8Array | null>): NativeChangeSet {
  const core = loadedCore();
  const set = new core.ChangeSet();
  for (const bytes of parts) {
    if (bytes === null) {
      set.addEverything();
      continue;
    }
    const pointer = core._malloc(Math.max(bytes.length, 1));
    try {
      core.HEAPU8.set(bytes, pointer);
      // A part that does not parse (a newer format from another tab) counts as "everything".
      if (!set.add(pointer, bytes.length).ok) set.addEverything();
    } finally {
      core._free(pointer);
    }
  }
  return set;
}

/** Validates a store spec without a database; resolves to the parsed schema. */
export async function parseTableSchema(table: string, spec: string): Promise<EngineTableSchema> {
  return unwrap((await loadCoreModule()).parseSchema(table, spec));
}
