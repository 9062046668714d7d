// sync-device.js: one "device" (or one tab of it) of the sync soak
// (scripts/sync-soak.mjs) and the multi-tab test: a persisted database whose
// contacts sync automatically (pushes soon after each write, a round every
// `interval` ms, quick backoff) with the server at the given URL.
import { Indexie } from 'indexie';

let db;
let sync;
const events = { conflicts: 0, errors: 0, pushed: 0 };
window.startSync = async (url, options = {}) => {
  db = new Indexie('sync-device');
  db.version(1).stores({ contacts: 'id, n' });
  sync = db.sync({
    url,
    tables: ['contacts'],
    conflictResolution: 'newest-wins',
    interval: 400,
    pushDelay: 30,
    retryDelay: 100,
    maxRetryDelay: 800,
    timeout: 4000,
    batchSize: 20,
    ...options,
  });
  sync.on('conflict', () => events.conflicts++);
  sync.on('error', () => events.errors++);
  sync.on('pushed', ({ count }) => (events.pushed += count));
  await sync.ready;
  return true;
};
/** Writes one change: ['put', value] | ['update', id, changes] | ['delete', id]. */
window.write = async (op) => {
  if (op[0] === 'put') await db.contacts.put(op[1]);
  else if (op[0] === 'update') await db.contacts.update(op[1], op[2]);
  else await db.contacts.delete(op[1]);
  return true;
};
window.syncAll = async () => {
  try {
    await sync.syncAll();
    return 'ok';
  } catch (error) {
    return `${error.name}: ${error.message}`;
  }
};
/** The status as this page's controller shows it. */
window.syncStatus = () => {
  const { state, pendingChanges } = sync.status();
  return { state, pendingChanges };
};
window.contacts = async () => Object.fromEntries((await db.contacts.toArray()).map((c) => [c.id, c]));
window.events = () => ({ ...events });
window.stopSync = () => sync.stop();
document.getElementById('status').textContent = 'ready';
