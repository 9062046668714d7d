// transactions/transaction-types.ts: the data types of a transaction and the
// contracts between a transaction (transaction.ts) and the database that
// runs it (db/sessions.ts, db/state.ts): its session, its backend, how it
// starts, and the change records hooks receive.
import type { Engine } from '../engine/engine.js';

export type TransactionMode = 'readonly' | 'readwrite';
export type TransactionState = 'pending' | 'active' | 'committing' | 'committed' | 'aborted';

/** One record changed by a write; the payload of onAdd / onUpdate / onDelete (hooks/table-hooks.ts). */
export interface Change {
  type: 'add' | 'update' | 'delete';
  table: string;
  key: unknown;
  /** The new record (add, update). */
  item?: unknown;
  /** The record before (update, delete). */
  previous?: unknown;
  /** What changed, as key paths (update): Dexie's getObjectDiff of previous and item. */
  changes?: Record<string, unknown>;
}

/** What a top-level transaction holds while it runs (built by db/sessions.ts). */
/** `Tx` is the transaction class (TransactionBase; a parameter, so this file imports nothing of it). */
export interface TransactionSessionOf<Tx> {
  /** The engine to run an operation on: the transaction's own view. */
  engine(forWrite: boolean): Engine | Promise<Engine>;
  /** Runs before the engine commits; a throw aborts (the async hooks). */
  beforeCommit(tx: Tx): Promise<void>;
  /** Commits; resolves once durable. On failure the session is already rolled back. */
  commit(): Promise<void>;
  /**
   * Discards everything the transaction wrote and releases its locks. Sends
   * its engine requests before it returns (so they precede any later
   * operation's); what follows them (live-query notices) may come later.
   */
  rollback(): void;
  /** Called after each write operation (the optimistic overlay reports its changes here). */
  afterWrite?(): Promise<void>;
}

/** What a transaction needs from its database. */
export interface TransactionBackendOf<Tx> {
  /** The Indexie instance (typed loosely here to keep the module graph acyclic). */
  readonly db: object;
  /** Acquires locks and opens the session of a top-level transaction. */
  startSession(tx: Tx): Promise<TransactionSessionOf<Tx>>;
  /** A table object whose operations belong to `tx` (api's Table: typed there, see Transaction.table()). */
  boundTable(tx: Tx, name: string): unknown;
  /** Whether the database has this table now (upgrade transactions reach every table). */
  hasTable(name: string): boolean;
}

/** How a transaction starts: a child of `parent`, or top-level (an upgrade's comes with its session). */
export interface TransactionInitOf<Tx> {
  parent?: Tx;
  optimistic?: boolean;
  upgrade?: boolean;
  session?: TransactionSessionOf<Tx>;
}

export interface TransactionOptions {
  /** Writes visible to every reader at once (true) or only after commit (false, the default). */
  optimistic?: boolean;
}
