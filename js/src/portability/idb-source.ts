// portability/idb-source.ts: reads a native IndexedDB database (one Dexie
// made, or one made by hand) without changing it: its object stores as
// store descriptions, the next key each auto-increment store would
// generate, and every record, streamed in batches.
//
// Guarantees:
//   - Nothing is written to the source. The key-generator probe adds one
//     record per auto-increment store in a readwrite transaction that is
//     always aborted (IndexedDB 2.0 reverts the key generator on abort), so
//     it never commits, also if the page dies meanwhile.
//   - Every record is read in ONE readonly transaction over all stores: one
//     consistent snapshot. Its next request is made before a batch is handed
//     to `onBatch`, so the transaction stays alive while the caller works on
//     the batch synchronously, and each batch is a task of its own.
//   - indexie's own IndexedDB databases ('indexie:<name>', persistence/) are
//     never taken for a source.
import { MigrationError } from '../errors.js';
import { idbName, type IdbImplementation } from '../persistence/idb-page-store.js';

/** Dexie's store of its own bookkeeping (the declared version): not data. */
export const DEXIE_META_STORE = '$meta';
/** Records per request when reading a source. */
const RECORDS_PER_REQUEST = 500;

export interface SourceIndex {
  name: string;
  keyPath: string | string[];
  unique: boolean;
  multiEntry: boolean;
}

export interface SourceStore {
  name: string;
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: SourceIndex[];
}

export interface SourceDescription {
  name: string;
  /** IndexedDB's own version number. */
  idbVersion: number;
  /** The version as Dexie counts it: `$meta`'s, else the IndexedDB version / 10 (what Dexie reports as verno). */
  version: number;
  /** The data stores (without Dexie's `$meta`), by name. */
  stores: SourceStore[];
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new DOMException('the IndexedDB request failed', 'UnknownError'));
  });
}

/**
 * Whether a native IndexedDB database `name` exists, without creating one:
 * indexedDB.databases() where there is one; else an open whose creation is
 * aborted (an aborted first upgrade leaves no database behind).
 */
export async function sourceExists(idb: IdbImplementation, name: string): Promise<boolean> {
  if (name.startsWith(idbName(''))) return false; // indexie's own page store, never a source
  if (typeof idb.indexedDB.databases === 'function') {
    return (await idb.indexedDB.databases()).some((info) => info.name === name);
  }
  return new Promise((resolve, reject) => {
    const open = idb.indexedDB.open(name);
    let created = false;
    open.onupgradeneeded = () => {
      created = true;
      open.transaction!.abort();
    };
    open.onsuccess = () => {
      open.result.close();
      resolve(true);
    };
    open.onerror = () => (created ? resolve(false) : reject(open.error ?? new DOMException('opening failed', 'UnknownError')));
  });
}

/** Opens the source at its current version (never upgrading it). */
export async function openSource(idb: IdbImplementation, name: string): Promise<IDBDatabase> {
  const open = idb.indexedDB.open(name);
  open.onupgradeneeded = () => open.transaction!.abort(); // it vanished meanwhile: do not create it
  try {
    const db = await request(open);
    // Another page upgrading or deleting the source gets its way: this read then fails, nothing is half-done.
    db.onversionchange = () => db.close();
    return db;
  } catch (error) {
    throw new MigrationError(`opening the IndexedDB database '${name}' to migrate from it failed (${String(error)}); nothing was migrated`);
  }
}

/** The source's stores, indexes and version. */
export async function describeSource(db: IDBDatabase): Promise<SourceDescription> {
  const names = [...db.objectStoreNames];
  const stores: SourceStore[] = [];
  let metaVersion: number | undefined;
  if (names.length > 0) {
    const tx = db.transaction(names, 'readonly');
    for (const name of names) {
      const store = tx.objectStore(name);
      if (name === DEXIE_META_STORE) {
        const version = await request(store.get('version'));
        if (typeof version === 'number') metaVersion = version;
        continue;
      }
      const indexes = [...store.indexNames].map((indexName) => {
        const index = store.index(indexName);
        return { name: indexName, keyPath: index.keyPath, unique: index.unique, multiEntry: index.multiEntry };
      });
      stores.push({ name, keyPath: store.keyPath, autoIncrement: store.autoIncrement, indexes });
    }
  }
  return { name: db.name, idbVersion: db.version, version: metaVersion ?? db.version / 10, stores };
}

