// tabs.js: what each page does in the multi-tab tests: increment a shared
// counter as fast as it can, write and look for other pages' writes.
import { Indexie } from 'indexie';

let db;
window.openDb = async (name) => {
  db = new Indexie(name);
  db.version(1).stores({ counters: 'id', notes: '++id, from' });
  await db.open();
  return true;
};

/** Read-modify-write increments for `ms` milliseconds; resolves how many resolved. */
window.incrementFor = async (ms) => {
  let resolved = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const changed = await db.counters.update('shared', (counter) => { counter.value += 1; });
    if (changed !== 1) await db.counters.put({ id: 'shared', value: 0 });
    else resolved++;
  }
  return resolved;
};

window.counter = async () => (await db.counters.get('shared'))?.value;

window.write = async (text) => {
  await db.notes.add({ from: text });
  return performance.now() + performance.timeOrigin;
};

/** Polls until a note with `text` is visible; resolves the wall-clock time it appeared. */
window.waitForNote = async (text, timeoutMs) => {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await db.notes.get({ from: text })) return performance.now() + performance.timeOrigin;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return null;
};

document.getElementById('status').textContent = 'ready';
