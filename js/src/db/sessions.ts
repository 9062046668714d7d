// db/sessions.ts: what a transaction runs on (the TransactionBackend of
// transactions/transaction.ts): a session per top-level transaction.
//
// A read-only transaction holds the database's lock shared and reads the
// committed state. A read-write one holds the write lock (write-path.ts,
// acquireWrite) and an engine transaction from its start to its end; at
// commit, the async hooks run first (a rejection aborts), then the engine
// commits and the flush makes it durable before the commit resolves.
//
// Visibility to live queries: an optimistic transaction's writes are
// announced as they are made (afterWrite) and again at rollback, so the UI
// reverts; a standard one's only at commit.
import type { Engine } from '../engine/engine.js';
import { callInContext } from '../transactions/async-context.js';
import type { Change, TransactionBackend, TransactionBase, TransactionSession } from '../transactions/transaction.js';
import { engineForOperation } from './open.js';
import { ALL, type DatabaseState } from './state.js';
import { tableHost, type TableHost } from './table-host.js';
import { acquireWrite, committedView, flush } from './write-path.js';

/** The backend of `db`'s transactions; `newTable` makes the Table objects of tx.table() (api's Table). */
export function transactionBackend(db: DatabaseState, newTable: (name: string, host: TableHost) => unknown): TransactionBackend {
  return {
    db: db.bindings.db,
    startSession: (tx) => startSession(db, tx),
    boundTable: (tx, name) => newTable(name, tableHost(db, name, tx)),
    hasTable: (name) => db.schemas.has(name),
  };
}

async function startSession(db: DatabaseState, tx: TransactionBase): Promise<TransactionSession> {
  const owner = `transaction('${tx.mode}', ${tx.storeNames.join(', ')})`;
  if (tx.mode === 'readonly') {
    // Shared: no write and no other tab's commit lands while it runs.
    const release = await db.locks.acquire('shared', ALL, owner);
    return { engine: () => committedView(db), beforeCommit: async () => undefined, commit: async () => release(), rollback: release };
  }
  const release = await acquireWrite(db, owner);
  let engine: Engine;
  try {
    engine = await engineForOperation(db);
    await engine.begin();
  } catch (error) {
    release();
    throw error;
  }
  // The engine transaction is open until commit or rollback; the locks are held until both end and the flush.
  let open = true;
  if (!tx.optimistic) db.standardOpen++;
  const close = (): void => {
    if (!open) return;
    open = false;
    if (!tx.optimistic) db.standardOpen--;
  };
  // Changes an optimistic transaction made visible so far (live queries have seen them).
  const shown: Uint8Array[] = [];
  return {
    engine: () => engine,
    beforeCommit: (committing) => runAsyncHooks(db, committing.changes),
    afterWrite: async () => {
      if (!tx.optimistic || !engine.isOpen) return;
      const changes = await engine.takeChanges();
      if (!changes) return;
      shown.push(changes);
      db.changed(changes);
    },
    commit: async () => {
      try {
        await engine.commit();
        close();
        const rest = await engine.takeChanges();
        db.changed(rest);
        await flush(db, engine, owner, rest ? [...shown, rest] : shown);
      } finally {
        close();
        release();
      }
    },
    rollback: () => {
      try {
        if (open && engine.isOpen) {
          // Both requests go now, before the locks are released (see TransactionSession.rollback).
          const rolledBack = engine.rollback();
          const unseen = engine.takeChanges();
          void Promise.all([rolledBack, unseen]).then(
            ([, unseen]) => {
              // What was shown disappears again; what a standard transaction wrote nobody saw.
              if (tx.optimistic) db.changed(...shown, unseen);
            },
            () => {
              // The engine closed meanwhile: it has nothing left to roll back; live queries still revert.
              if (tx.optimistic) db.changed(...shown, null);
            },
          );
        }
      } finally {
        close();
        release();
      }
    },
  };
}

/** indexie's async hooks of every change, in order; the first rejection aborts the commit. */
async function runAsyncHooks(db: DatabaseState, changes: readonly Change[]): Promise<void> {
  for (const change of changes) {
    const hooks = db.hooks.get(change.table);
    if (!hooks) continue;
    // Hooks run outside any transaction (their reads see what other readers see).
    for (const hook of hooks.asyncHooksFor(change.type)) await callInContext(null, () => hook({ ...change }));
  }
}
