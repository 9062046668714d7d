// db/storage.ts: where a database lives, and what can be done to one as a
// whole without opening it. The options of new Indexie(name, options)
// choose the storage: IndexedDB (the global one, or one passed in, as Dexie
// accepts; the whole file in memory, loaded at open), the Origin Private
// File System (the engine in a dedicated Worker reading pages on demand,
// memory bounded by the page cache), or memory only. Names, existence and
// deletion go to that storage.
//
// 'auto' (the default) decides at open (resolveAutoStorage): in a browser
// with OPFS and Workers, a new database goes to OPFS, and one that already
// lives somewhere stays there (an IndexedDB-stored database of an earlier
// version keeps IndexedDB); an `indexedDB` option or `migrateFrom` means
// IndexedDB; elsewhere (Node) IndexedDB where there is one, else memory.
import { Engine } from '../engine/engine.js';
import { DEFAULT_CACHE_KIB, WorkerEngineHost } from '../engine/worker-engine-host.js';
import { closeOpfsConnections } from './opfs-registry.js';
import { opfsDatabaseExists, opfsDatabaseNames } from '../worker/opfs-file-backend.js';
import { InvalidArgumentError, UnsupportedError } from '../errors.js';
import { IdbPageStore, idbName, type Durability, type IdbImplementation } from '../persistence/idb-page-store.js';
import type { MigrationOptions, MigrationProgress } from '../portability/migration.js';

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
   * Where the database lives. 'auto' (the default): where it already is; a
   * new one in OPFS in a browser that has it and Workers (with an
   * `indexedDB` option or `migrateFrom`: IndexedDB), else IndexedDB where
   * there is one, else memory. 'opfs': the Origin Private File System, the
   * engine in a dedicated Worker (browsers with FileSystemSyncAccessHandle),
   * pages read on demand, memory bounded by `cacheSize`, one engine for all
   * tabs. 'indexeddb': IndexedDB (an UnsupportedError where there is none).
   * 'memory': this page's memory only.
   */
  storage?: StorageChoice;
  /** With storage 'opfs': the bound of SQLite's page cache in bytes (default 32 MiB). */
  cacheSize?: number;
  /** With storage 'opfs': where the engine's worker script is served, if not beside the package's dist/index.js. */
  workerUrl?: string | URL;
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
  /** Dexie's option: 'strict' is `durability: 'strict'`; 'relaxed' and 'default' are 'relaxed'. */
  chromeTransactionDurability?: 'default' | 'strict' | 'relaxed';
  /**
   * Migrate on first open (portability/migration.ts): when no indexie
   * database of this name is stored and a native IndexedDB database of the
   * name exists (made by Dexie or by hand), its data is imported, in one
   * atomic commit, before the database opens.
   */
  migrateFrom?: 'indexeddb';
  /** With migrateFrom: delete the source once the migrated database is stored (default false). */
  deleteSource?: boolean;
  /** With migrateFrom: called after each batch of migrated records. */
  onProgress?: (progress: MigrationProgress) => void;
  /** Past this many open databases, Indexie.connections stops tracking the oldest (default 1000, as Dexie). */
  maxConnections?: number;
  /** Dexie's addons: not supported; a non-empty list is an UnsupportedError. */
  addons?: unknown[];
  /** Dexie options with nothing to do here, accepted as they are (see README, "Coming from Dexie"). */
  cache?: 'immutable' | 'cloned' | 'disabled';
  modifyChunkSize?: number | Record<string, number>;
  allowEmptyDB?: boolean;
}

/** Options of Dexie's that indexie knows and does not need (their effect is built in or moot). */
const ACCEPTED_DEXIE_OPTIONS = new Set(['cache', 'modifyChunkSize', 'allowEmptyDB']);
const KNOWN_OPTIONS = new Set([
  'autoOpen',
  'storage',
  'cacheSize',
  'workerUrl',
  'indexedDB',
  'IDBKeyRange',
  'durability',
  'pagesPerRecord',
  'chromeTransactionDurability',
  'addons',
  'migrateFrom',
  'deleteSource',
  'onProgress',
  'maxConnections',
]);

export type StorageChoice = 'auto' | 'indexeddb' | 'opfs' | 'memory';

/** Where a database lives, as resolved from the options ('auto' decided). */
export type StorageKind = 'indexeddb' | 'opfs' | 'memory';

