// api/indexie.ts: Indexie, the database object users construct (Dexie's
// `Dexie` class): versions, open/close, tables as db.<table> and
// db.table(name), events, db.transaction(), and the static helpers.
//
// A facade: what a database does at run time (opening and upgrading, the
// write path, transactions and their sessions, other tabs, the tables'
// host) is db/'s, behind one Database (db/database.ts). This file makes the
// objects users hold (Table, Transaction, Version) and hands db/ the
// factories it needs, since db/ may not import api/.
//
// Size: ~435 lines: the facade's whole public surface (Dexie's statics and
// error classes, the methods, the transaction overloads, and the
// export/import/file extensions), each method a short delegation to db/ or
// portability/.
//
// Methods that are `async` here become IndexiePromise methods
// (contextualAsyncMethods, transactions/async-context.ts), as on Table.
import { engineMemoryBytes } from '../engine/engine.js';
import * as errors from '../errors.js';
import { InvalidArgumentError, InvalidTableError, SchemaError } from '../errors.js';
import { DEFAULT_MAX_CONNECTIONS, openConnections, trackConnection, untrackConnection } from './connections.js';
import { Database } from '../db/database.js';
import { liveQuery } from '../live-query/live-query.js';
import type { IndexieEventName } from '../db/state.js';
import {
  autoMayUseOpfs,
  databaseExists,
  databaseNames,
  deleteDatabase,
  idbImplementation,
  storageKind,
  type IndexieOptions,
} from '../db/storage.js';
import { exportDatabaseFile, importDatabaseFile } from '../portability/database-file.js';
import { exportDatabase, type ExportOptions } from '../portability/export-json.js';
import { importInto, parseExport, type ImportOptions } from '../portability/import-json.js';
import { checkStoredPages } from '../portability/page-store-check.js';
import { storageHealth } from '../portability/storage-health.js';
import type { IdbImplementation } from '../persistence/idb-page-store.js';
import {
  IndexiePromise,
  contextualAsyncMethods,
  currentContext,
  runOutsideContext,
  waitFor,
  type PromiseExtended,
} from '../transactions/async-context.js';
import type { EventChannel, Listener } from '../transactions/events.js';
import type { TransactionOptions } from '../transactions/transaction.js';
import { cmp } from '../values/key-compare.js';
import { SyncController } from '../sync/outbox/controller.js';
import type { SyncOptions } from '../sync/outbox/options.js';
import { Table, Transaction } from './table.js';
import type { TableArgument, TransactionModeArgument, TransactionScope } from './table-types.js';
import type { IndexableType } from './types.js';
import { Version, validateVersionNumber } from './version.js';
import { asyncFunction, spawn } from '../transactions/generators.js';
import { deepClone, shallowClone } from '../values/clone.js';
import { PropModification, add, remove, replacePrefix } from '../values/prop-modification.js';
import { delByKeyPath, getByKeyPath, setByKeyPath } from '../values/key-path.js';

export type { IndexieEventName, IndexieOptions };

/** The transaction handed to upgrade functions and populate listeners. */
export type UpgradeTransaction = Transaction;

export class Indexie {
  readonly name: string;
  static readonly minKey = -Infinity;
  /** Dexie's object helpers: getByKeyPath, setByKeyPath, delByKeyPath, shallowClone, deepClone (values/). */
  static readonly getByKeyPath = getByKeyPath;
  static readonly setByKeyPath = setByKeyPath;
  static readonly delByKeyPath = delByKeyPath;
  static readonly shallowClone = shallowClone;
  static readonly deepClone = deepClone;
  /** Dexie 4's property modifications for update specs (values/prop-modification.ts). */
  static readonly PropModification = PropModification;
  static readonly add = add;
  static readonly remove = remove;
  static readonly replacePrefix = replacePrefix;
  /** Dexie.ignoreTransaction(fn): runs fn outside the caller's transaction (its table calls are their own). */
  static ignoreTransaction<R>(scope: () => R): R {
    return runOutsideContext(scope);
  }
  /** Dexie.async(generatorFunction): runs a generator function as an async function (transactions/generators.ts). */
  static readonly async = asyncFunction;
  /** Dexie.spawn(generatorFunction, args?, thisArg?): runs a generator function now. */
  static readonly spawn = spawn;

