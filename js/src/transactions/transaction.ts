// transactions/transaction.ts: TransactionBase, the machinery of a unit of
// work over a set of tables (Dexie's Transaction, plus commit()/rollback()
// for explicit handles). The public class, Transaction (api/table.ts), adds
// only the typed face: tx.table() and tx.<table> as Table objects.
//
// Lifecycle: pending (waiting for its locks) -> active -> committing ->
// committed, or -> aborted from any state before committed. Operations
// issued while pending wait; after the end they fail with
// TransactionInactiveError (committed) or AbortError (aborted, carrying why).
//
// A top-level transaction owns a session (locks held, an engine transaction
// open: see TransactionSession); a child transaction (db.transaction inside
// a scope) runs its operations in its parent's session with its own mode and
// tables checked, and a failed child aborts its parent, as in Dexie.
//
// Size: ~410 lines: the lifecycle, the operations it follows (call order,
// unhandled failures, children) and the commit protocol share private state.
//
// Visibility: an optimistic transaction writes into the live database state
// at once (every reader sees it; rollback removes it); a standard one is
// seen by no other reader until its commit (the database routes other
// readers to a committed-state connection meanwhile).
import { AbortError, NotFoundError, ReadOnlyError, TransactionInactiveError } from '../errors.js';
import type { Engine } from '../engine/engine.js';
import { asyncDispose } from './async-dispose.js';
import { EventChannel, type Listener } from './events.js';
import { IndexiePromise, contextualAsyncMethods, setOperationGate, setOperationListener, waitFor } from './async-context.js';
import type {
  Change,
  TransactionBackendOf,
  TransactionInitOf,
  TransactionMode,
  TransactionSessionOf,
  TransactionState,
} from './transaction-types.js';

export type { Change, TransactionMode, TransactionOptions, TransactionState } from './transaction-types.js';
export type TransactionSession = TransactionSessionOf<TransactionBase>;
export type TransactionBackend = TransactionBackendOf<TransactionBase>;
export type TransactionInit = TransactionInitOf<TransactionBase>;

/** An operation called in a transaction (or made by then() on one), as the transaction follows it. */
interface OperationEntry {
  promise: IndexiePromise<unknown>;
  outcome: Promise<{ failed: boolean; error?: unknown }>;
  /** Called by the app (not made by then() on another): later operations wait for it. */
  primary: boolean;
  settled: boolean;
  /** Once settled: the error it failed with, if it failed. */
  failure?: { error: unknown };
}

export class TransactionBase {
  readonly mode: TransactionMode;
  readonly storeNames: readonly string[];
  readonly parent: TransactionBase | undefined;
  readonly optimistic: boolean;
  /** The upgrade transaction of an open (reaches every table, commits with the open). */
  readonly upgrade: boolean;
  /** Per-transaction scratch space for hooks and middleware (Dexie's trans.data-like bag). */
  readonly data: Record<string, unknown> = {};
  /** Records changed so far (collected on the top-level transaction, for the async hooks). */
  readonly changes: Change[] = [];

  readonly #backend: TransactionBackend;
  readonly #tables = new Map<string, unknown>();
  readonly #events = new Map<string, EventChannel>();
  readonly #inFlight = new Set<Promise<unknown>>();
  /** The outcomes of primary operations still running (what a new operation waits for). */
  readonly #running = new Set<Promise<unknown>>();
  /** Settles once every primary operation registered so far settled (what the operation gate waits for). */
  #primariesSettled: Promise<unknown> = Promise.resolve();
  /** Public operations called in this transaction's context (or its children's), with their outcome. */
  #operations: OperationEntry[] = [];

