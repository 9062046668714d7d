// persistence.test.mjs: the IndexedDB bridge's logic in Node, on
// fake-indexeddb (the real-browser proof is tests/browser/persistence.test.mjs):
// every commit lands in IndexedDB, the IndexedDB records alone rebuild the
// database, and a failed flush rejects with a named error, reverts the
// engine to its last stored state, and leaves the database usable.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { IDBDatabase, IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { AbortError, Indexie, QuotaExceededError, InvalidArgumentError } from 'indexie';

let counter = 0;
const SCHEMA = { users: '++id, &email, name, *tags, [first+last]' };

function open(name, indexedDB, options = {}) {
  const db = new Indexie(name, { indexedDB, IDBKeyRange, ...options });
  db.version(1).stores(SCHEMA);
  return db;
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// Reads the raw IndexedDB records of an indexie database.
async function rawRecords(indexedDB, name) {
  const idb = await request(indexedDB.open(`indexie:${name}`));
  const tx = idb.transaction(['chunks', 'meta'], 'readonly');
  const [state, keys, values] = await Promise.all([
    request(tx.objectStore('meta').get('state')),
    request(tx.objectStore('chunks').getAllKeys()),
    request(tx.objectStore('chunks').getAll()),
  ]);
  idb.close();
  return { state, keys, values };
}

// Writes raw records as the IndexedDB database of `name`.
async function writeRaw(indexedDB, name, { state, keys, values }) {
  const open = indexedDB.open(`indexie:${name}`, 1);
  open.onupgradeneeded = () => {
    open.result.createObjectStore('chunks');
    open.result.createObjectStore('meta');
    open.result.createObjectStore('log');
  };
  const idb = await request(open);
  const tx = idb.transaction(['chunks', 'meta'], 'readwrite');
  keys.forEach((key, i) => tx.objectStore('chunks').put(values[i], key));
  tx.objectStore('meta').put(state, 'state');
  await new Promise((resolve) => { tx.oncomplete = resolve; });
  idb.close();
}

test('every resolved write is in IndexedDB, and the IndexedDB records alone rebuild the database', async () => {
  const factory = new IDBFactory();
  const name = `persist-${counter++}`;
  const db = open(name, factory);
  await db.users.bulkAdd([
    { name: 'Ada', email: 'ada@x', tags: ['math', 'poetry'], first: 'Ada', last: 'L', born: new Date(1815, 11, 10), big: 2n ** 70n },
    { name: 'Alan', email: 'alan@x', tags: ['math'], first: 'Alan', last: 'T', bytes: new Uint8Array([1, 2, 3]) },
  ]);
  const before = (await rawRecords(factory, name)).state.commit;
  await db.users.update(2, { 'profile.city': 'Wilmslow' });
  const after = await rawRecords(factory, name);
  assert.equal(after.state.commit, before + 1, 'one IndexedDB commit per write');
  assert.ok(after.state.fileSize > 0);
  db.close();

  // A second IndexedDB holding only a copy of those records: nothing of the first engine is involved.
  const elsewhere = new IDBFactory();
  await writeRaw(elsewhere, 'copy', after);
  const copy = open('copy', elsewhere);
  await copy.open();
  assert.deepEqual(await copy.users.toArray(), [
    { name: 'Ada', email: 'ada@x', tags: ['math', 'poetry'], first: 'Ada', last: 'L', born: new Date(1815, 11, 10), big: 2n ** 70n, id: 1 },
    { name: 'Alan', email: 'alan@x', tags: ['math'], first: 'Alan', last: 'T', bytes: new Uint8Array([1, 2, 3]), id: 2, profile: { city: 'Wilmslow' } },
  ]);
  assert.equal((await copy.users.get({ email: 'alan@x' })).id, 2);
  assert.deepEqual(await copy.users.where('tags').equals('math').primaryKeys(), [1, 2]);
  assert.equal((await copy.users.where('[first+last]').equals(['Ada', 'L']).first()).id, 1);
  assert.equal(await copy.users.add({ name: 'next', email: 'n@x' }), 3, 'the key generator came back too');
  copy.close();
});

test('reopening by name loads from IndexedDB; Indexie.exists and delete see it', async () => {
  const factory = new IDBFactory();
  const name = `reopen-${counter++}`;
  const db = open(name, factory);
  await db.users.add({ name: 'x', email: 'x@x' });
  db.close();
  assert.equal(await Indexie.exists(name, { indexedDB: factory, IDBKeyRange }), true);
  assert.deepEqual(await Indexie.getDatabaseNames({ indexedDB: factory, IDBKeyRange }), [name]);
  const again = open(name, factory);
  assert.equal(await again.users.count(), 1);
  await again.delete();
  assert.equal(await Indexie.exists(name, { indexedDB: factory, IDBKeyRange }), false);
  assert.deepEqual(await Indexie.getDatabaseNames({ indexedDB: factory, IDBKeyRange }), []);
  const fresh = open(name, factory);
  assert.equal(await fresh.users.count(), 0);
  fresh.close();
});

test('a failed flush rejects with a named error, reverts, and the database keeps working', async () => {
  const factory = new IDBFactory();
  const name = `failing-${counter++}`;
  const db = open(name, factory);
  await db.users.bulkAdd([{ name: 'kept', email: 'kept@x' }]);

  const original = IDBDatabase.prototype.transaction;
  let failWith;
  IDBDatabase.prototype.transaction = function (stores, mode, options) {
    if (mode === 'readwrite' && failWith) throw new DOMException('simulated', failWith);
    return original.call(this, stores, mode, options);
  };
  try {
    failWith = 'QuotaExceededError';
    await assert.rejects(db.users.add({ name: 'lost', email: 'lost@x' }), (error) => {
      assert.ok(error instanceof QuotaExceededError);
      assert.match(error.message, /Table\.add\(\) on 'users' failed because the storage quota is exhausted/);
      return true;
    });
    assert.deepEqual((await db.users.toArray()).map((u) => u.name), ['kept'], 'memory agrees with IndexedDB');
    failWith = 'UnknownError';
    await assert.rejects(db.users.bulkAdd([{ name: 'lost2', email: 'l2@x' }]), AbortError);
    assert.equal(await db.users.count(), 1);
  } finally {
    IDBDatabase.prototype.transaction = original;
  }
  // Space is back: writes work, with the key generator as it was.
  assert.equal(await db.users.add({ name: 'after', email: 'after@x' }), 2);
  db.close();
  const again = open(name, factory);
  assert.deepEqual((await again.users.toArray()).map((u) => u.name), ['kept', 'after']);
  again.close();
});

test('writes are serialized: concurrent writes all land, in order', async () => {
  const factory = new IDBFactory();
  const name = `concurrent-${counter++}`;
  const db = open(name, factory);
  await db.open();
  const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => db.users.add({ name: `n${i}`, email: `${i}@x` })));
  assert.deepEqual(keys, Array.from({ length: 20 }, (_, i) => i + 1));
  db.close();
  const again = open(name, factory);
  assert.equal(await again.users.count(), 20);
  again.close();
});

test('an unknown durability is an InvalidArgumentError', () => {
  assert.throws(() => new Indexie('x', { durability: 'eventually' }), InvalidArgumentError);
});
