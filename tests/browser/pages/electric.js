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
document.getElementById('status').textContent = 'ready';
