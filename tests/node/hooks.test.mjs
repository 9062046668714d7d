// hooks.test.mjs: Dexie's synchronous CRUD hooks with Dexie's contract
// (arguments, return values, onsuccess/onerror, unsubscribe), indexie's
// async hooks with LOCAL_FIRST / NETWORK_FIRST, and silent remote writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { BulkError, ConstraintError, Indexie, Strategy } from 'indexie';

let counter = 0;
async function openDb(stores = { users: '++id, &email, age', notes: 'id' }) {
  const db = new Indexie(`hooks-test-${counter++}`);
  db.version(1).stores(stores);
  await db.open();
  return db;
}

test('creating: called for add and for put of a new key, with (primKey, obj, tx); may edit obj; onsuccess gets the key', async () => {
  const db = await openDb();
  const calls = [];
  const creating = function (primKey, obj, tx) {
    calls.push({ primKey, email: obj.email, tx: tx?.constructor.name });
    obj.created = true;
    this.onsuccess = (key) => calls.push({ success: key });
  };
  db.users.hook('creating', creating);
  await db.users.add({ email: 'a@x' });
  await db.users.put({ id: 7, email: 'b@x' });
  await db.users.put({ id: 7, email: 'b2@x' }); // exists: updating, not creating
  assert.deepEqual(calls, [
    { primKey: undefined, email: 'a@x', tx: 'Transaction' },
    { success: 1 },
    { primKey: 7, email: 'b@x', tx: 'Transaction' },
    { success: 7 },
  ]);
  assert.equal((await db.users.get(1)).created, true);
  db.users.hook('creating').unsubscribe(creating);
  await db.users.add({ email: 'c@x' });
  assert.equal(calls.length, 4, 'unsubscribed');
  db.close();
});

test('creating: a returned value becomes the key when there was none; onerror sees a failed write', async () => {
  const db = await openDb({ notes: '', users: '++id, &email' });
  db.notes.hook('creating', () => 'generated-key');
  assert.equal(await db.notes.add({ text: 'x' }), 'generated-key');
  assert.deepEqual(await db.notes.get('generated-key'), { text: 'x' });
  const errors = [];
  db.users.hook('creating', function () {
    this.onerror = (e) => errors.push(e.name ?? e.code);
  });
  await db.users.add({ email: 'a@x' });
  await assert.rejects(db.users.add({ email: 'a@x' }), ConstraintError);
  assert.deepEqual(errors, ['ConstraintError']);
  db.close();
});

test('updating: (mods, primKey, obj, tx) for put over a record, update and modify; returned changes are applied', async () => {
  const db = await openDb();
  await db.users.add({ email: 'a@x', age: 1, address: { city: 'Oslo', zip: '1' } });
  const calls = [];
  db.users.hook('updating', function (mods, primKey, obj) {
    calls.push({ mods, primKey, before: obj.age });
    this.onsuccess = (updated) => calls.push({ success: updated.age });
    return { touched: true };
  });
  await db.users.update(1, { age: 2, 'address.city': 'Rome' });
  await db.users.put({ id: 1, email: 'a@x', age: 3 });
  await db.users
    .where('age')
    .equals(3)
    .modify((u) => {
      u.age = 4;
    });
  assert.deepEqual(calls, [
    { mods: { age: 2, 'address.city': 'Rome' }, primKey: 1, before: 1 },
    { success: 2 },
    { mods: { age: 3, address: undefined, touched: undefined }, primKey: 1, before: 2 },
    { success: 3 },
    { mods: { age: 4 }, primKey: 1, before: 3 },
    { success: 4 },
  ]);
  assert.deepEqual(await db.users.get(1), { id: 1, email: 'a@x', age: 4, touched: true });
  db.close();
});

