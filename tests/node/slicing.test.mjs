// slicing.test.mjs: long work runs in slices of ~16 ms, one task apart, so
// the page stays responsive. A long bulk write on its own runs in one engine
// transaction (Indexie #writeSliced): the event loop keeps turning while it
// runs, readers meanwhile see none of it, a live query sees it once and
// whole, failures are reported by their position in the whole input, a
// slice that fails takes all of it back, and close() lets a sliced write
// under way finish. A long read (Collection.toArray) yields between batches
// and never mixes two states: data changed between slices, it reads again.
// Runs on fake-indexeddb so every commit also goes through the IndexedDB bridge.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { BulkError, ConstraintError, DataError, DatabaseClosedError, Indexie, liveQuery } from 'indexie';

let counter = 0;
const N = 30_000;

function open(indexedDB = new IDBFactory()) {
  const db = new Indexie(`sliced-${counter++}`, { indexedDB, IDBKeyRange });
  db.version(1).stores({ users: '++id, &email, name, age' });
  return { db, indexedDB };
}

const people = (n, prefix = '') => Array.from({ length: n }, (_, i) => ({ name: `${prefix}n${i}`, email: `${prefix}${i}@x`, age: i % 90 }));

test('a long bulkAdd lets the event loop run, and readers meanwhile see none of it', async () => {
  const { db } = open();
  await db.users.add({ name: 'before', email: 'before@x', age: 1 });
  let ticks = 0;
  const ticking = setInterval(() => {
    ticks++;
  }, 0);
  const seenDuring = [];
  let done = false;
  const adding = db.users.bulkAdd(people(N)).then((last) => {
    done = true;
    return last;
  });
  // Reads issued while it runs resolve while it runs, with the committed state.
  while (!done) {
    await new Promise((resume) => setImmediate(resume));
    if (!done) seenDuring.push({ count: await db.users.count(), stillRunning: !done });
  }
  clearInterval(ticking);
  assert.equal(await adding, N + 1);
  assert.ok(seenDuring.filter((r) => r.stillRunning).length >= 3, `reads answered during the write: ${seenDuring.length}`);
  // Before the commit a read sees the row that was there; after it (while the flush runs), all of them.
  assert.deepEqual(
    [...new Set(seenDuring.map((r) => r.count))].filter((count) => count !== 1 && count !== N + 1),
    [],
    'no read saw part of the bulkAdd',
  );
  assert.ok(seenDuring.filter((r) => r.count === 1).length >= 3, 'reads were answered while the slices ran');
  assert.ok(ticks >= 3, `timers ran ${ticks} times during it`);
  assert.equal(await db.users.count(), N + 1);
  assert.equal((await db.users.get({ email: `${N - 1}@x` })).id, N + 1);
  db.close();
});

test('a live query sees a sliced bulkAdd once, whole', async () => {
  const { db } = open();
  await db.open();
  const seen = [];
  const subscription = liveQuery(() => db.users.count()).subscribe((count) => seen.push(count));
  while (seen.length === 0) await new Promise((resume) => setImmediate(resume));
  await db.users.bulkAdd(people(N));
  while (seen.at(-1) !== N) await new Promise((resume) => setImmediate(resume));
  subscription.unsubscribe();
  assert.deepEqual(seen, [0, N]);
  db.close();
});

test('failures in several slices are a BulkError by position in the whole input; the rest is written, keys come back', async () => {
  const { db, indexedDB } = open();
  await db.users.bulkAdd([
    { name: 'taken', email: '5@x', age: 1 },
    { name: 'taken too', email: '25000@x', age: 2 },
  ]);
  const items = people(N);
  await assert.rejects(db.users.bulkAdd(items), (error) => {
    assert.ok(error instanceof BulkError);
    assert.deepEqual(Object.keys(error.failuresByPos).map(Number), [5, 25000]);
    assert.equal(error.failures.length, 2);
    assert.equal(error.failuresByPos[25000].name, 'ConstraintError');
    return true;
  });
  assert.equal(await db.users.count(), N);
  // As Dexie 4: a bulk write leaves the caller's objects as they were (no generated key written back).
  assert.equal(items[29_999].id, undefined);
  assert.equal(items[5].id, undefined);
  const keys = await db.users.bulkPut(people(N, 'p'), { allKeys: true });
  assert.equal(keys.length, N);
  assert.deepEqual(keys.slice(0, 2), [N + 1, N + 2]);
  db.close();
  // What was written is what IndexedDB holds.
  const again = new Indexie(db.name, { indexedDB, IDBKeyRange });
  again.version(1).stores({ users: '++id, &email, name, age' });
  assert.equal(await again.users.count(), 2 * N);
  again.close();
});

