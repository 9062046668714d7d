// db/storage.ts: where a database lives, and what can be done to one as a
// whole without opening it. The options of new Indexie(name, options)
// choose IndexedDB (the global one, or one passed in, as Dexie accepts) or
// memory only; names, existence and deletion go to IndexedDB when there is
// one, and to the engine's in-memory files.
import { Engine } from '../engine/engine.js';
import { InvalidArgumentError, UnsupportedError } from '../errors.js';
import { IdbPageStore, type Durability, type IdbImplementation } from '../persistence/idb-page-store.js';
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

/** The options a database runs with, defaults applied. */
export interface DatabaseOptions {
  autoOpen: boolean;
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