/**
 * The key each auto-increment store would generate next (store name ->
 * number), read by adding a probe record in a transaction that is then
 * aborted: the source keeps its records and its key generators.
 */
export function probeNextKeys(db: IDBDatabase, stores: readonly SourceStore[]): Promise<Map<string, number>> {
  const probed = stores.filter((store) => store.autoIncrement);
  const next = new Map<string, number>();
  if (probed.length === 0) return Promise.resolve(next);
  return new Promise((resolve, reject) => {
    const tx = db.transaction(
      probed.map((store) => store.name),
      'readwrite',
    );
    let pending = probed.length;
    tx.onabort = () => (pending === 0 ? resolve(next) : reject(new MigrationError(`probing the key generators of '${db.name}' failed`)));
    for (const store of probed) {
      // An inbound key path gets the generated key injected into the empty object.
      const add = tx.objectStore(store.name).add(store.keyPath === null ? 0 : {});
      add.onsuccess = () => {
        if (typeof add.result === 'number') next.set(store.name, add.result);
        if (--pending === 0) tx.abort();
      };
      add.onerror = (event) => {
        event.preventDefault();
        if (--pending === 0) tx.abort();
      };
    }
  });
}

/** One batch of a store's records, in primary-key order. */
export interface SourceBatch {
  store: string;
  keys: IDBValidKey[];
  values: unknown[];
  /** Records of this store read so far, this batch included, and the store's total. */
  done: number;
  total: number;
}

/**
 * Reads every record of `stores` in one readonly transaction, in batches;
 * `onBatch` runs synchronously on each (the next request is already made,
 * so the transaction stays alive). Resolves when all were read; rejects
 * with the first error (from IndexedDB or thrown by onBatch, which then
 * aborts the read).
 */
export function readRecords(
  db: IDBDatabase,
  stores: readonly string[],
  keyRange: typeof IDBKeyRange,
  onBatch: (batch: SourceBatch) => void,
): Promise<void> {
  if (stores.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(stores, 'readonly');
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      try {
        tx.abort();
      } catch {
        /* already finished */
      }
      reject(error);
    };
    tx.onerror = () => fail(new MigrationError(`reading the IndexedDB database '${db.name}' failed (${String(tx.error)})`));
    tx.onabort = () => fail(new MigrationError(`reading the IndexedDB database '${db.name}' was aborted (${String(tx.error)})`));
    tx.oncomplete = () => {
      if (!failed) resolve();
    };
    const totals = new Map<string, number>();
    for (const name of stores) {
      const count = tx.objectStore(name).count();
      count.onsuccess = () => totals.set(name, count.result);
    }
    // Requests the batch after `after` of stores[storeIndex]; its answer requests the next, then hands this one over.
    const fetch = (storeIndex: number, after: IDBValidKey | undefined, done: number): void => {
      const name = stores[storeIndex];
      const store = tx.objectStore(name);
      const range = after === undefined ? undefined : keyRange.lowerBound(after, true);
      const keysRequest = store.getAllKeys(range, RECORDS_PER_REQUEST);
      const valuesRequest = store.getAll(range, RECORDS_PER_REQUEST);
      // Both requests read the same range in one transaction: their answers match one to one.
      valuesRequest.onsuccess = () => {
        if (failed) return;
        const keys = keysRequest.result;
        const values = valuesRequest.result;
        const read = done + keys.length;
        if (keys.length === RECORDS_PER_REQUEST) fetch(storeIndex, keys[keys.length - 1], read);
        else if (storeIndex + 1 < stores.length) fetch(storeIndex + 1, undefined, 0);
        try {
          if (keys.length > 0) onBatch({ store: name, keys, values, done: read, total: totals.get(name) ?? read });
        } catch (error) {
          fail(error);
        }
      };
    };
    fetch(0, undefined, 0);
  });
}
