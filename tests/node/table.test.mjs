// table.test.mjs: every Table method through the public API, with Dexie's
// semantics, and every error: constraint violations, invalid keys, bulk
// failures (the other items are written), closed databases.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BulkError, ConstraintError, DataError, Indexie, InvalidArgumentError, SqlDatabase } from 'indexie';

let counter = 0;
async function openDb(stores = { users: '++id, &email, name, *tags, [first+last], address.city' }) {
  const db = new Indexie(`table-test-${counter++}`);
  db.version(1).stores(stores);
  await db.open();
  return db;
}

test('add: generates inbound keys, writes them back into the object, resolves the key', async () => {
  const db = await openDb();
  const ada = { name: 'Ada', email: 'ada@x' };
  assert.equal(await db.users.add(ada), 1);
  assert.equal(ada.id, 1);
  assert.deepEqual(await db.users.get(1), { name: 'Ada', email: 'ada@x', id: 1 });
  assert.equal(await db.users.add({ id: 10, email: 'ten@x' }), 10);
  assert.equal(await db.users.add({ email: 'next@x' }), 11, 'an explicit key above the generator moves it');
  db.close();
});

test('add: an existing primary key or unique value is a ConstraintError that writes nothing', async () => {
  const db = await openDb();
  await db.users.add({ id: 1, email: 'a@x', name: 'Ada' });
  await assert.rejects(
    db.users.add({ id: 1, email: 'b@x' }),
    (e) => e instanceof ConstraintError && e.message === "Table.add() on 'users': key 1 already exists in table 'users'",
  );
  await assert.rejects(
    db.users.add({ id: 2, email: 'a@x' }),
    (e) => e instanceof ConstraintError && /unique index 'email'/.test(e.message),
  );
  assert.deepEqual(await db.users.toArray(), [{ id: 1, email: 'a@x', name: 'Ada' }]);
  db.close();
});

test('put: inserts or replaces, and indexes follow the new value', async () => {
  const db = await openDb();
  await db.users.put({ id: 1, email: 'a@x', tags: ['x', 'y'] });
  await db.users.put({ id: 1, email: 'b@x', tags: ['z'] });
  assert.equal(await db.users.get({ email: 'a@x' }), undefined);
  assert.equal((await db.users.get({ email: 'b@x' })).id, 1);
  assert.deepEqual(await db.users.toArray(), [{ id: 1, email: 'b@x', tags: ['z'] }]);
  // The old unique value is free again.
  await db.users.put({ id: 2, email: 'a@x' });
  await assert.rejects(db.users.put({ id: 3, email: 'b@x' }), ConstraintError);
  db.close();
});

test('outbound keys: passed to add/put, or generated', async () => {
  const db = await openDb({ blobs: '', log: '++' });
  assert.equal(await db.blobs.add({ text: 'hello' }, 'greeting'), 'greeting');
  assert.deepEqual(await db.blobs.get('greeting'), { text: 'hello' });
  await assert.rejects(db.blobs.add({ text: 'no key' }), (e) => e instanceof DataError && /outbound/.test(e.message));
  assert.equal(await db.log.add('first'), 1);
  assert.equal(await db.log.add('second'), 2);
  assert.equal(await db.log.get(2), 'second');
  db.close();
});

test('a key passed for an inbound table is ignored (as Dexie); an invalid key is a DataError', async () => {
  const db = await openDb({ items: 'id', auto: '++id' });
  assert.equal(await db.items.add({ id: 1 }, 7), 1, "the record's own key counts");
  await db.items.delete(1);
  for (const bad of [null, true, {}, NaN, new Date(NaN), [1, null]]) {
    await assert.rejects(db.items.add({ id: bad }), DataError, `key ${String(bad)}`);
    if (bad !== null && bad.constructor !== Object) await assert.rejects(db.items.get(bad), DataError, `get(${String(bad)})`);
  }
  await assert.rejects(db.items.add({ name: 'no id' }), (e) => e instanceof DataError && /no valid primary key at 'id'/.test(e.message));
  await assert.rejects(db.auto.add(5), (e) => e instanceof DataError && /cannot store the generated key/.test(e.message));
  await assert.rejects(
    db.auto.add({ id: null }),
    (e) => e instanceof DataError && /'id' of table 'auto' is invalid: null is not a valid key/.test(e.message),
  );
  assert.equal(await db.auto.add({ id: undefined }), 1, 'an undefined key is generated');
  assert.equal(await db.items.count(), 0);
  await assert.rejects(db.items.get(undefined), TypeError);
  await assert.rejects(db.items.get({}), InvalidArgumentError);
  db.close();
});

