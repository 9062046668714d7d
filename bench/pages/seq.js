// seq.js: the benchmark's "200 sequential add()" workload alone, Dexie and
// indexie in one page on tables of n records, alternating rounds so both
// see the same machine noise. bench/seq-adds.mjs calls window.setupSeq,
// then window.runSeq per round. setupSeq's `storage` ('indexeddb' by
// default, or 'opfs') is where indexie's database lives (Dexie: IndexedDB).
import { libraries } from './libraries.js';
import { SCHEMA, makeRecord } from './records.js';

let LIBRARIES = libraries(SCHEMA);
const dbs = {};

window.setupSeq = async ({ n, storage = 'indexeddb', durability }) => {
  LIBRARIES = libraries(SCHEMA, { storage, ...(durability ? { durability } : {}) });
  const suffix = Math.random().toString(36).slice(2);
  for (const [name, lib] of Object.entries(LIBRARIES)) {
    const db = await lib.open(`seq-${name}-${suffix}`);
    const records = Array.from({ length: n }, (_, i) => makeRecord(i, n));
    await db.users.bulkAdd(records);
    dbs[name] = db;
  }
};

/** One round of `adds` awaited adds on `name`; returns the ms it took. */
window.runSeq = async ({ name, n, adds = 200, detail = false }) => {
  const db = dbs[name];
  const prefix = `seq-${Math.random().toString(36).slice(2)}-`;
  const each = [];
  const start = performance.now();
  for (let i = 0; i < adds; i++) {
    const t = performance.now();
    await db.users.add(makeRecord(i, n, prefix));
    each.push(performance.now() - t);
  }
  const ms = performance.now() - start;
  return detail ? { ms, each } : ms;
};

window.teardownSeq = async () => {
  for (const [name, db] of Object.entries(dbs)) {
    db.close();
    await LIBRARIES[name].remove(db.name);
  }
};

document.getElementById('status').textContent = 'ready';
