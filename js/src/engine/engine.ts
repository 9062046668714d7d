// engine.ts: one open engine database, in JS terms: what the API layers
// call. Every operation is a request batch of the engine protocol
// (requests.ts, core/include/indexie/engine_requests.h) handed to the
// database's host (engine-host.ts: open, execute, close; plain bytes in and
// out, one call into wasm in process). Engine failures become named errors
// in one place (requests.ts resultValue -> errors.ts engineError).
//
// Every operation is asynchronous: its request is built and handed to the
// host synchronously (so requests reach the engine in call order, and a
// read recorder or deferred operation applies to exactly the requests sent
// after it), and resolves with the host's answer (at once in process, from
// a message for an engine in a Worker).
//
// Size: ~410 lines: one short method per engine operation (about 30), which
// share the batching rules below; the protocol itself is in requests.ts.
//
// One crossing per operation. What the write path needs next rides along:
//   - a write, delete, clear or commit outside a transaction also asks for
//     the commit's change log, changed pages and (if few pages changed) page
//     diff, which takeChanges(), changes() and pageDiffs() then return
//     without a call (valid until the next request);
//   - checkpoint() and closing a cursor that is not done wait for the next
//     request and go in front of it;
//   - a cursor opens with its first batch;
//   - while a live-query recorder is set, a request turns the engine
//     session's read recording on around its own operations and brings
//     back what they read (kRecordReads, kTakeReads), merged into the
//     recorder here.
import { DatabaseClosedError } from '../errors.js';
import { decodeRows, decodeValue } from '../values/value-decoder.js';
import { encodeValue, encodeValues } from '../values/value-encoder.js';
import { addReads, changeSetOf, type ReadSet } from './live-sets.js';
import { WasmEngineHost, type EngineHost, type TransactionSpan } from './engine-host.js';
import type {
  EngineCursor,
  EngineInfo,
  EngineTableSchema,
  EngineWriteResult,
  QueryDescription,
  QueryOutput,
  RangeSpec,
} from './engine-types.js';
import { Op, RequestBuilder, decodeResult, encodedRanges, requestBuffer, responseResults, resultValue, writeQuery } from './requests.js';
import { coreIfLoaded, loadCoreModule } from '../wasm-module.js';

export { ChangeSet, ReadSet, changeSetOf, newReadSet } from './live-sets.js';
export type * from './engine-types.js';

/**
 * A commit's diff is asked for along with the commit when it changed at most
 * this many pages: persistence/ stores such commits as one diff record (its
 * DELTA_MAX_PAGES); bigger ones ask for their diff with a bound of their own.
 */
const PREFETCH_DIFF_PAGES = 32;
const NO_BOUND = Number.MAX_SAFE_INTEGER;
/** Keys are encoded without value sharing (values/value-encoder.ts, EncodeOptions). */
const KEYS = { keys: true } as const;

/** What a commit's request brought back for the flush that follows (see the header). */
interface CommitOutputs {
  changes: Uint8Array | undefined;
  fileSize: number;
  pages: Uint32Array;
  diff: Uint8Array | undefined; // undefined: more than PREFETCH_DIFF_PAGES pages changed
}

/** One builder for every engine of the realm: requests are built and sent synchronously, one at a time. */
const builder = new RequestBuilder();

export class Engine {
  readonly #host: EngineHost;
  readonly #pageStore: boolean;
  /** Operations that go in front of the next request (checkpoint, cursor closes). */
  #deferred: Array<(request: RequestBuilder) => void> = [];
  /** The last commit's outputs, valid until the next request. */
  #outputs: CommitOutputs | undefined;
  /** A change log taken along with a commit and not yet handed out by takeChanges(). */
  #takenChanges: Uint8Array | undefined;
  /** Requests since #takenChanges was taken: takeChanges() then merges what they logged. */
  #requestsSinceTaken = 0;
  /** Open engine transactions (begin() nests as savepoints): commit outputs exist only at depth 0. */
  #depth = 0;
  /** The transaction span of the next request (engine-host.ts TransactionSpan). */
  #span: TransactionSpan | undefined;
  /** Where requests sent now record what they read (live queries), if anywhere. */
  #recorder: ReadSet | null = null;

