// persistence/idb-page-store.ts: the IndexedDB half of the persistence bridge
// (the C++ half is idb_bridge/: the VFS's change tracking). It keeps one engine
// database file in one IndexedDB database and writes each commit atomically.
// (It lives in js/src because the package compiles from one source root.)
//
// Size: ~600 lines: one class whose operations (open, write a commit, read
// what other tabs committed, reconnect after the browser closed the
// connection, delete) share one connection and the stored state; the
// format's pure functions are already in page-file-format.ts, the
// connection's reopening in idb-connection.ts, the marker in commit-marker.ts.
//
// The on-disk format (records, `base`, diff and chunk commits) is described
// in page-file-format.ts, with the pure functions that read it. This file
// does the IndexedDB work:
//   - A commit adds its log entry under the next commit number with add(),
//     which fails if another tab wrote that commit first (the commit then
//     aborts); a chunk commit also writes its chunks, deletes chunks past the
//     new end of the file and writes `meta`; all in ONE readwrite
//     transaction. write() resolves only on that transaction's `complete`,
//     so a resolved commit is in IndexedDB and an unresolved one is wholly
//     absent.
//   - A diff commit is that one add() and nothing else, and asks IndexedDB
//     to commit at once (IDBTransaction.commit()): no round trip back to
//     this page before the transaction commits.
//   - The add() check sees a commit of another tab as long as its entry is
//     in the log (the last 100 entries, and all after `base`). Tabs write
//     only under the database's Web Lock after catching up, so they are never
//     behind; the check is the safety net for a lock that failed.
//   - This tab tracks the pages changed since `base` (its own diff commits
//     and those it caught up on): a chunk commit writes their chunks.
//   - When the browser closes the connection (idb-connection.ts), the next
//     commit or catch-up reopens it first and checks that IndexedDB still
//     holds at least the commit this store knows; a commit whose transaction
//     the close aborted rejects with ConnectionLostError ("may not have been
//     saved"). If the stored commit counter went back or vanished, the store
//     is `wiped`: every later call rejects with ConnectionLostError carrying
//     the expected and found counters, and db/ reopens the database.
//   - A marker outside IndexedDB (commit-marker.ts) follows the stored
//     commit counter, so open() can report a database that was wiped while
//     no connection was open.
import { AbortError, ConnectionLostError, QuotaExceededError, type IndexieError } from '../errors.js';
import { CommitMarker } from './commit-marker.js';
import { IdbConnection, isClosedConnectionError, isForcedCloseAbort, openIdb, type IdbImplementation } from './idb-connection.js';
import {
  FORMAT,
  PAGE_SIZE,
  applyDeltas,
  deltaBytes,
  deltaPagesOf,
  dropPagesFrom,
  isDiffCommit,
  isPageCommit,
  pagesOfChunks,
  pagesOfDiff,
  readState,
  zeroPage,
  type LogEntry,
  type PageMap,
  type PageNumbers,
  type StoredState,
} from './page-file-format.js';

/** Pages per IndexedDB record for new databases (see README, "Persistence", for the measurements). */
export const DEFAULT_PAGES_PER_CHUNK = 16;
const LOG_KEEP = 100;
/** Chunks per IndexedDB request when loading a whole file (4 MiB at 16 pages per chunk). */
const CHUNKS_PER_READ = 64;
/** A chunk commit reads and queues this many chunks per task (1 MiB at 16 pages per chunk). */
const CHUNKS_PER_TASK = 16;
/**
 * A commit changing at most this many pages is always a diff commit (while
 * the bounds below allow one). A bigger one is a diff commit only if the file
 * grew by at most this many pages and its diff fits in what is left of
 * DELTA_BYTES_PER_BASE: a modify() of 11,000 records
 * spread over a 100k-record file changes pages in every chunk, whose diff can
 * be ~80 KiB against ~35 MB of chunks.
 */
