// db/write-path.ts: how writes become durable (DESIGN §5, §12). Every
// read-write unit (a transaction, or one write outside any) takes this
// page's exclusive lock on the database (transactions/lock-manager.ts), then
// the database's Web Lock across tabs, catches up with other tabs' commits
// (tab-sync.ts), and flushes to IndexedDB before it resolves: no commit is
// flushed on top of an unflushed one.
//
// Reads outside a transaction answer from the live state, except while a
// standard (non-optimistic) transaction or a sliced write is open: then
// they read the committed state through a second engine connection on the
// same file (committedView).
//
// Live queries hear of a write when it becomes visible to readers: right
// after the engine commits (before the flush), and again if the flush fails
// and the engine reverts.
//
// `ready` (write, writeSliced): what the write must wait for once it holds
// its lock, before it runs (the bytes of the Blobs it stores, read
// asynchronously: values/blob-bytes.ts). Waiting after the lock keeps
// writes in call order.
import { Engine } from '../engine/engine.js';
import { inOperation } from '../errors.js';
import { reopenAfterWipe } from './connection-recovery.js';
import { postTask } from '../transactions/async-context.js';
import { engineForOperation, openDatabase } from './open.js';
import { ALL, type DatabaseState } from './state.js';
import { applyOtherTabs } from './tab-sync.js';

/** A bulk write of more items than this is sliced (writeSliced). */
export const SLICED_ABOVE_ITEMS = 1000;
/** The first slice's size (later ones follow the measured rate); small, as the first may run cold. */
const FIRST_SLICE_ITEMS = 200;
/** What one slice of a long write aims to take, in ms (well under the 50 ms of a "long task"). */
const SLICE_MS = 16;

/**
 * The exclusive lock of a read-write unit: this page's lock, then the Web
 * Lock across tabs, then the other tabs' commits applied. Resolves with the
 * function that releases both locks.
 */
export async function acquireWrite(db: DatabaseState, owner: string): Promise<() => void> {
  const releaseLocal = await db.locks.acquire('exclusive', ALL, owner);
  let writeLock = db.writeLock;
  try {
    // Another tab may have committed since this tab last looked: apply that
    // first, unless this tab kept the lock since its last write (then nobody could).
    const fresh = writeLock ? await writeLock.acquire() : true;
    if (fresh && db.persistence && db.engine) await applyOtherTabs(db, db.engine);
  } catch (error) {
    writeLock?.abandonUnit();
    const persistence = db.persistence;
    if (!persistence?.store.wiped || error !== persistence.store.wiped) {
      releaseLocal();
      throw error;
    }
    // The stored data is gone (connection-recovery.ts): this unit has not begun; it runs on the reopened database.
    reopenAfterWipe(db, persistence, openDatabase);
    writeLock = undefined;
  }
  db.unitsInFlight++;
  db.readEpoch++; // the unit may change the engine (or, for a transaction, where readers go)
  return () => {
    writeLock?.endUnit();
    releaseLocal();
    if (--db.unitsInFlight === 0) for (const release of db.afterUnits.splice(0)) release();
  };
}

/**
 * Makes the engine's committed changes durable and tells other tabs;
 * `changes` (change_set.h bytes) go into the commit's log entry for their
 * live queries. If storing fails, the engine reverts, and live queries
 * here hear of `changes` again.
 */
export async function flush(db: DatabaseState, engine: Engine, what: string, changes: readonly Uint8Array[]): Promise<void> {
  // The engine's own persistence: also after close(), which waits for this unit (see DatabaseState.close()).
  const persistence = db.persistenceOf.get(engine);
  if (!persistence) {
    // In memory only: nothing will ever revert to the last checkpoint, so
    // move it, or the VFS would keep a copy of every page changed since open.
    // (On OPFS the commit is durable already: SQLite's journal; other tabs hear of it.)
    if (engine.isOpen) engine.checkpoint();
    for (const bytes of changes) db.sharedEngine?.broadcastChanges(bytes);
    return;
  }
  try {
    await persistence.flush(engine, what, changes);
  } catch (error) {
    void db.dropReader(); // the file went back to its last checkpoint
    db.changed(...changes);
    if (persistence.store.wiped) reopenAfterWipe(db, persistence, openDatabase);
    throw error;
  }
  db.channel?.postMessage({ commit: persistence.store.state.commit });
}