test('close() during a sliced bulkAdd lets it finish and store all of it; later operations fail', async () => {
  const { db, indexedDB } = open();
  await db.users.add({ name: 'kept', email: 'kept@x', age: 1 });
  const adding = db.users.bulkAdd(people(N));
  await new Promise((resume) => setImmediate(resume));
  await new Promise((resume) => setImmediate(resume));
  db.close();
  await assert.rejects(db.users.count(), DatabaseClosedError);
  assert.equal(await adding, N + 1, 'the write under way resolves');
  const again = new Indexie(db.name, { indexedDB, IDBKeyRange });
  again.version(1).stores({ users: '++id, &email, name, age' });
  assert.equal(await again.users.count(), N + 1, 'and is stored');
  assert.equal(await again.users.add({ name: 'next', email: 'next@x', age: 2 }), N + 2);
  again.close();
});

test('a long modify runs in slices: readers meanwhile see the old records; a failure in a late slice undoes every slice', async () => {
  const { db, indexedDB } = open();
  await db.users.bulkAdd(people(N));
  // Deletes (ctx.value removed), edits and a moved-nowhere record, across many slices.
  let done = false;
  const modifying = db.users
    .where('age')
    .below(45)
    .modify(function (user) {
      if (user.age === 0) delete this.value;
      else user.name = `edited ${user.name}`;
    })
    .then((count) => {
      done = true;
      return count;
    });
  const seen = new Set();
  while (!done) {
    await new Promise((resume) => setImmediate(resume));
    if (!done) seen.add(await db.users.where('name').startsWith('edited').count());
  }
  const modified = people(N).filter((u) => u.age < 45).length;
  const deleted = people(N).filter((u) => u.age === 0).length;
  assert.equal(await modifying, modified, 'edited and deleted records count');
  assert.ok(
    [...seen].every((count) => count === 0 || count === modified - deleted),
    `partial states seen: ${[...seen]}`,
  );
  assert.ok(seen.has(0), 'reads were answered while the slices ran');
  assert.equal(await db.users.where('age').equals(0).count(), 0);
  assert.equal(await db.users.count(), N - deleted);

  // A change function that throws for the last records: the call fails with that error (as in
  // Dexie), and not one record changed, also in the slices before.
  const before = await db.users.toArray();
  await assert.rejects(
    db.users.toCollection().modify((user) => {
      if (user.id > N - 3) throw new RangeError(`refused ${user.id}`);
      user.age += 1000;
    }),
    (error) => {
      assert.equal(error.name, 'RangeError');
      assert.equal(error.message, `refused ${N - 2}`);
      return true;
    },
  );
  assert.deepEqual(await db.users.toArray(), before);
  db.close();
  const again = new Indexie(db.name, { indexedDB, IDBKeyRange });
  again.version(1).stores({ users: '++id, &email, name, age' });
  assert.equal(await again.users.where('age').above(999).count(), 0);
  assert.equal(await again.users.where('name').startsWith('edited').count(), modified - deleted);
  again.close();
});

