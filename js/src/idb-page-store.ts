// idb-page-store.ts: the IndexedDB half of the persistence bridge (the C++
// half is idb_bridge/: the VFS's change tracking). It keeps one engine
// database file in one IndexedDB database and writes each commit
// atomically. (It lives in js/src because the package compiles from one
// source root.)
//
// The on-disk format (records, `base`, delta and chunk commits) is described
// in page-file-format.ts, with the pure functions that read it. This file
// does the IndexedDB work:
//   - A commit checks that `commit` is still the one this tab last saw (else
//     another tab wrote first: the commit aborts), writes its records,
//     deletes chunks past the new end of the file, logs itself and bumps
//     `commit`, all in ONE readwrite transaction; write() resolves only on
//     that transaction's `complete`, so a resolved commit is in IndexedDB and
//     an unresolved one is wholly absent.
//   - This tab tracks the pages changed since `base` (its own delta commits
//     and those it caught up on): a chunk commit writes their chunks.
import { AbortError, QuotaExceededError, type IndexieError } from './errors.js';
import {
  FORMAT, PAGE_SIZE, applyDeltas, deltaPagesOf, dropPagesFrom, isDelta, pagesOfChunks, readState,
  type LogEntry, type PageMap, type PageNumbers, type StoredState,
} from './page-file-format.js';


/** Pages per IndexedDB record for new databases (see README, "Persistence", for the measurements). */
export const DEFAULT_PAGES_PER_CHUNK = 16;
const LOG_KEEP = 100;
/** Delta commits trim the log only every this many commits (so it holds at most LOG_KEEP + TRIM_EVERY entries). */
const TRIM_EVERY = 16;
/** Chunks per IndexedDB request when loading a whole file (4 MiB at 16 pages per chunk). */
const CHUNKS_PER_READ = 64;
/** A chunk commit reads and queues this many chunks per task (1 MiB at 16 pages per chunk). */
const CHUNKS_PER_TASK = 16;
/** A commit changing more pages than this writes chunks (a big delta record would gain nothing). */
const DELTA_MAX_PAGES = 32;
/** Delta commits after `base` before the next commit writes chunks (bounds what loading reads). */
const DELTAS_PER_BASE = 64;

export type Durability = 'relaxed' | 'strict';

export interface LoadedFile {
  state: StoredState;
  pages: PageMap;
}

/** Where a commit's page bytes come from (the engine). */
export interface PageSource {
  /** A copy of pages [first, first + count). */
  readPages(first: number, count: number): Uint8Array;
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
    req.onerror = () => reject(req.error);
  });
}

/** The IndexedDB implementation to use (the browser's, or one passed in, as Dexie accepts). */
export interface IdbImplementation {
  indexedDB: IDBFactory;
  IDBKeyRange: typeof IDBKeyRange;
}

/** Reads the chunks and the log entries after `base` (whole-file load), in a transaction that sees one state. */
async function readWholeFile(tx: IDBTransaction, state: StoredState, keyRange: typeof IDBKeyRange): Promise<{ pages: PageMap; deltas: LogEntry[] }> {
  const deltasRead = request(tx.objectStore('log').getAll(keyRange.lowerBound(state.base, true))) as Promise<LogEntry[]>;
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
    pagesOfChunks(keys.map((key, i) => [key, values[i]]), state.pagesPerChunk, state.fileSize, pages);
    if (keys.length < CHUNKS_PER_READ) break;
    after = keys[keys.length - 1];
  }
  const deltas = await deltasRead;
  applyDeltas(deltas, pages);
  dropPagesFrom(pages, state.fileSize);
  return { pages, deltas };
}

export class IdbPageStore {
  #db: IDBDatabase;
  #state: StoredState;
  /** Pages changed by the delta commits after `base` (a chunk commit must write their chunks). */
  #changedSinceBase: Set<number>;
  readonly #durability: Durability;
  readonly #keyRange: typeof IDBKeyRange;

  private constructor(db: IDBDatabase, state: StoredState, changedSinceBase: Set<number>, durability: Durability, keyRange: typeof IDBKeyRange) {
    this.#db = db;
    this.#state = state;
    this.#changedSinceBase = changedSinceBase;
    this.#durability = durability;
    this.#keyRange = keyRange;
  }

  get state(): StoredState {
    return this.#state;
  }

