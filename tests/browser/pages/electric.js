// electric.js: the page of tests/browser/electric-sync.test.mjs: a persisted
// database whose `items` table follows a shape of the test shape server
// through table.syncElectric(), and a liveQuery over the table whose every
// emission is recorded (as "id:title" strings, sorted by id) so the test can
// check that none of them shows a mix of two shape states.
import { Indexie, liveQuery } from 'indexie';

const db = new Indexie('electric-page');
db.version(1).stores({ items: 'id, title' });
let sync;
let subscription;
const statuses = [];
/** Every liveQuery emission, in order. */
window.emissions = [];

window.startSync = async (url, live) => {
  sync = db.items.syncElectric({ url, params: { table: 'items' }, live, backoff: { initialMs: 20, maxMs: 200 } });
  sync.subscribe((status) => statuses.push(status));
  subscription ??= liveQuery(() => db.items.toArray()).subscribe((rows) =>
    window.emissions.push(rows.map((r) => `${r.id}:${r.title}`).join()),
  );
  await sync.whenUpToDate();
  return true;
};
window.syncState = () => ({ status: sync?.status, isUpToDate: sync?.isUpToDate ?? false, statuses });
/** The table's rows as the test compares them with SELECT. */
window.rows = async () => (await db.items.toArray()).map((r) => ({ ...r, id: String(r.id) }));
window.stopSync = async () => {
  await sync?.stop();
  return true;
};

// The same sync inside a module Worker (electric-worker.js): ask(type, fields) answers its reply.
let worker;
let asked = 0;
const replies = new Map();
function ask(type, fields = {}) {
  worker ??= new Worker(new URL('./electric-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => {
    const reply = replies.get(data.id);
    replies.delete(data.id);
    if (data.error) reply.reject(new Error(data.error));
    else reply.resolve(data.value);
  };
  const id = ++asked;
  return new Promise((resolve, reject) => {
    replies.set(id, { resolve, reject });
    worker.postMessage({ type, id, ...fields });
  });
}
window.startWorkerSync = (url, live) => ask('start', { url, live });
window.workerState = () => ask('state');
window.stopWorkerSync = () => ask('stop');

document.getElementById('status').textContent = 'ready';
