// persistence.test.mjs: the IndexedDB bridge's logic in Node, on
// fake-indexeddb (the real-browser proof is tests/browser/persistence.test.mjs):
// every commit lands in IndexedDB, the IndexedDB records alone rebuild the
// database, and a failed flush rejects with a named error, reverts the
// engine to its last stored state, and leaves the database usable.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { IDBDatabase, IDBFactory, IDBKeyRange, IDBObjectStore } from 'fake-indexeddb';
import { applyDeltas, pagesOfChunks } from '../../js/build-tsc/persistence/page-file-format.js';
import { AbortError, DatabaseClosedError, Indexie, QuotaExceededError, InvalidArgumentError, VersionError, liveQuery } from 'indexie';

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

// Reads the raw IndexedDB records of an indexie database: its state, chunks and log.
async function rawRecords(indexedDB, name) {
  const idb = await request(indexedDB.open(`indexie:${name}`));
  const tx = idb.transaction(['chunks', 'meta', 'log'], 'readonly');
  const [state, keys, values, logKeys, log] = await Promise.all([
    request(tx.objectStore('meta').get('state')),
    request(tx.objectStore('chunks').getAllKeys()),
    request(tx.objectStore('chunks').getAll()),
    request(tx.objectStore('log').getAllKeys()),
    request(tx.objectStore('log').getAll()),
  ]);
  idb.close();
  return { state, keys, values, logKeys, log };
}

// The stored meta state and the last log entry (cheaper than rawRecords for a long log).
async function metaAndLastEntry(indexedDB, name) {
  const idb = await request(indexedDB.open(`indexie:${name}`));
  const tx = idb.transaction(['meta', 'log'], 'readonly');
  const [state, cursor] = await Promise.all([
    request(tx.objectStore('meta').get('state')),
    request(tx.objectStore('log').openCursor(null, 'prev')),
  ]);
  const result = { state, lastKey: cursor.key, last: cursor.value };
  idb.close();
  return result;
}

// Writes raw records as the IndexedDB database of `name`.
async function writeRaw(indexedDB, name, { state, keys, values, logKeys = [], log = [] }) {
  const open = indexedDB.open(`indexie:${name}`, 1);
  open.onupgradeneeded = () => {
    open.result.createObjectStore('chunks');
    open.result.createObjectStore('meta');
    open.result.createObjectStore('log');
  };
  const idb = await request(open);
  const tx = idb.transaction(['chunks', 'meta', 'log'], 'readwrite');
  keys.forEach((key, i) => tx.objectStore('chunks').put(values[i], key));
  logKeys.forEach((key, i) => tx.objectStore('log').put(log[i], key));
  tx.objectStore('meta').put(state, 'state');
  await new Promise((resolve) => {
    tx.oncomplete = resolve;
  });
  idb.close();
}

const sameBytes = (a, b) => a.length === b.length && a.every((byte, i) => byte === b[i]);
// The latest commit of raw records: since format 3, `meta` counts only up to the last chunk commit; the log goes on.
const latestCommit = (raw) => Math.max(raw.state.commit, ...raw.logKeys);

