// bench.js: the same workloads on Dexie and on indexie in one page (issue 9's
// list). Each workload is timed as the median of several runs; for each, the
// longest main-thread block seen by the Long Tasks API while it ran (0 when
// no task took over 50 ms). bench/run.mjs calls window.runBench; its
// `storage` ('indexeddb' by default, or 'opfs') is where indexie's
// databases live (Dexie: IndexedDB always). Memory is read after the bulk
// load and after the last reopen: the page's JS heap, the page's wasm
// (Indexie.engineMemoryBytes()), and, through window.measureOutside (bound
// by bench/benchmark.mjs, see bench/worker-memory.mjs), the workers' JS
// heap and the renderer process's resident anonymous memory.
import { Indexie } from 'indexie';

import { libraries } from './libraries.js';
import { SCHEMA, makeRecord } from './records.js';

// --- Long tasks: every task over 50 ms, with its start and duration.
const longTasks = [];
new PerformanceObserver((list) => {
  longTasks.push(...list.getEntries());
}).observe({ type: 'longtask' });
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The longest long task overlapping [start, end] (0 if none took over 50 ms). */
function longestBlock(start, end) {
  let longest = 0;
  for (const task of longTasks) {
    if (task.startTime < end && task.startTime + task.duration > start) longest = Math.max(longest, task.duration);
  }
  return longest;
}

/**
 * Runs fn `runs` times; the median time, the longest block, and the last
 * result. `prepare(run)`, if given, runs before each run's clock starts (and
 * its own long tasks are not counted).
 */
async function measure(runs, fn, prepare) {
  const times = [];
  let longest = 0;
  let result;
  for (let i = 0; i < runs; i++) {
    if (prepare) {
      await prepare(i);
      await nextTask();
    }
    const start = performance.now();
    result = await fn(i);
    const end = performance.now();
    times.push(end - start);
    await nextTask(); // long task entries arrive after the task
    longest = Math.max(longest, longestBlock(start, end));
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], longestBlockMs: longest, result };
}

/** Live query latency: write -> notification, median of `rounds`. */
async function liveLatency(lib, db, rounds) {
  let waiting;
  let first;
  const ready = new Promise((resolve) => {
    first = resolve;
  });
  const subscription = lib
    .liveQuery(() => db.users.where('age').equals(95).count())
    .subscribe((count) => {
      first();
      const resolve = waiting;
      waiting = undefined;
      resolve?.(count);
    });
  await ready;
  // Timed until the notification only; each write is awaited (durable) before the next round.
  const times = [];
  const began = performance.now();
  for (let i = 0; i < rounds; i++) {
    const notified = new Promise((resolve) => {
      waiting = resolve;
    });
    const start = performance.now();
    const written = db.users.add({ ...makeRecord(i, 1, `live${Date.now()}-`), age: 95 });
    await notified;
    times.push(performance.now() - start);
    await written;
  }
  times.sort((a, b) => a - b);
  await nextTask();
  const result = { ms: times[Math.floor(times.length / 2)], longestBlockMs: longestBlock(began, performance.now()), result: 'notified' };
  subscription.unsubscribe();
  return result;
}

/**
 * The workloads, in order; `rows` is what each returns (compared between
 * libraries). Writers run on the loaded database after the readers.
 */
function workloads(n, runs) {
  const sample = Math.max(1, Math.floor(n / 1000));
  return [
    [
      '1,000 sequential get(id)',
      runs,
      async (db) => {
        let found = 0;
        for (let i = 0; i < 1000; i++) if (await db.users.get(1 + ((i * sample) % n))) found++;
        return found;
      },
    ],
    [
      "where('age').between(20, 30).toArray()",
      runs,
      (db) =>
        db.users
          .where('age')
          .between(20, 30)
          .toArray()
          .then((a) => a.length),
    ],
    ["where('name').startsWith('delta').count()", runs, (db) => db.users.where('name').startsWith('delta').count()],
    [
      "orderBy('name').offset(N/2).limit(50).toArray()",
      runs,
      (db) =>
        db.users
          .orderBy('name')
          .offset(n / 2)
          .limit(50)
          .toArray()
          .then((a) => a.length),
    ],
    ["where('tags').equals('charlie').count()", runs, (db) => db.users.where('tags').equals('charlie').count()],
    ['toArray() of the whole table', runs, (db) => db.users.toArray().then((a) => a.length)],
    [
      '200 sequential add() (each its own transaction)',
      runs,
      async (db, run) => {
        const prefix = `seq${run}-${Math.random().toString(36).slice(2)}-`;
        for (let i = 0; i < 200; i++) await db.users.add(makeRecord(i, n, prefix));
        return 200;
      },
    ],
    [
      "where('age').below(10).modify(fn)",
      runs,
      (db) =>
        db.users
          .where('age')
          .below(10)
          .modify((u) => {
            u.visits = (u.visits ?? 0) + 1;
          }),
    ],
  ];
}

/** Memory now, as far as the page and window.measureOutside can tell. */
async function memoryNow(name) {
  const outside = window.measureOutside ? await window.measureOutside() : {};
  return {
    jsHeapBytes: performance.memory?.usedJSHeapSize,
    wasmBytes: name === 'indexie' ? Indexie.engineMemoryBytes() : 0,
    ...outside,
  };
}

window.runBench = async ({ n, runs, latencyRounds = 20, storage = 'indexeddb' }) => {
  const LIBRARIES = libraries(SCHEMA, { storage });
  const records = Array.from({ length: n }, (_, i) => makeRecord(i, n));
  const suffix = Math.random().toString(36).slice(2);
  const results = {};
  const rows = [];
  const memory = {};
  for (const [name, lib] of Object.entries(LIBRARIES)) {
    const dbName = `bench-${name}-${suffix}`;
    // bulkAdd into a fresh database each run; the last one stays for the other workloads.
    // Opening the fresh database and copying the records (libraries write generated keys into
    // them) happen before the clock starts: neither is the library's bulkAdd.
    let db;
    let copies;
    const bulk = await measure(
      runs,
      async () => {
        await db.users.bulkAdd(copies);
        return n;
      },
      async (run) => {
        if (db) {
          db.close();
          await lib.remove(db.name);
        }
        db = await lib.open(`${dbName}-${run}`);
        copies = records.map((r) => ({ ...r }));
      },
    );
    results[name] = { 'bulkAdd of all N': bulk };
    memory[name] = await memoryNow(name);
    for (const [workload, count, fn] of workloads(n, runs)) results[name][workload] = await measure(count, (run) => fn(db, run));
    results[name]['live query: write -> notification (median of 20)'] = await liveLatency(lib, db, latencyRounds);
    const reopen = await measure(runs, async () => {
      const openName = db.name;
      db.close();
      db = await lib.open(openName);
      return (await db.users.get(1))?.email;
    });
    results[name]['close, reopen, first query'] = reopen;
    memory[name].afterReopen = await memoryNow(name);
    db.close();
    await lib.remove(db.name);
  }
  for (const workload of Object.keys(results.indexie)) {
    const d = results.dexie[workload];
    const x = results.indexie[workload];
    if (JSON.stringify(d.result) !== JSON.stringify(x.result)) {
      throw new Error(`${workload}: Dexie returned ${JSON.stringify(d.result)}, indexie ${JSON.stringify(x.result)}`);
    }
    rows.push({
      workload,
      dexieMs: d.ms,
      indexieMs: x.ms,
      dexieBlockMs: d.longestBlockMs,
      indexieBlockMs: x.longestBlockMs,
      result: x.result,
    });
  }
  return { rows, memory };
};

document.getElementById('status').textContent = 'ready';
