// db/table-host.ts: TableHost, what a Table (api/table.ts) runs on, and the
// host db/ gives each table: its operations join the transaction it is
// bound to (tx.table()), else the caller's transaction, else run on their
// own (a write as one unit, write-path.ts; a write with hooks in a
// transaction of its own; a long bulk write in slices). Every promise
// settles in the caller's context (transactions/async-context.ts).
//
// Reads made for a live query record what they read
// (live-query/recording-engine.ts); writes on a table whose hooks listen go
// through hooks/hooked-engine.ts. A live query's querier may not write.
import type { Engine } from '../engine/engine.js';
import { ReadOnlyError } from '../errors.js';
import { hookedEngine } from '../hooks/hooked-engine.js';
import { TableHooks } from '../hooks/table-hooks.js';
import { LiveQueryRun, readRecorderFor } from '../live-query/live-query.js';
import { recordingEngine } from '../live-query/recording-engine.js';
import { currentContext, inCallerContext } from '../transactions/async-context.js';
import { readBlobsIn } from '../values/blob-bytes.js';
import type { TransactionBase, TransactionOptions } from '../transactions/transaction.js';
import { startTransaction, writeWithHooks } from './run-transaction.js';
import { ALL, type DatabaseState } from './state.js';
import type { TableSchema } from './table-schema.js';
import { SLICED_ABOVE_ITEMS, committedView, write, writeSliced } from './write-path.js';

/** What a Table needs from its database. */
export interface TableHost {
  /** The database object (api's Indexie) the table belongs to (Dexie's table.db). */
  readonly db: object;
  /** The open engine (opening the database first if needed), for reads. */
  engine(): Promise<Engine>;
  /**
   * Runs a write on the engine; resolves when it is durable (see
   * write-path.ts, write). Hooks intercept it (the engine passed in is
   * hooks/hooked-engine.ts's) unless `silent`.
   */
  write<R>(operation: (engine: Engine) => R | Promise<R>, what: string, options?: WriteOptions): Promise<R>;
  /**
   * A write of `total` items that may be cut into slices: `writeSlice(engine,
   * from, to)` writes items [from, to). On its own (no transaction, no hook
   * to intercept it) it runs as several slices, one task each, in one engine
   * transaction (write-path.ts, writeSliced: nobody sees part of it); else in one
   * piece. `count` is the number of items, or computes it inside the write
   * (under the write lock, before any slice). Resolves the slices' results in order.
   */
  writeInSlices<R>(
    count: number | ((engine: Engine) => Promise<number>),
    writeSlice: (engine: Engine, from: number, to: number) => Promise<R>,
    what: string,
    options?: WriteOptions,
  ): Promise<R[]>;
  /**
   * Runs `read`, a read made of several engine calls (a streamed each()),
   * as one unit: in a transaction on its engine; outside one after the
   * writes called before it, holding the page's shared lock when it is free
   * at once (as a read-only transaction does), so no write of this page and
   * no other tab's commit applied here lands between its calls; the engine
   * passed in is the one a plain read would use (recording for a live query).
   */
  readUnit<R>(read: (engine: Engine) => Promise<R>, what: string): Promise<R>;
  /** See CollectionHost.readEpoch (api/collection.ts). */
  readEpoch(): number;
  /** Whether reads may be spread over several tasks: not inside a transaction. */
  slicesReads(): boolean;
  /** The table's hooks (shared by every Table object of it). */
  readonly hooks: TableHooks;
  /** The table's schema; valid once engine() has resolved. */
  schemaOf(table: string): TableSchema;
  /** Calls `listener` when the database is closed (db.close()); returns what unregisters it. */
  onClose(listener: () => void): () => void;
  /** An explicit read-write transaction on this table (and options.tables): api's Transaction. */
  startTransaction(options?: StartTransactionOptions): TransactionBase;
}

export interface WriteOptions {
  /** Writes without hooks of either family and without the table's write tap: no outbox entry (Table.applyRemote). */
  silent?: boolean;
  /**
   * The values (or objects of changes) the operation will store: the bytes
   * of the Blobs among them are read (asynchronously) before it runs, once
   * the write has its place in the order of operations (values/blob-bytes.ts).
   */
  stores?: readonly unknown[];
  /** The operation only adds records: hooks on updates and deletes need not see it. */
  addsOnly?: boolean;
}

export interface StartTransactionOptions extends TransactionOptions {
  /** More tables the transaction may touch, besides this one. */
  tables?: string[];
}

/**
 * What table `name` runs on: its operations join `bound` if given (tables
 * of tx.table()), else the caller's transaction, else run on their own.
 * Every promise settles in the caller's context (transactions/async-context.ts).
 */