  // The error classes, where Dexie has them (Dexie.ConstraintError: catch(Indexie.ConstraintError, fn)).
  static readonly IndexieError = errors.IndexieError;
  static readonly InvalidArgumentError = errors.InvalidArgumentError;
  static readonly ConstraintError = errors.ConstraintError;
  static readonly DataError = errors.DataError;
  static readonly NotFoundError = errors.NotFoundError;
  static readonly InvalidTableError = errors.InvalidTableError;
  static readonly NoSuchDatabaseError = errors.NoSuchDatabaseError;
  static readonly DataCloneError = errors.DataCloneError;
  static readonly SchemaError = errors.SchemaError;
  static readonly UpgradeError = errors.UpgradeError;
  static readonly VersionError = errors.VersionError;
  static readonly ReadOnlyError = errors.ReadOnlyError;
  static readonly DatabaseClosedError = errors.DatabaseClosedError;
  static readonly ConnectionLostError = errors.ConnectionLostError;
  static readonly QuotaExceededError = errors.QuotaExceededError;
  static readonly AbortError = errors.AbortError;
  static readonly TransactionInactiveError = errors.TransactionInactiveError;
  static readonly SubTransactionError = errors.SubTransactionError;
  static readonly CorruptionError = errors.CorruptionError;
  static readonly SqlError = errors.SqlError;
  static readonly InternalError = errors.InternalError;
  static readonly UnsupportedError = errors.UnsupportedError;
  static readonly TimeoutError = errors.TimeoutError;
  static readonly SyncError = errors.SyncError;
  static readonly MigrationError = errors.MigrationError;
  static readonly BulkError = errors.BulkError;
  static readonly ModifyError = errors.ModifyError;
  /** Every error name, as Dexie.errnames: errnames.Constraint === 'ConstraintError'. */
  static readonly errnames = Object.freeze({
    InvalidArgument: 'InvalidArgumentError',
    Constraint: 'ConstraintError',
    Data: 'DataError',
    NotFound: 'NotFoundError',
    InvalidTable: 'InvalidTableError',
    NoSuchDatabase: 'NoSuchDatabaseError',
    DataClone: 'DataCloneError',
    Schema: 'SchemaError',
    Upgrade: 'UpgradeError',
    Version: 'VersionError',
    ReadOnly: 'ReadOnlyError',
    DatabaseClosed: 'DatabaseClosedError',
    ConnectionLost: 'ConnectionLostError',
    QuotaExceeded: 'QuotaExceededError',
    Abort: 'AbortError',
    TransactionInactive: 'TransactionInactiveError',
    SubTransaction: 'SubTransactionError',
    Corruption: 'CorruptionError',
    Sql: 'SqlError',
    Internal: 'InternalError',
    Unsupported: 'UnsupportedError',
    Timeout: 'TimeoutError',
    Sync: 'SyncError',
    Migration: 'MigrationError',
    Bulk: 'BulkError',
    Modify: 'ModifyError',
  } as const);

  static readonly maxKey: IndexableType = [[]];
  /** IndexedDB key order: -1, 0 or 1; NaN for invalid keys (Dexie.cmp). */
  static cmp(a: unknown, b: unknown): number {
    return cmp(a, b);
  }
  /**
   * Extension: bytes of WebAssembly memory the engine holds (every open
   * database of this page shares it); 0 before the first database opens.
   */
  static engineMemoryBytes(): number {
    return engineMemoryBytes();
  }

  /** Transaction modes, as Dexie names them. */
  /** Dexie.liveQuery: the same function as the named export `liveQuery`. */
  static readonly liveQuery = liveQuery;

  static readonly Mode = Object.freeze({ READ_ONLY: 'readonly', READ_WRITE: 'readwrite' } as const);

  /** The transaction the calling code runs in, or null (Dexie.currentTransaction). */
  static get currentTransaction(): Transaction | null {
    const context = currentContext();
    return context instanceof Transaction ? context : null;
  }

  /**
   * Awaits a promise that is not indexie's (fetch, a timer) and resumes in the
   * caller's transaction: `await Indexie.waitFor(fetch(url))` inside a scope
   * keeps later `db.<table>` calls in the transaction.
   */
  static waitFor<T>(promiseOrFunction: PromiseLike<T> | (() => PromiseLike<T>), timeoutMs?: number): PromiseExtended<T> {
    return waitFor(promiseOrFunction, timeoutMs) as PromiseExtended<T>;
  }

  /** Dexie's db.use(middleware): DBCore middleware is not supported; an UnsupportedError, never ignored. */
  use(middleware: unknown): never {
    void middleware;
    throw new errors.UnsupportedError('db.use(): DBCore middleware is not supported by indexie (it has no DBCore)');
  }

