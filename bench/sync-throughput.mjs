// bench/sync-throughput.mjs: push and pull of N changes (default 10,000)
// through the reference sync server over HTTP, in Node (in-memory
// databases): device A writes N records and pushes them, device B pulls
// them. Reports each time, the rate, and the longest event-loop block seen
// meanwhile (a 1 ms interval timer's largest gap), which stays near the
// longest single silent-apply or push-marking transaction.
//   node bench/sync-throughput.mjs [N] [batchSize] [pullLimit]
import { Indexie } from 'indexie';
import { startSyncServer } from '../sync-server/reference-server.mjs';

const N = Number(process.argv[2] ?? 10000);
const batchSize = Number(process.argv[3] ?? 100);
const pullLimit = Number(process.argv[4] ?? 200);
const server = await startSyncServer();

function device(name) {
  const db = new Indexie(name, { indexedDB: null });
  db.version(1).stores({ contacts: 'id, name' });
  const sync = db.sync({
    url: server.url,
    tables: ['contacts'],
    interval: 0,
    pushDelay: false,
    syncOnConnect: false,
    batchSize,
    pullLimit,
  });
  return { db, sync };
}

function watchBlocking() {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  return () => (clearInterval(timer), worst);
}

const A = device('bench-a');
const B = device('bench-b');
await A.sync.ready;
await B.sync.ready;
const records = Array.from({ length: N }, (_, i) => ({
  id: `c-${i}`,
  name: `Contact ${i}`,
  email: `c${i}@example.com`,
  phone: String(5550000 + i),
}));
let stop = watchBlocking();
let t = performance.now();
await A.db.contacts.bulkPut(records);
const write = performance.now() - t;
const writeBlock = stop();
stop = watchBlocking();
t = performance.now();
await A.sync.syncAll();
const push = performance.now() - t;
const pushBlock = stop();
stop = watchBlocking();
t = performance.now();
await B.sync.syncAll();
const pull = performance.now() - t;
const pullBlock = stop();
const pulled = await B.db.contacts.count();
const stats = server.store.stats();
console.log(
  JSON.stringify(
    {
      changes: N,
      batchSize,
      pullLimit,
      writeWithOutboxMs: Math.round(write),
      pushMs: Math.round(push),
      pushPerSecond: Math.round(N / (push / 1000)),
      pullMs: Math.round(pull),
      pullPerSecond: Math.round(N / (pull / 1000)),
      longestBlockMs: { write: Math.round(writeBlock), push: Math.round(pushBlock), pull: Math.round(pullBlock) },
      pulled,
      serverApplied: stats.appliedChanges,
      appliedTwice: stats.appliedChanges - stats.distinctChangeIds,
    },
    null,
    2,
  ),
);
A.sync.stop();
B.sync.stop();
A.db.close();
B.db.close();
await server.close();