  static {
    setOperationListener((ctx, promise) => {
      if (!(ctx instanceof TransactionBase) || !ctx.root.active) return;
      ctx.#register(promise, promise.operation && !promise.derived);
    });
    // Operations in a transaction run in call order: one waits for the earlier ones still running
    // (a get() called before an unawaited put() reads the old value, as in IndexedDB).
    setOperationGate((ctx) => {
      if (!(ctx instanceof TransactionBase) || !ctx.root.active) return undefined;
      const root = ctx.root;
      // Once the earlier operations settled, one that failed with nobody handling it has aborted the
      // transaction (Dexie aborts on an unhandled failure), so the waiting operation fails too.
      return root.#running.size > 0 ? root.#primariesSettled.then(() => root.#abortOnUnhandledFailure()) : undefined;
    });
  }
  #state: TransactionState = 'pending';
  #session: TransactionSession | undefined;
  #ready: Promise<void> | undefined;
  #error: Error | undefined;

  constructor(backend: TransactionBackend, mode: TransactionMode, storeNames: readonly string[], options: TransactionInit = {}) {
    this.#backend = backend;
    this.mode = mode;
    this.storeNames = Object.freeze([...storeNames]);
    this.parent = options.parent;
    this.optimistic = options.parent ? options.parent.optimistic : (options.optimistic ?? false);
    this.upgrade = options.upgrade ?? false;
    this.exposeTables(this.storeNames);
    if (options.parent || options.session) {
      this.#session = options.session;
      this.#state = 'active';
      this.#ready = Promise.resolve();
    }
  }

  /** The database it belongs to. */
  get db(): any {
    return this.#backend.db;
  }

  get state(): TransactionState {
    return this.#state;
  }

  /** Whether operations can still run in it (Dexie's tx.active). */
  get active(): boolean {
    return this.#state === 'pending' || this.#state === 'active';
  }

  /** Why it was aborted, if it was. */
  get error(): Error | undefined {
    return this.#error;
  }

  get root(): TransactionBase {
    return this.parent ? this.parent.root : this;
  }

  /** The table `name`, bound to this transaction (typed by the public Transaction). */
  /**
   * tx.<tableName> for each of `names`, as in Dexie, unless the name is taken
   * by the API. The upgrade transaction exposes every table of the schema
   * being installed (db/open.ts).
   */
  exposeTables(names: Iterable<string>): void {
    for (const name of names) {
      if (!(name in this)) Object.defineProperty(this, name, { get: () => this.table(name), enumerable: true, configurable: true });
    }
  }

  table(name: string): unknown {
    this.#checkTable(name);
    let table = this.#tables.get(name);
    if (!table) {
      table = this.#backend.boundTable(this, name);
      this.#tables.set(name, table);
    }
    return table;
  }

  /** tx.on('complete' | 'abort' | 'error', fn), as in Dexie: 'error' fires with the error that aborted it. */
  on(event: 'complete' | 'abort' | 'error'): EventChannel;
  on(event: 'complete' | 'abort' | 'error', listener: Listener): void;
  on(event: 'complete' | 'abort' | 'error', listener?: Listener): EventChannel | void {
    let channel = this.#events.get(event);
    if (!channel) this.#events.set(event, (channel = new EventChannel()));
    if (!listener) return channel;
    channel.subscribe(listener);
  }