test('every resolved write is in IndexedDB, and the IndexedDB records alone rebuild the database', async () => {
  const factory = new IDBFactory();
  const name = `persist-${counter++}`;
  const db = open(name, factory);
  await db.users.bulkAdd([
    { name: 'Ada', email: 'ada@x', tags: ['math', 'poetry'], first: 'Ada', last: 'L', born: new Date(1815, 11, 10), big: 2n ** 70n },
    { name: 'Alan', email: 'alan@x', tags: ['math'], first: 'Alan', last: 'T', bytes: new Uint8Array([1, 2, 3]) },
  ]);
  const before = latestCommit(await rawRecords(factory, name));
  await db.users.update(2, { 'profile.city': 'Wilmslow' });
  const after = await rawRecords(factory, name);
  assert.equal(latestCommit(after), before + 1, 'one IndexedDB commit per write');
  assert.ok(after.state.fileSize > 0);
  db.close();

  // A second IndexedDB holding only a copy of those records: nothing of the first engine is involved.
  const elsewhere = new IDBFactory();
  await writeRaw(elsewhere, 'copy', after);
  const copy = open('copy', elsewhere);
  await copy.open();
  assert.deepEqual(await copy.users.toArray(), [
    { name: 'Ada', email: 'ada@x', tags: ['math', 'poetry'], first: 'Ada', last: 'L', born: new Date(1815, 11, 10), big: 2n ** 70n, id: 1 },
    {
      name: 'Alan',
      email: 'alan@x',
      tags: ['math'],
      first: 'Alan',
      last: 'T',
      bytes: new Uint8Array([1, 2, 3]),
      id: 2,
      profile: { city: 'Wilmslow' },
    },
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
    assert.deepEqual(
      (await db.users.toArray()).map((u) => u.name),
      ['kept'],
      'memory agrees with IndexedDB',
    );
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
  assert.deepEqual(
    (await again.users.toArray()).map((u) => u.name),
    ['kept', 'after'],
  );
  again.close();
});

test('writes are serialized: concurrent writes all land, in order', async () => {
  const factory = new IDBFactory();
  const name = `concurrent-${counter++}`;
  const db = open(name, factory);
  await db.open();
  const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => db.users.add({ name: `n${i}`, email: `${i}@x` })));
  assert.deepEqual(
    keys,
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  db.close();
  const again = open(name, factory);
  assert.equal(await again.users.count(), 20);
  again.close();
});

test('an unknown durability is an InvalidArgumentError', () => {
  assert.throws(() => new Indexie('x', { durability: 'eventually' }), InvalidArgumentError);
});

test('a small commit is one diff record of a few KiB and nothing else; after 1000 diffs or 4 MiB of them, a chunk commit; the records alone rebuild the database', async () => {
  const factory = new IDBFactory();
  const name = `deltas-${counter++}`;
  const db = open(name, factory);
  await db.users.bulkAdd(
    Array.from({ length: 300 }, (_, i) => ({ name: `bulk${i}`, email: `b${i}@x`, tags: [`t${i % 7}`], first: `f${i}`, last: 'L' })),
  );
  const write = (i) =>
    i % 3 === 2
      ? db.users.update(i, { name: `renamed${i}`, tags: ['moved'] })
      : db.users.add({ name: `single${i}`, email: `s${i}@x`, tags: ['solo', `t${i % 5}`], first: `F${i}`, last: 'S' });
  const first = await rawRecords(factory, name);
  assert.equal(first.state.format, 3);
  for (let i = 0; i < 60; i++) {
    const before = await rawRecords(factory, name);
    await write(i);
    const after = await rawRecords(factory, name);
    const commit = latestCommit(after);
    assert.equal(commit, latestCommit(before) + 1, 'one IndexedDB commit per write');
    const entry = after.log[after.logKeys.indexOf(commit)];
    assert.ok(
      entry.diff instanceof Uint8Array && entry.diff.length > 0 && entry.diff.length < 3 * 4096,
      `a diff of ${entry.diff?.length} bytes`,
    );
    assert.deepEqual(after.state, before.state, 'a diff commit leaves meta alone');
    assert.deepEqual(after.keys, before.keys);
    assert.ok(
      after.values.every((bytes, k) => sameBytes(bytes, before.values[k])),
      'no chunk was rewritten',
    );
    assert.deepEqual(
      after.logKeys.filter((key) => key > after.state.base),
      Array.from({ length: commit - after.state.base }, (_, k) => after.state.base + 1 + k),
      'the log holds every entry after base',
    );
  }
  // The records after 60 diffs (chunks at base + diffs over them) rebuild the same database.
  const midway = await db.users.toArray();
  const elsewhere = new IDBFactory();
  await writeRaw(elsewhere, 'copy', await rawRecords(factory, name));
  const copy = open('copy', elsewhere);
  assert.deepEqual(await copy.users.toArray(), midway);
  assert.deepEqual(await copy.checkIntegrity(), []);
  copy.close();

  // Diffs go on until 1000 of them, or 4 MiB of them, follow base; the next commit writes chunks.
  let sinceBase = { count: latestCommit(await rawRecords(factory, name)) - first.state.base, bytes: 0 };
  let i = 60;
  for (; ; i++) {
    await write(i);
    const { state, lastKey, last } = await metaAndLastEntry(factory, name);
    if (state.base === first.state.base) {
      assert.ok(last.diff, `write ${i} is a diff commit`);
      sinceBase = { count: lastKey - state.base, bytes: sinceBase.bytes + last.diff.length };
      assert.ok(sinceBase.count <= 1000 && sinceBase.bytes < 4 * 1024 * 1024 + 3 * 4096, 'loading reads a bounded log');
      continue;
    }
    assert.ok(
      sinceBase.count === 1000 || sinceBase.bytes >= 4 * 1024 * 1024,
      `the chunk commit came after ${sinceBase.count} diffs of ${sinceBase.bytes} bytes`,
    );
    assert.equal(state.base, state.commit, 'a chunk commit moves base to itself');
    assert.equal(state.commit, lastKey);
    assert.ok(last.chunks.length > 0);
    break;
  }
  const after = await rawRecords(factory, name);
  assert.equal(after.logKeys.length, 101, 'a chunk commit trims the log to its own entry and the 100 before');
  const expected = await db.users.toArray();
  db.close();

  // Copies of the records (chunks + log + state) rebuild the same database, indexes included.
  const again = new IDBFactory();
  await writeRaw(again, 'copy', await rawRecords(factory, name));
  const copy2 = open('copy', again);
  assert.deepEqual(await copy2.users.toArray(), expected);
  assert.equal(await copy2.users.where('tags').equals('solo').count(), expected.filter((u) => u.tags.includes('solo')).length);
  assert.ok((await copy2.users.where('tags').equals('moved').count()) > 100);
  assert.deepEqual(await copy2.checkIntegrity(), []);
  assert.deepEqual(
    await copy2.users.where('name').startsWith('renamed').primaryKeys(),
    expected
      .filter((u) => u.name.startsWith('renamed'))
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : x.id - y.id))
      .map((u) => u.id),
  );
  assert.equal((await copy2.users.get({ email: 's148@x' })).name, 'single148');
  copy2.close();
});