  /** Names of the indexie databases in this origin's IndexedDB. */
  /** The names of the databases; as Dexie, a callback argument gets them and the promise resolves to what it returns. */
  static getDatabaseNames(options?: IndexieOptions): PromiseExtended<string[]>;
  static getDatabaseNames<R>(thenShortcut: (names: string[]) => R | PromiseLike<R>): PromiseExtended<R>;
  static getDatabaseNames(optionsOrCallback: IndexieOptions | ((names: string[]) => unknown) = {}): Promise<unknown> {
    if (typeof optionsOrCallback === 'function') return IndexiePromise.of(databaseNames({})).then(optionsOrCallback);
    return IndexiePromise.of(databaseNames(optionsOrCallback));
  }

  /** Deletes a database (from IndexedDB when there is one, and from memory). */
  static delete(name: string, options?: IndexieOptions | IdbImplementation): PromiseExtended<void>;
  static async delete(name: string, options: IndexieOptions | IdbImplementation = {}): Promise<void> {
    await deleteDatabase(name, options);
  }

  /** Whether a database of this name exists. */
  static exists(name: string, options?: IndexieOptions): PromiseExtended<boolean>;
  static async exists(name: string, options: IndexieOptions = {}): Promise<boolean> {
    return databaseExists(name, options);
  }

  readonly #versions: Version[] = [];
  readonly #tables = new Map<string, Table>();
  readonly #db: Database;