  #checkTable(name: string): void {
    if (this.upgrade ? !this.#backend.hasTable(name) : !this.storeNames.includes(name)) {
      throw new NotFoundError(
        `table '${name}' is not part of this transaction (its tables: ${this.storeNames.join(', ') || 'none'}): ` +
          `name it in db.transaction(mode, tables..., scope)`,
      );
    }
  }

  /** Opens the session of a top-level transaction (once). */
  start(): Promise<void> {
    if (!this.#ready) {
      this.#ready = this.#backend.startSession(this).then((session) => {
        if (this.#state === 'aborted') {
          session.rollback();
          return;
        }
        this.#session = session;
        this.#state = 'active';
      });
    }
    return this.#ready;
  }

  /**
   * Runs one operation of this transaction on its engine view: now if the
   * transaction is active, else once its session is open. Checks the table
   * and the mode first.
   */
  run<R>(table: string, forWrite: boolean, operation: (engine: Engine) => R | Promise<R>): Promise<R> {
    try {
      this.#checkTable(table);
      if (forWrite && this.mode === 'readonly') {
        throw new ReadOnlyError(`cannot write to '${table}' in a read-only transaction: open it with 'rw'`);
      }
      this.#checkActive();
    } catch (error) {
      return Promise.reject(error);
    }
    const root = this.root;
    if (forWrite) {
      const write = operation;
      operation = async (engine) => {
        try {
          return await write(engine);
        } finally {
          await root.#session?.afterWrite?.();
        }
      };
    }
    if (root.#state === 'active') {
      try {
        const engine = root.#session!.engine(forWrite || this.mode === 'readwrite');
        if (!(engine instanceof Promise)) return Promise.resolve(operation(engine));
        return this.#track(
          engine.then((e) => {
            this.#checkActive();
            return operation(e);
          }),
        );
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#track(
      root.start().then(async () => {
        this.#checkActive();
        return operation(await root.#session!.engine(forWrite || this.mode === 'readwrite'));
      }),
    );
  }

  /**
   * Records `promise` as an operation of this transaction and of each one it
   * is nested in: they do not end before it settled, and a failure nobody
   * handles aborts them (Dexie's rule). A primary operation (called by the
   * app) also makes later operations wait for it (call order).
   */
  #register(promise: IndexiePromise<unknown>, primary: boolean): void {
    // Native then: watching the outcome does not count as observing the promise.
    const outcome = Promise.prototype.then.call(
      promise,
      () => ({ failed: false }),
      (error: unknown) => ({ failed: true, error }),
    ) as Promise<{ failed: boolean; error?: unknown }>;
    const entry: OperationEntry = { promise, outcome, primary, settled: false };
    this.#operations.push(entry);
    for (let tx = this.parent; tx; tx = tx.parent) tx.#operations.push(entry);
    const root = this.root;
    if (primary) {
      root.#running.add(outcome);
      // One link per operation (not a Promise.all of every running one per operation: n² for n queued calls).
      root.#primariesSettled = root.#primariesSettled.then(() => outcome);
    }
    void outcome.then((settled) => {
      entry.settled = true;
      if (settled.failed) entry.failure = { error: settled.error };
      root.#running.delete(outcome);
    });
  }

  /** Aborts the transaction if an operation of it failed and nobody handles its promise (yet). */
  #abortOnUnhandledFailure(): void {
    if (!this.active) return;
    const unhandled = this.#operations.find((operation) => operation.failure && !operation.promise.observed);
    if (unhandled) this.abort(unhandled.failure!.error);
  }

  /**
   * A child transaction started in this one's scope (`db.transaction` nested,
   * awaited or not): this transaction does not end before it settled, and if
   * it fails with nobody handling its promise, this one fails too, as in Dexie.
   */
  adoptChild(promise: IndexiePromise<unknown>): void {
    if (!this.root.active) return;
    promise.operation = true;
    promise.derived = true; // its then() chains are followed too, but later operations need not wait for it
    this.#register(promise, false);
  }

  /**
   * Waits until every operation called in this transaction (and its
   * children) settled, also those called meanwhile; one that failed with
   * nobody handling it aborts the whole transaction and is thrown.
   */
  settleOperations(): Promise<void> {
    // Not an async method: those become public operations (contextualAsyncMethods), and this one
    // would then wait for itself.
    return this.#settleOperations();
  }

  async #settleOperations(): Promise<void> {
    const root = this.root;
    if (this === root) while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    for (let seen = 0; seen < this.#operations.length;) {
      const batch = this.#operations.slice(seen);
      seen = this.#operations.length;
      const outcomes = await Promise.all(batch.map((operation) => operation.outcome));
      const uncaught = outcomes.findIndex((outcome, i) => outcome.failed && !batch[i].promise.observed);
      if (uncaught >= 0) {
        if (root.active) root.abort(outcomes[uncaught].error);
        throw outcomes[uncaught].error;
      }
    }
    this.#operations = [];
  }

  #track<R>(promise: Promise<R>): Promise<R> {
    const root = this.root;
    root.#inFlight.add(promise);
    const forget = () => root.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  #checkActive(): void {
    const root = this.root;
    if (root.#state === 'aborted') {
      throw new AbortError(`the transaction was aborted${root.#error ? `: ${root.#error.message}` : ''}`, { cause: root.#error });
    }
    if (root.#state === 'committing' || root.#state === 'committed') {
      throw new TransactionInactiveError(
        'the transaction has already committed: operations after its scope ended ' + 'run outside it; start a new transaction',
      );
    }
  }

  /**
   * Dexie's trans.waitFor(promise, timeoutMs?): awaits a promise that is not
   * indexie's and resumes in this transaction (which stays open: it never
   * commits on idle); past the timeout, a TimeoutError.
   */
  waitFor<T>(promiseOrFunction: PromiseLike<T> | (() => PromiseLike<T>), timeoutMs?: number): Promise<T> {
    return waitFor(promiseOrFunction, timeoutMs);
  }

  /** Aborts the transaction (the whole top-level one): everything it wrote is discarded. */
  abort(reason?: unknown): void {
    const root = this.root;
    if (root.#state === 'committed' || root.#state === 'aborted') return;
    root.#error =
      reason instanceof Error ? reason : new AbortError(reason === undefined ? 'aborted by tx.abort()' : describeReason(reason));
    const session = root.#session;
    root.#state = 'aborted';
    root.#session = undefined;
    session?.rollback();
    if (reason !== undefined) void root.on('error').fire(root.#error);
    void root.on('abort').fire(root.#error);
  }

  /** Commits an explicit transaction (startTransaction); resolves once durable. */
  commit(): Promise<void> {
    return IndexiePromise.of(this.#commit());
  }

  async #commit(): Promise<void> {
    if (this.parent) throw new TransactionInactiveError('commit() is for top-level transactions; a child commits with its parent');
    if (this.#state === 'committed') return;
    if (this.#state === 'pending') await this.start();
    // Every operation called in the scope has settled; as in Dexie, one that
    // failed without anyone catching it aborts the transaction.
    await this.#settleOperations();
    // Aborted meanwhile (a failed child transaction, tx.abort()): the commit fails with the reason itself.
    if (this.#state === 'aborted') throw this.#error ?? new AbortError('the transaction was aborted');
    this.#checkActive();
    const session = this.#session!;
    this.#state = 'committing';
    try {
      await session.beforeCommit(this);
    } catch (error) {
      this.#state = 'active';
      this.abort(error);
      throw error;
    }
    try {
      await session.commit();
    } catch (error) {
      this.#error = error as Error;
      this.#state = 'aborted';
      this.#session = undefined;
      void this.on('abort').fire(error);
      throw error;
    }
    this.#state = 'committed';
    this.#session = undefined;
    void this.on('complete').fire();
  }

  /** Discards an explicit transaction's writes (does nothing once committed). */
  async rollback(): Promise<void> {
    if (this.#state === 'committed' || this.#state === 'aborted') return;
    this.abort(new AbortError('rolled back by tx.rollback()'));
  }

  /** `await using tx = table.startTransaction()`: rolls back unless committed. */
  async [asyncDispose](): Promise<void> {
    await this.rollback();
  }
}

contextualAsyncMethods(TransactionBase.prototype);

/** A non-Error abort reason in words: a plain object as JSON, not "[object Object]". */
function describeReason(reason: unknown): string {
  if (typeof reason !== 'object' || reason === null) return String(reason);
  try {
    return JSON.stringify(reason) ?? Object.prototype.toString.call(reason);
  } catch {
    return Object.prototype.toString.call(reason);
  }
}
