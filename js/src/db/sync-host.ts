// db/sync-host.ts: SyncHost, what a sync layer (js/src/sync/) runs on: the
// database's internal tables, silent writes, write taps, change
// notifications. It is db/'s whole surface for sync, so a sync layer never
// touches DatabaseState.
//
// Guarantees:
//   - writeSilently(op): one read-write unit like any write (this page's
//     lock, the Web Lock, other tabs' commits applied first, flushed to
//     IndexedDB before it resolves); `op` runs on the raw engine, so no hook
//     fires and no write tap records it; live queries hear of it. It is one
//     engine transaction: if `op` throws, nothing it wrote stays.
//   - setWriteTap(table, wrap): from now on every non-silent write to
//     `table` (a Table or Collection method, in or outside a transaction,
//     sliced or not, hooked or not) runs on `wrap(engine)`, inside the
//     write's own engine transaction: what the wrapper writes commits or
//     vanishes with the write.
//   - read(op): `op` sees committed state (db/write-path.ts committedView).
//   - Every promise settles in the caller's context (transactions/async-context.ts):
//     a sync layer running outside any transaction stays outside.
import type { Engine } from '../engine/engine.js';
import { inCallerContext } from '../transactions/async-context.js';
import { ensureInternalTables } from './internal-tables.js';
import { engineForOperation } from './open.js';
import type { DatabaseState } from './state.js';
import { webLocks } from './storage.js';
import { committedView, write } from './write-path.js';

export interface SyncHost {
  /** The database's name (names its Web Locks). */
  readonly name: string;
  /** Whether the database is persisted (IndexedDB or OPFS). */
  readonly persistent: boolean;
  /** Runs `operation` on the raw engine as one durable unit, silently (see the header). */
  writeSilently<R>(operation: (engine: Engine) => R | Promise<R>, what: string): Promise<R>;
  /** Creates the internal tables of `specs` the database lacks (db/internal-tables.ts), as one durable unit. */
  ensureInternalTables(specs: Readonly<Record<string, string>>): Promise<void>;
  /** Runs `operation` on an engine showing committed state. */
  read<R>(operation: (engine: Engine) => R | Promise<R>): Promise<R>;
  /** Wraps the engine of every non-silent write to `table`; undefined removes the wrapper. */
  setWriteTap(table: string, wrap: ((engine: Engine) => Engine) | undefined): void;
  /** The primary key of `table` (keyPath null: outbound keys); undefined if the table does not exist (or not yet: open first). */
  primaryKeyOf(table: string): { keyPath: string | string[] | null; autoIncrement: boolean } | undefined;
  /** Opens the database if needed (autoOpen rules apply). */
  open(): Promise<void>;
  /** Calls `listener` after every change live queries hear of; returns the function that stops it. */
  onChange(listener: () => void): () => void;
  /** The runtime's Web Locks (undefined in Node). */
  locks(): LockManager | undefined;
}

/**
 * Runs `operation` as ONE engine transaction: all of it commits, or (it
 * threw) none of it. One commit also means one change set, where separate
 * engine calls would each commit and merge theirs into the last (slow).
 */
async function inEngineTransaction<R>(engine: Engine, operation: (engine: Engine) => R | Promise<R>): Promise<R> {
  await engine.begin();
  let result: R;
  try {
    result = await operation(engine);
  } catch (error) {
    if (engine.isOpen) await engine.rollback();
    throw error;
  }
  await engine.commit();
  return result;
}

export function syncHost(db: DatabaseState): SyncHost {
  return {
    name: db.name,
    persistent: db.options.storage !== 'memory',
    writeSilently: (operation, what) => inCallerContext(write(db, (engine) => inEngineTransaction(engine, operation), what)),
    ensureInternalTables: (specs) =>
      inCallerContext(
        write(db, (engine) => ensureInternalTables(engine, specs), 'creating internal tables').then((created) => {
          if (created) void db.dropReader(); // the committed-state reader caches the schema it opened with
        }),
      ),
    read: (operation) => inCallerContext(committedView(db).then(operation)),
    setWriteTap: (table, wrap) => {
      if (wrap) db.writeTaps.set(table, wrap);
      else db.writeTaps.delete(table);
    },
    primaryKeyOf: (table) => {
      const primKey = db.schemas.get(table)?.primKey;
      return primKey && { keyPath: primKey.keyPath, autoIncrement: primKey.auto };
    },
    open: () => inCallerContext(engineForOperation(db).then(() => undefined)),
    onChange: (listener) => {
      const once = (): void => listener();
      db.changeListeners.add(once);
      return () => db.changeListeners.delete(once);
    },
    locks: webLocks,
  };
}
