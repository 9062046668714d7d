// persistence/idb-connection.ts: the page store's IndexedDB connection, and
// getting it back when the browser closes it.
//
// Chromium closes IndexedDB connections behind the page's back: when the
// origin's storage is cleared (site settings, DevTools,
// Storage.clearDataForOrigin), when it deletes a database it found corrupt,
// and on some internal errors. It then aborts the running transactions, fires
// `close` on the IDBDatabase, and every later transaction() throws
// InvalidStateError (Dexie issues #613, #2098: DatabaseClosedError). A
// connection closed by its owner without the event (close() called by other
// code) shows only that InvalidStateError.
//
// The contract: `lost` turns true on either sign; `reopen()` opens a new
// connection (creating the database if it is gone, as the first open does),
// lets the caller check what it holds before anyone uses it, and re-attaches
// the versionchange handler. Concurrent callers share one reopen. After
// close() nothing reopens.
import { ConnectionLostError } from '../errors.js';

/** The IndexedDB implementation to use (the browser's, or one passed in, as Dexie accepts). */
export interface IdbImplementation {
  indexedDB: IDBFactory;
  IDBKeyRange: typeof IDBKeyRange;
}

/** The page store's object stores (page-file-format.ts describes their records). */
const STORES = ['chunks', 'meta', 'log'] as const;

/**
 * Opens (creating if needed) IndexedDB database `idbName`. `created`: it did
 * not exist; `dataLoss`: Chromium reported it wiped the origin's IndexedDB as
 * corrupt ('total' on the upgradeneeded event).
 */
export function openIdb(idb: IdbImplementation, idbName: string): Promise<{ db: IDBDatabase; created: boolean; dataLoss: boolean }> {
  return new Promise((resolve, reject) => {
    const open = idb.indexedDB.open(idbName, 1);
    let created = false;
    let dataLoss = false;
    open.onupgradeneeded = (event) => {
      created = event.oldVersion === 0;
      dataLoss = (event as IDBVersionChangeEvent & { dataLoss?: string }).dataLoss === 'total';
      const db = open.result;
      for (const store of STORES) if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
    };
    open.onsuccess = () => resolve({ db: open.result, created, dataLoss });
    open.onerror = () => reject(open.error ?? new DOMException('opening the IndexedDB database failed', 'UnknownError'));
    open.onblocked = () => undefined; // waits for the other connection to close
  });
}

/** Waits before trying a failed reopen again (see #openRetrying). */
const REOPEN_DELAYS_MS = [20, 100, 400];

/** Whether `error` (thrown by IDBDatabase.transaction()) says the connection is closed or closing. */
export function isClosedConnectionError(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'InvalidStateError';
}

/** An abort's error that Chromium gives when it force-closes the connection ("Connection is closing because of: ..."). */
export function isForcedCloseAbort(error: DOMException | null | undefined): boolean {
  return error?.name === 'UnknownError' && /connection is clos/i.test(error.message);
}

export class IdbConnection {
  readonly #idb: IdbImplementation;
  readonly #idbName: string;
  #db: IDBDatabase;
  #lost = false;
  #closed = false;
  #reopening: Promise<IDBDatabase> | undefined;
  #onVersionChange: (() => void) | undefined;
  /** Called when the browser closes the connection (its `close` event). */
  onLost: (() => void) | undefined;

  constructor(idb: IdbImplementation, idbName: string, db: IDBDatabase) {
    this.#idb = idb;
    this.#idbName = idbName;
    this.#db = db;
    this.#watch(db);
  }

  /** The connection as it is (check `lost` first: a lost one throws on transaction()). */
  get db(): IDBDatabase {
    return this.#db;
  }

  /** Whether the browser (or other code) closed the connection since it was opened. */
  get lost(): boolean {
    return this.#lost;
  }

  /** transaction() threw InvalidStateError: the connection is gone even without a `close` event. */
  markLost(): void {
    this.#lost = true;
  }

  /**
   * A new connection in place of the lost one. `check` sees it before anyone
   * else does (what does the reopened database hold?) and may throw: then the
   * new connection is closed and every caller gets that error. A reopen that
   * fails leaves the connection lost, so the next caller tries again.
   */
  reopen(check: (db: IDBDatabase) => Promise<void>): Promise<IDBDatabase> {
    if (this.#closed) return Promise.reject(new ConnectionLostError(`the IndexedDB connection of '${this.#idbName}' was closed`));
    if (!this.#lost) return Promise.resolve(this.#db);
    this.#reopening ??= (async () => {
      try {
        const { db } = await this.#openRetrying();
        if (this.#closed) {
          db.close();
          throw new ConnectionLostError(`the IndexedDB connection of '${this.#idbName}' was closed`);
        }
        try {
          await check(db);
        } catch (error) {
          db.close();
          throw error;
        }
        this.#db = db;
        this.#lost = false;
        this.#watch(db);
        return db;
      } finally {
        this.#reopening = undefined;
      }
    })();
    return this.#reopening;
  }

  /**
   * Opens a new connection; an open made while the browser is still closing
   * the old one (clearing the origin's storage) fails with "The connection
   * was closed": tried again after REOPEN_DELAYS_MS.
   */
  async #openRetrying(): Promise<{ db: IDBDatabase }> {
    for (const delay of REOPEN_DELAYS_MS) {
      try {
        return await openIdb(this.#idb, this.#idbName);
      } catch {
        await new Promise((resume) => setTimeout(resume, delay));
      }
    }
    return openIdb(this.#idb, this.#idbName);
  }

  set onVersionChange(handler: () => void) {
    this.#onVersionChange = handler;
    this.#db.onversionchange = handler;
  }

  close(): void {
    this.#closed = true;
    this.#db.onclose = null;
    this.#db.close();
  }

  #watch(db: IDBDatabase): void {
    db.onclose = () => {
      if (db !== this.#db || this.#closed) return;
      this.#lost = true;
      this.onLost?.();
    };
    if (this.#onVersionChange) db.onversionchange = this.#onVersionChange;
  }
}