export function tableHost(db: DatabaseState, name: string, bound?: TransactionBase): TableHost {
  const transaction = (): TransactionBase | undefined => bound ?? db.contextTransaction();
  const tableHooks = (): TableHooks => {
    let table = db.hooks.get(name);
    if (!table) db.hooks.set(name, (table = new TableHooks()));
    return table;
  };
  /** The engine a read outside any transaction uses, recording for a live query if `context` is one. */
  const readingEngine = (context: object | null): Promise<Engine> => {
    // Open, no standard transaction: the live engine, settling in this very turn (so in the caller's context).
    if (db.engine && db.standardOpen === 0) return Promise.resolve(forReading(db, db.engine, context));
    return inCallerContext(committedView(db).then((engine) => forReading(db, engine, context)));
  };
  const host: TableHost = {
    engine: () => {
      const tx = transaction();
      if (tx) return inCallerContext(tx.run(name, false, (engine) => forReading(db, engine, db.liveRuns.get(tx.root) ?? tx)));
      const context = currentContext();
      // A write called before this read and not applied yet: the read waits until it is, and sees
      // it, as in IndexedDB (plain writes only: a sliced write is read around, see README "Coming from Dexie").
      const pending = db.pendingWrite;
      if (pending) return inCallerContext(pending.then(() => readingEngine(context)));
      return readingEngine(context);
    },
    write: <R>(operation: (engine: Engine) => R | Promise<R>, what: string, options?: WriteOptions): Promise<R> => {
      if (currentContext() instanceof LiveQueryRun) {
        return Promise.reject(new ReadOnlyError(`a live query only reads, but its querier called ${what}`));
      }
      const tx = transaction();
      const ready = options?.stores ? readBlobsIn(options.stores) : undefined;
      // In a transaction, operations already start in call order (the operation gate, which also
      // keeps the transaction open meanwhile): the operation may wait for its Blobs here.
      const runInTx = (op: (engine: Engine) => R | Promise<R>): Promise<R> =>
        ready ? ready.then(() => tx!.run(name, true, op)) : tx!.run(name, true, op);
      const hooks = options?.silent ? undefined : db.hooks.get(name);
      const tapped = tappedEngine(db, name, options);
      if (!hooks || !(options?.addsOnly ? hooks.interceptsAdds : hooks.intercepting)) {
        const plain = (engine: Engine): R | Promise<R> => operation(tapped(engine));
        if (tx) return inCallerContext(runInTx(plain));
        return inCallerContext(db.trackWrite<R, R>((applied) => write(db, applied(plain), what, ready)));
      }
      const hooked =
        <R>(within: TransactionBase, op: (engine: Engine) => R | Promise<R>) =>
        (engine: Engine) =>
          op(hookedEngine(tapped(engine), name, db.schemas.get(name)?.primKey.keyPath ?? null, hooks, within, within.root.changes));
      if (tx) return inCallerContext(runInTx(hooked(tx, operation)));
      // Tracked as a plain write is: a read called after it waits until it is applied.
      return inCallerContext(
        db.trackWrite<R, R>((applied) => writeWithHooks(db, name, hooks, (within) => applied(hooked(within, operation)), ready)),
      );
    },
    readUnit: (read, what) => {
      if (transaction()) return host.engine().then(read);
      const context = currentContext();
      const pending = db.pendingWrite;
      return inCallerContext(
        (async () => {
          if (pending) await pending.catch(() => undefined); // its failure is its caller's, not this read's
          // The shared lock only when free at once: a read called outside a transaction may be
          // awaited by a transaction holding the lock (called in its scope after a foreign await),
          // and waiting for it would deadlock. Without it, writes may land between batches, and
          // each batch reads the committed state of its moment (the cursor goes on after its last key).
          const release = db.locks.tryAcquire('shared', ALL, what);
          try {
            return await read(await readingEngine(context));
          } finally {
            release?.();
          }
        })(),
      );
    },
    readEpoch: () => db.readEpoch,
    slicesReads: () => transaction() === undefined,
    writeInSlices: (count, writeSlice, what, options) => {
      const hooks = options?.silent ? undefined : db.hooks.get(name);
      const hooked = hooks !== undefined && (options?.addsOnly ? hooks.interceptsAdds : hooks.intercepting);
      const small = typeof count === 'number' && count <= SLICED_ABOVE_ITEMS;
      if (transaction() || hooked || small || currentContext() instanceof LiveQueryRun) {
        return host.write(
          async (engine) => {
            const total = typeof count === 'number' ? count : await count(engine);
            return [await writeSlice(engine, 0, total)];
          },
          what,
          options,
        );
      }
      const tapped = tappedEngine(db, name, options);
      // Items stored one per counted item (a bulk write): their Blobs are looked for slice by slice.
      const stores = options?.stores;
      const perSlice = stores !== undefined && stores.length === count;
      return inCallerContext(
        writeSliced(
          db,
          count,
          (engine, from, to) => writeSlice(tapped(engine), from, to),
          what,
          stores && !perSlice ? readBlobsIn(stores) : undefined,
          perSlice ? (from, to) => readBlobsIn(stores.slice(from, to)) : undefined,
        ),
      );
    },
    get hooks() {
      return tableHooks();
    },
    db: db.bindings.db,
    schemaOf: (table) => db.schemaOf(table),
    onClose: (listener) => {
      db.closeListeners.add(listener);
      return () => db.closeListeners.delete(listener);
    },
    startTransaction: (options) => startTransaction(db, [name, ...(options?.tables ?? [])], options),
  };
  return host;
}

/** What a write to `table` runs on: the engine wrapped by the table's write tap (sync's outbox), unless silent. */
function tappedEngine(db: DatabaseState, table: string, options: WriteOptions | undefined): (engine: Engine) => Engine {
  const tap = options?.silent ? undefined : db.writeTaps.get(table);
  return tap ? (engine) => tap(engine) : (engine) => engine;
}

/** `engine` for a read made in `context`: recording what it reads if a live query needs to know. */
function forReading(db: DatabaseState, engine: Engine, context: object | null): Engine {
  const recorder = readRecorderFor(db.name, context);
  return recorder ? recordingEngine(engine, recorder) : engine;
}
