// db/run-transaction.ts: the transactions a database starts. db.transaction()
// runs a scope in a top-level transaction, or in a child of the caller's
// (Dexie's nesting rules, with 'rw!' for an independent one); an explicit
// handle (startTransaction) commits or rolls back when told; a write outside
// any transaction on a table with hooks gets a transaction of its own.
//
// Scopes run in their transaction's context (transactions/async-context.ts):
// their table calls, also after awaiting indexie's promises, belong to it.
import { AbortError, BulkError, NotFoundError, ReadOnlyError, SubTransactionError } from '../errors.js';
import type { Engine } from '../engine/engine.js';
import { Strategy, type TableHooks } from '../hooks/table-hooks.js';
import { LiveQueryRun } from '../live-query/live-query.js';
import { IndexiePromise, currentContext } from '../transactions/async-context.js';
import type { TransactionBase, TransactionOptions } from '../transactions/transaction.js';
import { parseTransactionArgs, type TransactionRequest } from '../transactions/transaction-args.js';
import { engineForOperation } from './open.js';
import { runScope, type DatabaseState } from './state.js';

/**
 * db.transaction(mode, tables..., scope, options?) with `args` as given:
 * resolves to the scope's result once the commit is durable; a throw or
 * rejection in the scope rolls everything back and rejects with that error.
 */
export function transaction(db: DatabaseState, args: readonly unknown[]): Promise<unknown> {
  const caller = db.contextTransaction();
  const context = currentContext();
  const liveRun = context instanceof LiveQueryRun ? context : undefined;
  let request: TransactionRequest;
  try {
    request = parseTransactionArgs(args);
    if (liveRun && request.mode === 'readwrite') {
      throw new ReadOnlyError('a live query only reads: its querier cannot open a read-write transaction');
    }
  } catch (error) {
    return Promise.reject(error);
  }
  // Open: the lock is requested synchronously, so transactions start in call order.
  const started =
    db.engine || caller?.upgrade
      ? runTransaction(db, request, caller, liveRun)
      : engineForOperation(db).then(() => runTransaction(db, request, caller, liveRun));
  const promise = IndexiePromise.of(started);
  // A nested transaction (one that joins its caller, or fails trying, as in Dexie) is part of
  // its caller: the caller waits for it, and fails with it if nobody handles its failure.
  if (caller?.active && request.nesting !== '!' && (request.nesting === '' || joins(caller, request))) caller.adoptChild(promise);
  return promise;
}

async function runTransaction(
  db: DatabaseState,
  request: TransactionRequest,
  caller: TransactionBase | undefined,
  liveRun: LiveQueryRun | undefined,
): Promise<unknown> {
  for (const table of request.tables) {
    // As Dexie (IndexedDB's transaction() names it so): a table that does not exist is a NotFoundError.
    if (!db.schemas.has(table)) throw new NotFoundError(`transaction(): table '${table}' does not exist in database '${db.name}'`);
  }
  const parent = request.nesting === '!' || !caller?.active ? undefined : caller;
  if (parent) {
    const missing = tablesMissingIn(parent, request);
    const modeFits = modeFitsIn(parent, request);
    if (modeFits && missing.length === 0) return runChild(db, parent, request);
    if (request.nesting === '') {
      throw new SubTransactionError(
        modeFits
          ? `a nested transaction cannot add tables its parent lacks (${missing.join(', ')}): name them in the parent, or use mode '${request.mode === 'readonly' ? 'r' : 'rw'}!' for an independent transaction`
          : `a read-write transaction cannot be nested in a read-only one: open the parent with 'rw', or use 'rw!' for an independent transaction`,
      );
    }
  }
  if (caller?.active && caller.root.mode === 'readwrite') {
    // A separate transaction ('!', or '?' that cannot join) started from inside a running
    // read-write transaction of this database would wait for the database's one writer, which
    // its own caller holds: awaited, that is a deadlock. Fail now, and say why.
    const asked = `${request.mode === 'readonly' ? 'r' : 'rw'}${request.nesting}`;
    throw new SubTransactionError(
      `transaction('${asked}', ${request.tables.join(', ')}): a separate transaction cannot start inside a running ` +
        `read-write transaction of database '${db.name}' (indexie has one writer per database, so it would wait for ` +
        `its own caller): join the caller ('rw' or 'rw?' with tables it has), or start it after the caller ends`,
    );
  }
  const tx = db.newTransaction(request.mode, request.tables, { optimistic: request.options.optimistic });
  if (liveRun) db.liveRuns.set(tx, liveRun);
  await tx.start();
  let result: unknown;
  try {
    result = await runScope(tx, request.scope);
  } catch (error) {
    tx.abort(error);
    throw error;
  }
  if (tx.state === 'aborted') throw tx.error ?? new AbortError('the transaction was aborted');
  await tx.commit();
  return result;
}

function tablesMissingIn(parent: TransactionBase, request: TransactionRequest): string[] {
  return parent.upgrade ? [] : request.tables.filter((t) => !parent.storeNames.includes(t));
}

function modeFitsIn(parent: TransactionBase, request: TransactionRequest): boolean {
  return request.mode === 'readonly' || parent.mode === 'readwrite';
}

/** Whether `request` can run as a child of `parent` (its tables and mode fit). */
function joins(parent: TransactionBase, request: TransactionRequest): boolean {
  return modeFitsIn(parent, request) && tablesMissingIn(parent, request).length === 0;
}

async function runChild(db: DatabaseState, parent: TransactionBase, request: TransactionRequest): Promise<unknown> {
  const child = db.newTransaction(request.mode, request.tables, { parent });
  try {
    const result = await runScope(child, request.scope);
    // As in Dexie, a child ends when its operations did: one failing unhandled fails the child.
    await child.settleOperations();
    return result;
  } catch (error) {
    child.abort(error); // as in Dexie, a failed child aborts the whole transaction
    throw error;
  }
}

/**
 * An explicit read-write transaction over `tables` (for table.startTransaction):
 * operations go through tx.table(name); commit() or rollback() ends it.
 */
export function startTransaction(db: DatabaseState, tables: readonly string[], options: TransactionOptions = {}): TransactionBase {
  if (db.engine) for (const table of tables) db.schemaOf(table);
  const tx = db.newTransaction('readwrite', tables, { optimistic: options.optimistic });
  tx.start().catch((error) => tx.abort(error));
  return tx;
}

/**
 * A write outside any transaction on a table with hooks: a transaction of
 * its own, optimistic for LOCAL_FIRST (visible while the async hooks run,
 * rolled back if one fails), standard for NETWORK_FIRST (seen by nobody
 * until the hooks succeeded). As outside transactions, a BulkError keeps
 * the items that were written.
 */
export async function writeWithHooks<R>(
  db: DatabaseState,
  table: string,
  hooks: TableHooks,
  operation: (tx: TransactionBase) => (engine: Engine) => R | Promise<R>,
  ready?: Promise<void>,
): Promise<R> {
  const tx = db.newTransaction('readwrite', [table], { optimistic: hooks.strategy === Strategy.LOCAL_FIRST });
  await tx.start();
  if (ready) {
    // Its place in the order of writes is taken (tx.start()); now the Blobs it stores (write-path.ts).
    try {
      await ready;
    } catch (error) {
      tx.abort(error);
      throw error;
    }
  }
  let result: R | undefined;
  let bulkError: BulkError | undefined;
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