const DELTA_MAX_PAGES = 32;
/**
 * Diff commits after `base`, and bytes of them, before the next commit writes
 * chunks: bounds what loading reads beyond the chunks. A chunk commit after
 * many scattered diffs rewrites much of the file (at 100k records, ~200 ms),
 * so it should be rare: a diff of a single add is ~2-5 KiB.
 */
const DELTAS_PER_BASE = 1000;
const DELTA_BYTES_PER_BASE = 4 * 1024 * 1024;

export type Durability = 'relaxed' | 'strict';

export interface LoadedFile {
  state: StoredState;
  pages: PageMap;
}

/** Where a commit's page bytes come from (the engine). */
/**
 * Where the pages to store come from (the engine). Asynchronous, like the
 * engine seam: everything a store transaction needs is read before the
 * transaction begins (an IndexedDB transaction cannot wait for anything else).
 */
export interface PageSource {
  /** A copy of pages [first, first + count) (zeros past the end of the file). */
  readPages(first: number, count: number): Promise<Uint8Array>;
  /** The pages changed since the last checkpoint, as a diff (page-file-format.ts); undefined if longer than `maxBytes`. */
  pageDiffs(maxBytes?: number): Promise<Uint8Array | undefined>;
}

export function idbName(name: string): string {
  return `indexie:${name}`;
}

/** Maps a failed IndexedDB request or transaction to a named indexie error. */
export function storageError(error: DOMException | null | undefined, what: string): IndexieError {
  const detail = error ? `${error.name}: ${error.message}` : 'the browser aborted it';
  if (error?.name === 'QuotaExceededError') {
    return new QuotaExceededError(`${what} failed because the storage quota is exhausted (${detail}); nothing of it was saved`);
  }
  return new AbortError(`${what} failed (${detail}); nothing of it was saved`);
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new DOMException('the IndexedDB request failed', 'UnknownError'));
  });
}

export type { IdbImplementation };

/**
 * What open() found when the stored database is not what this origin last
 * saw: Chromium reported that it discarded the origin's IndexedDB as corrupt
 * ('browser-reported'), or the commit marker records more commits than
 * IndexedDB holds ('wiped'). `expectedCommit`: the marker's (undefined
 * without one); `foundCommit`: IndexedDB's (0: no database).
 */
export interface StoredDataLoss {
  reason: 'browser-reported' | 'wiped';
  expectedCommit: number | undefined;
  foundCommit: number;
}

/** The latest commit IndexedDB holds (0: none): `meta`'s, or the newest log entry's if later. */
async function storedCommit(db: IDBDatabase): Promise<number> {
  const tx = db.transaction(['meta', 'log'], 'readonly');
  const [meta, last] = await Promise.all([
    request(tx.objectStore('meta').get('state')) as Promise<{ commit?: number } | undefined>,
    new Promise<number>((resolve, reject) => {
      const cursor = tx.objectStore('log').openKeyCursor(null, 'prev');
      cursor.onsuccess = () => resolve(Number(cursor.result?.key ?? 0));
      cursor.onerror = () => reject(cursor.error ?? new DOMException('reading the commit log failed', 'UnknownError'));
    }),
  ]);
  return Math.max(meta?.commit ?? 0, last);
}

/**
 * The latest state: `meta`'s, advanced to the last of the log entries after
 * it (`keys`, ascending, and their `entries`), which meta does not count
 * since format 3.
 */
function latestState(meta: StoredState, keys: readonly number[], entries: readonly LogEntry[]): StoredState {
  const last = keys.length - 1;
  if (last < 0 || keys[last] <= meta.commit) return meta;
  return { ...meta, commit: keys[last], fileSize: entries[last].fileSize };
}

/**
 * Reads the chunks and the log entries after `base` (whole-file load), in a
 * transaction that sees one state; `meta` is the stored state.
 */
