// recovery.js: drives tests/browser/recovery.test.mjs. It records every
// IDBDatabase the page opens (wrapping IDBFactory.open, before indexie
// loads), so a test can close one as the browser does when it force-closes a
// connection: close() and then the `close` event (the browser-initiated close
// fires it; a close() by page code does not). Each database keeps the
// 'dataloss' events it fired in `events`.
const connections = new Map();
const realOpen = IDBFactory.prototype.open;
IDBFactory.prototype.open = function open(...args) {
  const request = realOpen.apply(this, args);
  request.addEventListener('success', () => {
    const list = connections.get(args[0]) ?? [];
    list.push(request.result);
    connections.set(args[0], list);
  });
  return request;
};

const { Indexie } = await import('indexie');
const SCHEMA = { items: '++id, group' };
const open = new Map();

function database(name) {
  let db = open.get(name);
  if (!db) {
    db = new Indexie(name, { storage: 'indexeddb' });
    db.version(1).stores(SCHEMA);
    db.events = [];
    db.on('dataloss', (event) => db.events.push(event));
    open.set(name, db);
  }
  return db;
}

function item(i, size = 40) {
  return { group: i % 10, text: `item ${i} `.padEnd(size, '.') };
}

const errorOf = (error) => ({ name: error?.name, message: error?.message, wiped: error?.wiped });

window.connectionsOpened = (name) => (connections.get(`indexie:${name}`) ?? []).length;

/** Closes the database's live IndexedDB connection as the browser does: close() and the `close` event (or only close(): `withEvent` false). */
window.closeConnection = (name, withEvent = true) => {
  const list = connections.get(`indexie:${name}`) ?? [];
  const connection = list[list.length - 1];
  connection.close();
  if (withEvent) connection.dispatchEvent(new Event('close'));
};

window.addItems = async (name, from, count) => {
  const db = database(name);
  await db.items.bulkAdd(Array.from({ length: count }, (_, i) => item(from + i)));
  return db.items.count();
};

/** Closes the connection, then at once (before it reconnects) writes in three ways; each must succeed. */
window.writeRightAfterClose = async (name, withEvent) => {
  const db = database(name);
  const before = window.connectionsOpened(name);
  window.closeConnection(name, withEvent);
  const results = await Promise.allSettled([
    db.items.add(item(1000)),
    db.transaction('rw', db.items, async () => {
      await db.items.add(item(1001));
      await db.items.put(item(1002));
    }),
    db.items.bulkAdd(Array.from({ length: 1500 }, (_, i) => item(2000 + i))), // a sliced write
  ]);
  return {
    results: results.map((r) => (r.status === 'fulfilled' ? 'ok' : errorOf(r.reason))),
    count: await db.items.count(),
    reopened: window.connectionsOpened(name) - before,
    events: db.events,
  };
};

/** A fresh instance (as after a reload) reads what IndexedDB holds. */
window.readFresh = async (name) => {
  const db = new Indexie(name, { storage: 'indexeddb' });
  db.version(1).stores(SCHEMA);
  const events = [];
  db.on('dataloss', (event) => events.push(event));
  const count = await db.items.count();
  const problems = await db.checkIntegrity();
  db.close();
  return { count, problems, events };
};

/**
 * A big write whose commit is being stored when `clear()` (the test's DevTools
 * call, exposed to the page) wipes the origin's IndexedDB: called as soon as
 * the commit's IndexedDB transaction starts.
 */
window.writeWhileCleared = async (name, count) => {
  const db = database(name);
  const realTransaction = IDBDatabase.prototype.transaction;
  let cleared;
  IDBDatabase.prototype.transaction = function transaction(stores, mode, options) {
    const tx = realTransaction.call(this, stores, mode, options);
    if (mode === 'readwrite' && !cleared && this.name === `indexie:${name}`) {
      // The commit must still be under way when the wipe lands: a chain of reads keeps its
      // transaction from completing until then (else a fast commit could finish first).
      let wiped = false;
      cleared = window.clearIndexedDb().finally(() => (wiped = true));
      const store = tx.objectStore(tx.objectStoreNames[0]);
      const keepOpen = () => {
        if (!wiped) store.count().onsuccess = keepOpen;
      };
      keepOpen();
    }
    return tx;
  };
  let outcome;
  try {
    await db.items.bulkAdd(Array.from({ length: count }, (_, i) => item(10000 + i, 400)));
    outcome = 'resolved';
  } catch (error) {
    outcome = errorOf(error);
  } finally {
    IDBDatabase.prototype.transaction = realTransaction;
  }
  await cleared;
  return outcome;
};

/** After a wipe: the database reopens with what is stored; 'dataloss' told the app. */
window.afterWipe = async (name) => {
  const db = database(name);
  const countAfter = await db.items.count();
  const added = await db.items.add(item(1));
  return { countAfter, added, count: await db.items.count(), events: db.events, isOpen: db.isOpen() };
};

window.waitForDataLoss = async (name, ms = 5000) => {
  const db = database(name);
  const until = performance.now() + ms;
  while (db.events.length === 0 && performance.now() < until) await new Promise((resume) => setTimeout(resume, 20));
  return db.events;
};

window.closeDatabase = (name) => {
  database(name).close();
  open.delete(name);
};

/** Deletes the stored database behind indexie's back (as the browser's wipe does); the marker stays. */
window.deleteBehindBack = (name) =>
  new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(`indexie:${name}`);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });

window.deleteThroughIndexie = (name) => Indexie.delete(name);

/** Runs one step in a module worker (recovery-worker.js), where the marker is kept in the Cache API. */
let worker;
window.inWorker = (message) => {
  worker ??= new Worker('recovery-worker.js', { type: 'module' });
  return new Promise((resolve) => {
    worker.onmessage = ({ data }) => resolve(data);
    worker.postMessage(message);
  });
};
window.marker = (name) => localStorage.getItem(`indexie-commit:${name}`);

document.querySelector('#status').textContent = 'ready';
