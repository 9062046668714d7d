// crash.js: commits batches of BATCH records (large flushes) one after the
// other, reporting each resolved one to the test, until the page is closed;
// then verify() checks what survived.
import { Indexie } from 'indexie';

const BATCH = 1500;
const open = (name) => {
  const db = new Indexie(name);
  db.version(1).stores({ rows: '++id, batch, [batch+n]' });
  return db;
};

window.writeUntilClosed = async (name, firstBatch) => {
  const db = open(name);
  for (let batch = firstBatch; ; batch++) {
    const rows = Array.from({ length: BATCH }, (_, n) => ({ batch, n, payload: `${batch}:${n}:`.padEnd(300, 'x') }));
    await db.rows.bulkAdd(rows);
    await window.reportResolved(batch);
  }
};

/** Integrity problems, and each batch present with its row count. */
window.verify = async (name) => {
  const db = open(name);
  const problems = await db.checkIntegrity();
  const batches = await db.rows.orderBy('batch').uniqueKeys();
  const counts = {};
  for (const batch of batches) counts[batch] = await db.rows.where('batch').equals(batch).count();
  db.close();
  return { problems, counts, batchSize: BATCH };
};

document.getElementById('status').textContent = 'ready';

/** Writes batches until storage refuses one; reports the error and what the page holds. */
window.fillUntilFull = async (name) => {
  const db = open(name);
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

window.addOne = async (name) => {
  const db = open(name);
  await db.rows.add({ batch: -1, n: 0, payload: 'after' });
  const count = await db.rows.count();
  db.close();
  return count;
};

window.count = async (name) => {
  const db = open(name);
  const count = await db.rows.count();
  db.close();
  return count;
};
