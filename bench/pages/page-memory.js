// page-memory.js: opens a database on the given storage, writes `rows`
// records, reads, and subscribes a live query (kept open, as an app keeps
// its database and queries), for bench/page-memory.mjs to measure the page.
import { Indexie, liveQuery } from 'indexie';

window.openAndQuery = async ({ storage, rows }) => {
  const options = storage ? { storage } : {};
  await Indexie.delete('page-memory', options);
  const db = new Indexie('page-memory', options);
  db.version(1).stores({ people: '++id, name, age' });
  const began = performance.now();
  await db.open();
  const openMs = performance.now() - began;
  await db.people.bulkAdd(Array.from({ length: rows }, (_, i) => ({ name: `name ${i}`, age: i % 90 })));
  const read = await db.people.where('age').between(20, 30).count();
  const first = await new Promise((resolve) => {
    window.subscription = liveQuery(() => db.people.where('age').equals(42).count()).subscribe({ next: resolve });
  });
  window.db = db;
  return { read, first, openMs, pageWasmBytes: Indexie.engineMemoryBytes() };
};

document.getElementById('status').textContent = 'ready';