async function readWholeFile(
  tx: IDBTransaction,
  meta: StoredState,
  keyRange: typeof IDBKeyRange,
): Promise<{ pages: PageMap; deltas: LogEntry[]; state: StoredState }> {
  const afterBase = keyRange.lowerBound(meta.base, true);
  const keysRead = request(tx.objectStore('log').getAllKeys(afterBase)) as Promise<number[]>;
  const deltasRead = request(tx.objectStore('log').getAll(afterBase)) as Promise<LogEntry[]>;
  const state = meta;
  const pages: PageMap = new Map();
  // CHUNKS_PER_READ chunks per request: each answer is deserialized in a task of its own, so
  // loading a big file never blocks the page in one piece. Each next request is made from the
  // previous answer's continuation, while the transaction is still active.
  const chunks = tx.objectStore('chunks');
  for (let after: number | undefined; ;) {
    const range = after === undefined ? undefined : keyRange.lowerBound(after, true);
    const [keys, values] = await Promise.all([
      request(chunks.getAllKeys(range, CHUNKS_PER_READ)) as Promise<number[]>,
      request(chunks.getAll(range, CHUNKS_PER_READ)) as Promise<Uint8Array[]>,
    ]);
    pagesOfChunks(
      keys.map((key, i) => [key, values[i]]),
      state.pagesPerChunk,
      state.fileSize,
      pages,
    );
    if (keys.length < CHUNKS_PER_READ) break;
    after = keys[keys.length - 1];
  }
  const [keys, deltas] = await Promise.all([keysRead, deltasRead]);
  const latest = latestState(meta, keys, deltas);
  applyDeltas(deltas, pages, zeroPage);
  dropPagesFrom(pages, latest.fileSize);
  return { pages, deltas, state: latest };
}

export class IdbPageStore {
  readonly #connection: IdbConnection;
  readonly #name: string;
  readonly #marker: CommitMarker | undefined;
  /** Set once a reopened connection found less than this store had stored: every call then fails with it. */
  #wiped: ConnectionLostError | undefined;
  #state: StoredState;
  /** Pages changed by the delta commits after `base` (a chunk commit must write their chunks). */
  #changedSinceBase: Set<number>;
  /** Bytes of the delta entries after `base` (what loading reads beyond the chunks). */
  #deltaBytesSinceBase: number;
  /** The format `meta` was stored in (0: none yet): diff commits need a format 3 `meta`. */
  #storedFormat: number;
  readonly #durability: Durability;
  readonly #keyRange: typeof IDBKeyRange;

  private constructor(
    connection: IdbConnection,
    name: string,
    marker: CommitMarker | undefined,
    state: StoredState,
    storedFormat: number,
    deltas: readonly LogEntry[],
    durability: Durability,
    keyRange: typeof IDBKeyRange,
  ) {
    this.#connection = connection;
    this.#name = name;
    this.#marker = marker;
    this.#state = state;
    this.#storedFormat = storedFormat;
    this.#changedSinceBase = new Set(deltaPagesOf(deltas));
    this.#deltaBytesSinceBase = deltas.reduce((sum, entry) => sum + deltaBytes(entry), 0);
    this.#durability = durability;
    this.#keyRange = keyRange;
  }

  get state(): StoredState {
    return this.#state;
  }