  constructor(name: string, options: IndexieOptions = {}) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError('new Indexie(name): the name must be a non-empty string');
    }
    this.name = name;
    this.#db = new Database(name, options, this.#versions, {
      db: this,
      // Every parent db/ passes is a transaction this factory made.
      newTransaction: (backend, mode, storeNames, init) =>
        new Transaction(backend, mode, storeNames, init as ConstructorParameters<typeof Transaction>[3]),
      newTable: (table, host) => new Table(table, host),
      tablesAdopted: (names) => {
        for (const table of names) this.#defineTableProperty(table);
      },
      close: () => this.close(),
    });
    // Indexie.connections (api/connections.ts): this database is listed while it is open.
    const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.on('ready', () => trackConnection(this, maxConnections), true);
    this.#db.on('close').subscribe(() => untrackConnection(this));
  }

  /** The open databases of this page or worker, oldest first (Dexie.connections). */
  static get connections(): Indexie[] {
    return openConnections<Indexie>();
  }

  /** Whether this database is persisted (in IndexedDB or OPFS; else it lives in memory only). */
  get persistent(): boolean {
    return this.#db.persistent;
  }

  /** The version of the open database (the highest declared one before it opens). */
  get verno(): number {
    return this.#db.verno;
  }

  version(n: number): Version {
    validateVersionNumber(n);
    if (this.#db.openedOrOpening) {
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
  /** db.on('ready', fn, sticky): a sticky ready subscriber runs at every open, not only the next (db/ready.ts). */
  on(event: 'ready', listener: Listener, sticky: boolean): void;
  on(event: IndexieEventName, listener?: Listener, sticky?: boolean): EventChannel | void {
    const channel = this.#db.on(event);
    if (!listener) return channel;
    if (event === 'ready')
      (channel as EventChannel & { subscribe(listener: Listener, sticky?: boolean): void }).subscribe(listener, sticky);
    else channel.subscribe(listener);
  }

  isOpen(): boolean {
    return this.#db.isOpen;
  }

  hasBeenClosed(): boolean {
    return this.#db.closedByUser;
  }

  get tables(): Table[] {
    return this.#db.tableNames().map((name) => this.table(name));
  }

  /** The table `name`; db.table<User, number>('users') types it (as Dexie's table<T, TKey, TInsertType>). */
  table<T = any, TKey = any, TInsertType = T>(name: string): Table<T, TKey, TInsertType> {
    if (!this.#db.mayHaveTable(name)) {
      throw new InvalidTableError(`table '${name}' does not exist in database '${this.name}'`);
    }
    return this.#tableObject(name);
  }

  open(): PromiseExtended<this> {
    return IndexiePromise.of(this.#db.open().then(() => this));
  }

  /**
   * Closes the database: operations that have not started fail with
   * DatabaseClosedError. A write being saved (or a transaction or sliced
   * write under way) finishes and is saved first, as IndexedDB lets a
   * running transaction complete: a write that resolves is stored, always.
   * As Dexie: later operations fail with DatabaseClosedError until open()
   * is called, unless `disableAutoOpen: false`, after which the next
   * operation opens it again (with autoOpen).
   */
  close(options: { disableAutoOpen?: boolean } = {}): void {
    this.#db.close(options.disableAutoOpen === false);
  }

  /**
   * Extension: syncs `options.tables` with a REST server (or the app's own
   * push/pull functions): an outbox of local writes, pulls with cursors,
   * conflict strategies. Capture starts at once: call it before writing.
   * See README "Sync with a REST server" and js/src/sync/outbox/.
   */
  sync(options: SyncOptions): SyncController {
    return new SyncController(this.#db.syncHost(), options);
  }

  /**
   * Extension: SQLite's integrity check of the engine's database file, and
   * (when persisted) a check that IndexedDB holds every stored page and
   * commit (portability/page-store-check.ts). Resolves [] when both are
   * sound, else the problems, each saying what is lost; with
   * `throwIfDamaged`, rejects with a CorruptionError listing them instead.
   */
  checkIntegrity(options?: { throwIfDamaged?: boolean }): PromiseExtended<string[]>;
  async checkIntegrity(options: { throwIfDamaged?: boolean } = {}): Promise<string[]> {
    const engine = await this.#db.engineForOperation();
    const rows = (await engine.executeSql('PRAGMA integrity_check')).rows.map((row) => String(row[0]));
    const problems = rows.length === 1 && rows[0] === 'ok' ? [] : rows;
    const idb = this.#db.idb;
    if (idb) problems.push(...(await checkStoredPages(idb, this.name)));
    if (problems.length > 0 && options.throwIfDamaged) {
      throw new errors.CorruptionError(`database '${this.name}' is damaged: ${problems.join('; ')}`);
    }
    return problems;
  }

  // --- Bringing data in and out (portability/) -----------------------------
  // Export and import use the public API (this object, as a PortableDatabase).

  /** The whole database as JSON (dexie-export-import's shape), read in slices: see portability/export-json.ts. */
  export(options?: ExportOptions): PromiseExtended<Blob>;
  async export(options: ExportOptions = {}): Promise<Blob> {
    return exportDatabase(this, options);
  }

  /** Imports an export into this database, in one transaction: see portability/import-json.ts. */
  import(file: Blob, options?: ImportOptions): PromiseExtended<void>;
  async import(file: Blob, options: ImportOptions = {}): Promise<void> {
    await importInto(this, await parseExport(file), options);
  }

  /**
   * Creates a database from an export (named as in the file, or `options.name`),
   * with the file's schema and version; resolves to it, open. An existing
   * database of the name is an InvalidArgumentError (import into it with db.import()).
   */
  static import(file: Blob, options?: IndexieOptions & ImportOptions & { name?: string }): PromiseExtended<Indexie>;
  static async import(file: Blob, options: IndexieOptions & ImportOptions & { name?: string } = {}): Promise<Indexie> {
    const parsed = await parseExport(file);
    const { name, clearTablesBeforeImport, acceptMissingTables, onProgress, ...databaseOptions } = options;
    const dbName = name ?? parsed.header.databaseName;
    if (await databaseExists(dbName, databaseOptions)) {
      throw new InvalidArgumentError(`database '${dbName}' already exists: import into it with db.import(), or delete it first`);
    }
    const db = new Indexie(dbName, databaseOptions);
    db.version(parsed.header.databaseVersion).stores(Object.fromEntries(parsed.header.tables.map((t) => [t.name, t.schema])));
    await importInto(db, parsed, { clearTablesBeforeImport, acceptMissingTables, onProgress });
    return db;
  }

  /** The raw SQLite database file (see README, "The database file"), one committed state. */
  exportFile(): PromiseExtended<Blob>;
  async exportFile(): Promise<Blob> {
    return exportDatabaseFile(this, () => this.#db.engineForOperation());
  }

  /**
   * Creates database `name` from a file db.exportFile() made (checked first:
   * header, page size, indexie's schema, SQLite's integrity check), stored in
   * one IndexedDB transaction; resolves to it, open.
   */
  static importFile(name: string, file: Blob | ArrayBuffer | Uint8Array, options?: IndexieOptions): PromiseExtended<Indexie>;
  static async importFile(name: string, file: Blob | ArrayBuffer | Uint8Array, options: IndexieOptions = {}): Promise<Indexie> {
    const storage =
      autoMayUseOpfs(options) && !(await databaseExists(name, { ...options, storage: 'indexeddb' })) ? 'opfs' : storageKind(options);
    await importDatabaseFile(name, file, storage === 'indexeddb' ? idbImplementation(options) : undefined, storage === 'opfs');
    const db = new Indexie(name, options);
    await db.open();
    return db;
  }

  /** The origin's storage: persisted(), estimate(), persist(), status() (navigator.storage where there is one). */
  get storage(): typeof storageHealth {
    return storageHealth;
  }

  /**
   * Extension: the size in bytes of the database file (the pages the engine
   * holds in memory and IndexedDB stores), committed state.
   */
  fileSize(): PromiseExtended<number>;
  async fileSize(): Promise<number> {
    const engine = await this.#db.engineForOperation();
    const [pages, pageSize] = await Promise.all(
      ['page_count', 'page_size'].map(async (pragma) => Number((await engine.executeSql(`PRAGMA ${pragma}`)).rows[0][0])),
    );
    return pages * pageSize;
  }

  /**
   * Closes and deletes this database, from IndexedDB and from memory. Other
   * pages that have it open get 'versionchange' and close; while one does
   * not, 'blocked' fires here.
   */
  delete(): PromiseExtended<void>;
  async delete(): Promise<void> {
    await this.#db.delete();
  }

  /**
   * db.transaction(mode, tables..., scope, options?): runs `scope(tx)`; its
   * table calls (through tx or through db.<table>, also after awaiting
   * indexie's promises) belong to the transaction. Resolves to the scope's
   * result once the commit is durable; a throw or rejection in the scope
   * rolls everything back and rejects with that error.
   */
  transaction<R>(
    mode: TransactionModeArgument,
    tables: TableArgument,
    scope: TransactionScope<this, R>,
    options?: TransactionOptions,
  ): PromiseExtended<R>;
  transaction<R>(
    mode: TransactionModeArgument,
    table1: TableArgument,
    table2: TableArgument,
    scope: TransactionScope<this, R>,
    options?: TransactionOptions,
  ): PromiseExtended<R>;
  transaction<R>(
    mode: TransactionModeArgument,
    table1: TableArgument,
    table2: TableArgument,
    table3: TableArgument,
    scope: TransactionScope<this, R>,
    options?: TransactionOptions,
  ): PromiseExtended<R>;
  transaction<R>(
    mode: TransactionModeArgument,
    table1: TableArgument,
    table2: TableArgument,
    table3: TableArgument,
    table4: TableArgument,
    scope: TransactionScope<this, R>,
    options?: TransactionOptions,
  ): PromiseExtended<R>;
  transaction<R>(
    mode: TransactionModeArgument,
    table1: TableArgument,
    table2: TableArgument,
    table3: TableArgument,
    table4: TableArgument,
    table5: TableArgument,
    scope: TransactionScope<this, R>,
    options?: TransactionOptions,
  ): PromiseExtended<R>;
  transaction<R>(mode: string, ...rest: unknown[]): PromiseExtended<R> {
    return this.#db.transaction([mode, ...rest]) as PromiseExtended<R>;
  }

  /**
   * An explicit read-write transaction over `tables` (for table.startTransaction):
   * operations go through tx.table(name); commit() or rollback() ends it.
   */
  startTransaction(tables: readonly string[], options: TransactionOptions = {}): Transaction {
    // db/ makes every transaction through the factory above: it is a Transaction.
    return this.#db.startTransaction(tables, options) as Transaction;
  }

  #defineDeclaredTables(): void {
    for (const name of this.#db.declaredTableNames()) this.#defineTableProperty(name);
  }

  #tableObject(name: string): Table {
    let table = this.#tables.get(name);
    if (!table) {
      table = new Table(name, this.#db.tableHost(name));
      this.#tables.set(name, table);
    }
    return table;
  }

  /** db.<tableName>, unless the name is taken by the API itself (then use db.table(name)). */
  #defineTableProperty(name: string): void {
    const own = Object.getOwnPropertyDescriptor(this, name);
    // `users!: EntityTable<User, 'id'>` in a subclass is, under ES2022 class fields (TypeScript's
    // default for such targets, esbuild, Vite), an own property holding undefined: a typing, not a value.
    const typingField = own !== undefined && 'value' in own && own.value === undefined && own.configurable === true;
    if (name in this && !typingField) return;
    Object.defineProperty(this, name, { get: () => this.#tableObject(name), enumerable: true, configurable: true });
  }
}

contextualAsyncMethods(Indexie.prototype);