  /** Opens (creating if needed) the IndexedDB database of `name` and loads the whole file. */
  static async open(idb: IdbImplementation, name: string, durability: Durability,
                    pagesPerChunk = DEFAULT_PAGES_PER_CHUNK): Promise<{ store: IdbPageStore; file: LoadedFile; created: boolean; dataLoss: boolean }> {
    const open = idb.indexedDB.open(idbName(name), 1);
    let dataLoss = false;
    open.onupgradeneeded = (event) => {
      // Chromium reports 'total' when it found its storage corrupt and wiped it.
      dataLoss = (event as IDBVersionChangeEvent & { dataLoss?: string }).dataLoss === 'total';
      const db = open.result;
      if (!db.objectStoreNames.contains('chunks')) db.createObjectStore('chunks');
      if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
      if (!db.objectStoreNames.contains('log')) db.createObjectStore('log');
    };
    const db = await request(open).catch((error) => { throw storageError(error, `opening database '${name}'`); });
    try {
      const tx = db.transaction(['chunks', 'meta', 'log'], 'readonly');
      const stored = readState(await request(tx.objectStore('meta').get('state')), name);
      const state: StoredState = stored ?? {
        format: FORMAT, pageSize: PAGE_SIZE, pagesPerChunk, fileSize: 0, commit: 0, base: 0,
      };
      const { pages, deltas } = stored ? await readWholeFile(tx, state, idb.IDBKeyRange) : { pages: new Map(), deltas: [] };
      const store = new IdbPageStore(db, state, new Set(deltaPagesOf(deltas)), durability, idb.IDBKeyRange);
      return { store, file: { state, pages }, created: !stored, dataLoss };
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Writes one commit: the pages it changed (`changedPages`, read from
   * `source`), the new file size, and a new commit number, in one
   * transaction: as one delta record if the commit is small, else as chunks
   * (see the header). Rejects with QuotaExceededError or AbortError; then
   * nothing of it is stored.
   */
  write(fileSize: number, changedPages: PageNumbers, source: PageSource, what: string,
        changes: readonly Uint8Array[] = []): Promise<void> {
    const state = this.#state;
    const expected = state.commit;
    const asDelta = changedPages.length <= DELTA_MAX_PAGES && fileSize >= state.fileSize
      && expected - state.base < DELTAS_PER_BASE;
    const record = asDelta ? this.#deltaRecord(fileSize, changedPages, source) : this.#chunkRecord(fileSize, changedPages);
    const next: StoredState = { ...state, format: FORMAT, fileSize, commit: expected + 1, base: asDelta ? state.base : expected + 1 };
    return new Promise((resolve, reject) => {
      let tx: IDBTransaction;
      try {
        // A delta commit leaves the chunks alone: a narrower scope is a cheaper transaction.
        tx = this.#db.transaction(asDelta ? ['meta', 'log'] : ['chunks', 'meta', 'log'], 'readwrite', { durability: this.#durability });
      } catch (error) {
        reject(storageError(error as DOMException, what));
        return;
      }
      let conflict = false;
      tx.oncomplete = () => {
        this.#state = next;
        if (asDelta) for (const page of changedPages) this.#changedSinceBase.add(page);
        else this.#changedSinceBase = new Set();
        resolve();
      };
      tx.onabort = () => reject(conflict
        ? new AbortError(`${what} failed: another tab committed first (commit ${expected} was not the latest); nothing of it was saved`)
        : storageError(tx.error, what));
      try {
        // Every request is queued at once (no round trip waiting for the check): requests run in
        // order, and an abort from the check's success handler undoes the writes queued after it.
        const meta = tx.objectStore('meta');
        const current = meta.get('state');
        current.onsuccess = () => {
          const stored = current.result as StoredState | undefined;
          if ((stored ? stored.commit : 0) !== expected) {
            conflict = true;
            tx.abort();
          }
        };
        const log = tx.objectStore('log');
        if ('chunks' in record) {
          const store = tx.objectStore('chunks');
          store.delete(this.#keyRange.lowerBound(record.firstBeyond));
          log.put({ chunks: record.chunks, fileSize, changes: [...changes] } satisfies LogEntry, next.commit);
          // Chunks are read from the engine and queued CHUNKS_PER_TASK at a time, the next batch from
          // the success handler of the previous one's last request (the transaction stays active
          // there), so a commit of a whole big file is many short tasks, not one long block.
          // The engine's pages do not change meanwhile: the caller holds the write lock until the end.
          const putFrom = (first: number): void => {
            const end = Math.min(record.chunks.length, first + CHUNKS_PER_TASK);
            let last: IDBRequest | undefined;
            for (let i = first; i < end; i++) {
              const chunk = record.chunks[i];
              // readPages returns a copy: IndexedDB never sees a view of the wasm heap.
              last = store.put(source.readPages(chunk * record.perChunk, record.perChunk), chunk);
            }
            if (end < record.chunks.length && last) {
              last.onsuccess = () => {
                try {
                  putFrom(end);
                } catch (error) {
                  try { tx.abort(); } catch { /* already finished */ }
                  reject(storageError(error as DOMException, what));
                }
              };
            }
          };
          putFrom(0);
        } else {
          log.put({ pages: record.pages, bytes: record.bytes, fileSize, changes: [...changes] } satisfies LogEntry, next.commit);
        }
        // Entries after `base` are part of the file: only older ones may go. Trimmed at chunk
        // commits and every TRIM_EVERY commits (one request less for most commits).
        const keepFrom = Math.min(next.commit - LOG_KEEP, next.base);
        if (keepFrom > 0 && (!asDelta || next.commit % TRIM_EVERY === 0)) log.delete(this.#keyRange.upperBound(keepFrom, true));
        meta.put(next, 'state');
      } catch (error) {
        try { tx.abort(); } catch { /* already finished */ }
        reject(storageError(error as DOMException, what));
      }
    });
  }

  /** The commit's pages as one record; consecutive pages are read from the engine together. */
  #deltaRecord(fileSize: number, changedPages: PageNumbers, source: PageSource): { pages: number[]; bytes: Uint8Array } {
    const pages = [...new Set(changedPages)].filter((page) => page * PAGE_SIZE < fileSize).sort((a, b) => a - b);
    const bytes = new Uint8Array(pages.length * PAGE_SIZE);
    for (let i = 0; i < pages.length;) {
      let run = 1;
      while (i + run < pages.length && pages[i + run] === pages[i] + run) run++;
      bytes.set(source.readPages(pages[i], run), i * PAGE_SIZE);
      i += run;
    }
    return { pages, bytes };
  }

  /** Every chunk holding a page changed by this commit or since `base` (read when written, see write()). */
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
   * that far, every page of the file (`full`). Adopts the new state.
   */
  async readSince(): Promise<{ state: StoredState; pages: PageMap; full: boolean; changes: Uint8Array[] | null } | undefined> {
    const since = this.#state.commit;
    const tx = this.#db.transaction(['chunks', 'meta', 'log'], 'readonly');
    const state = readState(await request(tx.objectStore('meta').get('state')), this.#db.name.slice(idbName('').length));
    if (!state || state.commit === since) return undefined;
    const range = this.#keyRange.lowerBound(since, true);
    const [keys, entries] = await Promise.all([
      request(tx.objectStore('log').getAllKeys(range)) as Promise<number[]>,
      request(tx.objectStore('log').getAll(range)) as Promise<LogEntry[]>,
    ]);
    const full = since === 0 || entries.length !== state.commit - since;
    const changes = full || entries.some((entry) => !entry.changes) ? null : entries.flatMap((entry) => entry.changes!);
    let pages: PageMap;
    let afterBase: LogEntry[];
    if (full) {
      ({ pages, deltas: afterBase } = await readWholeFile(tx, state, this.#keyRange));
    } else {
      // Commits up to `base` are in the chunks (which hold the file at `base`):
      // re-read every chunk they touched, then apply the deltas after `base`.
      const perChunk = state.pagesPerChunk;
      const wanted = new Set<number>();
      entries.forEach((entry, i) => {
        if (keys[i] > state.base) return;
        if (isDelta(entry)) for (const page of entry.pages) wanted.add(Math.floor(page / perChunk));
        else for (const chunk of entry.chunks) wanted.add(chunk);
      });
      const chunkList = [...wanted];
      const values = await Promise.all(chunkList.map((chunk) => request(tx.objectStore('chunks').get(chunk)) as Promise<Uint8Array | undefined>));
      pages = new Map();
      pagesOfChunks(chunkList.flatMap((chunk, i) => (values[i] ? [[chunk, values[i]!] as [number, Uint8Array]] : [])),
        perChunk, state.fileSize, pages);
      afterBase = entries.filter((_, i) => keys[i] > state.base);
      applyDeltas(afterBase, pages);
      dropPagesFrom(pages, state.fileSize);
    }
    if (full || state.base !== this.#state.base) this.#changedSinceBase = new Set(deltaPagesOf(afterBase));
    else for (const page of deltaPagesOf(afterBase)) this.#changedSinceBase.add(page);
    this.#state = state;
    return { state, pages, full, changes };
  }

  /** Called when another connection wants to delete or upgrade the IndexedDB database. */
  set onVersionChange(handler: () => void) {
    this.#db.onversionchange = handler;
  }

  close(): void {
    this.#db.close();
  }

  static async delete(idb: IdbImplementation, name: string, onBlocked?: () => void): Promise<void> {
    const deletion = idb.indexedDB.deleteDatabase(idbName(name));
    if (onBlocked) deletion.onblocked = onBlocked;
    await request(deletion).catch((error) => {
      throw storageError(error, `deleting database '${name}'`);
    });
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
