// live.js: live query latency on Dexie and on indexie in the same page: the
// time from starting a write to the subscriber's notification, and how many
// times each library re-runs a query for writes it did not read.
// bench/live-latency.mjs calls window.runLiveBench.
import { libraries } from './libraries.js';

const SCHEMA = { items: '++id, group, n' };

/** Subscribes `liveQuery(querier)`; next() resolves with the following emission. */
function subscribe(liveQuery, querier) {
  const state = { runs: 0, waiting: undefined, subscription: undefined };
  const observable = liveQuery(() => {
    state.runs++;
    return querier();
  });
  let first;
  const firstValue = new Promise((resolve) => {
    first = resolve;
  });
  state.subscription = observable.subscribe((value) => {
    first(value);
    const waiting = state.waiting;
    state.waiting = undefined;
    waiting?.(value);
  });
  state.next = () =>
    new Promise((resolve) => {
      state.waiting = resolve;
    });
  state.first = firstValue;
  return state;
}

async function measure(name, { open, liveQuery }, rounds, seed) {
  const db = await open(`live-bench-${name}-${Date.now()}`);
  await db.items.bulkAdd(Array.from({ length: seed }, (_, i) => ({ group: `g${i % 50}`, n: i })));
  const live = subscribe(liveQuery, () => db.items.where('group').equals('watched').toArray());
  await live.first;
  const latencies = [];
  const writes = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    const emitted = live.next().then(() => latencies.push(performance.now() - start));
    await db.items.add({ group: 'watched', n: i });
    writes.push(performance.now() - start);
    await emitted;
  }
  const runsBefore = live.runs;
  for (let i = 0; i < rounds; i++) await db.items.add({ group: 'elsewhere', n: i });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const needless = live.runs - runsBefore;
  live.subscription.unsubscribe();
  db.close();
  latencies.sort((a, b) => a - b);
  writes.sort((a, b) => a - b);
  return {
    median: latencies[Math.floor(latencies.length / 2)],
    p90: latencies[Math.floor(latencies.length * 0.9)],
    write: writes[Math.floor(writes.length / 2)],
    needless,
  };
}

window.runLiveBench = async ({ rounds, seed }) => {
  const { dexie, indexie } = libraries(SCHEMA);
  return { dexie: await measure('dexie', dexie, rounds, seed), indexie: await measure('indexie', indexie, rounds, seed) };
};

document.getElementById('status').textContent = 'ready';
