// db/state.ts: DatabaseState, everything one Indexie instance knows about
// its database at run time, shared by the files of db/ (each of them one
// concern: open.ts, write-path.ts, sessions.ts, tab-sync.ts, ...). The
// fields are plain and public to those files; nothing outside db/ sees
// them (api/indexie.ts holds a Database, db/database.ts).
//
// Here too: what every concern needs and that depends on no other db/ file:
// events, live queries hearing of changes, adopting a schema, the
// committed-state reader, and close().
import { drive, isGenerator } from '../transactions/generators.js';
import { Engine, type EngineInfo } from '../engine/engine.js';
import type { SharedEngine } from '../tabs/shared-engine.js';
import { noteOpfsClosing } from './opfs-registry.js';
import { DatabaseClosedError, InvalidTableError } from '../errors.js';
import { notifyChanges, type LiveQueryRun } from '../live-query/live-query.js';
import type { TableHooks } from '../hooks/table-hooks.js';
import type { IdbImplementation } from '../persistence/idb-page-store.js';
import type { Persistence } from '../persistence/persistence.js';
import type { TabWriteLock } from '../persistence/tab-write-lock.js';
import { callInContext, currentContext } from '../transactions/async-context.js';
import { EventChannel } from '../transactions/events.js';
import { LockManager as TableLocks } from '../transactions/lock-manager.js';
import { TransactionBase, type TransactionBackend, type TransactionInit, type TransactionMode } from '../transactions/transaction.js';
import type { DatabaseOptions } from './storage.js';
import { ReadyChannel } from './ready.js';
import { TableSchema } from './table-schema.js';
import { declaredTableNames, type DeclaredVersion } from './versions.js';
import { visibleSchema } from './internal-tables.js';

export type IndexieEventName = 'ready' | 'populate' | 'close' | 'versionchange' | 'blocked' | 'dataloss' | 'migrated';

/**
 * Every unit locks the whole database ('*'): read-write units (a transaction,
 * or one write outside any) exclusively, since the engine has one writer
 * and a unit first applies other tabs' commits, which touch every table;
 * read-only transactions shared, so they see one state throughout.
 */
export const ALL = ['*'];

/** What the state needs from the API layer above db/, which db/ may not import. */
export interface StateBindings {
  /** The Indexie object: tx.db, and how a context's transaction is known to be this database's. */
  readonly db: object;
  /** Makes a transaction: api's Transaction, which types its tables. */
  newTransaction(
    backend: TransactionBackend,
    mode: TransactionMode,
    storeNames: readonly string[],
    init?: TransactionInit,
  ): TransactionBase;
  /** The schema now has these tables (db.<table> follows). */
  tablesAdopted(names: Iterable<string>): void;
  /** db.close(), for closing from within (another tab upgraded or deleted the database): a subclass may extend it. */
  close(): void;
  /** The backend of this database's transactions (db/sessions.ts), made once for the state. */
  backend(state: DatabaseState): TransactionBackend;
}

/** Numbers the engine files of persisted databases (see db/open.ts, loadFromIndexedDb). */
let nextEngineFileSerial = 1;

export function nextEngineFileName(name: string): string {
  return `${name}\u0001${nextEngineFileSerial++}`;
}

