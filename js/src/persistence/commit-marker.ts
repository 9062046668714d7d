// persistence/commit-marker.ts: a note outside IndexedDB that database `name`
// existed with commit counter N, so that opening can tell a database the
// browser wiped (Chromium deletes an origin's IndexedDB after a torn LevelDB
// log, under storage pressure, or when IndexedDB alone is cleared) from one
// that never existed, and never present the empty one silently (db/open.ts
// fires 'dataloss').
//
// Where: localStorage where the runtime has it (a window), else the Cache API
// (workers), else nowhere (Node: no detection). Only for the global
// IndexedDB: a marker of one passed in (fake-indexeddb) would describe
// another store.
//
// The contract:
//   - the marker never names a commit the database had not stored: it is
//     written after a commit completed (or was read from IndexedDB), so a
//     stored counter below the marker means stored commits are gone;
//   - it may lag: note() writes at once the first time, then at most once per
//     MARKER_INTERVAL_MS (a trailing timer writes the last one), so a commit
//     costs a comparison, not a localStorage write; close() writes what is
//     pending; a wipe of only the last commits of that window goes unseen;
//   - deleting the database through indexie removes the marker
//     (IdbPageStore.delete), and a connection asked to close by a deletion
//     elsewhere (versionchange) drops its pending write (cancel()), so a
//     deliberate deletion is never reported as a loss.

/** At most one marker write per this many ms per database (after the first). */
export const MARKER_INTERVAL_MS = 1000;

const CACHE_NAME = 'indexie-commit-markers';

/** Where markers are kept: a key-value place outside IndexedDB. */
interface MarkerPlace {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): void;
  remove(key: string): Promise<void>;
}

function localStoragePlace(): MarkerPlace | undefined {
  let storage: Storage | undefined;
  try {
    // Throws SecurityError where storage is blocked (opaque origins, some iframes).
    storage = (globalThis as { localStorage?: Storage }).localStorage;
    storage?.getItem('indexie-probe');
  } catch {
    return undefined;
  }
  if (!storage) return undefined;
  const store = storage;
  return {
    get: async (key) => store.getItem(key) ?? undefined,
    set: (key, value) => {
      try {
        store.setItem(key, value);
      } catch {
        /* full or blocked: the marker only lags */
      }
    },
    remove: async (key) => store.removeItem(key),
  };
}

function cacheApiPlace(): MarkerPlace | undefined {
  const caches = (globalThis as { caches?: CacheStorage }).caches;
  if (!caches || typeof caches.open !== 'function') return undefined;
  const url = (key: string) => `https://indexie.invalid/${encodeURIComponent(key)}`;
  return {
    get: async (key) => {
      try {
        const response = await (await caches.open(CACHE_NAME)).match(url(key));
        return response ? await response.text() : undefined;
      } catch {
        return undefined;
      }
    },
    set: (key, value) => {
      void caches
        .open(CACHE_NAME)
        .then((cache) => cache.put(url(key), new Response(value)))
        .catch(() => undefined);
    },
    remove: async (key) => {
      try {
        await (await caches.open(CACHE_NAME)).delete(url(key));
      } catch {
        /* nothing to remove */
      }
    },
  };
}

function markerPlace(indexedDB: IDBFactory): MarkerPlace | undefined {
  if (indexedDB !== (globalThis as { indexedDB?: IDBFactory }).indexedDB) return undefined;
  return localStoragePlace() ?? cacheApiPlace();
}

function markerKey(name: string): string {
  return `indexie-commit:${name}`;
}

export class CommitMarker {
  readonly #place: MarkerPlace;
  readonly #key: string;
  /** The commit last written (0: none by this object yet). */
  #written = 0;
  #writtenAt = -Infinity;
  #pending: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  private constructor(place: MarkerPlace, key: string) {
    this.#place = place;
    this.#key = key;
  }

  /** The marker of database `name`, or undefined where none can be kept. */
  static for(indexedDB: IDBFactory, name: string): CommitMarker | undefined {
    const place = markerPlace(indexedDB);
    return place && new CommitMarker(place, markerKey(name));
  }

  /** Removes the marker of database `name` (it was deleted on purpose). */
  static async remove(indexedDB: IDBFactory, name: string): Promise<void> {
    await markerPlace(indexedDB)?.remove(markerKey(name));
  }

  /** The commit the marker records (undefined: none, or unreadable). */
  async read(): Promise<number | undefined> {
    const value = await this.#place.get(this.#key);
    const commit = value === undefined ? NaN : Number(value);
    return Number.isSafeInteger(commit) && commit >= 0 ? commit : undefined;
  }

  /** Commit `commit` is stored: records it, at once or within MARKER_INTERVAL_MS (see the header). */
  note(commit: number): void {
    if (commit === this.#written || commit === this.#pending) return;
    if (performance.now() - this.#writtenAt >= MARKER_INTERVAL_MS) {
      this.set(commit);
      return;
    }
    this.#pending = commit;
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), MARKER_INTERVAL_MS);
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  /** Records `commit` now (also a lower one: after a reported loss, what is stored is the truth). */
  set(commit: number): void {
    this.cancel();
    this.#written = commit;
    this.#writtenAt = performance.now();
    this.#place.set(this.#key, String(commit));
  }

  /** Writes a pending commit now. */
  flush(): void {
    const pending = this.#pending;
    if (pending === undefined) {
      this.cancel();
      return;
    }
    this.set(pending);
  }

  /** Drops a pending write (the database is being deleted elsewhere). */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
  }
}
