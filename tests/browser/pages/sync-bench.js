// sync-bench.js: one "device" of the browser sync throughput benchmark
// (bench/sync-main-thread.mjs): writes, pushes or pulls N contacts and
// measures, meanwhile, the main thread's long tasks (PerformanceObserver
// 'longtask': every task over 50 ms) and the longest gap a message-channel
// heartbeat saw (about the longest task, also under 50 ms).
import { Indexie } from 'indexie';

let db;
let sync;
window.startSync = async (name, url, options = {}) => {
  db = new Indexie(name);
  db.version(1).stores({ contacts: 'id, name' });
  sync = db.sync({ url, tables: ['contacts'], interval: 0, pushDelay: false, syncOnConnect: false, ...options });
  await sync.ready;
  return true;
};

/** Runs `operation`, timing it and watching the main thread. */
async function measured(operation) {
  const longTasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push(Math.round(entry.duration));
  });
  observer.observe({ type: 'longtask' });
  let longestGap = 0;
  let beating = true;
  const channel = new MessageChannel();
  let last = performance.now();
  channel.port1.onmessage = () => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
    if (beating) channel.port2.postMessage(0);
  };
  channel.port2.postMessage(0);
  const started = performance.now();
  await operation();
  const ms = performance.now() - started;
  beating = false;
  await new Promise((resolve) => setTimeout(resolve, 100)); // the last long task's entry arrives
  observer.disconnect();
  channel.port1.close();
  return {
    ms: Math.round(ms),
    longTasks: longTasks.length,
    longestTaskMs: Math.max(0, ...longTasks),
    longestGapMs: Math.round(longestGap),
  };
}

window.writeContacts = (n) =>
  measured(() =>
    db.contacts.bulkPut(
      Array.from({ length: n }, (_, i) => ({ id: `c-${i}`, name: `Contact ${i}`, email: `c${i}@example.com`, phone: String(5550000 + i) })),
    ),
  );
window.syncAll = () => measured(() => sync.syncAll());
window.count = () => db.contacts.count();
window.pending = () => sync.status().pendingChanges;
document.getElementById('status').textContent = 'ready';