test('a big commit that changes a few bytes on many pages is one diff record; one that grows the file writes chunks', async () => {
  const factory = new IDBFactory();
  const name = `big-diff-${counter++}`;
  const db = open(name, factory);
  await db.users.bulkAdd(
    Array.from({ length: 3000 }, (_, i) => ({
      name: `n${i}`,
      email: `e${i}@x`,
      tags: [`t${i % 7}`],
      first: 'f',
      last: 'l',
      visits: 1,
      bio: 'b'.repeat(60),
    })),
  );
  const before = await rawRecords(factory, name);
  // Every record, in place: visits 1 -> 2 is one byte per record, on every page of the store.
  assert.equal(await db.users.toCollection().modify({ visits: 2 }), 3000);
  const after = await rawRecords(factory, name);
  const commit = latestCommit(after);
  assert.equal(commit, latestCommit(before) + 1);
  const entry = after.log[after.logKeys.indexOf(commit)];
  assert.ok(entry.diff instanceof Uint8Array, 'a diff commit');
  const pages = new Set();
  for (let at = 0, view = new DataView(entry.diff.buffer, entry.diff.byteOffset); at < entry.diff.length;) {
    pages.add(view.getUint32(at, true));
    const ranges = view.getUint16(at + 4, true);
    at += 6;
    for (let r = 0; r < ranges; r++) at += 4 + view.getUint16(at + 2, true);
  }
  assert.ok(pages.size > 32, `${pages.size} pages changed: more than a small commit`);
  assert.ok(entry.diff.length < (pages.size * 4096) / 10, `a diff of ${entry.diff.length} bytes for ${pages.size} pages`);
  assert.deepEqual(after.state, before.state, 'meta untouched');
  assert.ok(
    after.values.every((bytes, k) => sameBytes(bytes, before.values[k])),
    'no chunk was rewritten',
  );
  const expected = await db.users.toArray();
  assert.ok(expected.every((u) => u.visits === 2));
  // The records alone rebuild the database.
  const elsewhere = new IDBFactory();
  await writeRaw(elsewhere, 'copy', after);
  const copy = open('copy', elsewhere);
  assert.deepEqual(await copy.users.toArray(), expected);
  assert.deepEqual(await copy.checkIntegrity(), []);
  copy.close();

  // 3000 records growing by 2 KiB each: the new pages belong in chunks.
  await db.users.toCollection().modify((u) => {
    u.bio = 'x'.repeat(2048);
  });
  const grown = await rawRecords(factory, name);
  const last = grown.log[grown.logKeys.indexOf(latestCommit(grown))];
  assert.ok(last.chunks?.length > 0, 'a chunk commit');
  assert.equal(grown.state.base, grown.state.commit, 'it moved base');
  const final = await db.users.toArray();
  db.close();
  const reopened = open(name, factory);
  assert.deepEqual(await reopened.users.toArray(), final);
  reopened.close();
});

test('catching up when no other connection wrote reads no chunk (meta lags the log since format 3: that is not news)', async () => {
  const factory = new IDBFactory();
  const name = `quiet-${counter++}`;
  const db = open(name, factory);
  await db.users.bulkAdd(Array.from({ length: 200 }, (_, i) => ({ name: `n${i}`, email: `${i}@x` })));
  await db.users.add({ name: 'diff', email: 'diff@x' });
  const original = IDBObjectStore.prototype.getAll;
  let chunkReads = 0;
  IDBObjectStore.prototype.getAll = function (...args) {
    if (this.name === 'chunks') chunkReads++;
    return original.apply(this, args);
  };
  try {
    // Without Web Locks (Node), every write first catches up with other connections.
    for (let i = 0; i < 5; i++) await db.users.add({ name: `more${i}`, email: `more${i}@x` });
  } finally {
    IDBObjectStore.prototype.getAll = original;
  }
  assert.equal(chunkReads, 0);
  assert.equal(await db.users.count(), 206);
  db.close();
});

