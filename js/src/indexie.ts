// indexie.ts: Indexie, the database object (Dexie's `Dexie` class):
// versions and schema upgrades, open/close, tables and events.
//
// Open: the declared versions are compared with the installed one (stored
// inside the database itself). A newer declared version is installed in one
// engine transaction: schema changes, then each version's upgrade function
// in order, then the new version number; if anything throws, the transaction
// rolls back and the database keeps its old version and data. As in Dexie, a
// database created from scratch gets the latest schema directly, runs
// on('populate'), and runs no upgrade functions (there is nothing to migrate).
//
// Limit (until transactions land): while an upgrade or populate runs, table
// calls from anywhere in the page go to the upgrade's transaction.
import { Engine, type EngineInfo } from './engine.js';
import { IdbPageStore, PAGE_SIZE, type Durability, type IdbImplementation } from './idb-page-store.js';
import { Persistence } from './persistence.js';
import { cmp } from './key-compare.js';
import {
  DatabaseClosedError, IndexieError, InvalidArgumentError, InvalidTableError, NoSuchDatabaseError, SchemaError,
  UpgradeError, VersionError,
} from './errors.js';

function idbImplementation(options: { indexedDB?: IDBFactory | null; IDBKeyRange?: typeof IDBKeyRange }): IdbImplementation | undefined {
  if (options.indexedDB === null) return undefined;
  const indexedDB = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  const keyRange = options.IDBKeyRange ?? (globalThis as { IDBKeyRange?: typeof IDBKeyRange }).IDBKeyRange;
  return indexedDB && keyRange ? { indexedDB, IDBKeyRange: keyRange } : undefined;
}
import { EventChannel, type Listener } from './events.js';
import { Table, type TableHost } from './table.js';
import { TableSchema } from './table-schema.js';
import { Version, schemaAt, validateVersionNumber } from './version.js';

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

export type IndexieEventName = 'ready' | 'populate' | 'close' | 'versionchange' | 'blocked' | 'dataloss';

/** The transaction handed to upgrade functions and populate listeners. */
export class UpgradeTransaction {
  readonly #db: Indexie;
  constructor(db: Indexie) {
    this.#db = db;
  }
  table(name: string): Table {
    return this.#db.table(name);
  }
}

export class Indexie {
  readonly name: string;
  static readonly minKey = -Infinity;
  static readonly maxKey: unknown = [[]];
  /** IndexedDB key order: -1, 0 or 1; NaN for invalid keys (Dexie.cmp). */
  static cmp(a: unknown, b: unknown): number {
    return cmp(a, b);
  }

  readonly #options: { autoOpen: boolean; durability: Durability; pagesPerRecord: number | undefined };
  readonly #idb: IdbImplementation | undefined;
  #persistence: Persistence | undefined;
  #writeQueue: Promise<unknown> = Promise.resolve();
  #channel: BroadcastChannel | undefined;
  readonly #versions: Version[] = [];
  readonly #events = new Map<IndexieEventName, EventChannel>();
  readonly #tables = new Map<string, Table>();
  #schemas = new Map<string, TableSchema>();
  #engine: Engine | undefined;
  #upgradeEngine: Engine | undefined;
  #opening: Promise<this> | undefined;
  #closedByUser = false;
  #verno = 0;