export class DatabaseState {
  readonly name: string;
  readonly options: DatabaseOptions;
  /** The IndexedDB it is stored in (undefined: OPFS or memory; 'auto' storage may drop it at the first open). */
  idb: IdbImplementation | undefined;
  /** The declared versions (the facade's Version objects, in declaration order). */
  readonly versions: readonly DeclaredVersion[];
  readonly bindings: StateBindings;
  readonly backend: TransactionBackend;
  persistence: Persistence | undefined;
  /** Where each engine this instance opened stores its commits (write-path.ts flush; outlives close() until units end). */
  readonly persistenceOf = new WeakMap<Engine, Persistence>();
  /** Read-write units holding the write lock (write-path.ts acquireWrite), and what close() left for when they end. */
  unitsInFlight = 0;
  /** See CollectionHost.readEpoch (api/collection.ts). */
  readEpoch = 0;
  readonly afterUnits: Array<() => void> = [];
  /** Settles once the last plain write called outside a transaction is applied (see trackWrite). */
  pendingWrite: Promise<unknown> | undefined;
  /** The engine's in-memory file of this instance (see db/open.ts, loadFromIndexedDb). */
  fileName: string;
  readonly locks = new TableLocks();
  /** Hooks per table name, shared by every Table object of that table. */
  readonly hooks = new Map<string, TableHooks>();
  /**
   * Per table, what wraps the engine of every non-silent write to it (sync's
   * outbox capture, see sync-host.ts): innermost, under the hooks, so it sees
   * each record as stored.
   */
  readonly writeTaps = new Map<string, (engine: Engine) => Engine>();
  /** Called on every change live queries hear of (local commits, other tabs', reverts): sync's status. */
  readonly changeListeners = new Set<() => void>();
  /** Called by close(): what runs on the database and must end with it (syncs, TableHost.onClose). */
  readonly closeListeners = new Set<() => void>();
  /** The committed-state connection, open while standard transactions need it. */
  reader: Promise<Engine> | undefined;
  /** The live query run a transaction was opened in (its reads are recorded for it). */
  readonly liveRuns = new WeakMap<TransactionBase, LiveQueryRun>();
  /** Open standard (non-optimistic) read-write transactions: 0 or 1, the engine has one writer. */
  standardOpen = 0;
  channel: BroadcastChannel | undefined;
  /** The database's Web Lock, kept between this tab's writes (persistence/tab-write-lock.ts). */
  writeLock: TabWriteLock | undefined;
  readonly events = new Map<IndexieEventName, EventChannel>();
  schemas = new Map<string, TableSchema>();
  engine: Engine | undefined;
  /** An OPFS database's engine, shared by every tab that opens it (tabs/shared-engine.ts). */
  sharedEngine: SharedEngine | undefined;
  /** Settles once the engines the last close() closed are closed (an OPFS database's files released). */
  closed: Promise<void> = Promise.resolve();
  upgradeEngine: Engine | undefined;
  opening: Promise<void> | undefined;
  closedByUser = false;
  /** The commit this page had saved when it found the stored data wiped: the reopen reports it (connection-recovery.ts). */
  wipedAtCommit: number | undefined;
  /** Counts close() calls: an open that started before one must not complete (db/open.ts). */
  openGeneration = 0;
  verno = 0;

  constructor(
    name: string,
    options: DatabaseOptions,
    idb: IdbImplementation | undefined,
    versions: readonly DeclaredVersion[],
    bindings: StateBindings,
  ) {
    this.name = name;
    this.options = options;
    this.idb = idb;
    this.versions = versions;
    this.bindings = bindings;
    // An in-memory database's file is the database itself, shared by name; a persisted one
    // gets a file of its own at each open (db/open.ts, loadFromIndexedDb).
    this.fileName = name;
    this.backend = bindings.backend(this);
  }

  /** The channel of a database event (db.on(event)). */
  on(event: IndexieEventName): EventChannel {
    let channel = this.events.get(event);
    if (!channel) {
      channel = event === 'ready' ? new ReadyChannel(() => this.engine !== undefined && !this.ready.running) : new EventChannel();
      this.events.set(event, channel);
    }
    return channel;
  }

  /** db.on('ready'): its subscribers, and whether they are running (db/ready.ts). */
  get ready(): ReadyChannel {
    return this.on('ready') as ReadyChannel;
  }

  /** A new transaction of this database (api's Transaction). */
  newTransaction(mode: TransactionMode, storeNames: readonly string[], init?: TransactionInit): TransactionBase {
    return this.bindings.newTransaction(this.backend, mode, storeNames, init);
  }

  /** The caller's transaction on this database (also once it has ended: its operations then fail). */
  contextTransaction(): TransactionBase | undefined {
    const context = currentContext();
    return context instanceof TransactionBase && context.db === this.bindings.db ? context : undefined;
  }

  /** Data changed (`changes`: change sets, null for anything): live queries hear of it, sliced reads restart. */
  changed(...changes: Array<Uint8Array | null | undefined>): void {
    this.readEpoch++;
    notifyChanges(this.name, ...changes);
    for (const listener of this.changeListeners) listener();
  }

  /** Closes the committed-state reader, if any; resolves once it is closed. */
  dropReader(): Promise<void> {
    const reader = this.reader;
    this.reader = undefined;
    return (reader ?? Promise.resolve(undefined)).then(
      (engine) => engine?.close(),
      () => undefined,
    );
  }