test('two connections writing in turn across chunk commits see each other, also after the log moved on', async () => {
  const factory = new IDBFactory();
  const name = `turns-${counter++}`;
  const a = open(name, factory);
  const b = open(name, factory);
  await a.users.add({ name: 'counter', email: 'c@x', n: 0 });
  for (let i = 0; i < 80; i++) {
    const writer = i % 2 ? a : b;
    const counterRow = await writer.users.get(1);
    assert.equal(counterRow.n, i, "each sees the other's last increment");
    await writer.users.update(1, { n: i + 1 });
    await writer.users.add({ name: `row${i}`, email: `r${i}@x`, tags: [`by${i % 2}`] });
    // Now and then a big write (a chunk commit, base moves) between diffs: the other catches up
    // on chunks for the commits up to base and on diffs over its own pages after it.
    if (i % 20 === 7)
      await writer.users.bulkAdd(
        Array.from({ length: 150 }, (_, k) => ({ name: `bulk${i}-${k}`, email: `bulk${i}-${k}@x`, tags: ['bulk'] })),
      );
  }
  // b writes 130 commits while a does nothing: a's catch-up then reads the whole file (the log kept only 101).
  for (let i = 0; i < 130; i++) await b.users.add({ name: `late${i}`, email: `late${i}@x`, tags: ['late'] });
  await a.users.add({ name: 'a again', email: 'again@x' });
  assert.equal(await a.users.where('tags').equals('late').count(), 130);
  assert.equal(await a.users.count(), 1 + 80 + 600 + 130 + 1);
  assert.deepEqual(await a.checkIntegrity(), []);
  assert.equal((await a.users.get(1)).n, 80);
  await b.users.update(1, { n: 81 });
  assert.equal((await a.users.get({ email: 'again@x' })).name, 'a again');
  a.close();
  b.close();
  const fresh = open(name, factory);
  assert.equal(await fresh.users.count(), 812);
  assert.equal(await fresh.users.where('tags').equals('bulk').count(), 600);
  assert.equal((await fresh.users.get(1)).n, 81);
  assert.equal(await fresh.users.where('tags').equals('by1').count(), 40);
  fresh.close();
});

test('a database stored in format 1 (chunks only) opens; one from a newer format is a VersionError', async () => {
  const factory = new IDBFactory();
  const name = `format-${counter++}`;
  const db = open(name, factory);
  // A commit of many pages is a chunk commit: the chunks then hold the whole file, as format 1 stored it.
  await db.users.bulkAdd(Array.from({ length: 500 }, (_, i) => ({ name: `n${i}`, email: `${i}@x`, bio: 'x'.repeat(200) })));
  const raw = await rawRecords(factory, name);
  assert.equal(raw.state.base, raw.state.commit);
  db.close();

  const v1 = new IDBFactory();
  const { base, ...stateWithoutBase } = raw.state;
  await writeRaw(v1, 'old', { state: { ...stateWithoutBase, format: 1 }, keys: raw.keys, values: raw.values });
  const old = open('old', v1);
  assert.equal(await old.users.count(), 500);
  assert.equal(await old.users.add({ name: 'new', email: 'new@x' }), 501);
  old.close();
  const reopened = open('old', v1);
  assert.equal(await reopened.users.count(), 501);
  reopened.close();

  const future = new IDBFactory();
  await writeRaw(future, 'future', { state: { ...raw.state, format: 4 }, keys: raw.keys, values: raw.values });
  const newer = open('future', future);
  await assert.rejects(newer.open(), (error) => {
    assert.ok(error instanceof VersionError);
    assert.match(error.message, /stored by a newer indexie \(storage format 4; this version reads formats 1 to 3\)/);
    return true;
  });
});

