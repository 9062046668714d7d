// live.js: page functions for tests/browser/live-query.test.mjs: a database,
// a live query whose emissions are timestamped on the clock every page shares
// (performance.timeOrigin + performance.now()), and timestamped writes.
import { Indexie, liveQuery } from 'indexie';

let db;
const emissions = [];
let runs = 0;

const now = () => performance.timeOrigin + performance.now();

window.openDb = async (name) => {
  db = new Indexie(name);
  db.version(1).stores({ items: '++id, group, n' });
  await db.open();
};

window.watchGroup = (group) => {
  liveQuery(() => db.items.where('group').equals(group).toArray(), { onRun: () => runs++ }).subscribe((items) =>
    emissions.push({ at: now(), count: items.length }),
  );
};

window.liveState = () => ({ runs, emissions });

/** Adds an item; resolves to the time just before the call. */
window.add = async (item) => {
  const at = now();
  await db.items.add(item);
  return at;
};

/** Waits until an emission with `count` items; resolves to its time. */
window.waitForCount = async (count, timeoutMs = 5000) => {
  const deadline = now() + timeoutMs;
  while (now() < deadline) {
    const hit = emissions.find((e) => e.count === count);
    if (hit) return hit.at;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error(`no emission with ${count} items within ${timeoutMs} ms: ${JSON.stringify(emissions)}`);
};

document.getElementById('status').textContent = 'ready';