test('keys of every type, in IndexedDB order; -0 and 0 are one key', async () => {
  const db = await openDb({ kv: '' });
  const keys = [[1], new Uint8Array([2]).buffer, 'b', 'a', new Date(3), 2, -Infinity, ['a', 1]];
  for (const [i, key] of keys.entries()) await db.kv.put(i, key);
  assert.deepEqual(await db.kv.toArray(), [6, 5, 4, 3, 2, 1, 0, 7]);
  await db.kv.put('zero', 0);
  await db.kv.put('negative zero', -0);
  assert.equal(await db.kv.get(0), 'negative zero');
  assert.equal(await db.kv.count(), 9);
  db.close();
});

test('get: by key and by criteria (primary key, single index, compound index, nested path, no index)', async () => {
  const db = await openDb();
  await db.users.bulkAdd([
    { first: 'Ada', last: 'Lovelace', email: 'ada@x', name: 'Ada', address: { city: 'London' }, nick: 'countess' },
    { first: 'Alan', last: 'Turing', email: 'alan@x', name: 'Alan', address: { city: 'Wilmslow' } },
  ]);
  assert.equal((await db.users.get(2)).first, 'Alan');
  assert.equal(await db.users.get(3), undefined);
  assert.equal((await db.users.get({ id: 1 })).first, 'Ada');
  assert.equal((await db.users.get({ email: 'alan@x' })).id, 2);
  assert.equal((await db.users.get({ last: 'Lovelace', first: 'Ada' })).id, 1);
  assert.equal((await db.users.get({ 'address.city': 'Wilmslow' })).id, 2);
  // As Dexie: criteria no index serves are a SchemaError, not a scan.
  await assert.rejects(db.users.get({ nick: 'countess' }), (e) => e.name === 'SchemaError');
  assert.equal(await db.users.get({ email: 'nobody@x' }), undefined);
  db.close();
});

test('bulkGet returns undefined holes in input order', async () => {
  const db = await openDb();
  await db.users.bulkAdd([{ email: 'a' }, { email: 'b' }]);
  assert.deepEqual(await db.users.bulkGet([2, 9, 1]), [{ email: 'b', id: 2 }, undefined, { email: 'a', id: 1 }]);
  db.close();
});

test('bulkAdd / bulkPut: last key, allKeys, keys for outbound tables', async () => {
  const db = await openDb({ users: '++id', kv: '' });
  assert.equal(await db.users.bulkAdd([{ a: 1 }, { a: 2 }, { a: 3 }]), 3);
  assert.deepEqual(await db.users.bulkAdd([{ a: 4 }, { a: 5 }], { allKeys: true }), [4, 5]);
  assert.deepEqual(await db.kv.bulkPut(['x', 'y'], ['k1', 'k2'], { allKeys: true }), ['k1', 'k2']);
  assert.equal(await db.kv.bulkPut(['z'], ['k1']), 'k1');
  assert.deepEqual(await db.kv.toArray(), ['z', 'y']);
  await assert.rejects(db.kv.bulkAdd(['a'], ['k', 'extra']), InvalidArgumentError);
  db.close();
});

test('bulkAdd with failures: BulkError with failures and failuresByPos; the other items are written', async () => {
  const db = await openDb();
  await db.users.add({ id: 1, email: 'taken@x' });
  const items = [{ email: 'ok1@x' }, { email: 'taken@x' }, { id: 1, email: 'other@x' }, { email: 'ok2@x' }];
  await assert.rejects(db.users.bulkAdd(items), (error) => {
    assert.ok(error instanceof BulkError);
    assert.equal(error.name, 'BulkError');
    assert.equal(error.failures.length, 2);
    assert.deepEqual(Object.keys(error.failuresByPos).map(Number), [1, 2]);
    assert.ok(error.failuresByPos[1] instanceof ConstraintError);
    assert.ok(error.failuresByPos[2] instanceof ConstraintError);
    assert.match(error.message, /Table\.bulkAdd\(\): 2 of 4 operations failed/);
    return true;
  });
  assert.deepEqual(
    (await db.users.toArray()).map((u) => u.email),
    ['taken@x', 'ok1@x', 'ok2@x'],
  );
  // An invalid key is not a BulkError but a DataError, as in Dexie: the items before it
  // are written, it and the ones after are not.
  await assert.rejects(
    db.users.bulkAdd([{ email: 'before@x' }, { id: null }, { email: 'after@x' }]),
    (error) => error.name === 'DataError',
  );
  assert.deepEqual(
    (await db.users.toArray()).map((u) => u.email),
    ['taken@x', 'ok1@x', 'ok2@x', 'before@x'],
  );
  db.close();
});

