// page-wasm.js: opens a database with the given storage, writes, reads and
// runs a live query through a change it reads, then says what WebAssembly
// the page itself loaded (wasm-spy.js) and fetched (its resource timing:
// a Worker's fetches are on the Worker's own timeline, not the page's).
import { Indexie, liveQuery } from 'indexie';

window.runScenario = async ({ name, storage }) => {
  const db = new Indexie(name, storage ? { storage } : {});
  db.version(1).stores({ people: '++id, name, age' });
  await db.open();
  await db.people.bulkAdd([
    { name: 'Ann', age: 30 },
    { name: 'Bob', age: 40 },
  ]);
  const read = await db.people.where('age').above(35).toArray();
  const emitted = [];
  let onValue;
  const subscription = liveQuery(() => db.people.where('age').between(20, 50).count()).subscribe({
    next: (value) => {
      emitted.push(value);
      onValue?.();
    },
  });
  const next = () => new Promise((resolve) => (onValue = resolve));
  if (emitted.length === 0) await next();
  const second = next();
  await db.people.add({ name: 'Cy', age: 25 });
  await second;
  subscription.unsubscribe();
  const exists = await Indexie.exists(name, storage ? { storage } : {});
  db.close();
  await Indexie.delete(name, storage ? { storage } : {});
  return {
    read: read.map((person) => person.name),
    exists,
    emitted,
    wasmCalls: [...window.wasmCalls],
    wasmFetchedByPage: performance
      .getEntriesByType('resource')
      .map((entry) => entry.name)
      .filter((url) => url.endsWith('.wasm')),
    pageWasmBytes: Indexie.engineMemoryBytes(),
  };
};

document.getElementById('status').textContent = 'ready';