  adoptSchema(info: EngineInfo): void {
    void this.dropReader(); // it caches the schema it opened with
    this.schemas = new Map(Object.values(visibleSchema(info).tables).map((t) => [t.name, new TableSchema(t)]));
    this.bindings.tablesAdopted(this.schemas.keys());
  }

  schemaOf(table: string): TableSchema {
    const schema = this.schemas.get(table);
    if (!schema) throw new InvalidTableError(`table '${table}' does not exist in database '${this.name}'`);
    return schema;
  }

  /** The tables of the highest declared version. */
  declaredTableNames(): Set<string> {
    return declaredTableNames(this.versions);
  }

  /**
   * Starts a plain write outside a transaction, `start(applied)`, where
   * `applied(operation)` wraps the engine operation so that reads called
   * meanwhile wait until it has been applied to the engine (not for its
   * flush), and so see it. Writes run in call order, so waiting for the last
   * one called waits for all before it.
   */
  trackWrite<T, R>(
    start: (applied: (operation: (engine: Engine) => R | Promise<R>) => (engine: Engine) => Promise<R>) => Promise<T>,
  ): Promise<T> {
    let done!: () => void;
    const applied = new Promise<void>((resolve) => (done = resolve));
    this.pendingWrite = applied;
    const unit = start((operation) => async (engine) => {
      try {
        return await operation(engine);
      } finally {
        done();
      }
    });
    void unit.then(done, done); // never applied (closed, failed before): reads need not wait
    void applied.then(() => {
      if (this.pendingWrite === applied) this.pendingWrite = undefined;
    });
    return unit;
  }

  /**
   * Closes the database: operations that have not started fail with
   * DatabaseClosedError, and so does an open under way. A write being saved
   * (or a transaction or sliced write under way) finishes and is saved
   * first, as IndexedDB lets a running transaction complete: a write that
   * resolves is stored, always. `reopen`: closing to reopen at once
   * (connection-recovery.ts): operations waiting for the lock do not fail,
   * they run on the reopened database.
   */
  close(reopen = false): void {
    this.closedByUser = !reopen;
    this.openGeneration++;
    const engine = this.engine;
    const persistence = this.persistence;
    const writeLock = this.writeLock;
    const channel = this.channel;
    const shared = this.sharedEngine;
    this.sharedEngine = undefined;
    this.engine = undefined;
    this.opening = undefined;
    this.persistence = undefined;
    this.writeLock = undefined;
    this.channel = undefined;
    const readerClosed = this.dropReader();
    let closed!: () => void;
    this.closed = new Promise<void>((resolve) => (closed = resolve));
    // What waits for the writer (or a reader) will never start now: it fails, as any operation
    // after close() does, and a scope that waited on it (a deadlock) can end.
    if (!reopen) this.locks.failWaiting(new DatabaseClosedError(`database '${this.name}' was closed`));
    const fileName = this.fileName;
    const release = (): void => {
      if (persistence) {
        // IndexedDB holds the data: drop the in-memory copy (handles still open elsewhere keep theirs).
        void Engine.deleteFile(fileName);
      }
      persistence?.close();
      writeLock?.close();
      channel?.close();
      // A tab owning a shared engine hands it to the next tab once its sessions closed.
      void Promise.allSettled([engine?.close(), readerClosed])
        .then(() => shared?.close())
        .catch(() => undefined)
        .then(() => closed());
    };
    if (shared) noteOpfsClosing(this.name, this.closed);
    if (this.unitsInFlight > 0) this.afterUnits.push(release);
    else release();
    for (const listener of [...this.closeListeners]) listener();
    if (engine) void this.on('close').fire();
  }
}

/**
 * Runs the scope in the transaction's context, in a fresh task (see
 * transactions/async-context.ts): also a child's, whose parent waits for it
 * (db/run-transaction.ts). A child cannot start inside its caller's code: the
 * continuations of its first awaits run as microtasks after the caller's
 * code went on, and only a task of its own keeps its context for them.
 */
export async function runScope(tx: TransactionBase, scope: (tx: TransactionBase) => unknown): Promise<unknown> {
  // A generator-function scope (older Dexie code) is driven: each yielded promise is awaited in the transaction.
  const body = (): unknown => {
    const result = scope(tx);
    return isGenerator(result) ? drive(result) : result;
  };
  return callInContext(tx, body);
}