/** The options a database runs with, defaults applied. */
export interface DatabaseOptions {
  autoOpen: boolean;
  /** Where it lives; with autoOpfs, where it lives unless resolveAutoStorage moves it to OPFS at open. */
  storage: StorageKind;
  /** 'auto' storage that may still resolve to OPFS (autoMayUseOpfs): decided once, at the first open. */
  autoOpfs: boolean;
  /** With storage 'opfs': the page cache's bound in KiB. */
  cacheKiB: number;
  workerUrl: string | URL | undefined;
  durability: Durability;
  pagesPerRecord: number | undefined;
  /** Set by migrateFrom: migrate from the native IndexedDB database of the same name on first open. */
  migration: MigrationOptions | undefined;
}

/** Checks `options` (InvalidArgumentError for a bad one) and applies the defaults. */
export function databaseOptions(options: IndexieOptions): DatabaseOptions {
  if (Array.isArray(options.addons) && options.addons.length > 0) {
    throw new UnsupportedError('new Indexie(name, {addons}): Dexie addons run on DBCore, which indexie does not have');
  }
  const unknown = Object.keys(options).filter((key) => !KNOWN_OPTIONS.has(key) && !ACCEPTED_DEXIE_OPTIONS.has(key));
  if (unknown.length > 0) console.warn(`indexie: unknown option(s) ${unknown.join(', ')} of new Indexie(): ignored`);
  const chrome = options.chromeTransactionDurability;
  if (chrome !== undefined && chrome !== 'default' && chrome !== 'strict' && chrome !== 'relaxed') {
    throw new InvalidArgumentError(`chromeTransactionDurability must be 'default', 'strict' or 'relaxed', not '${String(chrome)}'`);
  }
  const checked = {
    autoOpen: options.autoOpen ?? true,
    storage: storageKind(options),
    autoOpfs: autoMayUseOpfs(options),
    cacheKiB: cacheKiB(options.cacheSize),
    workerUrl: options.workerUrl,
    durability: options.durability ?? (chrome === 'strict' ? ('strict' as const) : ('relaxed' as const)),
    pagesPerRecord: options.pagesPerRecord,
    migration: options.migrateFrom ? { deleteSource: options.deleteSource === true, onProgress: options.onProgress } : undefined,
  };
  if (options.migrateFrom !== undefined && options.migrateFrom !== 'indexeddb') {
    throw new InvalidArgumentError(`migrateFrom must be 'indexeddb', not '${String(options.migrateFrom)}'`);
  }
  if (
    options.pagesPerRecord !== undefined &&
    !(Number.isInteger(options.pagesPerRecord) && options.pagesPerRecord >= 1 && options.pagesPerRecord <= 256)
  ) {
    throw new InvalidArgumentError(`pagesPerRecord must be a whole number from 1 to 256, not ${String(options.pagesPerRecord)}`);
  }
  if (options.maxConnections !== undefined && !(Number.isInteger(options.maxConnections) && options.maxConnections >= 1)) {
    throw new InvalidArgumentError(`maxConnections must be a whole number of at least 1, not ${String(options.maxConnections)}`);
  }
  if (options.durability !== undefined && options.durability !== 'relaxed' && options.durability !== 'strict') {
    throw new InvalidArgumentError(`durability must be 'relaxed' or 'strict', not '${String(options.durability)}'`);
  }
  return checked;
}

/** Resolves the storage option ('auto' and indexedDB: null included). */
export function storageKind(options: IndexieOptions): StorageKind {
  const choice = options.storage ?? 'auto';
  if (choice !== 'auto' && choice !== 'indexeddb' && choice !== 'opfs' && choice !== 'memory') {
    throw new InvalidArgumentError(`storage must be 'auto', 'indexeddb', 'opfs' or 'memory', not '${String(choice)}'`);
  }
  const idb = idbImplementation(options);
  if (choice === 'indexeddb' && !idb)
    throw new UnsupportedError("storage 'indexeddb': there is no IndexedDB here (pass indexedDB in the options)");
  if (choice === 'auto') return idb ? 'indexeddb' : 'memory';
  return choice;
}

/** Whether this runtime can keep a database in OPFS with its engine in a Worker (a browser: not Node). */
export function opfsAvailable(): boolean {
  const scope = globalThis as {
    Worker?: unknown;
    navigator?: { storage?: { getDirectory?: unknown } };
    process?: { versions?: { node?: string } };
  };
  if (typeof scope.process?.versions?.node === 'string') return false;
  return typeof scope.Worker === 'function' && typeof scope.navigator?.storage?.getDirectory === 'function';
}

/**
 * Whether 'auto' storage may put this database in OPFS: the default storage,
 * the global IndexedDB (an `indexedDB` option chooses IndexedDB), no
 * migrateFrom (a migration fills an IndexedDB-stored database), and a
 * runtime with OPFS and Workers.
 */
export function autoMayUseOpfs(options: IndexieOptions): boolean {
  return (options.storage ?? 'auto') === 'auto' && options.indexedDB === undefined && options.migrateFrom === undefined && opfsAvailable();
}

