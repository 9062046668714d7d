// db/database.ts: Database, what the Indexie facade (api/indexie.ts) runs
// on: one object per Indexie instance, composing db/'s concerns over one
// DatabaseState (state.ts): opening (open.ts), the write path
// (write-path.ts), transactions (run-transaction.ts, sessions.ts), other
// tabs (tab-sync.ts) and the tables' host (table-host.ts).
//
// db/ may not import api/: what it needs from there (the Indexie object,
// and api's Transaction and Table classes, which type what db/ makes) comes
// in as ApiBindings.
import { Engine } from '../engine/engine.js';
import { prewarmWorker } from '../engine/worker-channel.js';
import { IdbPageStore, type IdbImplementation } from '../persistence/idb-page-store.js';
import type { EventChannel } from '../transactions/events.js';
import type { TransactionBase, TransactionOptions } from '../transactions/transaction.js';
import { engineForOperation, openDatabase } from './open.js';
import { startTransaction, transaction } from './run-transaction.js';
import { transactionBackend } from './sessions.js';
import { ALL, DatabaseState, type IndexieEventName, type StateBindings } from './state.js';
import { databaseOptions, deleteFromOpfs, idbImplementation, opfsHoldsDatabase, type IndexieOptions } from './storage.js';
import { syncHost, type SyncHost } from './sync-host.js';
import { tableHost, type TableHost } from './table-host.js';
import { highestVersion, type DeclaredVersion } from './versions.js';

/** What db/ needs from the API layer above it. */
export interface ApiBindings {
  /** The Indexie object (tx.db). */
  readonly db: object;
  /** Makes a transaction: api's Transaction, which types its tables. */
  newTransaction: StateBindings['newTransaction'];
  /** Makes a table object running on `host`: api's Table. */
  newTable(name: string, host: TableHost): unknown;
  /** The schema now has these tables (db.<table> follows). */
  tablesAdopted(names: Iterable<string>): void;
  /** db.close(), for closing from within: a subclass of Indexie may extend it. */
  close(): void;
}

export class Database {
  readonly #state: DatabaseState;

  /** `versions`: the declared versions, an array the facade adds to (its Version objects). */
  constructor(name: string, options: IndexieOptions, versions: readonly DeclaredVersion[], api: ApiBindings) {
    const checked = databaseOptions(options);
    // A database that may live in OPFS runs its engine in a Worker: start it and compile the module
    // now, while the app has not opened it yet (engine/worker-channel.ts prewarmWorker).
    if (checked.storage === 'opfs' || checked.autoOpfs) prewarmWorker(checked.workerUrl);
    const idb = checked.storage === 'indexeddb' ? idbImplementation(options) : undefined;
    this.#state = new DatabaseState(name, checked, idb, versions, {
      db: api.db,
      newTransaction: (backend, mode, storeNames, init) => api.newTransaction(backend, mode, storeNames, init),
      tablesAdopted: (names) => api.tablesAdopted(names),
      close: () => api.close(),
      backend: (state) => transactionBackend(state, (table, host) => api.newTable(table, host)),
    });
  }

  /** The IndexedDB it is persisted in (undefined: in memory only). */
  get idb(): IdbImplementation | undefined {
    return this.#state.idb;
  }

  /** Whether the database is persisted (in IndexedDB or OPFS; else it lives in memory only). */
  get persistent(): boolean {
    return this.#state.options.storage !== 'memory';
  }

  get isOpen(): boolean {
    return this.#state.engine !== undefined;
  }

  /** Whether it is open or opening (versions can no longer be declared). */
  get openedOrOpening(): boolean {
    return this.#state.engine !== undefined || this.#state.opening !== undefined;
  }

  get closedByUser(): boolean {
    return this.#state.closedByUser;
  }

  /** The version of the open database (the highest declared one before it opens). */
  get verno(): number {
    if (this.#state.engine) return this.#state.verno;
    return highestVersion(this.#state.versions);
  }

  /** The tables of the installed schema. */
  tableNames(): string[] {
    return [...this.#state.schemas.keys()];
  }

  /** The tables of the highest declared version. */
  declaredTableNames(): Set<string> {
    return this.#state.declaredTableNames();
  }

  /**
   * Whether db.table(name) may answer: the table is in the schema (once
   * open, or while an upgrade runs), or declared; or, with nothing declared
   * and not open, the database is opened as installed, so any name may be.
   */
  mayHaveTable(name: string): boolean {
    const state = this.#state;
    const known = state.engine || state.upgradeEngine ? state.schemas.has(name) : state.declaredTableNames().has(name);
    return known || !(state.engine || state.versions.length > 0);
  }

  on(event: IndexieEventName): EventChannel {
    return this.#state.on(event);
  }

  open(): Promise<void> {
    return openDatabase(this.#state);
  }

  /** See DatabaseState.close(). */
  /** Closes; `reopenOnUse`: the next operation may open it again (autoOpen), as if never closed by the user. */
  close(reopenOnUse = false): void {
    this.#state.close();
    if (reopenOnUse) this.#state.closedByUser = false;
  }

  engineForOperation(): Promise<Engine> {
    return engineForOperation(this.#state);
  }

  /**
   * Closes and deletes this database, from IndexedDB and from memory. Other
   * pages that have it open get 'versionchange' and close; while one does
   * not, 'blocked' fires here.
   */
  async delete(): Promise<void> {
    const state = this.#state;
    // Let running transactions and writes finish first.
    const release = await state.locks.acquire('exclusive', ALL, `deleting database '${state.name}'`);
    release();
    state.bindings.close();
    // Never opened, 'auto' has not decided where it lives: an OPFS file of that name goes too
    // (and IndexedDB's below). Nothing is decided here: the next open of this handle decides.
    if (state.options.autoOpfs && (await opfsHoldsDatabase(state.name))) await deleteFromOpfs(state.name, state.options.workerUrl);
    if (state.options.storage === 'opfs') {
      await state.closed; // the worker releases the files
      // This page's other connections to it close first, as IndexedDB's 'versionchange' closes them for Dexie.
      await deleteFromOpfs(state.name, state.options.workerUrl);
      return;
    }
    if (state.idb) await IdbPageStore.delete(state.idb, state.name, () => void state.on('blocked').fire());
    await Engine.deleteFile(state.fileName);
  }

  /** db.transaction(...args): see run-transaction.ts. */
  transaction(args: readonly unknown[]): Promise<unknown> {
    return transaction(this.#state, args);
  }

  /** An explicit read-write transaction over `tables`: see run-transaction.ts. */
  startTransaction(tables: readonly string[], options?: TransactionOptions): TransactionBase {
    return startTransaction(this.#state, tables, options);
  }

  /** What a sync layer (js/src/sync/) runs on. */
  syncHost(): SyncHost {
    return syncHost(this.#state);
  }

  /** What the table object of db.<name> / db.table(name) runs on. */
  tableHost(name: string): TableHost {
    return tableHost(this.#state, name);
  }
}