  /**
   * `pageStore`: the database is on the in-memory page store, whose changed
   * pages the persistence layer stores (IndexedDB), so commits bring them
   * along and checkpoint() applies; false for a database that stores itself
   * (the file VFS on OPFS: SQLite's journal makes its commits durable).
   */
  constructor(host: EngineHost, pageStore = true) {
    this.#host = host;
    this.#pageStore = pageStore;
  }

  /** The engine database `name` in this realm's wasm module. */
  static async open(name: string): Promise<Engine> {
    return new Engine(await WasmEngineHost.open(name));
  }

  /** Another engine on the same database file (EngineHost.openSession): the committed-state reader. */
  async openSession(): Promise<Engine> {
    if (!this.#host.isOpen) throw new DatabaseClosedError('the database is closed');
    return new Engine(await this.#host.openSession(), this.#pageStore);
  }

  static async exists(name: string): Promise<boolean> {
    // An in-memory database file exists only in a module that was loaded: none is loaded for it.
    return coreIfLoaded()?.databaseExists(name) ?? false;
  }

  get isOpen(): boolean {
    return this.#host.isOpen;
  }

  /**
   * Closes the engine database: isOpen is false at once, and requests sent
   * before run first (hosts run requests in order). Resolves once closed.
   */
  close(): Promise<void> {
    if (!this.#host.isOpen) return Promise.resolve();
    // A pending checkpoint frees the VFS's copies of the changed pages.
    if (this.#deferred.length > 0) this.#send(() => undefined, 0).catch(() => undefined);
    return this.#host.close();
  }

  // --- Requests -------------------------------------------------------------

  /**
   * Sends deferred operations, the operation(s) `write` adds (`count` of
   * them), and, with `commitOutputs`, the commit's outputs; returns the
   * values of the `count` operations (throwing the first one's error).
   */
  async #send(write: (request: RequestBuilder) => void, count: number, commitOutputs = false): Promise<unknown[]> {
    const host = this.#host;
    if (!host.isOpen) throw new DatabaseClosedError('the database is closed');
    const recorder = this.#recorder;
    const span = this.#span;
    this.#span = undefined;
    const request = builder.reset();
    const deferred = this.#deferred;
    this.#deferred = [];
    for (const add of deferred) add(request);
    if (recorder) request.op(Op.recordReads, 1).bool(true);
    write(request);
    if (recorder) request.op(Op.recordReads, 1).bool(false).op(Op.takeReads);
    if (commitOutputs) {
      request.op(Op.takeChanges);
      if (this.#pageStore) request.op(Op.pageChanges).op(Op.pageDiffs, 2).number(NO_BOUND).number(PREFETCH_DIFF_PAGES);
    }
    this.#outputs = undefined;
    if (this.#takenChanges) this.#requestsSinceTaken++;
    const encoded = request.finish();
    // The host consumes the builder's parts before it returns (the builder is shared).
    const results = responseResults(encoded, await host.execute(encoded, span));
    let at = deferred.length + (recorder ? 1 : 0);
    const own = results.slice(at, (at += count));
    if (recorder) {
      addReads(recorder, resultValue(results[at + 1]) as Uint8Array); // what the operations read, even if one failed
      at += 2;
    }
    if (commitOutputs) this.#keepCommitOutputs(results.slice(at));
    return own.map(resultValue);
  }

  /** One operation; its value. */
  async #one(write: (request: RequestBuilder) => void, commitOutputs = false): Promise<unknown> {
    return (await this.#send(write, 1, commitOutputs))[0];
  }

  #keepCommitOutputs([changes, pageChanges, diff]: unknown[]): void {
    const taken = resultValue(changes) as Uint8Array | undefined;
    if (taken) {
      this.#takenChanges = this.#takenChanges ? this.#merge(this.#takenChanges, taken) : taken;
      this.#requestsSinceTaken = 0;
    }
    if (!this.#pageStore) return;
    const [fileSize, pages] = resultValue(pageChanges) as [number, Uint32Array];
    this.#outputs = { changes: taken, fileSize, pages, diff: resultValue(diff) as Uint8Array | undefined };
  }

  #merge(a: Uint8Array, b: Uint8Array): Uint8Array {
    return changeSetOf([a, b]).serialize();
  }

  // --- Schema and transactions ----------------------------------------------

  async info(): Promise<EngineInfo> {
    return (await this.#one((r) => r.op(Op.info))) as EngineInfo;
  }

  /** Opens a transaction (nested: a savepoint). The depth counts at once, so requests sent after this join it. */
  async begin(): Promise<void> {
    if (this.#depth === 0) this.#span = 'begin';
    const sent = this.#one((r) => r.op(Op.begin));
    this.#depth++;
    try {
      await sent;
    } catch (error) {
      this.#depth--;
      throw error;
    }
  }

  /** Commits; the outermost commit's outputs come along (see the header). */
  async commit(): Promise<void> {
    const outermost = this.#depth <= 1;
    if (outermost) this.#span = 'end';
    const sent = this.#one((r) => r.op(Op.commit), outermost);
    // A failed outermost COMMIT rolls back (Database::Commit): the depth is 0
    // whatever happens. A failed RELEASE keeps the savepoint (the depth stays).
    if (outermost) this.#depth = 0;
    await sent;
    if (!outermost) this.#depth--;
  }

  /** Rolls back the innermost open level; nothing to do when none is open (a failed outermost commit already rolled back). */
  async rollback(): Promise<void> {
    if (this.#depth === 0) return;
    if (this.#depth <= 1) this.#span = 'end';
    this.#depth = Math.max(0, this.#depth - 1); // the engine closes the level whatever else fails
    await this.#one((r) => r.op(Op.rollback));
  }

  /** Whether writes now commit on their own (no transaction is open): then their outputs come along. */
  get #autocommit(): boolean {
    return this.#depth === 0;
  }

  async setVersion(version: number): Promise<void> {
    await this.#one((r) => r.op(Op.setVersion, 1).number(version));
  }

  async setSchema(specs: Record<string, string>): Promise<void> {
    await this.#one((r) => {
      const entries = Object.entries(specs);
      r.op(Op.setSchema, 1).map(entries.length);
      for (const [table, spec] of entries) r.text(table).text(spec);
    });
  }

  // --- Writes ---------------------------------------------------------------

  async write(table: string, mode: 'add' | 'put', values: readonly unknown[], keys?: readonly unknown[]): Promise<EngineWriteResult> {
    const encodedValues = encodeValues(values);
    const encodedKeys = keys ? encodeValues(keys, KEYS) : undefined;
    const [written, failures] = (await this.#one((r) => {
      r.op(Op.write, 4)
        .text(table)
        .bool(mode === 'add')
        .encoded(encodedValues);
      if (encodedKeys) r.encoded(encodedKeys);
      else r.null();
    }, this.#autocommit)) as [unknown[], Array<[number, string, string]>];
    return { keys: written, failures: failures.map(([position, code, message]) => ({ position, code, message })) };
  }

  async delete(table: string, keys: readonly unknown[]): Promise<number> {
    const encoded = encodeValues(keys, KEYS);
    return (await this.#one((r) => r.op(Op.delete, 2).text(table).encoded(encoded), this.#autocommit)) as number;
  }

  async clear(table: string): Promise<void> {
    await this.#one((r) => r.op(Op.clear, 1).text(table), this.#autocommit);
  }

  // --- Reads ----------------------------------------------------------------

  get(table: string, key: unknown): Promise<unknown> {
    const encoded = encodeValue(key, KEYS);
    return this.#one((r) => r.op(Op.get, 2).text(table).encoded(encoded));
  }

  /**
   * The values of `keys` (undefined where none). forUpdate: the next write
   * call may put these records back, and then need not read them again.
   */
  async bulkGet(table: string, keys: readonly unknown[], forUpdate = false): Promise<unknown[]> {
    const encoded = encodeValues(keys, KEYS);
    return (await this.#one((r) => r.op(Op.bulkGet, 3).text(table).encoded(encoded).bool(forUpdate))) as unknown[];
  }

  /** The first record (lowest primary key) whose index `index` equals `key`, as [primaryKey, value]. */
  async getByIndex(table: string, index: string, key: unknown): Promise<[unknown, unknown] | undefined> {
    const encoded = encodeValue(key, KEYS);
    return (await this.#one((r) => r.op(Op.getByIndex, 3).text(table).text(index).encoded(encoded))) as [unknown, unknown] | undefined;
  }

  async count(table: string): Promise<number> {
    return (await this.#one((r) => r.op(Op.count, 1).text(table))) as number;
  }

  async scan(table: string): Promise<unknown[]> {
    return (await this.#one((r) => r.op(Op.scan, 1).text(table))) as unknown[];
  }

  async query(description: QueryDescription, ranges: readonly RangeSpec[] | null, output: QueryOutput): Promise<unknown[]> {
    const encoded = encodedRanges(ranges);
    return (await this.#one((r) => writeQuery(r.op(Op.query, 3), description, encoded).text(output))) as unknown[];
  }

  async countQuery(description: QueryDescription, ranges: readonly RangeSpec[] | null): Promise<number> {
    const encoded = encodedRanges(ranges);
    return (await this.#one((r) => writeQuery(r.op(Op.query, 3), description, encoded).text('count'))) as number;
  }

  aggregate(
    description: QueryDescription,
    ranges: readonly RangeSpec[] | null,
    op: 'sum' | 'min' | 'max' | 'avg',
    keyPath: string,
  ): Promise<unknown> {
    const encoded = encodedRanges(ranges);
    return this.#one((r) => writeQuery(r.op(Op.aggregate, 4), description, encoded).text(op).text(keyPath));
  }

  /**
   * A cursor over the query's rows; it opens with its first batch (one
   * request). Its batches are sent one at a time: next() before the last
   * one resolved is a caller's bug (the cursor's position would be undefined).
   */
  openCursor(description: QueryDescription, ranges: readonly RangeSpec[] | null): EngineCursor {
    const encoded = encodedRanges(ranges);
    let id = 0; // 0: not opened yet
    let done = false;
    let closed = false;
    const batch = async (max: number, output: 'rows' | 'keyPairs' | 'values'): Promise<[Uint8Array, boolean]> => {
      if (done) return [EMPTY_ARRAY, true];
      const opening = id === 0;
      const results = await this.#send(
        (r) => {
          if (opening) writeQuery(r.op(Op.openCursor, 2), description, encoded);
          r.op(Op.cursorNext, 3).uint(id).uint(Math.max(0, max)).text(output);
        },
        opening ? 2 : 1,
      );
      if (opening) id = results[0] as number;
      const [rows, finished] = results[opening ? 1 : 0] as [Uint8Array, boolean];
      done = finished; // the engine closed it
      if (closed && !done) this.#deferCursorClose(id); // closed while this batch was on its way
      return [rows, finished];
    };
    return {
      next: async (max, withValues) => {
        const [rows, finished] = await batch(max, withValues ? 'rows' : 'keyPairs');
        return { rows: decodeRows(rows), done: finished };
      },
      nextValues: async (max) => {
        const [rows, finished] = await batch(max, 'values');
        return { values: decodeValue(rows) as unknown[], done: finished };
      },
      close: () => {
        if (closed) return;
        closed = true;
        if (done || id === 0 || !this.#host.isOpen) return;
        done = true;
        this.#deferCursorClose(id);
      },
    };
  }

  #deferCursorClose(id: number): void {
    if (this.#host.isOpen) this.#deferred.push((r) => r.op(Op.closeCursor, 1).uint(id));
  }

  // --- Persistence (idb_bridge change tracking) -----------------------------

  /** Pages changed since the last checkpoint, and the file size. */
  async changes(): Promise<{ fileSize: number; pages: Uint32Array }> {
    const outputs = this.#outputs;
    if (outputs) return { fileSize: outputs.fileSize, pages: outputs.pages };
    const [fileSize, pages] = (await this.#one((r) => r.op(Op.pageChanges))) as [number, Uint32Array];
    return { fileSize, pages };
  }

  /** A copy of pages [first, first + count). */
  async readPages(first: number, count: number): Promise<Uint8Array> {
    return (await this.#one((r) => r.op(Op.readPages, 2).uint(first).uint(count))) as Uint8Array;
  }

  /** The changed pages' differing byte ranges since the last checkpoint (persistence/page-file-format.ts), undefined if longer than maxBytes. */
  async pageDiffs(maxBytes = NO_BOUND): Promise<Uint8Array | undefined> {
    const diff = this.#outputs?.diff;
    if (diff) return diff.length <= maxBytes ? diff : undefined;
    return (await this.#one((r) => r.op(Op.pageDiffs, 2).number(maxBytes).number(NO_BOUND))) as Uint8Array | undefined;
  }

  /** The changes are stored: they become the checkpoint (sent in front of the next request). */
  checkpoint(): void {
    if (!this.#host.isOpen) throw new DatabaseClosedError('the database is closed');
    if (!this.#pageStore) return; // nothing keeps copies of changed pages
    if (this.#deferred.includes(deferredCheckpoint)) return;
    this.#deferred.push(deferredCheckpoint);
  }

  /** Storing failed: back to the last checkpoint (the engine reconnects to the restored file). */
  async revert(): Promise<void> {
    await this.#one((r) => r.op(Op.revert));
  }

  /** Applies pages another tab stored (all pages of the file when `replaceAll`), then reconnects. */
  async applyRemote(fileSize: number, pages: Map<number, Uint8Array>, replaceAll: boolean): Promise<void> {
    const numbers = [...pages.keys()];
    await this.#one((r) => {
      r.op(Op.applyRemote, 4).number(fileSize).array(numbers.length);
      for (const page of numbers) r.uint(page);
      r.bytes(concatPages(numbers, pages)).bool(replaceAll);
    });
  }

  /** Installs a database file loaded from storage (before opening it). */
  static async loadFile(name: string, fileSize: number, pages: Map<number, Uint8Array>): Promise<void> {
    const core = await loadCoreModule();
    const numbers = Uint32Array.from(pages.keys());
    const at = requestBuffer(core, numbers.length * PAGE_SIZE);
    const heap = core.HEAPU8;
    numbers.forEach((page, i) => heap.set(pages.get(page)!, at + i * PAGE_SIZE));
    core.loadFile(name, fileSize, numbers);
  }

  static async deleteFile(name: string): Promise<void> {
    coreIfLoaded()?.deleteFile(name); // no module loaded: no in-memory file to delete (nor a module to load for it)
  }

  // --- Live queries (core/include/indexie/read_set.h, change_set.h) ---------

  /**
   * Requests sent from now on add what they read to `readSet`, until this
   * is called with null. Set it and unset it around the synchronous part of
   * a read call (the part that sends its request), not around its await.
   */
  recordReadsInto(readSet: ReadSet | null): void {
    this.#recorder = readSet; // each request sent while it is set records, and brings its reads back (see the header)
  }

  /** What writes changed since the last call (change_set.h wire format), or undefined if nothing. */
  async takeChanges(): Promise<Uint8Array | undefined> {
    const taken = this.#takenChanges;
    this.#takenChanges = undefined;
    if (taken && this.#requestsSinceTaken === 0) return taken;
    const rest = (await this.#one((r) => r.op(Op.takeChanges))) as Uint8Array | undefined;
    if (!taken) return rest;
    return rest ? this.#merge(taken, rest) : taken;
  }

  /** Runs SQL on the engine's SQLite database (diagnostics). */
  async executeSql(sql: string): Promise<{ columns: string[]; rows: unknown[][]; changes: number | bigint }> {
    return (await this.#one((r) => r.op(Op.executeSql, 1).text(sql))) as { columns: string[]; rows: unknown[][]; changes: number | bigint };
  }
}

const PAGE_SIZE = 4096;
const EMPTY_ARRAY = new Uint8Array([0x80]); // an encoded empty array
const deferredCheckpoint = (request: RequestBuilder): void => void request.op(Op.checkpoint);

function concatPages(numbers: readonly number[], pages: Map<number, Uint8Array>): Uint8Array {
  const out = new Uint8Array(numbers.length * PAGE_SIZE);
  numbers.forEach((page, i) => out.set(pages.get(page)!, i * PAGE_SIZE));
  return out;
}

/** Bytes of wasm memory the engine module holds (0 before it loads). */
export function engineMemoryBytes(): number {
  return coreIfLoaded()?.HEAPU8.byteLength ?? 0;
}

/** Validates a store spec without a database; resolves to the parsed schema. */
export async function parseTableSchema(table: string, spec: string): Promise<EngineTableSchema> {
  return decodeResult((await loadCoreModule()).parseSchema(table, spec)) as EngineTableSchema;
}