/** The engine that shows committed state (plus any optimistic transaction's writes). */
export async function committedView(db: DatabaseState): Promise<Engine> {
  const engine = await engineForOperation(db);
  if (db.standardOpen === 0) return engine;
  db.reader ??= engine.openSession();
  return db.reader;
}

/**
 * Runs a write outside any transaction: one at a time, each followed by
 * its flush to IndexedDB, so no commit is flushed on top of an unflushed one. Resolves once the
 * commit is durable. If the operation threw after writing something (a
 * BulkError: the other items were written), that is flushed first. A
 * failed flush reverts the engine and rejects with the storage error.
 */
export async function write<T>(
  db: DatabaseState,
  operation: (engine: Engine) => T | Promise<T>,
  what: string,
  ready?: Promise<void>,
): Promise<T> {
  // The lock first (requested synchronously): writes run in call order.
  const release = await acquireWrite(db, what);
  try {
    if (ready) await ready.catch((error: unknown) => Promise.reject(inOperation(error, what)));
    const engine = await engineForOperation(db);
    let result: T | undefined;
    let failure: unknown;
    let failed = false;
    try {
      result = await operation(engine);
    } catch (error) {
      failed = true;
      failure = inOperation(error, what);
    }
    const changes = engine.isOpen ? await engine.takeChanges() : undefined;
    db.changed(changes);
    await flush(db, engine, what, changes ? [changes] : []);
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
 * `ready`: what the whole write waits for before its first slice (the Blobs
 * it stores, read); `sliceReady(from, to)`: the same per slice, so that
 * finding the Blobs among 100,000 items is not one long task before the
 * first slice.
 */
export async function writeSliced<R>(
  db: DatabaseState,
  count: number | ((engine: Engine) => Promise<number>),
  writeSlice: (engine: Engine, from: number, to: number) => Promise<R>,
  what: string,
  ready?: Promise<void>,
  sliceReady?: (from: number, to: number) => Promise<void> | undefined,
): Promise<R[]> {
  const release = await acquireWrite(db, what);
  try {
    if (ready) await ready.catch((error: unknown) => Promise.reject(inOperation(error, what)));
    const engine = await engineForOperation(db);
    const results: R[] = [];
    await engine.begin();
    db.standardOpen++;
    try {
      const total = typeof count === 'number' ? count : await count(engine);
      let size = FIRST_SLICE_ITEMS;
      for (let from = 0; from < total;) {
        if (from > 0) await new Promise<void>((resume) => postTask(resume));
        const to = Math.min(total, from + size);
        const started = performance.now();
        const sliceIsReady = sliceReady?.(from, to);
        if (sliceIsReady) await sliceIsReady.catch((error: unknown) => Promise.reject(inOperation(error, what)));
        results.push(await writeSlice(engine, from, to));
        // Next slice sized to take about SLICE_MS at the rate just measured (at most 4x bigger).
        const perItem = Math.max(performance.now() - started, 0.01) / (to - from);
        size = Math.max(1, Math.min(size * 4, Math.floor(SLICE_MS / perItem)));
        from = to;
      }
      await engine.commit();
    } catch (error) {
      if (engine.isOpen) {
        await engine.rollback();
        await engine.takeChanges(); // nobody saw them
      }
      throw error;
    } finally {
      db.standardOpen--;
    }
    const changes = await engine.takeChanges();
    db.changed(changes);
    // The commit of a big write takes a while: the flush starts in a task of its own.
    await new Promise<void>((resume) => postTask(resume));
    await flush(db, engine, what, changes ? [changes] : []);
    return results;
  } finally {
    release();
  }
}