  constructor(name: string, options: IndexieOptions = {}) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError('new Indexie(name): the name must be a non-empty string');
    }
    this.name = name;
    this.#options = { autoOpen: options.autoOpen ?? true, durability: options.durability ?? 'relaxed', pagesPerRecord: options.pagesPerRecord };
    if (options.pagesPerRecord !== undefined && !(Number.isInteger(options.pagesPerRecord) && options.pagesPerRecord >= 1 && options.pagesPerRecord <= 256)) {
      throw new InvalidArgumentError(`pagesPerRecord must be a whole number from 1 to 256, not ${String(options.pagesPerRecord)}`);
    }
    if (options.durability !== undefined && options.durability !== 'relaxed' && options.durability !== 'strict') {
      throw new InvalidArgumentError(`durability must be 'relaxed' or 'strict', not '${String(options.durability)}'`);
    }
    this.#idb = idbImplementation(options);
  }

  /** Whether this database is persisted in IndexedDB (else it lives in memory only). */
  get persistent(): boolean {
    return this.#idb !== undefined;
  }

  /** The version of the open database (the highest declared one before it opens). */
  get verno(): number {
    if (this.#engine) return this.#verno;
    return this.#versions.reduce((max, v) => Math.max(max, v.number), 0);
  }

  version(n: number): Version {
    validateVersionNumber(n);
    if (this.#engine || this.#opening) {
      throw new SchemaError(`version(${n}): versions must be declared before the database '${this.name}' opens`);
    }
    let version = this.#versions.find((v) => v.number === n);
    if (!version) {
      version = new Version(n, () => this.#defineDeclaredTables());
      this.#versions.push(version);
    }
    return version;
  }

  on(event: IndexieEventName): EventChannel;
  on(event: IndexieEventName, listener: Listener): void;
  on(event: IndexieEventName, listener?: Listener): EventChannel | void {
    let channel = this.#events.get(event);
    if (!channel) {
      channel = new EventChannel();
      this.#events.set(event, channel);
    }
    if (!listener) return channel;
    channel.subscribe(listener);
  }

  isOpen(): boolean {
    return this.#engine !== undefined;
  }

  hasBeenClosed(): boolean {
    return this.#closedByUser;
  }

  get tables(): Table[] {
    return [...this.#schemas.keys()].map((name) => this.table(name));
  }

  table(name: string): Table {
    const known = this.#engine || this.#upgradeEngine ? this.#schemas.has(name) : this.#declaredTableNames().has(name);
    if (!known && (this.#engine || this.#versions.length > 0)) {
      throw new InvalidTableError(`table '${name}' does not exist in database '${this.name}'`);
    }
    return this.#tableObject(name);
  }

  open(): Promise<this> {
    this.#closedByUser = false;
    if (this.#engine) return Promise.resolve(this);
    if (!this.#opening) {
      this.#opening = this.#openEngine().then(
        () => this,
        (error) => {
          this.#opening = undefined;
          throw error;
        },
      );
    }
    return this.#opening;
  }

  close(): void {
    this.#closedByUser = true;
    const engine = this.#engine;
    this.#engine = undefined;
    this.#opening = undefined;
    if (this.#persistence) {
      // IndexedDB holds the data: drop the in-memory copy (handles still open elsewhere keep theirs).
      void Engine.deleteFile(this.name);
    }
    this.#persistence?.close();
    this.#persistence = undefined;
    this.#channel?.close();
    this.#channel = undefined;
    if (engine) {
      engine.close();
      void this.on('close').fire();
    }
  }

  /**
   * Extension: SQLite's integrity check of the engine's database file.
   * Resolves [] when the file is sound, else the problems SQLite reports.
   */
  async checkIntegrity(): Promise<string[]> {
    const engine = await this.#engineForOperation();
    const rows = engine.executeSql('PRAGMA integrity_check').rows.map((row) => String(row[0]));
    return rows.length === 1 && rows[0] === 'ok' ? [] : rows;
  }

  /** Names of the indexie databases in this origin's IndexedDB. */
  static async getDatabaseNames(options: IndexieOptions = {}): Promise<string[]> {
    const idb = idbImplementation(options);
    if (!idb || typeof idb.indexedDB.databases !== 'function') return [];
    return (await idb.indexedDB.databases())
      .map((info) => info.name ?? '')
      .filter((name) => name.startsWith('indexie:'))
      .map((name) => name.slice('indexie:'.length));
  }

  /**
   * Closes and deletes this database, from IndexedDB and from memory. Other
   * pages that have it open get 'versionchange' and close; while one does
   * not, 'blocked' fires here.
   */
  async delete(): Promise<void> {
    await this.#writeQueue.catch(() => undefined);
    this.close();
    if (this.#idb) await IdbPageStore.delete(this.#idb, this.name, () => void this.on('blocked').fire());
    await Engine.deleteFile(this.name);
  }

  /** Deletes a database (from IndexedDB when there is one, and from memory). */
  static async delete(name: string, options: IndexieOptions | IdbImplementation = {}): Promise<void> {
    const idb = idbImplementation(options as IndexieOptions);
    if (idb) await IdbPageStore.delete(idb, name);
    await Engine.deleteFile(name);
  }

  /** Whether a database of this name exists. */
  static async exists(name: string, options: IndexieOptions = {}): Promise<boolean> {
    const idb = idbImplementation(options);
    return idb ? IdbPageStore.exists(idb, name) : Engine.exists(name);
  }

  // --- Opening --------------------------------------------------------------

  async #openEngine(): Promise<void> {
    // Loading, upgrading and the first flush happen under the database's Web
    // Lock, so no other tab commits in between.
    const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
    if (this.#idb && locks) await locks.request(`indexie:${this.name}`, () => this.#openEngineLocked());
    else await this.#openEngineLocked();
    await this.on('ready').fire(this);
  }

  async #openEngineLocked(): Promise<void> {
    const persistence = this.#idb ? await this.#loadFromIndexedDb() : undefined;
    if (!persistence && this.#versions.length === 0 && !(await Engine.exists(this.name))) throw this.#noSuchDatabase();
    let engine: Engine | undefined;
    try {
      engine = await Engine.open(this.name);
      const installed = engine.info();
      if (this.#versions.length > 0) await this.#installDeclaredSchema(engine, installed);
      await persistence?.flush(engine, `opening database '${this.name}'`);
      const info = engine.info();
      this.#adoptSchema(info);
      this.#verno = info.version;
      this.#engine = engine;
      this.#persistence = persistence;
      if (persistence) {
        this.#listenToOtherTabs();
        // Another page deletes or upgrades the IndexedDB database: let it, and close.
        persistence.store.onVersionChange = () => {
          void this.on('versionchange').fire({ oldVersion: this.#verno, newVersion: null }).finally(() => this.close());
        };
      }
    } catch (error) {
      engine?.close();
      persistence?.close();
      throw error;
    }
  }

  #noSuchDatabase(): NoSuchDatabaseError {
    return new NoSuchDatabaseError(
      `database '${this.name}' does not exist: declare its schema with db.version(n).stores({...}) to create it`);
  }

  /** Loads the database file from IndexedDB into the engine's memory; IndexedDB is the truth. */
  async #loadFromIndexedDb(): Promise<Persistence> {
    const { store, file, created, dataLoss } = await IdbPageStore.open(this.#idb!, this.name, this.#options.durability, this.#options.pagesPerRecord);
    if (dataLoss) {
      // Never start empty silently: the browser discarded this origin's IndexedDB data.
      await this.on('dataloss').fire({ message: `the browser reported that it lost the stored data of database '${this.name}' (its storage was corrupt); it starts empty` });
    }
    if (created && this.#versions.length === 0) {
      store.close();
      await IdbPageStore.delete(this.#idb!, this.name);
      throw this.#noSuchDatabase();
    }
    if (created) {
      await Engine.deleteFile(this.name);
    } else {
      const pages = new Map<number, Uint8Array>();
      const perChunk = file.state.pagesPerChunk;
      for (const [chunk, bytes] of file.chunks) {
        for (let i = 0; i < perChunk; i++) {
          const page = chunk * perChunk + i;
          if (page * PAGE_SIZE >= file.state.fileSize) break;
          pages.set(page, bytes.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE));
        }
      }
      await Engine.loadFile(this.name, file.state.fileSize, pages);
    }
    return new Persistence(store);
  }

  async #installDeclaredSchema(engine: Engine, installed: EngineInfo): Promise<void> {
    const target = Math.max(...this.#versions.map((v) => v.number));
    if (target < installed.version) {
      throw new VersionError(`database '${this.name}' is at version ${installed.version}, ` +
        `newer than the highest declared version ${target}: declare version(${installed.version}) or higher`);
    }
    if (target === installed.version) {
      // Same version: add tables and indexes the code declares but the database lacks (Dexie's patch mode).
      const declared = schemaAt(this.#versions, target);
      const current = Object.fromEntries(Object.values(installed.tables).map((t) => [t.name, t.spec]));
      const merged = { ...current, ...declared };
      if (JSON.stringify(merged) !== JSON.stringify(current)) engine.setSchema(merged);
      return;
    }
    engine.begin();
    this.#upgradeEngine = engine;
    try {
      if (installed.version === 0) {
        engine.setSchema(schemaAt(this.#versions, target));
        this.#adoptSchema(engine.info());
        await this.on('populate').fire(new UpgradeTransaction(this));
      } else {
        await this.#runUpgrades(engine, installed.version);
      }
      engine.setVersion(target);
      engine.commit();
    } catch (error) {
      if (engine.isOpen) engine.rollback();
      this.#adoptSchema(engine.info());
      if (error instanceof IndexieError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new UpgradeError(`upgrading database '${this.name}' failed, so it stays at version ${installed.version}: ${message}`,
        { cause: error });
    } finally {
      this.#upgradeEngine = undefined;
    }
  }

  async #runUpgrades(engine: Engine, from: number): Promise<void> {
    const steps = [...this.#versions].sort((a, b) => a.number - b.number).filter((v) => v.number > from);
    for (const version of steps) {
      const before = Object.fromEntries(Object.values(engine.info().tables).map((t) => [t.name, t.spec]));
      const after = schemaAt(this.#versions, version.number);
      // Tables this version deletes stay readable while its upgrade function runs.
      engine.setSchema({ ...before, ...after });
      this.#adoptSchema(engine.info());
      if (version.upgradeFunction) await version.upgradeFunction(new UpgradeTransaction(this));
      engine.setSchema(after);
      this.#adoptSchema(engine.info());
    }
  }

  // --- Tables ---------------------------------------------------------------

  #declaredTableNames(): Set<string> {
    const target = this.#versions.reduce((max, v) => Math.max(max, v.number), 0);
    return new Set(Object.keys(schemaAt(this.#versions, target)));
  }

  #tableObject(name: string): Table {
    let table = this.#tables.get(name);
    if (!table) {
      table = new Table(name, this.#host);
      this.#tables.set(name, table);
    }
    return table;
  }

  #adoptSchema(info: EngineInfo): void {
    this.#schemas = new Map(Object.values(info.tables).map((t) => [t.name, new TableSchema(t)]));
    for (const name of this.#schemas.keys()) this.#defineTableProperty(name);
  }

  #defineDeclaredTables(): void {
    for (const name of this.#declaredTableNames()) this.#defineTableProperty(name);
  }

  /** db.<tableName>, unless the name is taken by the API itself (then use db.table(name)). */
  #defineTableProperty(name: string): void {
    if (name in this && !Object.prototype.hasOwnProperty.call(this, name)) return;
    if (Object.prototype.hasOwnProperty.call(this, name)) return;
    Object.defineProperty(this, name, { get: () => this.#tableObject(name), enumerable: true, configurable: true });
  }

  readonly #host: TableHost = {
    engine: () => this.#engineForOperation(),
    write: (operation, what) => this.#write(operation, what),
    schemaOf: (table) => {
      const schema = this.#schemas.get(table);
      if (!schema) throw new InvalidTableError(`table '${table}' does not exist in database '${this.name}'`);
      return schema;
    },
  };

  /**
   * Runs a write: one at a time, each followed by its flush to IndexedDB, so
   * no commit is flushed on top of an unflushed one. Resolves once the
   * commit is durable. If the operation threw after writing something (a
   * BulkError: the other items were written), that is flushed first. A
   * failed flush reverts the engine and rejects with the storage error.
   * Inside an upgrade, writes join the upgrade (flushed when it commits).
   */
  #write<T>(operation: (engine: Engine) => T, what: string): Promise<T> {
    if (this.#upgradeEngine) {
      const engine = this.#upgradeEngine;
      return new Promise((resolve) => resolve(operation(engine)));
    }
    const body = async (): Promise<T> => {
      const engine = await this.#engineForOperation();
      // Another tab may have committed since this tab last looked: apply that first.
      if (this.#persistence && this.#engine === engine) await this.#applyOtherTabs(engine);
      let result: T | undefined;
      let failure: unknown;
      let failed = false;
      try {
        result = operation(engine);
      } catch (error) {
        failed = true;
        failure = error;
      }
      if (this.#persistence && this.#engine === engine) {
        await this.#persistence.flush(engine, what);
        this.#channel?.postMessage({ commit: this.#persistence.store.state.commit });
      }
      if (failed) throw failure;
      return result as T;
    };
    // Across tabs, one writer at a time: a Web Lock per database (DESIGN §6).
    const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
    const run = (): Promise<T> => (this.#persistence && locks ? locks.request(`indexie:${this.name}`, body) as Promise<T> : body());
    const next = this.#writeQueue.then(run, run);
    this.#writeQueue = next.catch(() => undefined);
    return next;
  }

  /** Other tabs announce their commits; apply them between this tab's operations. */
  #listenToOtherTabs(): void {
    if (typeof BroadcastChannel === 'undefined') return;
    this.#channel = new BroadcastChannel(`indexie:${this.name}`);
    this.#channel.onmessage = () => {
      const apply = async () => {
        if (this.#engine && this.#persistence) await this.#applyOtherTabs(this.#engine);
      };
      this.#writeQueue = this.#writeQueue.then(apply, apply).catch(() => undefined);
    };
  }

  /**
   * Applies other tabs' commits to this tab's engine, and adopts a schema
   * they changed. A newer version installed by another tab fires
   * 'versionchange' and closes this connection, so it never writes with a
   * stale schema.
   */
  async #applyOtherTabs(engine: Engine): Promise<void> {
    if (!(await this.#persistence!.catchUp(engine))) return;
    const info = engine.info();
    this.#adoptSchema(info);
    if (info.version !== this.#verno) {
      await this.on('versionchange').fire({ oldVersion: this.#verno, newVersion: info.version });
      this.close();
      throw new DatabaseClosedError(`database '${this.name}' was upgraded to version ${info.version} in another tab; ` +
        'this page still declares an older schema, so it was closed: reload the page');
    }
  }

  async #engineForOperation(): Promise<Engine> {
    if (this.#upgradeEngine) return this.#upgradeEngine;
    if (this.#engine) return this.#engine;
    if (this.#closedByUser || !this.#options.autoOpen) {
      throw new DatabaseClosedError(`database '${this.name}' is closed: call db.open() first`);
    }
    await this.open();
    return this.#engine!;
  }
}