test('a database stored in format 2 (page commits after base) opens as is; the first write makes it format 3 with a chunk commit', async () => {
  const factory = new IDBFactory();
  const name = `format2-${counter++}`;
  const db = open(name, factory);
  await db.users.bulkAdd(Array.from({ length: 400 }, (_, i) => ({ name: `n${i}`, email: `${i}@x`, tags: [`t${i % 9}`] })));
  await db.users.add({ name: 'after base', email: 'ab@x', tags: ['late'] });
  await db.users.update(3, { name: 'renamed' });
  const expected = await db.users.toArray();
  db.close();
  // Format 2 stored those two small commits as whole pages: rebuild them from the diffs.
  const raw = await rawRecords(factory, name);
  const pages = new Map();
  pagesOfChunks(
    raw.keys.map((key, i) => [key, raw.values[i].slice()]),
    raw.state.pagesPerChunk,
    raw.state.fileSize,
    pages,
  );
  const log = raw.logKeys.map((key, i) => {
    const entry = raw.log[i];
    if (key <= raw.state.base) return entry;
    const changed = new Map();
    applyDeltas([entry], changed, (page) => (pages.get(page) ?? new Uint8Array(4096)).slice());
    for (const [page, bytes] of changed) pages.set(page, bytes);
    const numbers = [...changed.keys()].sort((x, y) => x - y);
    const bytes = new Uint8Array(numbers.length * 4096);
    numbers.forEach((page, k) => bytes.set(changed.get(page), k * 4096));
    return { pages: numbers, bytes, fileSize: entry.fileSize, changes: entry.changes };
  });
  assert.ok(log.filter((entry) => entry.pages).length >= 2);
  const v2 = new IDBFactory();
  await writeRaw(v2, 'v2', {
    state: { ...raw.state, format: 2, commit: latestCommit(raw), fileSize: log.at(-1).fileSize },
    keys: raw.keys,
    values: raw.values,
    logKeys: raw.logKeys,
    log,
  });
  const old = open('v2', v2);
  assert.deepEqual(await old.users.toArray(), expected);
  await old.users.add({ name: 'by format 3', email: 'f3@x' });
  const upgraded = await rawRecords(v2, 'v2');
  assert.equal(upgraded.state.format, 3);
  assert.equal(upgraded.state.base, upgraded.state.commit, 'the first write to a format 2 database is a chunk commit');
  await old.users.add({ name: 'a diff', email: 'diff@x' });
  assert.ok((await rawRecords(v2, 'v2')).log.at(-1).diff, 'then small commits are diffs');
  old.close();
  const reopened = open('v2', v2);
  assert.equal(await reopened.users.count(), 403);
  assert.deepEqual(await reopened.checkIntegrity(), []);
  reopened.close();
});

test('close() right after a write began lets its save finish: a write that resolves is stored; one not begun fails', async () => {
  const factory = new IDBFactory();
  const name = `closing-${counter++}`;
  const db = open(name, factory);
  await db.users.add({ name: 'first', email: 'first@x' });
  const seen = [];
  const subscription = liveQuery(() => db.users.count()).subscribe((count) => seen.push(count));
  while (seen.length === 0) await new Promise((resume) => setImmediate(resume));
  const adding = db.users.add({ name: 'second', email: 'second@x' });
  // The add has run on the engine (the live query saw it) and is being saved: close now.
  while (seen.at(-1) !== 2) await new Promise((resume) => setImmediate(resume));
  subscription.unsubscribe();
  db.close();
  const tooLate = db.users.add({ name: 'third', email: 'third@x' });
  assert.equal(await adding, 2);
  await assert.rejects(tooLate, DatabaseClosedError);
  // A reopen right away waits for nothing and sees the saved write.
  await db.open();
  assert.deepEqual(
    (await db.users.toArray()).map((u) => u.name),
    ['first', 'second'],
  );
  db.close();
  const fresh = open(name, factory);
  assert.equal(await fresh.users.count(), 2);
  fresh.close();
});

test('a file of more chunks than one IndexedDB read takes loads whole (read in several requests)', async () => {
  const factory = new IDBFactory();
  const name = `many-chunks-${counter++}`;
  // One page per record: 3,000 rows make a few hundred chunks, several reads of 64.
  const db = open(name, factory, { pagesPerRecord: 1 });
  await db.users.bulkAdd(
    Array.from({ length: 3000 }, (_, i) => ({ name: `n${i}`, email: `${i}@x`, tags: [`t${i % 10}`], bio: 'b'.repeat(120) })),
  );
  const expected = await db.users.toArray();
  db.close();
  const raw = await rawRecords(factory, name);
  assert.ok(raw.keys.length > 3 * 64, `${raw.keys.length} chunks`);
  const again = open(name, factory, { pagesPerRecord: 1 });
  assert.deepEqual(await again.users.toArray(), expected);
  assert.deepEqual(await again.checkIntegrity(), []);
  assert.equal(await again.users.where('tags').equals('t3').count(), 300);
  again.close();
});