test('a long toArray lets the event loop run and returns every record once, in order', async () => {
  const { db } = open();
  await db.users.bulkAdd(people(N));
  let ticks = 0;
  const ticking = setInterval(() => {
    ticks++;
  }, 0);
  const all = await db.users.toArray();
  const range = await db.users.where('age').between(10, 80).toArray();
  const limited = await db.users.where('age').between(10, 80).limit(5000).toArray();
  clearInterval(ticking);
  assert.ok(ticks >= 2, `timers ran ${ticks} times during the reads`);
  assert.equal(all.length, N);
  assert.ok(all.every((user, i) => user.id === i + 1));
  assert.deepEqual(
    range.map((u) => u.id),
    people(N)
      .map((u, i) => ({ ...u, id: i + 1 }))
      .filter((u) => u.age >= 10 && u.age < 80)
      .sort((a, b) => a.age - b.age || a.id - b.id)
      .map((u) => u.id),
  );
  assert.deepEqual(limited, range.slice(0, 5000));
  db.close();
});

test('writes between the slices of a long toArray: the result is one state, never a mix', async () => {
  // In memory, so each write lands within a tick (no IndexedDB round trips) and several land during the read.
  const db = new Indexie(`sliced-${counter++}`, { indexedDB: null });
  db.version(1).stores({ users: '++id, &email, name, age' });
  await db.users.bulkAdd(people(N));
  let done = false;
  const reading = db.users
    .where('age')
    .between(0, 90)
    .toArray()
    .then((result) => {
      done = true;
      return result;
    });
  // Keep moving records across the index (each to the other end of it) while the read runs:
  // a read mixing states would return some record twice or miss one.
  let moved = 0;
  while (!done) {
    await new Promise((resume) => setImmediate(resume));
    if (done) break;
    const id = 1 + ((moved * 7919) % N);
    const user = await db.users.get(id);
    await db.users.update(id, { age: user.age < 45 ? 89 : 0 });
    moved++;
  }
  const result = await reading;
  assert.ok(moved >= 1, `writes landed while the read ran: ${moved}`);
  const ids = result.map((u) => u.id);
  assert.equal(new Set(ids).size, N, 'every record exactly once');
  assert.ok(
    result.every((u, i) => i === 0 || result[i - 1].age < u.age || (result[i - 1].age === u.age && result[i - 1].id < u.id)),
    'in index order',
  );
  db.close();
});

test('a long each() streams in slices: timers run during it, every record once in order, writes called meanwhile wait for it', async () => {
  // In memory, so a write would land within a tick if nothing held it back.
  const db = new Indexie(`sliced-${counter++}`, { indexedDB: null });
  db.version(1).stores({ users: '++id, &email, name, age' });
  await db.users.bulkAdd(people(N));
  let ticks = 0;
  const ticking = setInterval(() => {
    ticks++;
  }, 0);
  const seen = [];
  let writeDone = false;
  let writeIssued = false;
  let writeDoneBeforeScanEnded = false;
  const scanning = db.users
    .where('age')
    .between(0, 90)
    .each((user, cursor) => {
      assert.equal(cursor.primaryKey, user.id);
      assert.equal(cursor.key, user.age);
      if (writeDone) writeDoneBeforeScanEnded = true;
      seen.push(user);
    });
  // Moving records across the index while it runs would make a scan that mixes states see one twice or miss one.
  let writing;
  const mover = (async () => {
    await new Promise((resume) => setTimeout(resume, 5));
    writeIssued = true;
    writing = db.users
      .where('id')
      .below(1000)
      .modify({ age: 89 })
      .then(() => (writeDone = true));
  })();
  await scanning;
  clearInterval(ticking);
  await mover;
  await writing;
  assert.ok(writeIssued, 'the write was called while the scan ran');
  assert.equal(writeDoneBeforeScanEnded, false, 'the write waited for the scan');
  assert.ok(ticks >= 2, `timers ran ${ticks} times during the scan`);
  assert.equal(seen.length, N);
  assert.equal(new Set(seen.map((u) => u.id)).size, N, 'every record exactly once');
  assert.ok(
    seen.every((u, i) => i === 0 || seen[i - 1].age < u.age || (seen[i - 1].age === u.age && seen[i - 1].id < u.id)),
    'in index order',
  );
  assert.equal(await db.users.where('age').equals(89).count(), seen.filter((u) => u.age === 89 || u.id < 1000).length);
  db.close();
});