test('update with changes: dotted paths, undefined removes, resolves 1 or 0', async () => {
  const db = await openDb();
  await db.users.add({ id: 1, email: 'a@x', name: 'Ada', address: { city: 'London', zip: 'N1' }, tmp: true });
  assert.equal(await db.users.update(1, { name: 'Ada L', 'address.city': 'Paris', 'meta.visits': 1, tmp: undefined }), 1);
  assert.deepEqual(await db.users.get(1), {
    id: 1,
    email: 'a@x',
    name: 'Ada L',
    address: { city: 'Paris', zip: 'N1' },
    meta: { visits: 1 },
  });
  assert.equal((await db.users.get({ 'address.city': 'Paris' })).id, 1, 'the nested index moved');
  assert.equal(await db.users.get({ 'address.city': 'London' }), undefined);
  assert.equal(await db.users.update(99, { name: 'ghost' }), 0);
  assert.equal(await db.users.update({ id: 1 }, { name: 'by object' }), 1, 'an object names its own key');
  assert.equal((await db.users.get(1)).name, 'by object');
  db.close();
});

test('update with changes that break a unique index fails and leaves the record as it was', async () => {
  const db = await openDb();
  await db.users.bulkAdd([
    { id: 1, email: 'a@x' },
    { id: 2, email: 'b@x' },
  ]);
  await assert.rejects(db.users.update(2, { email: 'a@x' }), ConstraintError);
  assert.equal((await db.users.get(2)).email, 'b@x');
  db.close();
});

test('update with a function edits in place, replaces through ctx.value, or deletes', async () => {
  const db = await openDb();
  await db.users.bulkAdd([
    { id: 1, email: 'a', visits: 1 },
    { id: 2, email: 'b' },
    { id: 3, email: 'c' },
  ]);
  assert.equal(
    await db.users.update(1, (user) => {
      user.visits += 1;
    }),
    1,
  );
  assert.equal((await db.users.get(1)).visits, 2);
  await db.users.update(2, (user, ctx) => {
    ctx.value = { id: 2, email: 'replaced' };
  });
  assert.deepEqual(await db.users.get(2), { id: 2, email: 'replaced' });
  await db.users.update(3, function () {
    delete this.value;
  });
  assert.equal(await db.users.get(3), undefined);
  assert.equal(await db.users.update(42, () => {}), 0);
  db.close();
});

test('update that changes the primary key moves the record', async () => {
  const db = await openDb({ items: 'id, name' });
  await db.items.bulkAdd([
    { id: 1, name: 'a' },
    { id: 2, name: 'b' },
  ]);
  await db.items.update(1, { id: 5 });
  assert.deepEqual(await db.items.toArray(), [
    { id: 2, name: 'b' },
    { id: 5, name: 'a' },
  ]);
  await assert.rejects(db.items.update(5, { id: 2 }), ConstraintError);
  assert.deepEqual(await db.items.toArray(), [
    { id: 2, name: 'b' },
    { id: 5, name: 'a' },
  ]);
  db.close();
});

test('upsert creates or updates and resolves whether the record existed', async () => {
  const db = await openDb();
  assert.equal(await db.users.upsert(7, { email: 'new@x', 'profile.age': 30 }), false);
  assert.deepEqual(await db.users.get(7), { id: 7, email: 'new@x', profile: { age: 30 } });
  assert.equal(await db.users.upsert(7, { email: 'changed@x' }), true);
  assert.deepEqual(await db.users.get(7), { id: 7, email: 'changed@x', profile: { age: 30 } });
  db.close();
});

