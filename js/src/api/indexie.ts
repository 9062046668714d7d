// api/indexie.ts: Indexie, the database object (Dexie's `Dexie` class):
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
// Upgrade functions and populate listeners run in the upgrade transaction's
// context (async-context.ts): their table calls join it; calls from other
// code wait until the database is open.
//
// Writes: every read-write unit (a transaction, or one write outside any)
// takes this page's exclusive lock on the database (lock-manager.ts), then the database's Web Lock across tabs, catches up
// with other tabs' commits, and flushes to IndexedDB before it resolves.
// Reads outside a transaction answer from the live state, except while a
// standard (non-optimistic) transaction is open: then they read the
// committed state through a second engine connection on the same file.
//
// Live queries (live-query.ts) hear of every change when it becomes visible
// to readers: a write or standard commit right after the engine commits
// (before the flush; again if the flush fails and the engine reverts), an
// optimistic transaction's writes as they are made and again at rollback,
// other tabs' commits when applied here. Reads made for a live query record
// what they read (recording-engine.ts).
import { Engine, engineMemoryBytes, type EngineInfo } from '../engine.js';
import { IdbPageStore, type Durability, type IdbImplementation } from '../persistence/idb-page-store.js';
import { Persistence } from '../persistence/persistence.js';
import { cmp } from '../values/key-compare.js';
import {
  BulkError, DatabaseClosedError, IndexieError, InvalidArgumentError, InvalidTableError, NoSuchDatabaseError, ReadOnlyError,
  SchemaError, SubTransactionError, UpgradeError, VersionError,
  inOperation,
} from '../errors.js';
import { IndexiePromise, callInContext, contextualAsyncMethods, currentContext, inCallerContext, postTask } from '../transactions/async-context.js';
import { LockManager as TableLocks } from '../transactions/lock-manager.js';
import type { Change, TransactionBackend, TransactionOptions, TransactionSession } from '../transactions/transaction.js';
import { parseTransactionArgs, type TransactionRequest } from '../transactions/transaction-args.js';
import { hookedEngine } from '../hooks/hooked-engine.js';
import { Strategy, TableHooks } from '../hooks/table-hooks.js';
import { LiveQueryRun, notifyChanges, readRecorderFor } from '../live-query/live-query.js';
import { recordingEngine } from '../live-query/recording-engine.js';
import { TabWriteLock } from '../persistence/tab-write-lock.js';

/**
 * Every unit locks the whole database ('*'): read-write units (a transaction,
 * or one write outside any) exclusively, since the engine has one writer
 * and a unit first applies other tabs' commits, which touch every table;
 * read-only transactions shared, so they see one state throughout.
 */
const ALL = ['*'];