  /**
   * Opens (creating if needed) the IndexedDB database of `name` and loads the
   * whole file. `dataLoss`: the stored database is not what this origin last
   * saw (see StoredDataLoss); the marker then records what is stored, so it is
   * reported once.
   */
  static async open(
    idb: IdbImplementation,
    name: string,
    durability: Durability,
    pagesPerChunk = DEFAULT_PAGES_PER_CHUNK,
  ): Promise<{ store: IdbPageStore; file: LoadedFile; created: boolean; dataLoss: StoredDataLoss | undefined }> {
    const marker = CommitMarker.for(idb.indexedDB, name);
    const expectedCommit = await marker?.read();
    const { db, dataLoss: reported } = await openIdb(idb, idbName(name)).catch((error) => {
      throw storageError(error, `opening database '${name}'`);
    });
    try {
      const tx = db.transaction(['chunks', 'meta', 'log'], 'readonly');
      const stored = readState(await request(tx.objectStore('meta').get('state')), name);
      const empty: StoredState = { format: FORMAT, pageSize: PAGE_SIZE, pagesPerChunk, fileSize: 0, commit: 0, base: 0 };
      const { pages, deltas, state } = stored
        ? await readWholeFile(tx, stored, idb.IDBKeyRange)
        : { pages: new Map(), deltas: [], state: empty };
      const connection = new IdbConnection(idb, idbName(name), db);
      const store = new IdbPageStore(connection, name, marker, state, stored?.format ?? 0, deltas, durability, idb.IDBKeyRange);
      const wiped = expectedCommit !== undefined && state.commit < expectedCommit;
      const dataLoss: StoredDataLoss | undefined =
        reported || wiped ? { reason: reported ? 'browser-reported' : 'wiped', expectedCommit, foundCommit: state.commit } : undefined;
      if (dataLoss) marker?.set(state.commit);
      else if (stored) marker?.note(state.commit);
      return { store, file: { state, pages }, created: !stored, dataLoss };
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Writes one commit: the pages it changed (`changedPages`, read from
   * `source`), the new file size, and a new commit number, in one
   * transaction: as one diff record if the commit is small, else as chunks
   * (see the header). Rejects with QuotaExceededError or AbortError; then
   * nothing of it is stored.
   */
  async write(
    fileSize: number,
    changedPages: PageNumbers,
    source: PageSource,
    what: string,
    changes: readonly Uint8Array[] = [],
  ): Promise<void> {
    if (this.#wiped) return Promise.reject(this.#notSaved(this.#wiped, what));
    // Not begun yet: it goes to a new connection (and is not lost).
    if (this.#connection.lost)
      return this.reconnect().then(
        () => this.write(fileSize, changedPages, source, what, changes),
        (error) => {
          throw this.#notSaved(error, what);
        },
      );
    const state = this.#state;
    const expected = state.commit;
    const room = DELTA_BYTES_PER_BASE - this.#deltaBytesSinceBase;
    const diffAllowed = fileSize >= state.fileSize && this.#storedFormat === FORMAT && expected - state.base < DELTAS_PER_BASE && room > 0;
    // A big commit's diff is tried only if the file grew by few pages: new pages
    // (diffed against zeros) are whole in a diff too, and belong in chunks.
    const diff = !diffAllowed
      ? undefined
      : changedPages.length <= DELTA_MAX_PAGES
        ? await source.pageDiffs()
        : fileSize - state.fileSize <= DELTA_MAX_PAGES * PAGE_SIZE
          ? await source.pageDiffs(room)
          : undefined;
    const chunks = diff ? undefined : this.#chunkRecord(fileSize, changedPages);
    // The chunks' bytes, read before the transaction (see PageSource); readPages returns copies,
    // so IndexedDB never sees a view of the wasm heap.
    const chunkBytes = chunks
      ? await Promise.all(chunks.chunks.map((chunk) => source.readPages(chunk * chunks.perChunk, chunks.perChunk)))
      : [];
    const next: StoredState = { ...state, format: FORMAT, fileSize, commit: expected + 1, base: diff ? state.base : expected + 1 };
    let tx: IDBTransaction;
    try {
      // A diff commit touches only the log: a narrower scope is a cheaper transaction.
      tx = this.#connection.db.transaction(diff ? ['log'] : ['chunks', 'meta', 'log'], 'readwrite', { durability: this.#durability });
    } catch (error) {
      if (!isClosedConnectionError(error)) return Promise.reject(storageError(error as DOMException, what));
      // Closed without a `close` event (yet): reopen, then write (nothing was begun).
      this.#connection.markLost();
      return this.write(fileSize, changedPages, source, what, changes);
    }
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => {
        this.#state = next;
        this.#marker?.note(next.commit);
        if (diff) {
          for (const page of pagesOfDiff(diff)) this.#changedSinceBase.add(page);
          this.#deltaBytesSinceBase += diff.length;
        } else {
          this.#changedSinceBase = new Set();
          this.#deltaBytesSinceBase = 0;
          this.#storedFormat = FORMAT;
        }
        resolve();
      };
      // add() of an existing commit number fails with ConstraintError (nothing else here can): another tab wrote first.
      tx.onabort = () => {
        if (tx.error?.name === 'ConstraintError') {
          reject(new AbortError(`${what} failed: another tab committed first (commit ${expected + 1} exists); nothing of it was saved`));
        } else if (tx.error?.name === 'QuotaExceededError') {
          reject(storageError(tx.error, what));
        } else {
          // The browser's `close` follows the abort it caused: look once the events queued with it ran.
          setTimeout(() =>
            reject(
              this.#connection.lost || isForcedCloseAbort(tx.error) ? this.#lostInFlight(tx.error, what) : storageError(tx.error, what),
            ),
          );
        }
      };
      try {
        const log = tx.objectStore('log');
        if (diff) {
          log.add({ diff, fileSize, changes: [...changes] } satisfies LogEntry, next.commit);
          // Nothing more comes: commit without waiting for the add's answer (where commit() exists).
          (tx as IDBTransaction & { commit?: () => void }).commit?.();
        } else {
          log.add({ chunks: chunks!.chunks, fileSize, changes: [...changes] } satisfies LogEntry, next.commit);
          this.#putChunks(tx, chunks!, chunkBytes, what, reject);
          // Entries after `base` are part of the file: only older ones may go (now: base = next.commit).
          const keepFrom = next.commit - LOG_KEEP;
          if (keepFrom > 0) log.delete(this.#keyRange.upperBound(keepFrom, true));
          tx.objectStore('meta').put(next, 'state');
        }
      } catch (error) {
        try {
          tx.abort();
        } catch {
          /* already finished */
        }
        reject(storageError(error as DOMException, what));
      }
    });
  }

  /**
   * Queues a chunk commit's chunk writes (`bytes[i]` is chunk
   * `record.chunks[i]`), CHUNKS_PER_TASK at a time, the next batch from the
   * success handler of the previous one's last request (the transaction
   * stays active there), so a commit of a whole big file is many short
   * tasks, not one long block.
   */
  #putChunks(
    tx: IDBTransaction,
    record: { chunks: number[]; perChunk: number; firstBeyond: number },
    bytes: readonly Uint8Array[],
    what: string,
    reject: (error: unknown) => void,
  ): void {
    const store = tx.objectStore('chunks');
    store.delete(this.#keyRange.lowerBound(record.firstBeyond));
    const putFrom = (first: number): void => {
      const end = Math.min(record.chunks.length, first + CHUNKS_PER_TASK);
      let last: IDBRequest | undefined;
      for (let i = first; i < end; i++) {
        last = store.put(bytes[i], record.chunks[i]);
      }
      if (end < record.chunks.length && last) {
        last.onsuccess = () => {
          try {
            putFrom(end);
          } catch (error) {
            try {
              tx.abort();
            } catch {
              /* already finished */
            }
            reject(storageError(error as DOMException, what));
          }
        };
      }
    };
    putFrom(0);
  }

  /** Every chunk holding a page changed by this commit or since `base` (read when written, see #putChunks). */
  #chunkRecord(fileSize: number, changedPages: PageNumbers): { chunks: number[]; perChunk: number; firstBeyond: number } {
    const perChunk = this.#state.pagesPerChunk;
    const firstBeyond = Math.ceil(fileSize / (perChunk * PAGE_SIZE));
    const chunks = new Set<number>();
    for (const page of changedPages) chunks.add(Math.floor(page / perChunk));
    for (const page of this.#changedSinceBase) chunks.add(Math.floor(page / perChunk));
    return { chunks: [...chunks].filter((chunk) => chunk < firstBeyond).sort((a, b) => a - b), perChunk, firstBeyond };
  }

  /**
   * What other tabs committed since this store's last known commit, read in
   * one transaction (a consistent snapshot): the new state, and either the
   * pages those commits changed or, when the log no longer reaches back
   * that far, every page of the file (`full`). `source` is this tab's file
   * as of its last known commit (no unstored changes): a diff applies over
   * its pages. Adopts the new state.
   */
  async readSince(
    source: PageSource,
  ): Promise<{ state: StoredState; pages: PageMap; full: boolean; changes: Uint8Array[] | null } | undefined> {
    if (this.#wiped) throw this.#wiped;
    if (this.#connection.lost) await this.reconnect();
    try {
      return await this.#readSince(source);
    } catch (error) {
      // A read has no effect: if the connection went away under it, read again on a new one.
      let lost = this.#connection.lost || isClosedConnectionError(error);
      if (!lost && error instanceof DOMException) {
        await new Promise((resume) => setTimeout(resume));
        lost = this.#connection.lost;
      }
      if (!lost) throw error;
      this.#connection.markLost();
      await this.reconnect();
      return this.#readSince(source);
    }
  }

  async #readSince(
    source: PageSource,
  ): Promise<{ state: StoredState; pages: PageMap; full: boolean; changes: Uint8Array[] | null } | undefined> {
    const since = this.#state.commit;
    const tx = this.#connection.db.transaction(['chunks', 'meta', 'log'], 'readonly');
    const range = this.#keyRange.lowerBound(since, true);
    // Every commit logs an entry and the log keeps the newest: no key after `since`, no news
    // (one request, as cheap as reading `meta`, which since format 3 lags the log anyway).
    const keys = await (request(tx.objectStore('log').getAllKeys(range)) as Promise<number[]>);
    if (keys.length === 0) return undefined;
    const [stored, entries] = await Promise.all([
      request(tx.objectStore('meta').get('state')),
      request(tx.objectStore('log').getAll(range)) as Promise<LogEntry[]>,
    ]);
    const meta = readState(stored, this.#name);
    if (!meta) return undefined;
    let state = latestState(meta, keys, entries);
    // Keys after `since` are consecutive unless trimmed: then the log does not reach back.
    const full = since === 0 || entries.length !== state.commit - since;
    const changes = full || entries.some((entry) => !entry.changes) ? null : entries.flatMap((entry) => entry.changes!);
    let pages: PageMap;
    let afterBase: LogEntry[];
    if (full) {
      ({ pages, deltas: afterBase, state } = await readWholeFile(tx, meta, this.#keyRange));
    } else {
      // Commits up to `base` are in the chunks (which hold the file at `base`):
      // re-read every chunk they touched, then apply the deltas after `base`
      // over those pages, or over this tab's pages (which commits up to `base` did not touch).
      const perChunk = state.pagesPerChunk;
      const wanted = new Set<number>();
      entries.forEach((entry, i) => {
        if (keys[i] > state.base) return;
        if (isPageCommit(entry) || isDiffCommit(entry)) for (const page of deltaPagesOf([entry])) wanted.add(Math.floor(page / perChunk));
        else for (const chunk of entry.chunks) wanted.add(chunk);
      });
      const chunkList = [...wanted];
      const values = await Promise.all(
        chunkList.map((chunk) => request(tx.objectStore('chunks').get(chunk)) as Promise<Uint8Array | undefined>),
      );
      pages = new Map();
      // A chunk that is gone was past the end of the file at `base`: its pages were zeros there.
      const chunkBytes = (i: number): Uint8Array => values[i] ?? new Uint8Array(perChunk * PAGE_SIZE);
      pagesOfChunks(
        chunkList.map((chunk, i) => [chunk, chunkBytes(i)] as [number, Uint8Array]),
        perChunk,
        state.fileSize,
        pages,
      );
      afterBase = entries.filter((_, i) => keys[i] > state.base);
      // Pages the deltas change that the chunks did not bring: this tab's own, read first (PageSource).
      const own = new Map<number, Uint8Array>();
      for (const page of deltaPagesOf(afterBase)) if (!pages.has(page) && !own.has(page)) own.set(page, await source.readPages(page, 1));
      applyDeltas(afterBase, pages, (page) => own.get(page)!);
      dropPagesFrom(pages, state.fileSize);
    }
    if (full || state.base !== this.#state.base) {
      this.#changedSinceBase = new Set(deltaPagesOf(afterBase));
      this.#deltaBytesSinceBase = afterBase.reduce((sum, entry) => sum + deltaBytes(entry), 0);
    } else {
      for (const page of deltaPagesOf(afterBase)) this.#changedSinceBase.add(page);
      this.#deltaBytesSinceBase += afterBase.reduce((sum, entry) => sum + deltaBytes(entry), 0);
    }
    this.#storedFormat = meta.format;
    this.#state = state;
    this.#marker?.note(state.commit);
    return { state, pages, full, changes };
  }

  /**
   * Reopens the connection if the browser closed it, and checks that IndexedDB
   * still holds at least the commit this store knows. Rejects with
   * ConnectionLostError (its `wiped` set) if not; from then on, so does every
   * write and catch-up of this store.
   */
  async reconnect(): Promise<void> {
    if (this.#wiped) throw this.#wiped;
    await this.#connection.reopen(async (db) => {
      const found = await storedCommit(db);
      const expected = this.#state.commit;
      if (found >= expected) return;
      this.#wiped = new ConnectionLostError(
        `the browser deleted the stored data of database '${this.#name}' while it was open ` +
          `(IndexedDB holds commit ${found}, this page had saved commit ${expected})`,
        { wiped: { expectedCommit: expected, foundCommit: found } },
      );
      // What this page saw stored, for open() to report ('dataloss') when the database reopens.
      this.#marker?.set(expected);
      throw this.#wiped;
    });
  }

  /** Whether a reopened connection found the stored database gone or behind (see reconnect()). */
  get wiped(): ConnectionLostError | undefined {
    return this.#wiped;
  }

  /** Called when the browser closes the connection (before anything reopens it). */
  set onConnectionLost(handler: () => void) {
    this.#connection.onLost = handler;
  }

  /** Called when another connection wants to delete or upgrade the IndexedDB database. */
  set onVersionChange(handler: () => void) {
    this.#connection.onVersionChange = () => {
      this.#marker?.cancel(); // a deletion must not be followed by a marker write
      handler();
    };
  }

  close(): void {
    this.#marker?.flush();
    this.#connection.close();
  }

  /** A commit that never reached IndexedDB because the connection was gone or wiped. */
  #notSaved(error: unknown, what: string): unknown {
    if (!(error instanceof ConnectionLostError)) return error;
    return new ConnectionLostError(`${what} was not saved: ${error.message}`, { wiped: error.wiped, cause: error });
  }

  /** A commit whose transaction the browser's close aborted. */
  #lostInFlight(error: DOMException | null, what: string): ConnectionLostError {
    this.#connection.markLost();
    const detail = error ? ` (${error.name}: ${error.message})` : '';
    return new ConnectionLostError(
      `${what} may not have been saved: the browser closed the IndexedDB connection of database '${this.#name}' while it was being saved${detail}; ` +
        'the database reconnects for the next operation',
    );
  }

  static async delete(idb: IdbImplementation, name: string, onBlocked?: () => void): Promise<void> {
    const deletion = idb.indexedDB.deleteDatabase(idbName(name));
    if (onBlocked) deletion.onblocked = onBlocked;
    await request(deletion).catch((error) => {
      throw storageError(error, `deleting database '${name}'`);
    });
    // Deleted on purpose: no later open may report it lost.
    await CommitMarker.remove(idb.indexedDB, name);
  }

  static async exists(idb: IdbImplementation, name: string): Promise<boolean> {
    if (typeof idb.indexedDB.databases === 'function') {
      return (await idb.indexedDB.databases()).some((info) => info.name === idbName(name));
    }
    // No databases(): open and look for a stored state (creates an empty database if none).
    const { store, created } = await IdbPageStore.open(idb, name, 'relaxed');
    store.close();
    return !created;
  }
}