test('each(), eachKey(), eachPrimaryKey() and eachUniqueKey() visit what toArray(), keys(), primaryKeys() and uniqueKeys() return', async () => {
  const db = new Indexie(`sliced-${counter++}`, { indexedDB: null });
  db.version(1).stores({ users: '++id, &email, name, age' });
  await db.users.bulkAdd(people(3000));
  const collections = [
    () => db.users.toCollection(),
    () => db.users.where('age').between(10, 30),
    () => db.users.where('age').above(40).reverse().offset(7).limit(900),
    () =>
      db.users
        .orderBy('name')
        .filter((u) => u.age % 3 === 0)
        .offset(5),
    () => db.users.where('age').anyOf(3, 70).or('name').startsWith('n29'),
    () => db.users.orderBy('age').limit(0),
  ];
  for (const [i, make] of collections.entries()) {
    const values = [];
    await make().each((value) => values.push(value));
    assert.deepEqual(values, await make().toArray(), `each() of collection ${i}`);
    const keys = [];
    await make().eachKey((key) => keys.push(key));
    assert.deepEqual(keys, await make().keys(), `eachKey() of collection ${i}`);
    const primaryKeys = [];
    await make().eachPrimaryKey((key) => primaryKeys.push(key));
    assert.deepEqual(primaryKeys, await make().primaryKeys(), `eachPrimaryKey() of collection ${i}`);
  }
  const unique = [];
  await db.users.orderBy('age').eachUniqueKey((key) => unique.push(key));
  assert.deepEqual(unique, await db.users.orderBy('age').uniqueKeys());
  assert.equal(unique.length, 90);
  db.close();
});

test("each() whose callback throws goes on and resolves, as Dexie's does (the fidelity scenario shows Dexie); inside a transaction it sees the transaction's writes", async () => {
  const db = new Indexie(`sliced-${counter++}`, { indexedDB: null });
  db.version(1).stores({ users: '++id, &email, name, age' });
  await db.users.bulkAdd(people(5000));
  let calls = 0;
  const warned = [];
  const warn = console.warn;
  console.warn = (...args) => warned.push(args);
  try {
    const result = await db.users.each(() => {
      if (++calls % 1500 === 0) throw new Error('thrown by the callback');
    });
    assert.equal(result, undefined);
  } finally {
    console.warn = warn;
  }
  assert.equal(calls, 5000, 'every record was visited, across the batches');
  assert.equal(warned.length, 1, 'said once on the console');
  assert.match(String(warned[0][0]), /Collection\.each\(\) threw/);
  // The database is usable afterwards, and writes are not held back by the failed scan.
  await db.users.add({ name: 'after', email: 'after@x', age: 1 });
  const counted = await db.transaction('rw', db.users, async () => {
    await db.users.add({ name: 'inside', email: 'inside@x', age: 2 });
    let n = 0;
    let sawInside = false;
    await db.users.each((u) => {
      n++;
      if (u.name === 'inside') sawInside = true;
    });
    return { n, sawInside };
  });
  assert.deepEqual(counted, { n: 5002, sawInside: true });
  db.close();
});

test("filtered catches as Dexie writes them: catch('ConstraintError', fn) and catch(ErrorClass, fn) handle only matching errors", async () => {
  const { db } = open();
  await db.users.add({ name: 'a', email: 'a@x', age: 1 });
  const duplicate = () => db.users.add({ name: 'b', email: 'a@x', age: 2 });
  assert.equal(await duplicate().catch('ConstraintError', (e) => `handled ${e.name}`), 'handled ConstraintError');
  assert.equal(await duplicate().catch(ConstraintError, () => 'handled'), 'handled');
  assert.equal(await duplicate().catch(Indexie.ConstraintError, () => 'handled'), 'handled');
  await assert.rejects(
    duplicate().catch('DataError', () => 'wrong'),
    (error) => error.name === 'ConstraintError',
  );
  await assert.rejects(
    duplicate().catch(DataError, () => 'wrong'),
    (error) => error.name === 'ConstraintError',
  );
  db.close();
});