test('deleting: (primKey, obj, tx) for delete, bulkDelete, clear and Collection.delete; not for missing keys', async () => {
  const db = await openDb();
  await db.users.bulkAdd([1, 2, 3, 4, 5].map((age) => ({ email: `${age}@x`, age })));
  const deleted = [];
  db.users.hook('deleting', function (primKey, obj) {
    this.onsuccess = () => deleted.push(`${primKey}:${obj.age}`);
  });
  await db.users.delete(1);
  await db.users.delete(99);
  await db.users.bulkDelete([2, 98]);
  await db.users.where('age').equals(3).delete();
  await db.users.clear();
  assert.deepEqual(deleted, ['1:1', '2:2', '3:3', '4:4', '5:5']);
  db.close();
});

test('reading: maps values from get, bulkGet, toArray and collections (keys are untouched)', async () => {
  const db = await openDb();
  await db.users.bulkAdd([
    { email: 'a@x', age: 1 },
    { email: 'b@x', age: 2 },
  ]);
  class User {
    get label() {
      return `${this.email}/${this.age}`;
    }
  }
  db.users.hook('reading', (obj) => Object.assign(new User(), obj));
  assert.equal((await db.users.get(1)).label, 'a@x/1');
  assert.equal((await db.users.get({ email: 'b@x' })).label, 'b@x/2');
  assert.deepEqual(
    (await db.users.bulkGet([1, 2, 3])).map((u) => u?.label),
    ['a@x/1', 'b@x/2', undefined],
  );
  assert.deepEqual(
    (await db.users.where('age').above(0).toArray()).map((u) => u.label),
    ['a@x/1', 'b@x/2'],
  );
  assert.equal((await db.users.orderBy('age').last()).label, 'b@x/2');
  assert.deepEqual(await db.users.orderBy('age').keys(), [1, 2]);
  db.close();
});

test('a throwing sync hook fails that write; in a bulk, only that item (BulkError), the others are written', async () => {
  const db = await openDb();
  db.users.hook('creating', (key, obj) => {
    if (obj.age === 2) throw new RangeError('no twos');
  });
  await assert.rejects(db.users.add({ email: 'a@x', age: 2 }), RangeError);
  await assert.rejects(
    db.users.bulkAdd([
      { email: 'b@x', age: 1 },
      { email: 'c@x', age: 2 },
      { email: 'd@x', age: 3 },
    ]),
    (e) => e instanceof BulkError && e.failures.length === 1 && e.failuresByPos[1] instanceof RangeError,
  );
  assert.deepEqual(
    (await db.users.toArray()).map((u) => u.age),
    [1, 3],
  );
  db.close();
});

test('async hooks get (table, key, item, previous, changes) and are awaited before the write resolves', async () => {
  const db = await openDb();
  const seen = [];
  db.users.hook.onAdd(async (c) => {
    await sleep(5);
    seen.push(c);
  });
  db.users.hook.onUpdate((c) => {
    seen.push(c);
  });
  const stopDelete = db.users.hook.onDelete((c) => {
    seen.push(c);
  });
  await db.users.add({ email: 'a@x', age: 1 });
  assert.equal(seen.length, 1, 'awaited before add() resolved');
  await db.users.update(1, { age: 2 });
  await db.users.delete(1);
  stopDelete();
  await db.users.add({ email: 'b@x', age: 5 });
  await db.users.delete(2);
  assert.deepEqual(seen, [
    { type: 'add', table: 'users', key: 1, item: { email: 'a@x', age: 1, id: 1 } },
    {
      type: 'update',
      table: 'users',
      key: 1,
      item: { email: 'a@x', age: 2, id: 1 },
      previous: { email: 'a@x', age: 1, id: 1 },
      changes: { age: 2 },
    },
    { type: 'delete', table: 'users', key: 1, previous: { email: 'a@x', age: 2, id: 1 } },
    { type: 'add', table: 'users', key: 2, item: { email: 'b@x', age: 5, id: 2 } },
  ]);
  db.close();
});

