// electric-worker.js: a module Worker for tests/browser/electric-sync.test.mjs:
// table.syncElectric() running inside a Worker (its own database, the
// Worker's fetch and IndexedDB), answering the page's messages: start the
// sync, report the rows and the sync's state, stop. Workers do not see the
// page's import map, so indexie is imported by its URL.
import { Indexie } from '/indexie/index.js';

let db;
let sync;

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'start') {
      db = new Indexie('electric-worker');
      db.version(1).stores({ items: 'id, title' });
      sync = db.items.syncElectric({ url: data.url, params: { table: 'items' }, live: data.live, backoff: { initialMs: 20, maxMs: 200 } });
      await sync.whenUpToDate();
      self.postMessage({ id: data.id, value: true });
    } else if (data.type === 'state') {
      const rows = (await db.items.toArray()).map((r) => ({ ...r, id: String(r.id) }));
      self.postMessage({ id: data.id, value: { rows, status: sync.status, isUpToDate: sync.isUpToDate } });
    } else if (data.type === 'stop') {
      await sync.stop();
      db.close();
      self.postMessage({ id: data.id, value: true });
    }
  } catch (error) {
    self.postMessage({ id: data.id, error: `${error?.name}: ${error?.message}` });
  }
};
