// recovery-worker.js: a module worker for recovery.test.mjs: no localStorage
// here, so the commit marker lives in the Cache API. Each message opens the
// database, optionally writes, reports its count and 'dataloss' events, closes.
import { Indexie } from '/indexie/index.js';

onmessage = async ({ data: { name, write } }) => {
  const db = new Indexie(name, { storage: 'indexeddb' });
  db.version(1).stores({ items: '++id' });
  const events = [];
  db.on('dataloss', (event) => events.push({ reason: event.reason, expectedCommit: event.expectedCommit, foundCommit: event.foundCommit }));
  try {
    if (write) await db.items.bulkAdd([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const count = await db.items.count();
    db.close();
    postMessage({ count, events });
  } catch (error) {
    postMessage({ error: `${error.name}: ${error.message}` });
  }
};