/**
 * Where an 'auto' database `name` lives (autoMayUseOpfs was true): OPFS when
 * its file is there; IndexedDB when its store is there, or when IndexedDB
 * cannot list its databases (so an existing one is never missed); else,
 * being new, `newDatabase` (OPFS unless OPFS is known not to work here).
 */
export async function autoStorageOf(
  name: string,
  idb: IdbImplementation | undefined,
  newDatabase: 'opfs' | 'indexeddb' = 'opfs',
): Promise<'opfs' | 'indexeddb'> {
  if (await opfsHoldsDatabase(name)) return 'opfs';
  if (newDatabase === 'indexeddb' || !idb) return newDatabase;
  if (typeof idb.indexedDB.databases !== 'function') return 'indexeddb';
  const names = await idb.indexedDB.databases();
  return names.some((info) => info.name === idbName(name)) ? 'indexeddb' : 'opfs';
}

/** Whether OPFS holds database `name` (false where it cannot be asked). */
export function opfsHoldsDatabase(name: string): Promise<boolean> {
  return opfsDatabaseExists(name).catch(() => false);
}

/** Deletes database `name` from OPFS, after this realm's connections to it closed and their workers let go of the files. */
export async function deleteFromOpfs(name: string, workerUrl: string | URL | undefined): Promise<void> {
  await closeOpfsConnections(name);
  await WorkerEngineHost.deleteFromOpfs(name, { workerUrl });
}

/** The page cache's bound in KiB for a cacheSize in bytes (at least 1 MiB). */
function cacheKiB(bytes: number | undefined): number {
  if (bytes === undefined) return DEFAULT_CACHE_KIB;
  if (!Number.isSafeInteger(bytes) || bytes < 1024 * 1024) {
    throw new InvalidArgumentError(`cacheSize is a number of bytes, at least 1 MiB (1048576), not ${String(bytes)}`);
  }
  return Math.floor(bytes / 1024);
}

/** The Web Locks API where the runtime has one (browsers; not Node). */
export function webLocks(): LockManager | undefined {
  return (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
}

/** The IndexedDB `options` choose, or undefined for a database in memory only. */
export function idbImplementation(options: {
  indexedDB?: IDBFactory | null;
  IDBKeyRange?: typeof IDBKeyRange;
  /** Where the database lives: see IndexieOptions.storage. */
  storage?: StorageChoice;
  /** With storage 'opfs': the bound of SQLite's page cache in bytes (default 32 MiB). */
  cacheSize?: number;
  /** With storage 'opfs': where the engine's worker script is served, if not beside the package's dist/index.js. */
  workerUrl?: string | URL;
}): IdbImplementation | undefined {
  if (options.indexedDB === null) return undefined;
  const indexedDB = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  const keyRange = options.IDBKeyRange ?? (globalThis as { IDBKeyRange?: typeof IDBKeyRange }).IDBKeyRange;
  return indexedDB && keyRange ? { indexedDB, IDBKeyRange: keyRange } : undefined;
}

/** Names of the indexie databases of this origin, in IndexedDB and in OPFS. */
export async function databaseNames(options: IndexieOptions): Promise<string[]> {
  const idb = idbImplementation(options);
  const inIdb =
    !idb || typeof idb.indexedDB.databases !== 'function'
      ? []
      : (await idb.indexedDB.databases())
          .map((info) => info.name ?? '')
          .filter((name) => name.startsWith('indexie:'))
          .map((name) => name.slice('indexie:'.length));
  const inOpfs = await opfsDatabaseNames().catch(() => []);
  return [...new Set([...inIdb, ...inOpfs])];
}

/** Deletes a database (from IndexedDB when there is one, and from memory; with 'auto' storage, from OPFS too). */
export async function deleteDatabase(name: string, options: IndexieOptions | IdbImplementation): Promise<void> {
  const opfs = (options as IndexieOptions).storage === 'opfs';
  if (opfs || (autoMayUseOpfs(options) && (await opfsHoldsDatabase(name)))) {
    await deleteFromOpfs(name, (options as IndexieOptions).workerUrl);
    if (opfs) return;
  }
  const idb = idbImplementation(options);
  if (idb) await IdbPageStore.delete(idb, name);
  await Engine.deleteFile(name);
}

/** Whether a database of this name exists. */
export async function databaseExists(name: string, options: IndexieOptions): Promise<boolean> {
  if (options.storage === 'opfs') return opfsDatabaseExists(name);
  if (autoMayUseOpfs(options) && (await opfsHoldsDatabase(name))) return true;
  const idb = idbImplementation(options);
  return idb ? IdbPageStore.exists(idb, name) : Engine.exists(name);
}