test('bulkUpdate resolves the number updated; failures are a BulkError by position', async () => {
  const db = await openDb();
  await db.users.bulkAdd([
    { id: 1, email: 'a' },
    { id: 2, email: 'b' },
    { id: 3, email: 'c' },
  ]);
  assert.equal(
    await db.users.bulkUpdate([
      { key: 1, changes: { n: 1 } },
      { key: 9, changes: { n: 9 } },
      { key: 3, changes: { n: 3 } },
    ]),
    2,
  );
  await assert.rejects(
    db.users.bulkUpdate([
      { key: 1, changes: { n: 2 } },
      { key: 2, changes: { email: 'a' } },
      { key: 3, changes: { id: 4 } },
    ]),
    (error) =>
      error instanceof BulkError &&
      Object.keys(error.failuresByPos).join() === '1,2' &&
      error.failuresByPos[1] instanceof ConstraintError &&
      error.failuresByPos[2] instanceof DataError,
  );
  assert.deepEqual(await db.users.toArray(), [
    { id: 1, email: 'a', n: 2 },
    { id: 2, email: 'b' },
    { id: 3, email: 'c', n: 3 },
  ]);
  db.close();
});

test('delete, bulkDelete and clear remove records and their index entries', async () => {
  const db = await openDb();
  await db.users.bulkAdd([{ email: 'a', tags: ['t'] }, { email: 'b', tags: ['t'] }, { email: 'c' }, { email: 'd' }]);
  await db.users.delete(1);
  await db.users.delete(99);
  assert.equal(await db.users.get({ email: 'a' }), undefined);
  assert.equal((await db.users.get({ tags: 't' })).id, 2);
  await db.users.bulkDelete([2, 3, 42]);
  assert.equal(await db.users.get({ tags: 't' }), undefined);
  assert.equal(await db.users.count(), 1);
  await db.users.clear();
  assert.equal(await db.users.count(), 0);
  assert.deepEqual(await db.users.toArray(), []);
  await db.users.add({ email: 'a' });
  assert.equal(await db.users.count(), 1, 'a cleared unique index accepts its old values');
  db.close();
});

test('indexes stay exact for unique, multi-entry, compound and nested indexes (checked in SQLite)', async () => {
  const db = await openDb();
  await db.users.bulkAdd([
    { email: 'a', tags: ['x', 'y', 'x', null], first: 'A', last: 'L', address: { city: 'C1' } },
    { email: 'b', tags: 'solo', first: 'B', address: { city: 'C2' } },
  ]);
  await db.users.put({ id: 1, email: 'a2', tags: ['y', 'z'], first: 'A', last: 'M' });
  await db.users.delete(2);
  await db.users.add({ email: 'b', tags: ['x'], first: 'B', last: 'K', address: { city: 'C1' } });
  const tags = [];
  for (const tag of ['x', 'y', 'z', 'solo']) tags.push([tag, (await db.users.get({ tags: tag }))?.id]);
  assert.deepEqual(tags, [
    ['x', 3],
    ['y', 1],
    ['z', 1],
    ['solo', undefined],
  ]);
  assert.equal((await db.users.get({ first: 'B', last: 'K' })).id, 3);
  assert.equal(await db.users.get({ first: 'A', last: 'L' }), undefined);
  assert.equal((await db.users.get({ 'address.city': 'C1' })).id, 3);
  assert.equal(await db.users.get({ 'address.city': 'C2' }), undefined);
  db.close();
});

test('operations on a closed database reject with DatabaseClosedError', async () => {
  const db = await openDb();
  db.close();
  for (const op of [() => db.users.add({}), () => db.users.get(1), () => db.users.toArray(), () => db.users.clear()]) {
    await assert.rejects(op(), (e) => e.name === 'DatabaseClosedError');
  }
});

test('the engine exposes its SQL for diagnostics on a separate in-memory database', async () => {
  const sql = await SqlDatabase.open();
  assert.deepEqual(sql.execute('SELECT 1 AS one').rows, [[1]]);
  sql.close();
});

test('fileSize(): the database file grows with its data and is a whole number of pages', async () => {
  const db = await openDb({ users: '++id, &email, name, age' });
  const empty = await db.fileSize();
  assert.ok(empty > 0 && empty % 4096 === 0, `empty: ${empty}`);
  await db.users.bulkAdd(Array.from({ length: 2000 }, (_, i) => ({ name: `user ${i}`.padEnd(200, '.'), email: `u${i}@x`, age: i % 90 })));
  const full = await db.fileSize();
  assert.ok(full >= empty + 2000 * 200, `with 2,000 records of 200+ bytes: ${full}`);
  assert.equal(full % 4096, 0);
  db.close();
});
