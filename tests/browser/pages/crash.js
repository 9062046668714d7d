// crash.js: commits batches of BATCH records (large flushes) one after the
// other, reporting each resolved one to the test, until the page is closed
// or the browser killed; then verify() (page closes) or verifyAndTrim()
// (browser kills) checks what survived. `storage` is the Indexie option
// ('indexeddb', 'opfs'; undefined is the default store).
import { Indexie } from 'indexie';

const BATCH = 1500;
/** Rows verifyAndTrim() leaves of each batch it has checked (n < KEPT_ROWS), so a long soak's database stays small. */
const KEPT_ROWS = 5;
const open = (name, storage) => {
  const db = new Indexie(name, { storage: storage ?? 'indexeddb' });
  db.version(1).stores({ rows: '++id, batch, n, [batch+n]' });
  return db;
};

window.writeUntilClosed = async (name, firstBatch, storage) => {
  const db = open(name, storage);
  for (let batch = firstBatch; ; batch++) {
    const rows = Array.from({ length: BATCH }, (_, n) => ({ batch, n, payload: `${batch}:${n}:`.padEnd(300, 'x') }));
    void window.reportStarted?.(batch); // only the kill soak listens
    await db.rows.bulkAdd(rows);
    await window.reportResolved(batch);
  }
};

/** Integrity problems, and each batch present with its row count. */
window.verify = async (name, storage) => {
  const db = open(name, storage);
  const problems = await db.checkIntegrity();
  const batches = await db.rows.orderBy('batch').uniqueKeys();
  const counts = {};
  for (const batch of batches) counts[batch] = await db.rows.where('batch').equals(batch).count();
  db.close();
  return { problems, counts, batchSize: BATCH };
};

/**
 * After a browser kill: integrity problems, each batch present with its row
 * count (one index scan, however many batches), then a write: every checked
 * batch is trimmed to its rows n < KEPT_ROWS in one commit, whose success
 * shows the recovered database still takes writes. Any error (the open
 * refused, say) is returned by name, not thrown, so the test can report it.
 */
window.verifyAndTrim = async (name, storage) => {
  const db = open(name, storage);
  try {
    const problems = await db.checkIntegrity();
    const counts = {};
    for (const batch of await db.rows.orderBy('batch').keys()) counts[batch] = (counts[batch] ?? 0) + 1;
    await db.rows.where('n').aboveOrEqual(KEPT_ROWS).delete();
    const rowsAfterTrim = await db.rows.count();
    return { problems, counts, batchSize: BATCH, keptRows: KEPT_ROWS, rowsAfterTrim };
  } catch (error) {
    return { error: `${error.name}: ${error.message}` };
  } finally {
    db.close();
  }
};

document.getElementById('status').textContent = 'ready';

/** Writes batches until storage refuses one; reports the error and what the page holds. */
window.fillUntilFull = async (name, storage) => {
  const db = open(name, storage);
  for (let batch = 1; batch < 10000; batch++) {
    try {
      await db.rows.bulkAdd(Array.from({ length: 200 }, (_, n) => ({ batch, n, payload: `${batch}:${n}:`.padEnd(500, 'q') })));
    } catch (error) {
      const count = await db.rows.count();
      const problems = await db.checkIntegrity();
      db.close();
      return { name: error.name, message: error.message, count, problems, failedBatch: batch };
    }
  }
  db.close();
  return { name: 'none' };
};

window.addOne = async (name, storage) => {
  const db = open(name, storage);
  await db.rows.add({ batch: -1, n: 0, payload: 'after' });
  const count = await db.rows.count();
  db.close();
  return count;
};

window.count = async (name, storage) => {
  const db = open(name, storage);
  const count = await db.rows.count();
  db.close();
  return count;
};
