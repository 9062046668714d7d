// persistence.js: measures the IndexedDB bridge for one record size
// (pages per IndexedDB record): small-commit latency, bulk flush throughput,
// and open + first query of a large database.
import { Indexie } from 'indexie';

const SCHEMA = { users: '++id, &email, name, age, *tags' };
const record = (i) => ({
  name: `name-${(i * 7919) % 100000}`,
  email: `user${i}@example.com`,
  age: (i * 31) % 90,
  tags: [`t${i % 5}`, `u${i % 8}`],
  bio: `Record ${i}: `.padEnd(90, 'lorem ipsum dolor sit amet '),
});
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

window.measurePersistence = async ({ pagesPerRecord, n, commits }) => {
  const suffix = Math.random().toString(36).slice(2);
  const make = (name, options = {}) => {
    const db = new Indexie(name, { pagesPerRecord, ...options });
    db.version(1).stores(SCHEMA);
    return db;
  };
  // Small commits: one add each, awaited.
  const small = make(`small-${suffix}`);
  await small.open();
  const latencies = [];
  for (let i = 0; i < commits; i++) {
    const start = performance.now();
    await small.users.add(record(i));
    latencies.push(performance.now() - start);
  }
  small.close();

  // Bulk: the same bulkAdd in memory only and persisted; the difference is the flush.
  const items = Array.from({ length: n }, (_, i) => record(i));
  const memory = make(`memory-${suffix}`, { indexedDB: null });
  let start = performance.now();
  await memory.users.bulkAdd(items.map((r) => ({ ...r })));
  const memoryMs = performance.now() - start;
  memory.close();
  const bulk = make(`bulk-${suffix}`);
  await bulk.open();
  start = performance.now();
  await bulk.users.bulkAdd(items.map((r) => ({ ...r })));
  const persistedMs = performance.now() - start;
  bulk.close();
  const fileBytes = await new Promise((resolve, reject) => {
    const open = indexedDB.open(`indexie:bulk-${suffix}`);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const get = open.result.transaction('meta').objectStore('meta').get('state');
      get.onsuccess = () => {
        resolve(get.result.fileSize);
        open.result.close();
      };
    };
  });

  // Open the large database and answer a first query.
  start = performance.now();
  const reopened = make(`bulk-${suffix}`);
  await reopened.open();
  const count = await reopened.users.where('age').equals(5).count();
  const openMs = performance.now() - start;
  reopened.close();
  return {
    fileBytes,
    pagesPerRecord,
    smallCommitMedianMs: median(latencies),
    memoryBulkMs: memoryMs,
    persistedBulkMs: persistedMs,
    flushMs: persistedMs - memoryMs,
    openAndFirstQueryMs: openMs,
    firstQueryCount: count,
  };
};

document.getElementById('status').textContent = 'ready';
