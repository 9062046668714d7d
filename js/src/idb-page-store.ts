// idb-page-store.ts: the IndexedDB half of the persistence bridge (the C++
// half is idb_bridge/: the VFS's change tracking). It keeps one engine
// database file in one IndexedDB database and writes each commit
// atomically. (It lives in js/src because the package compiles from one
// source root.)
//
// IndexedDB layout (on-disk format), database `indexie:<name>`, version 1:
//   chunks: key = chunk number n -> Uint8Array of pagesPerChunk pages: file
//           pages [n * pagesPerChunk, (n + 1) * pagesPerChunk), 4096 bytes each
//   meta:   key 'state' -> { format: 1, pageSize: 4096, pagesPerChunk,
//                            fileSize, commit }
//   log:    key = commit number -> { chunks: [chunk numbers written], fileSize,
//           changes: [change sets, core/include/indexie/change_set.h] }
//           for the last LOG_KEEP commits, so other tabs catch up by reading
//           only the chunks that changed, and re-run only the live queries
//           the changes touch (an entry without `changes`: anything changed).
// A commit checks that `commit` is still the one this tab last saw (else
// another tab wrote first: the commit aborts), writes its changed chunks,
// deletes chunks past the new end of the file, logs itself and bumps
// `commit`, all in ONE readwrite transaction; write() resolves only on that
// transaction's `complete`, so a resolved commit is in IndexedDB and an
// unresolved one is wholly absent.
import { AbortError, QuotaExceededError, type IndexieError } from './errors.js';

export const PAGE_SIZE = 4096;
/** Pages per IndexedDB record for new databases (see README, "Persistence", for the measurements). */
export const DEFAULT_PAGES_PER_CHUNK = 16;
const FORMAT = 1;
const LOG_KEEP = 100;

export type Durability = 'relaxed' | 'strict';

export interface StoredState {
  format: number;
  pageSize: number;
  pagesPerChunk: number;
  fileSize: number;
  commit: number;
}

interface LogEntry {
  chunks: number[];
  fileSize: number;
  changes?: Uint8Array[];
}

export interface LoadedFile {
  state: StoredState;
  chunks: Map<number, Uint8Array>;
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

export class IdbPageStore {
  #db: IDBDatabase;
  #state: StoredState;
  readonly #durability: Durability;
  readonly #keyRange: typeof IDBKeyRange;

  private constructor(db: IDBDatabase, state: StoredState, durability: Durability, keyRange: typeof IDBKeyRange) {
    this.#db = db;
    this.#state = state;
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
    const tx = db.transaction(['chunks', 'meta'], 'readonly');
    const [stored, keys, values] = await Promise.all([
      request(tx.objectStore('meta').get('state')) as Promise<StoredState | undefined>,
      request(tx.objectStore('chunks').getAllKeys()),
      request(tx.objectStore('chunks').getAll()) as Promise<Uint8Array[]>,
    ]);
    const created = stored === undefined;
    const state: StoredState = stored ?? {
      format: FORMAT, pageSize: PAGE_SIZE, pagesPerChunk, fileSize: 0, commit: 0,
    };
    const chunks = new Map<number, Uint8Array>();
    keys.forEach((key, i) => chunks.set(key as number, values[i]));
    return { store: new IdbPageStore(db, state, durability, idb.IDBKeyRange), file: { state, chunks }, created, dataLoss };
  }

  /**
   * Writes one commit: `chunks` (chunk number -> full chunk bytes, copies
   * owned by the caller), the new file size, and a new commit number, in one
   * transaction. Rejects with QuotaExceededError or AbortError; then nothing
   * of it is stored.
   */
  write(fileSize: number, chunks: Map<number, Uint8Array>, what: string, changes: readonly Uint8Array[] = []): Promise<void> {
    const expected = this.#state.commit;
    const next: StoredState = { ...this.#state, fileSize, commit: expected + 1 };
    const chunkBytes = this.#state.pagesPerChunk * PAGE_SIZE;
    const firstBeyond = Math.ceil(fileSize / chunkBytes);
    return new Promise((resolve, reject) => {
      let tx: IDBTransaction;
      try {
        tx = this.#db.transaction(['chunks', 'meta', 'log'], 'readwrite', { durability: this.#durability });
      } catch (error) {
        reject(storageError(error as DOMException, what));
        return;
      }
      let conflict = false;
      tx.oncomplete = () => {
        this.#state = next;
        resolve();
      };
      tx.onabort = () => reject(conflict
        ? new AbortError(`${what} failed: another tab committed first (commit ${expected} was not the latest); nothing of it was saved`)
        : storageError(tx.error, what));
      try {
        const meta = tx.objectStore('meta');
        const current = meta.get('state');
        current.onsuccess = () => {
          try {
            const stored = current.result as StoredState | undefined;
            if ((stored ? stored.commit : 0) !== expected) {
              conflict = true;
              tx.abort();
              return;
            }
            const store = tx.objectStore('chunks');
            const written: number[] = [];
            for (const [chunk, bytes] of chunks) {
              if (chunk >= firstBeyond) continue;
              store.put(bytes, chunk);
              written.push(chunk);
            }
            store.delete(this.#keyRange.lowerBound(firstBeyond));
            const log = tx.objectStore('log');
            log.put({ chunks: written, fileSize, changes: [...changes] }, next.commit);
            if (next.commit > LOG_KEEP) log.delete(this.#keyRange.upperBound(next.commit - LOG_KEEP));
            meta.put(next, 'state');
          } catch (error) {
            try { tx.abort(); } catch { /* already finished */ }
            reject(storageError(error as DOMException, what));
          }
        };
      } catch (error) {
        try { tx.abort(); } catch { /* already finished */ }
        reject(storageError(error as DOMException, what));
      }
    });
  }

  /**
   * What other tabs committed since this store's last known commit, read in
   * one transaction (a consistent snapshot): the new state, and either the
   * chunks those commits changed or, when the log no longer reaches back
   * that far, every chunk (`full`). Adopts the new state.
   */
  async readSince(): Promise<{ state: StoredState; chunks: Map<number, Uint8Array>; full: boolean; changes: Uint8Array[] | null } | undefined> {
    const since = this.#state.commit;
    const tx = this.#db.transaction(['chunks', 'meta', 'log'], 'readonly');
    const state = await request(tx.objectStore('meta').get('state')) as StoredState | undefined;
    if (!state || state.commit === since) return undefined;
    const entries = await request(tx.objectStore('log').getAll(this.#keyRange.lowerBound(since, true))) as LogEntry[];
    const full = since === 0 || entries.length !== state.commit - since;
    const changes = full || entries.some((entry) => !entry.changes) ? null : entries.flatMap((entry) => entry.changes!);
    const chunks = new Map<number, Uint8Array>();
    if (full) {
      const [keys, values] = await Promise.all([
        request(tx.objectStore('chunks').getAllKeys()), request(tx.objectStore('chunks').getAll()) as Promise<Uint8Array[]>,
      ]);
      keys.forEach((key, i) => chunks.set(key as number, values[i]));
    } else {
      const wanted = [...new Set(entries.flatMap((entry) => entry.chunks))];
      const values = await Promise.all(wanted.map((chunk) => request(tx.objectStore('chunks').get(chunk)) as Promise<Uint8Array | undefined>));
      wanted.forEach((chunk, i) => { if (values[i]) chunks.set(chunk, values[i]!); });
    }
    this.#state = state;
    return { state, chunks, full, changes };
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