/** The Web Locks API where the runtime has one (browsers; not Node). */
function webLocks(): LockManager | undefined {
  return (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
}

function idbImplementation(options: { indexedDB?: IDBFactory | null; IDBKeyRange?: typeof IDBKeyRange }): IdbImplementation | undefined {
  if (options.indexedDB === null) return undefined;
  const indexedDB = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  const keyRange = options.IDBKeyRange ?? (globalThis as { IDBKeyRange?: typeof IDBKeyRange }).IDBKeyRange;
  return indexedDB && keyRange ? { indexedDB, IDBKeyRange: keyRange } : undefined;
}
import { EventChannel, type Listener } from '../transactions/events.js';
import { Table, Transaction, type TableHost } from './table.js';
import type { TableArgument, TransactionModeArgument, TransactionScope } from './table-types.js';
import type { IndexableType } from './types.js';
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
export type UpgradeTransaction = Transaction;

/** A bulk write of more items than this is sliced (#writeSliced). */
const SLICED_ABOVE_ITEMS = 1000;
/** The first slice's size (later ones follow the measured rate); small, as the first may run cold. */
const FIRST_SLICE_ITEMS = 200;
/** What one slice of a long write aims to take, in ms (well under the 50 ms of a "long task"). */
const SLICE_MS = 16;

/** Numbers the engine files of persisted databases (see #loadFromIndexedDb). */
let nextEngineFileSerial = 1;

export class Indexie {
  readonly name: string;
  static readonly minKey = -Infinity;
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
  static readonly Mode = Object.freeze({ READ_ONLY: 'readonly', READ_WRITE: 'readwrite' } as const);

  /** The transaction the calling code runs in, if any (Dexie.currentTransaction). */
  static get currentTransaction(): Transaction | undefined {
    const context = currentContext();
    return context instanceof Transaction ? context : undefined;
  }

  /**
   * Awaits a promise that is not indexie's (fetch, a timer) and resumes in the
   * caller's transaction: `await Indexie.waitFor(fetch(url))` inside a scope
   * keeps later `db.<table>` calls in the transaction.
   */
  static waitFor<T>(promiseOrFunction: PromiseLike<T> | (() => PromiseLike<T>)): Promise<T> {
    const promise = typeof promiseOrFunction === 'function' ? promiseOrFunction() : promiseOrFunction;
    return IndexiePromise.of(Promise.resolve(promise));
  }

  readonly #options: { autoOpen: boolean; durability: Durability; pagesPerRecord: number | undefined };
  readonly #idb: IdbImplementation | undefined;
  #persistence: Persistence | undefined;
  /** Where each engine this instance opened stores its commits (#flush; outlives close() until units end). */
  readonly #persistenceOf = new WeakMap<Engine, Persistence>();
  /** Read-write units holding the write lock (#acquireWrite), and what close() left for when they end. */
  #unitsInFlight = 0;
  /** See CollectionHost.readEpoch. */
  #readEpoch = 0;
  readonly #afterUnits: Array<() => void> = [];
  /** The engine's in-memory file of this instance (see #loadFromIndexedDb). */
  #fileName: string;
  readonly #locks = new TableLocks();
  /** Hooks per table name, shared by every Table object of that table. */
  readonly #hooks = new Map<string, TableHooks>();
  /** The committed-state connection, open while standard transactions need it. */
  #reader: Promise<Engine> | undefined;
  /** The live query run a transaction was opened in (its reads are recorded for it). */
  readonly #liveRuns = new WeakMap<Transaction, LiveQueryRun>();
  /** Open standard (non-optimistic) read-write transactions: 0 or 1, the engine has one writer. */
  #standardOpen = 0;
  #channel: BroadcastChannel | undefined;
  /** The database's Web Lock, kept between this tab's writes (tab-write-lock.ts). */
  #writeLock: TabWriteLock | undefined;
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
    // An in-memory database's file is the database itself, shared by name; a persisted one
    // gets a file of its own at each open (#loadFromIndexedDb).
    this.#fileName = name;
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

  /** The table `name`; db.table<User, number>('users') types it (as Dexie's table<T, TKey, TInsertType>). */
  table<T = any, TKey = any, TInsertType = T>(name: string): Table<T, TKey, TInsertType> {
    const known = this.#engine || this.#upgradeEngine ? this.#schemas.has(name) : this.#declaredTableNames().has(name);
    if (!known && (this.#engine || this.#versions.length > 0)) {
      throw new InvalidTableError(`table '${name}' does not exist in database '${this.name}'`);
    }
    return this.#tableObject(name);
  }

  open(): Promise<this> {
    return IndexiePromise.of(this.#open());
  }

  #open(): Promise<this> {
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

  /**
   * Closes the database: operations that have not started fail with
   * DatabaseClosedError. A write being saved (or a transaction or sliced
   * write under way) finishes and is saved first, as IndexedDB lets a
   * running transaction complete: a write that resolves is stored, always.
   */
  close(): void {
    this.#closedByUser = true;
    const engine = this.#engine;
    const persistence = this.#persistence;
    const writeLock = this.#writeLock;
    const channel = this.#channel;
    this.#engine = undefined;
    this.#opening = undefined;
    this.#persistence = undefined;
    this.#writeLock = undefined;
    this.#channel = undefined;
    this.#dropReader();
    const fileName = this.#fileName;
    const release = (): void => {
      if (persistence) {
        // IndexedDB holds the data: drop the in-memory copy (handles still open elsewhere keep theirs).
        void Engine.deleteFile(fileName);
      }
      persistence?.close();
      writeLock?.close();
      channel?.close();
      engine?.close();
    };
    if (this.#unitsInFlight > 0) this.#afterUnits.push(release);
    else release();
    if (engine) void this.on('close').fire();
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

  /**
   * Extension: the size in bytes of the database file (the pages the engine
   * holds in memory and IndexedDB stores), committed state.
   */
  async fileSize(): Promise<number> {
    const engine = await this.#engineForOperation();
    const [pages, pageSize] = ['page_count', 'page_size'].map((pragma) => Number(engine.executeSql(`PRAGMA ${pragma}`).rows[0][0]));
    return pages * pageSize;
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
    // Let running transactions and writes finish first.
    const release = await this.#locks.acquire('exclusive', ALL, `deleting database '${this.name}'`);
    release();
    this.close();
    if (this.#idb) await IdbPageStore.delete(this.#idb, this.name, () => void this.on('blocked').fire());
    await Engine.deleteFile(this.#fileName);
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

  // --- Transactions ---------------------------------------------------------

  /**
   * db.transaction(mode, tables..., scope, options?): runs `scope(tx)`; its
   * table calls (through tx or through db.<table>, also after awaiting
   * indexie's promises) belong to the transaction. Resolves to the scope's
   * result once the commit is durable; a throw or rejection in the scope
   * rolls everything back and rejects with that error.
   */
  transaction<R>(mode: TransactionModeArgument, tables: TableArgument, scope: TransactionScope<this, R>, options?: TransactionOptions): Promise<R>;
  transaction<R>(mode: TransactionModeArgument, table1: TableArgument, table2: TableArgument, scope: TransactionScope<this, R>, options?: TransactionOptions): Promise<R>;
  transaction<R>(mode: TransactionModeArgument, table1: TableArgument, table2: TableArgument, table3: TableArgument,
                 scope: TransactionScope<this, R>, options?: TransactionOptions): Promise<R>;
  transaction<R>(mode: TransactionModeArgument, table1: TableArgument, table2: TableArgument, table3: TableArgument, table4: TableArgument,
                 scope: TransactionScope<this, R>, options?: TransactionOptions): Promise<R>;
  transaction<R>(mode: TransactionModeArgument, table1: TableArgument, table2: TableArgument, table3: TableArgument, table4: TableArgument,
                 table5: TableArgument, scope: TransactionScope<this, R>, options?: TransactionOptions): Promise<R>;
  transaction<R>(mode: string, ...rest: unknown[]): Promise<R> {
    const caller = this.#contextTransaction();
    const context = currentContext();
    const liveRun = context instanceof LiveQueryRun ? context : undefined;
    let request: TransactionRequest;
    try {
      request = parseTransactionArgs([mode, ...rest]);
      if (liveRun && request.mode === 'readwrite') {
        throw new ReadOnlyError('a live query only reads: its querier cannot open a read-write transaction');
      }
    } catch (error) {
      return Promise.reject(error);
    }
    // Open: the lock is requested synchronously, so transactions start in call order.
    const started = this.#engine || caller?.upgrade ? this.#transaction(request, caller, liveRun)
      : this.#engineForOperation().then(() => this.#transaction(request, caller, liveRun));
    return IndexiePromise.of(started as Promise<R>);
  }

  async #transaction(request: TransactionRequest, caller: Transaction | undefined, liveRun: LiveQueryRun | undefined): Promise<unknown> {
    for (const table of request.tables) this.#schemaOf(table);
    const parent = request.nesting === '!' || !caller?.active ? undefined : caller;
    if (parent) {
      const missing = parent.upgrade ? [] : request.tables.filter((t) => !parent.storeNames.includes(t));
      const modeFits = request.mode === 'readonly' || parent.mode === 'readwrite';
      if (modeFits && missing.length === 0) return this.#runChild(parent, request);
      if (request.nesting === '') {
        throw new SubTransactionError(modeFits
          ? `a nested transaction cannot add tables its parent lacks (${missing.join(', ')}): name them in the parent, or use mode '${request.mode === 'readonly' ? 'r' : 'rw'}!' for an independent transaction`
          : `a read-write transaction cannot be nested in a read-only one: open the parent with 'rw', or use 'rw!' for an independent transaction`);
      }
    }
    const tx = new Transaction(this.#transactionBackend, request.mode, request.tables, { optimistic: request.options.optimistic });
    if (liveRun) this.#liveRuns.set(tx, liveRun);
    await tx.start();
    let result: unknown;
    try {
      result = await this.#runScope(tx, request.scope);
    } catch (error) {
      tx.abort(error);
      throw error;
    }
    if (tx.state === 'aborted') throw tx.error;
    await tx.commit();
    return result;
  }

  async #runChild(parent: Transaction, request: TransactionRequest): Promise<unknown> {
    const child = new Transaction(this.#transactionBackend, request.mode, request.tables, { parent });
    try {
      return await this.#runScope(child, request.scope);
    } catch (error) {
      child.abort(error);  // as in Dexie, a failed child aborts the whole transaction
      throw error;
    }
  }

  /** Runs the scope in the transaction's context (a fresh task: see async-context.ts). */
  async #runScope(tx: Transaction, scope: (tx: Transaction) => unknown): Promise<unknown> {
    return callInContext(tx, () => scope(tx));
  }

  /**
   * An explicit read-write transaction over `tables` (for table.startTransaction):
   * operations go through tx.table(name); commit() or rollback() ends it.
   */
  startTransaction(tables: readonly string[], options: TransactionOptions = {}): Transaction {
    if (this.#engine) for (const table of tables) this.#schemaOf(table);
    const tx = new Transaction(this.#transactionBackend, 'readwrite', tables, { optimistic: options.optimistic });
    tx.start().catch((error) => tx.abort(error));
    return tx;
  }

  /** The caller's transaction on this database (also once it has ended: its operations then fail). */
  #contextTransaction(): Transaction | undefined {
    const context = currentContext();
    return context instanceof Transaction && context.db === this ? context : undefined;
  }

  readonly #transactionBackend: TransactionBackend = {
    db: this,
    startSession: (tx) => this.#startSession(tx as Transaction),
    boundTable: (tx, name) => new Table(name, this.#host(name, tx as Transaction)),
    hasTable: (name) => this.#schemas.has(name),
  };

  async #startSession(tx: Transaction): Promise<TransactionSession> {
    const owner = `transaction('${tx.mode}', ${tx.storeNames.join(', ')})`;
    if (tx.mode === 'readonly') {
      // Shared: no write and no other tab's commit lands while it runs.
      const release = await this.#locks.acquire('shared', ALL, owner);
      return { engine: () => this.#committedView(), beforeCommit: async () => undefined, commit: async () => release(), rollback: release };
    }
    const release = await this.#acquireWrite(owner);
    let engine: Engine;
    try {
      engine = await this.#engineForOperation();
      engine.begin();
    } catch (error) {
      release();
      throw error;
    }
    // The engine transaction is open until commit or rollback; the locks are held until both end and the flush.
    let open = true;
    if (!tx.optimistic) this.#standardOpen++;
    const close = (): void => {
      if (!open) return;
      open = false;
      if (!tx.optimistic) this.#standardOpen--;
    };
    // Changes an optimistic transaction made visible so far (live queries have seen them).
    const shown: Uint8Array[] = [];
    return {
      engine: () => engine,
      beforeCommit: (committing) => this.#runAsyncHooks(committing.changes),
      afterWrite: () => {
        if (!tx.optimistic || !engine.isOpen) return;
        const changes = engine.takeChanges();
        if (!changes) return;
        shown.push(changes);
        this.#changed(changes);
      },
      commit: async () => {
        try {
          engine.commit();
          close();
          const rest = engine.takeChanges();
          this.#changed(rest);
          await this.#flush(engine, owner, rest ? [...shown, rest] : shown);
        } finally {
          close();
          release();
        }
      },
      rollback: () => {
        try {
          if (open && engine.isOpen) {
            engine.rollback();
            const unseen = engine.takeChanges();
            // What was shown disappears again; what a standard transaction wrote nobody saw.
            if (tx.optimistic) this.#changed(...shown, unseen);
          }
        } finally {
          close();
          release();
        }
      },
    };
  }

  /**
   * A write outside any transaction on a table with hooks: a transaction of
   * its own, optimistic for LOCAL_FIRST (visible while the async hooks run,
   * rolled back if one fails), standard for NETWORK_FIRST (seen by nobody
   * until the hooks succeeded). As outside transactions, a BulkError keeps
   * the items that were written.
   */
  async #writeWithHooks<R>(table: string, hooks: TableHooks, operation: (tx: Transaction) => (engine: Engine) => R): Promise<R> {
    const tx = new Transaction(this.#transactionBackend, 'readwrite', [table], { optimistic: hooks.strategy === Strategy.LOCAL_FIRST });
    await tx.start();
    let result: R | undefined;
    let bulkError: unknown;
    try {
      result = await tx.run(table, true, operation(tx));
    } catch (error) {
      if (!(error instanceof BulkError)) {
        tx.abort(error);
        throw error;
      }
      bulkError = error;
    }
    await tx.commit();
    if (bulkError) throw bulkError;
    return result as R;
  }

  /** indexie's async hooks of every change, in order; the first rejection aborts the commit. */
  async #runAsyncHooks(changes: readonly Change[]): Promise<void> {
    for (const change of changes) {
      const hooks = this.#hooks.get(change.table);
      if (!hooks) continue;
      // Hooks run outside any transaction (their reads see what other readers see).
      for (const hook of hooks.asyncHooksFor(change.type)) await callInContext(null, () => hook({ ...change }));
    }
  }

  /**
   * The exclusive lock of a read-write unit: this page's lock, then the Web
   * Lock across tabs, then the other tabs' commits applied. Resolves with the
   * function that releases both locks.
   */
  async #acquireWrite(owner: string): Promise<() => void> {
    const releaseLocal = await this.#locks.acquire('exclusive', ALL, owner);
    const writeLock = this.#writeLock;
    try {
      // Another tab may have committed since this tab last looked: apply that
      // first, unless this tab kept the lock since its last write (then nobody could).
      const fresh = writeLock ? await writeLock.acquire() : true;
      if (fresh && this.#persistence && this.#engine) await this.#applyOtherTabs(this.#engine);
    } catch (error) {
      writeLock?.abandonUnit();
      releaseLocal();
      throw error;
    }
    this.#unitsInFlight++;
    this.#readEpoch++;  // the unit may change the engine (or, for a transaction, where readers go)
    return () => {
      writeLock?.endUnit();
      releaseLocal();
      if (--this.#unitsInFlight === 0) for (const release of this.#afterUnits.splice(0)) release();
    };
  }

  /**
   * Makes the engine's committed changes durable and tells other tabs;
   * `changes` (change_set.h bytes) go into the commit's log entry for their
   * live queries. If storing fails, the engine reverts, and live queries
   * here hear of `changes` again.
   */
  async #flush(engine: Engine, what: string, changes: readonly Uint8Array[]): Promise<void> {
    // The engine's own persistence: also after close(), which waits for this unit (see close()).
    const persistence = this.#persistenceOf.get(engine);
    if (!persistence) {
      // In memory only: nothing will ever revert to the last checkpoint, so
      // move it, or the VFS would keep a copy of every page changed since open.
      if (engine.isOpen) engine.checkpoint();
      return;
    }
    try {
      await persistence.flush(engine, what, changes);
    } catch (error) {
      this.#dropReader();  // the file went back to its last checkpoint
      this.#changed(...changes);
      throw error;
    }
    this.#channel?.postMessage({ commit: persistence.store.state.commit });
  }

  /** Data changed (`changes`: change sets, null for anything): live queries hear of it, sliced reads restart. */
  #changed(...changes: Array<Uint8Array | null | undefined>): void {
    this.#readEpoch++;
    notifyChanges(this.name, ...changes);
  }

  /** The engine that shows committed state (plus any optimistic transaction's writes). */
  async #committedView(): Promise<Engine> {
    const engine = await this.#engineForOperation();
    if (this.#standardOpen === 0) return engine;
    this.#reader ??= Engine.open(this.#fileName);
    return this.#reader;
  }

  #dropReader(): void {
    const reader = this.#reader;
    this.#reader = undefined;
    void reader?.then((engine) => engine.close(), () => undefined);
  }

  // --- Opening --------------------------------------------------------------

  async #openEngine(): Promise<void> {
    // Loading, upgrading and the first flush happen under the database's Web
    // Lock, so no other tab commits in between.
    const locks = webLocks();
    if (this.#idb && locks) {
      // A tab keeping the lock between its writes gives it up when asked (tab-write-lock.ts).
      if (typeof BroadcastChannel !== 'undefined') {
        const channel = new BroadcastChannel(`indexie:${this.name}`);
        channel.postMessage({ want: true });
        channel.close();
      }
      await locks.request(`indexie:${this.name}`, () => this.#openEngineLocked());
    }
    else await this.#openEngineLocked();
    await this.on('ready').fire(this);
  }

  async #openEngineLocked(): Promise<void> {
    const persistence = this.#idb ? await this.#loadFromIndexedDb() : undefined;
    if (!persistence && this.#versions.length === 0 && !(await Engine.exists(this.name))) throw this.#noSuchDatabase();
    let engine: Engine | undefined;
    try {
      engine = await Engine.open(this.#fileName);
      const installed = engine.info();
      if (this.#versions.length > 0) await this.#installDeclaredSchema(engine, installed);
      // Nobody has read this database yet: what installing the schema logged concerns no live query.
      engine.takeChanges();
      await persistence?.flush(engine, `opening database '${this.name}'`, []);
      const info = engine.info();
      this.#adoptSchema(info);
      this.#verno = info.version;
      this.#engine = engine;
      this.#persistence = persistence;
      if (persistence) this.#persistenceOf.set(engine, persistence);
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
    // A persisted database's engine file is this open's own copy of what IndexedDB holds: two
    // instances of one name in a page (a hot module reload, two libraries) relate as two tabs do
    // (Web Lock, BroadcastChannel, catch-up) and never load over each other's file; nor does a
    // reopen over the file a closed connection's last write is still saving from (see close()).
    this.#fileName = `${this.name}\u0001${nextEngineFileSerial++}`;
    if (created) {
      await Engine.deleteFile(this.#fileName);
    } else {
      await Engine.loadFile(this.#fileName, file.state.fileSize, file.pages);
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
    const upgrade = new Transaction(this.#transactionBackend, 'readwrite', [], {
      upgrade: true,
      session: { engine: () => engine, beforeCommit: async () => undefined, commit: async () => undefined, rollback: () => undefined },
    });
    try {
      if (installed.version === 0) {
        engine.setSchema(schemaAt(this.#versions, target));
        this.#adoptSchema(engine.info());
        await this.#runScope(upgrade, () => this.on('populate').fire(upgrade));
      } else {
        await this.#runUpgrades(engine, installed.version, upgrade);
      }
      await upgrade.commit();
      engine.setVersion(target);
      engine.commit();
    } catch (error) {
      upgrade.abort(error);
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

  async #runUpgrades(engine: Engine, from: number, upgrade: Transaction): Promise<void> {
    const steps = [...this.#versions].sort((a, b) => a.number - b.number).filter((v) => v.number > from);
    for (const version of steps) {
      const before = Object.fromEntries(Object.values(engine.info().tables).map((t) => [t.name, t.spec]));
      const after = schemaAt(this.#versions, version.number);
      // Tables this version deletes stay readable while its upgrade function runs.
      engine.setSchema({ ...before, ...after });
      this.#adoptSchema(engine.info());
      const upgradeFunction = version.upgradeFunction;
      if (upgradeFunction) await this.#runScope(upgrade, () => upgradeFunction(upgrade));
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
      table = new Table(name, this.#host(name));
      this.#tables.set(name, table);
    }
    return table;
  }

  #adoptSchema(info: EngineInfo): void {
    this.#dropReader();  // it caches the schema it opened with
    this.#schemas = new Map(Object.values(info.tables).map((t) => [t.name, new TableSchema(t)]));
    for (const name of this.#schemas.keys()) this.#defineTableProperty(name);
  }

  #defineDeclaredTables(): void {
    for (const name of this.#declaredTableNames()) this.#defineTableProperty(name);
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

  /**
   * What table `name` runs on: its operations join `bound` if given (tables
   * of tx.table()), else the caller's transaction, else run on their own.
   * Every promise settles in the caller's context (async-context.ts).
   */
  #host(name: string, bound?: Transaction): TableHost {
    const transaction = (): Transaction | undefined => bound ?? this.#contextTransaction();
    const tableHooks = (): TableHooks => {
      let table = this.#hooks.get(name);
      if (!table) this.#hooks.set(name, table = new TableHooks());
      return table;
    };
    const host: TableHost = {
      engine: () => {
        const tx = transaction();
        if (tx) return inCallerContext(tx.run(name, false, (engine) => this.#forReading(engine, this.#liveRuns.get(tx.root) ?? tx)));
        const context = currentContext();
        // Open, no standard transaction: the live engine, settling in this very turn (so in the caller's context).
        if (this.#engine && this.#standardOpen === 0) return Promise.resolve(this.#forReading(this.#engine, context));
        return inCallerContext(this.#committedView().then((engine) => this.#forReading(engine, context)));
      },
      write: (operation, what, options) => {
        if (currentContext() instanceof LiveQueryRun) {
          return Promise.reject(new ReadOnlyError(`a live query only reads, but its querier called ${what}`));
        }
        const tx = transaction();
        const hooks = options?.silent ? undefined : this.#hooks.get(name);
        if (!hooks || !(options?.addsOnly ? hooks.interceptsAdds : hooks.intercepting)) return inCallerContext(tx ? tx.run(name, true, operation) : this.#write(operation, what));
        const hooked = <R>(within: Transaction, op: (engine: Engine) => R) => (engine: Engine) =>
          op(hookedEngine(engine, name, this.#schemas.get(name)?.primKey.keyPath ?? null, hooks, within, within.root.changes));
        if (tx) return inCallerContext(tx.run(name, true, hooked(tx, operation)));
        return inCallerContext(this.#writeWithHooks(name, hooks, (within) => hooked(within, operation)));
      },
      readEpoch: () => this.#readEpoch,
      slicesReads: () => transaction() === undefined,
      writeInSlices: (count, writeSlice, what, options) => {
        const hooks = options?.silent ? undefined : this.#hooks.get(name);
        const hooked = hooks !== undefined && (options?.addsOnly ? hooks.interceptsAdds : hooks.intercepting);
        const small = typeof count === 'number' && count <= SLICED_ABOVE_ITEMS;
        if (transaction() || hooked || small || currentContext() instanceof LiveQueryRun) {
          return host.write((engine) => {
            const total = typeof count === 'number' ? count : count(engine);
            return [writeSlice(engine, 0, total)];
          }, what, options);
        }
        return inCallerContext(this.#writeSliced(count, writeSlice, what));
      },
      get hooks() {
        return tableHooks();
      },
      schemaOf: (table) => this.#schemaOf(table),
      startTransaction: (options) => this.startTransaction([name, ...(options?.tables ?? [])], options),
    };
    return host;
  }

  /** `engine` for a read made in `context`: recording what it reads if a live query needs to know. */
  #forReading(engine: Engine, context: object | null): Engine {
    const recorder = readRecorderFor(this.name, context);
    return recorder ? recordingEngine(engine, recorder) : engine;
  }

  #schemaOf(table: string): TableSchema {
    const schema = this.#schemas.get(table);
    if (!schema) throw new InvalidTableError(`table '${table}' does not exist in database '${this.name}'`);
    return schema;
  }

  /**
   * Runs a write outside any transaction: one at a time, each followed by
   * its flush to IndexedDB, so no commit is flushed on top of an unflushed one. Resolves once the
   * commit is durable. If the operation threw after writing something (a
   * BulkError: the other items were written), that is flushed first. A
   * failed flush reverts the engine and rejects with the storage error.
   */
  async #write<T>(operation: (engine: Engine) => T, what: string): Promise<T> {
    // The lock first (requested synchronously): writes run in call order.
    const release = await this.#acquireWrite(what);
    try {
      const engine = await this.#engineForOperation();
      let result: T | undefined;
      let failure: unknown;
      let failed = false;
      try {
        result = operation(engine);
      } catch (error) {
        failed = true;
        failure = inOperation(error, what);
      }
      const changes = engine.isOpen ? engine.takeChanges() : undefined;
      this.#changed(changes);
      await this.#flush(engine, what, changes ? [changes] : []);
      if (failed) throw failure;
      return result as T;
    } finally {
      release();
    }
  }

  /**
   * A long write cut into slices of about SLICE_MS each, one task apart, so
   * the page stays responsive (no long main-thread block). One engine
   * transaction holds every slice: meanwhile readers use the committed view
   * (as during a standard transaction), so nobody sees part of it, and other
   * writes wait; then one commit, one notification, one flush. A slice that
   * throws rolls all of it back.
   */
  async #writeSliced<R>(count: number | ((engine: Engine) => number), writeSlice: (engine: Engine, from: number, to: number) => R,
                        what: string): Promise<R[]> {
    const release = await this.#acquireWrite(what);
    try {
      const engine = await this.#engineForOperation();
      const results: R[] = [];
      engine.begin();
      this.#standardOpen++;
      try {
        const total = typeof count === 'number' ? count : count(engine);
        let size = FIRST_SLICE_ITEMS;
        for (let from = 0; from < total;) {
          if (from > 0) await new Promise<void>((resume) => postTask(resume));
          const to = Math.min(total, from + size);
          const started = performance.now();
          results.push(writeSlice(engine, from, to));
          // Next slice sized to take about SLICE_MS at the rate just measured (at most 4x bigger).
          const perItem = Math.max(performance.now() - started, 0.01) / (to - from);
          size = Math.max(1, Math.min(size * 4, Math.floor(SLICE_MS / perItem)));
          from = to;
        }
        engine.commit();
      } catch (error) {
        if (engine.isOpen) {
          engine.rollback();
          engine.takeChanges();  // nobody saw them
        }
        throw error;
      } finally {
        this.#standardOpen--;
      }
      const changes = engine.takeChanges();
      this.#changed(changes);
      // The commit of a big write takes a while: the flush starts in a task of its own.
      await new Promise<void>((resume) => postTask(resume));
      await this.#flush(engine, what, changes ? [changes] : []);
      return results;
    } finally {
      release();
    }
  }

  /**
   * The database's Web Lock for this tab's writes (where the runtime has Web
   * Locks), and the channel on which other tabs announce their commits
   * (applied between this tab's operations) and ask for the lock.
   */
  #listenToOtherTabs(): void {
    const locks = webLocks();
    const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(`indexie:${this.name}`);
    this.#channel = channel;
    if (locks) this.#writeLock = new TabWriteLock(locks, `indexie:${this.name}`, channel && (() => channel.postMessage({ want: true })));
    if (!channel) return;
    channel.onmessage = (event: MessageEvent) => {
      if ((event.data as { want?: boolean } | null)?.want) {
        this.#writeLock?.wantedElsewhere();
        return;
      }
      void this.#locks.acquire('exclusive', ALL, 'applying another tab\'s commit').then(async (release) => {
        try {
          if (this.#engine && this.#persistence) await this.#applyOtherTabs(this.#engine);
        } catch {
          // A closed or upgraded database: the next operation reports it.
        } finally {
          release();
        }
      });
    };
  }

  /**
   * Applies other tabs' commits to this tab's engine, and adopts a schema
   * they changed. A newer version installed by another tab fires
   * 'versionchange' and closes this connection, so it never writes with a
   * stale schema.
   */
  async #applyOtherTabs(engine: Engine): Promise<void> {
    const applied = await this.#persistence!.catchUp(engine);
    if (!applied) return;
    const info = engine.info();
    const specs = (tables: Iterable<{ name: string; spec: string }>) => JSON.stringify([...tables].map((t) => [t.name, t.spec]).sort());
    const schemaChanged = specs(Object.values(info.tables)) !== specs(this.#schemas.values());
    this.#adoptSchema(info);
    // Their change sets, when every commit applied left one; else anything may have changed.
    this.#changed(...(applied.changes && !schemaChanged ? applied.changes : [null]));
    if (info.version !== this.#verno) {
      await this.on('versionchange').fire({ oldVersion: this.#verno, newVersion: info.version });
      this.close();
      throw new DatabaseClosedError(`database '${this.name}' was upgraded to version ${info.version} in another tab; ` +
        'this page still declares an older schema, so it was closed: reload the page');
    }
  }

  async #engineForOperation(): Promise<Engine> {
    if (this.#engine) return this.#engine;
    if (this.#closedByUser || !this.#options.autoOpen) {
      throw new DatabaseClosedError(`database '${this.name}' is closed: call db.open() first`);
    }
    await this.#open();
    return this.#engine!;
  }
}

contextualAsyncMethods(Indexie.prototype);