test('LOCAL_FIRST (default): the write is visible while the hook runs; a failing hook reverts it and rejects', async () => {
  const db = await openDb();
  assert.equal(db.users.strategy, Strategy.LOCAL_FIRST);
  let visibleDuringHook;
  db.users.hook.onAdd(async (change) => {
    visibleDuringHook = await db.users.get(change.key);
    throw new Error('server rejected');
  });
  await assert.rejects(db.users.add({ email: 'a@x' }), /server rejected/);
  assert.equal(visibleDuringHook?.email, 'a@x');
  assert.equal(await db.users.count(), 0, 'reverted');
  db.close();
});

test('NETWORK_FIRST: nothing is visible until the hooks succeed; a failure writes nothing', async () => {
  const db = await openDb();
  db.users.strategy = Strategy.NETWORK_FIRST;
  const observed = [];
  let fail = true;
  db.users.hook.onAdd(async () => {
    observed.push(await db.users.count());
    if (fail) throw new Error('offline');
  });
  await assert.rejects(db.users.add({ email: 'a@x' }), /offline/);
  fail = false;
  await db.users.add({ email: 'b@x' });
  assert.deepEqual(observed, [0, 0], 'other readers never saw the pending write');
  assert.deepEqual(
    (await db.users.toArray()).map((u) => u.email),
    ['b@x'],
  );
  assert.throws(() => {
    db.users.strategy = 'eventually';
  }, /strategy must be/);
  db.close();
});

test('in an optimistic transaction, a failing async hook rolls the whole transaction back at commit', async () => {
  const db = await openDb();
  db.users.hook.onAdd((c) => {
    if (c.item.email === 'bad@x') throw new Error('hook failed');
  });
  let during;
  await assert.rejects(
    db.transaction(
      'rw',
      db.users,
      db.notes,
      async () => {
        await db.users.add({ email: 'ok@x' });
        await db.users.add({ email: 'bad@x' });
        await db.notes.put({ id: 1 });
        during = await db.users.count();
      },
      { optimistic: true },
    ),
    /hook failed/,
  );
  assert.equal(during, 2);
  assert.equal(await db.users.count(), 0);
  assert.equal(await db.notes.count(), 0);
  db.close();
});

test('applyRemote writes and deletes silently: no hook of either kind fires', async () => {
  const db = await openDb();
  const fired = [];
  db.users.hook('creating', () => {
    fired.push('creating');
  });
  db.users.hook('deleting', () => {
    fired.push('deleting');
  });
  db.users.hook.onAdd(() => {
    fired.push('onAdd');
  });
  db.users.hook.onDelete(() => {
    fired.push('onDelete');
  });
  await db.users.applyRemote([
    { type: 'put', value: { id: 1, email: 'a@x' } },
    { type: 'put', value: { id: 2, email: 'b@x' } },
  ]);
  await db.users.applyRemote([{ type: 'delete', key: 1 }]);
  assert.deepEqual(fired, []);
  assert.deepEqual(
    (await db.users.toArray()).map((u) => u.id),
    [2],
  );
  await assert.rejects(
    db.users.applyRemote([
      { type: 'put', value: { id: 3, email: 'c@x' } },
      { type: 'put', value: { id: 4, email: 'b@x' } },
    ]),
    ConstraintError,
  );
  assert.deepEqual(
    (await db.users.toArray()).map((u) => u.id),
    [2],
    'all or nothing',
  );
  db.close();
});

test('a table with only update hooks adds without them; puts over existing records still reach them', async () => {
  const db = await openDb();
  const updates = [];
  db.users.hook.onUpdate(async (change) => {
    updates.push([change.key, change.changes]);
  });
  await db.users.bulkAdd([
    { email: 'a@x', age: 1 },
    { email: 'b@x', age: 2 },
  ]);
  await db.users.add({ email: 'c@x', age: 3 });
  assert.deepEqual(updates, []);
  await assert.rejects(db.users.bulkAdd([{ email: 'd@x' }, { email: 'a@x' }]), BulkError);
  assert.equal(await db.users.count(), 4, 'the other item was written');
  await db.users.put({ id: 1, email: 'a@x', age: 10 });
  await db.users.update(2, { age: 20 });
  assert.deepEqual(updates, [
    [1, { age: 10 }],
    [2, { age: 20 }],
  ]);
  db.close();
});
