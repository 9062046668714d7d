// db/storage.ts: where a database lives, and what can be done to one as a
// whole without opening it. The options of new Indexie(name, options)
// choose IndexedDB (the global one, or one passed in, as Dexie accepts) or
// memory only; names, existence and deletion go to IndexedDB when there is
// one, and to the engine's in-memory files.
import { Engine } from '../engine/engine.js';
import { InvalidArgumentError } from '../errors.js';
import { IdbPageStore, type Durability, type IdbImplementation } from '../persistence/idb-page-store.js';

export interface IndexieOptions {
  /** Open on the first operation (default true). After close(), operations fail until open(). */
  autoOpen?: boolean;
  /**
   * The IndexedDB to persist in (default: the global one). Where there is
   * none (Node without one passed in), or with `indexedDB: null`, the
   * database lives in memory only.
   */
  indexedDB?: IDBFactory | null;
  IDBKeyRange?: typeof IDBKeyRange;
  /**
   * IndexedDB durability of each commit (default 'relaxed', Chromium's own
   * default and Dexie's): a resolved write survives the tab or the browser
   * being killed; 'strict' also waits for the disk to confirm, surviving
   * power loss, at a higher latency per commit.
   */
  durability?: Durability;
  /**
   * Advanced: database pages (4 KiB) per IndexedDB record, for a database
   * created by this call (an existing one keeps its own). Default 16; see
   * README, "Persistence", for the measurements behind it.
   */
  pagesPerRecord?: number;
}

/** The options a database runs with, defaults applied. */
export interface DatabaseOptions {
  autoOpen: boolean;
  durability: Durability;
  pagesPerRecord: number | undefined;
}

/** Checks `options` (InvalidArgumentError for a bad one) and applies the defaults. */
export function databaseOptions(options: IndexieOptions): DatabaseOptions {
  const checked = {
    autoOpen: options.autoOpen ?? true,
    durability: options.durability ?? 'relaxed',
    pagesPerRecord: options.pagesPerRecord,
  };
  if (
    options.pagesPerRecord !== undefined &&
    !(Number.isInteger(options.pagesPerRecord) && options.pagesPerRecord >= 1 && options.pagesPerRecord <= 256)
  ) {
    throw new InvalidArgumentError(`pagesPerRecord must be a whole number from 1 to 256, not ${String(options.pagesPerRecord)}`);
  }
  if (options.durability !== undefined && options.durability !== 'relaxed' && options.durability !== 'strict') {
    throw new InvalidArgumentError(`durability must be 'relaxed' or 'strict', not '${String(options.durability)}'`);
  }
  return checked;
}

/** The Web Locks API where the runtime has one (browsers; not Node). */
export function webLocks(): LockManager | undefined {
  return (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
}

/** The IndexedDB `options` choose, or undefined for a database in memory only. */
export function idbImplementation(options: {
  indexedDB?: IDBFactory | null;
  IDBKeyRange?: typeof IDBKeyRange;
}): IdbImplementation | undefined {
  if (options.indexedDB === null) return undefined;
  const indexedDB = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  const keyRange = options.IDBKeyRange ?? (globalThis as { IDBKeyRange?: typeof IDBKeyRange }).IDBKeyRange;
  return indexedDB && keyRange ? { indexedDB, IDBKeyRange: keyRange } : undefined;
}

/** Names of the indexie databases in this origin's IndexedDB. */
export async function databaseNames(options: IndexieOptions): Promise<string[]> {
  const idb = idbImplementation(options);
  if (!idb || typeof idb.indexedDB.databases !== 'function') return [];
  return (await idb.indexedDB.databases())
    .map((info) => info.name ?? '')
    .filter((name) => name.startsWith('indexie:'))
    .map((name) => name.slice('indexie:'.length));
}

/** Deletes a database (from IndexedDB when there is one, and from memory). */
export async function deleteDatabase(name: string, options: IndexieOptions | IdbImplementation): Promise<void> {
  const idb = idbImplementation(options);
  if (idb) await IdbPageStore.delete(idb, name);
  await Engine.deleteFile(name);
}

/** Whether a database of this name exists. */
export async function databaseExists(name: string, options: IndexieOptions): Promise<boolean> {
  const idb = idbImplementation(options);
  return idb ? IdbPageStore.exists(idb, name) : Engine.exists(name);
}
