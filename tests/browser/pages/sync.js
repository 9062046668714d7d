// sync.js: one "device" in the REST sync browser test: a persisted database
// whose contacts sync with the reference server through db.sync().
import { Indexie } from 'indexie';

let db;
let sync;
window.startSync = async (url) => {
  db = new Indexie('sync-device');
  db.version(1).stores({ contacts: 'id, name' });
  sync = db.sync({
    url,
    tables: ['contacts'],
    conflictResolution: 'newest-wins',
    interval: 0,
    pushDelay: false,
    syncOnConnect: false,
    timeout: 3000,
  });
  await sync.ready;
  return true;
};
window.write = async (ops) => {
  for (const [op, id, name] of ops) {
    if (op === 'put') await db.contacts.put({ id, name });
    else if (op === 'update') await db.contacts.update(id, { name });
    else await db.contacts.delete(id);
  }
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
window.pending = async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  return sync.status().pendingChanges;
};
window.contacts = async () => Object.fromEntries((await db.contacts.toArray()).map((c) => [c.id, c]));
document.getElementById('status').textContent = 'ready';
