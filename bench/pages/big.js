// big.js: issue 22's list at N records, Dexie and indexie side by side in
// one page (bench/big.mjs drives it, one step per call so that memory can
// be read from outside between steps). Records are generated and loaded in
// batches of 10,000, so the page never holds all N (at 1,000,000 that
// would be hundreds of MB of JS heap that belongs to neither library).
// Each step returns {ms, longestBlockMs, result}; longestBlockMs is the
// longest main-thread task over 50 ms (Long Tasks API) while it ran.
import { Indexie } from 'indexie';

import { libraries } from './libraries.js';
import { SCHEMA, makeRecord } from './records.js';

const BATCH = 10000;
const longTasks = [];
new PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({ type: 'longtask' });
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 50));

let LIBRARIES;
const dbs = {};
const names = {};

async function timed(fn) {
  await nextTask();
  const start = performance.now();
  const result = await fn();
  const end = performance.now();
  await nextTask(); // long task entries arrive after the task
  let longest = 0;
  for (const t of longTasks) if (t.startTime < end && t.startTime + t.duration > start) longest = Math.max(longest, t.duration);
  return { ms: end - start, longestBlockMs: longest, result };
}

window.bigSetup = ({ storage }) => {
  LIBRARIES = libraries(SCHEMA, { storage });
  const suffix = Math.random().toString(36).slice(2);
  for (const name of Object.keys(LIBRARIES)) names[name] = `big-${name}-${suffix}`;
};

/** One step of the list on library `name`. */
window.bigStep = async ({ name, step, n }) => {
  const lib = LIBRARIES[name];
  const sample = Math.max(1, Math.floor(n / 1000));
  switch (step) {
    case 'bulk load':
      dbs[name] = await lib.open(names[name]);
      return timed(async () => {
        for (let from = 0; from < n; from += BATCH) {
          const batch = [];
          for (let i = from; i < Math.min(n, from + BATCH); i++) batch.push(makeRecord(i, n));
          await dbs[name].users.bulkAdd(batch);
        }
        return n;
      });
    case 'reopen + first indexed query':
      dbs[name].close();
      return timed(async () => {
        dbs[name] = await lib.open(names[name]);
        return (
          await dbs[name].users
            .where('email')
            .equals(`user${n >> 1}@example.com`)
            .first()
        )?.age;
      });
    case 'range read':
      return timed(() =>
        dbs[name].users
          .where('age')
          .between(20, 30)
          .toArray()
          .then((a) => a.length),
      );
    case 'offset page':
      return timed(() =>
        dbs[name].users
          .orderBy('name')
          .offset(n / 2)
          .limit(50)
          .toArray()
          .then((a) => a.length),
      );
    case '1000 gets':
      return timed(async () => {
        let found = 0;
        for (let i = 0; i < 1000; i++) if (await dbs[name].users.get(1 + ((i * sample) % n))) found++;
        return found;
      });
    case 'full scan':
      return timed(async () => {
        let count = 0;
        await dbs[name].users.each(() => {
          count++;
        });
        return count;
      });
    case 'remove':
      dbs[name].close();
      await lib.remove(names[name]);
      return { ms: 0, longestBlockMs: 0, result: null };
    default:
      throw new Error(`unknown step ${step}`);
  }
};

/** The page's own memory: JS heap, and indexie's wasm in this page (not the worker's). */
window.bigPageMemory = () => ({ jsHeapBytes: performance.memory?.usedJSHeapSize, pageWasmBytes: Indexie.engineMemoryBytes() });

document.getElementById('status').textContent = 'ready';
