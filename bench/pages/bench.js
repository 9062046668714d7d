// bench.js: workloads run on Dexie and on indexie in the same page, each
// timed as the median of several runs. bench/run.mjs calls window.runBench.
import Dexie from 'dexie';
import { Indexie } from 'indexie';

const SCHEMA = { users: '++id, &email, name, age, *tags' };

function makeRecords(n) {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
  return Array.from({ length: n }, (_, i) => ({
    name: `${words[i % 8]}-${(i * 7919) % n}`,
    email: `user${i}@example.com`,
    age: (i * 31) % 90,
    tags: [words[i % 5], words[(i * 3) % 8]],
    bio: `Record ${i}: `.padEnd(90, 'lorem ipsum dolor sit amet '),
  }));
}

async function median(runs, fn) {
  const times = [];
  let result;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], result };
}

// Workloads: name -> (db) => Promise. Each reads the same data on both.
const WORKLOADS = {
  'where(age).between(20, 30).toArray()': (db) => db.users.where('age').between(20, 30).toArray().then((a) => a.length),
  'orderBy(name).offset(N/2).limit(50).toArray()': (db, n) => db.users.orderBy('name').offset(n / 2).limit(50).toArray().then((a) => a.length),
};

// bulkAdd of all N records into a fresh database, each run.
async function bulkAddBoth(records, runs) {
  const time = async (make) => {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const db = make(`bulk-${Math.random().toString(36).slice(2)}`);
      await db.open();
      const items = records.map((r) => ({ ...r }));
      const start = performance.now();
      await db.users.bulkAdd(items);
      times.push(performance.now() - start);
      db.close();
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  };
  const dexieMs = await time((name) => { const db = new Dexie(name); db.version(1).stores(SCHEMA); return db; });
  const indexieMs = await time((name) => { const db = new Indexie(name); db.version(1).stores(SCHEMA); return db; });
  return { workload: 'bulkAdd of all N (persisted)', dexieMs, indexieMs, rows: records.length };
}

window.runBench = async ({ n, runs, only }) => {
  const records = makeRecords(n);
  const suffix = Math.random().toString(36).slice(2);
  const dexie = new Dexie(`bench-dexie-${suffix}`);
  dexie.version(1).stores(SCHEMA);
  await dexie.users.bulkAdd(records.map((r) => ({ ...r })));
  const indexie = new Indexie(`bench-indexie-${suffix}`);
  indexie.version(1).stores(SCHEMA);
  await indexie.users.bulkAdd(records.map((r) => ({ ...r })));
  const rows = [await bulkAddBoth(records, runs)];
  for (const [name, workload] of Object.entries(WORKLOADS)) {
    if (only && !only.includes(name)) continue;
    const d = await median(runs, () => workload(dexie, n));
    const x = await median(runs, () => workload(indexie, n));
    if (d.result !== x.result) throw new Error(`${name}: Dexie returned ${d.result} rows, indexie ${x.result}`);
    rows.push({ workload: name, dexieMs: d.ms, indexieMs: x.ms, rows: x.result });
  }
  dexie.close();
  await Dexie.delete(dexie.name);
  indexie.close();
  return rows;
};

document.getElementById('status').textContent = 'ready';
