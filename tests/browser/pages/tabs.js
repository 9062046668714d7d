// tabs.js: what each page does in the multi-tab tests: increment a shared
// counter as fast as it can, write and look for other pages' writes.
import { Indexie, liveQuery } from 'indexie';

let db;
/** `storage`: the storage option ('opfs': one engine for every page, owned by one of them). */
window.openDb = async (name, storage) => {
  db = new Indexie(name, { storage: storage ?? 'indexeddb' });
  db.version(1).stores({ counters: 'id', notes: '++id, from' });
  await db.open();
  return true;
};

/** Read-modify-write increments for `ms` milliseconds; resolves how many resolved. */
window.incrementFor = async (ms) => {
  let resolved = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const changed = await db.counters.update('shared', (counter) => {
      counter.value += 1;
    });
    if (changed !== 1) await db.counters.put({ id: 'shared', value: 0 });
    else resolved++;
  }
  return resolved;
};

window.counter = async () => (await db.counters.get('shared'))?.value;

/** Read-modify-write increments, each in its own read-write transaction, `count` times. */
window.incrementInTransactions = async (count) => {
  for (let i = 0; i < count; i++) {
    await db.transaction('rw', db.counters, async () => {
      const counter = (await db.counters.get('shared')) ?? { id: 'shared', value: 0 };
      counter.value += 1;
      await db.counters.put(counter);
    });
  }
  return count;
};

/** A live query of the notes' count: its results, as they come. */
window.liveCounts = [];
window.watchNotes = () => {
  liveQuery(() => db.notes.count()).subscribe((count) => window.liveCounts.push(count));
  return true;
};

window.closeDb = () => {
  db.close();
  return true;
};

window.write = async (text) => {
  await db.notes.add({ from: text });
  return performance.now() + performance.timeOrigin;
};

/** Polls until a note with `text` is visible; resolves the wall-clock time it appeared. */
window.waitForNote = async (text, timeoutMs) => {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await db.notes.get({ from: text })) return performance.now() + performance.timeOrigin;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return null;
};

document.getElementById('status').textContent = 'ready';

// For the upgrade and delete tests: a database at a given version, with its events recorded.
let versioned;
window.events = [];
window.openVersion = async (name, version, stores, storage = 'indexeddb') => {
  versioned = new Indexie(name, { storage });
  for (let v = 1; v <= version; v++) versioned.version(v).stores(stores[v - 1]);
  versioned.on('versionchange', (event) => {
    window.events.push(['versionchange', event.newVersion]);
  });
  versioned.on('blocked', () => {
    window.events.push(['blocked']);
  });
  await versioned.open();
  return versioned.verno;
};
window.versionedAdd = async (item) => {
  try {
    return await versioned.table('items').add(item);
  } catch (error) {
    window.lastError = `${error.name}: ${error.message}\n${error.stack}`;
    return error.name;
  }
};
window.versionedState = async () => ({
  open: versioned.isOpen(),
  items: versioned.isOpen() ? await versioned.table('items').toArray() : null,
  indexes: versioned.isOpen() ? versioned.table('items').schema.indexes.map((i) => i.name) : null,
  integrity: versioned.isOpen() ? await versioned.checkIntegrity() : null,
});
window.deleteVersioned = async () => {
  await versioned.delete();
  return Indexie.exists(versioned.name);
};

// A raw IndexedDB connection that ignores versionchange (an old page that never closes).
let raw;
window.holdRawConnection = (name) =>
  new Promise((resolve) => {
    const open = indexedDB.open(`indexie:${name}`);
    open.onsuccess = () => {
      raw = open.result;
      resolve(true);
    };
  });
window.releaseRawConnection = () => {
  raw.close();
  return true;
};
window.startDelete = () => {
  window.deleted = window.deleteVersioned();
  return true;
};
window.deleteResult = () => window.deleted;
