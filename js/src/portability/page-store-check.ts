// portability/page-store-check.ts: the IndexedDB side of db.checkIntegrity():
// checks that what the page store holds (persistence/page-file-format.ts,
// format 3) can rebuild the whole file: the stored state is readable, every
// chunk up to the end of the file is there and whole, and the log holds every
// commit after `base`. Each problem names what is lost (which chunk, which
// pages, which commits). Format 3 keeps no per-page checksums; SQLite's
// integrity check (run beside this) finds damage inside pages.
import { idbName, type IdbImplementation } from '../persistence/idb-page-store.js';
import { PAGE_SIZE, readState } from '../persistence/page-file-format.js';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new DOMException('the IndexedDB request failed', 'UnknownError'));
  });
}

/** Problems of the stored pages of database `name`, in words; [] when it is whole. */
export async function checkStoredPages(idb: IdbImplementation, name: string): Promise<string[]> {
  const open = idb.indexedDB.open(idbName(name));
  let created = false;
  open.onupgradeneeded = () => {
    created = true;
    open.transaction!.abort();
  };
  let db: IDBDatabase;
  try {
    db = await request(open);
  } catch (error) {
    if (created) return [`database '${name}' has no stored pages at all: everything is lost`];
    throw error;
  }
  try {
    const stores = ['chunks', 'meta', 'log'];
    const missingStores = stores.filter((store) => !db.objectStoreNames.contains(store));
    if (missingStores.length > 0)
      return [`the page store lacks its ${missingStores.join(', ')} object store(s): the database cannot be rebuilt`];
    const tx = db.transaction(stores, 'readonly');
    const state = readState(await request(tx.objectStore('meta').get('state')), name);
    if (!state) return [`the page store of '${name}' has no stored state: everything is lost`];
    const problems: string[] = [];
    const chunkBytes = state.pagesPerChunk * PAGE_SIZE;
    const [chunkKeys, logKeys] = await Promise.all([
      request(tx.objectStore('chunks').getAllKeys()) as Promise<number[]>,
      request(tx.objectStore('log').getAllKeys(idb.IDBKeyRange.lowerBound(state.base, true))) as Promise<number[]>,
    ]);
    const present = new Set(chunkKeys);
    // Chunks hold the file as of `base`, whose size `meta` records (it is written only with chunks).
    const lastChunk = Math.ceil(state.fileSize / chunkBytes) - 1;
    for (let chunk = 0; chunk <= lastChunk; chunk++) {
      const pages = `pages ${chunk * state.pagesPerChunk}-${(chunk + 1) * state.pagesPerChunk - 1}`;
      if (!present.has(chunk)) {
        problems.push(`chunk ${chunk} (${pages}) is missing: those pages are lost`);
        continue;
      }
      const value = (await request(tx.objectStore('chunks').get(chunk))) as Uint8Array | undefined;
      if (!(value instanceof Uint8Array) || value.byteLength !== chunkBytes) {
        problems.push(
          `chunk ${chunk} (${pages}) is damaged (${value instanceof Uint8Array ? `${value.byteLength} bytes, expected ${chunkBytes}` : 'not bytes'}): those pages are lost`,
        );
      }
    }
    const commits = new Set(logKeys);
    const lastCommit = logKeys.length > 0 ? Math.max(state.commit, logKeys[logKeys.length - 1]) : state.commit;
    for (let commit = state.base + 1; commit <= lastCommit; commit++) {
      if (!commits.has(commit)) problems.push(`the log entry of commit ${commit} is missing: what that commit changed is lost`);
    }
    return problems;
  } finally {
    db.close();
  }
}
