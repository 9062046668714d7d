// live-query.test.mjs: liveQuery re-runs exactly when a change touches what
// the querier read (the matrix, counted run by run), coalesces
// changes, never emits an unchanged result twice, follows optimistic
// overlays and their rollback, and behaves as an Observable for RxJS and
// Svelte. Real engine (wasm + SQLite), in memory.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { from } from 'rxjs';
import { get as svelteGet, derived } from 'svelte/store';
import { Indexie, ReadOnlyError, liveQuery } from 'indexie';

let counter = 0;
async function openDb() {
  const db = new Indexie(`live-test-${counter++}`);
  db.version(1).stores({ people: '++id, name, age, *tags, [age+name]', pets: '++id, name' });
  await db.open();
  await db.people.bulkAdd([
    { name: 'Ann', age: 10, tags: ['red'] },
    { name: 'Bob', age: 20, tags: ['blue'] },
    { name: 'Cid', age: 25, tags: ['red', 'blue'] },
    { name: 'Dee', age: 30, tags: [] },
    { name: 'Eve', age: 40, tags: ['green'] },
    { name: 'Fay', age: 50, tags: ['blue'] },
    { name: 'Gus', age: 60, tags: ['red'] },
  ]);
  await db.pets.add({ name: 'Rex' });
  return db;
}

/** Lets every pending notification, run and emission happen. */
async function settle() {
  for (let i = 0; i < 30; i++) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 5));
  for (let i = 0; i < 30; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Subscribes to liveQuery(querier), counting runs and keeping what it emits. */
async function watch(querier) {
  const live = { runs: 0, values: [], errors: [] };
  const observable = liveQuery(querier, { onRun: () => live.runs++ });
  live.subscription = observable.subscribe({ next: (v) => live.values.push(v), error: (e) => live.errors.push(e) });
  await settle();
  assert.equal(live.runs, 1, 'the first run');
  assert.equal(live.values.length, 1, 'the first value');
  live.last = () => live.values.at(-1);
  return live;
}

/** Runs `write`, lets things settle, and checks how many runs it caused. */
async function expectRuns(live, expected, label, write) {
  const before = live.runs;
  await write();
  await settle();
  assert.equal(live.runs - before, expected, `${label}: ${expected ? 'must' : 'must not'} re-run`);
}

async function matrix(db, live, { outside, inside }) {
  for (const [label, write] of Object.entries(outside)) await expectRuns(live, 0, label, write);
  await expectRuns(live, 0, 'a write to another table', () => db.pets.add({ name: 'Tom' }));
  for (const [label, write] of Object.entries(inside)) await expectRuns(live, 1, label, write);
  await expectRuns(live, 1, 'clear()', () => db.people.clear());
}

test('where(age).between(20, 30): re-runs only for rows whose old or new age is in the range', async () => {
  const db = await openDb();
  const live = await watch(() => db.people.where('age').between(20, 30, true, true).toArray());
  assert.deepEqual(
    live.last().map((p) => p.name),
    ['Bob', 'Cid', 'Dee'],
  );
  await matrix(db, live, {
    outside: {
      'add outside': () => db.people.add({ name: 'Hal', age: 70 }),
      'update outside -> outside': () => db.people.update(6, { age: 55, name: 'Fay2' }),
      'delete outside': () => db.people.delete(7),
      'bulkPut outside': () =>
        db.people.bulkPut([
          { id: 100, name: 'X', age: 1 },
          { id: 101, name: 'Y', age: 99 },
        ]),
    },
    inside: {
      'add inside': () => db.people.add({ name: 'Ivy', age: 22 }),
      'update moving in': () => db.people.update(5, { age: 21 }),
      'update moving out': () => db.people.update(2, { age: 45 }),
      'update inside, age kept': () => db.people.update(3, { name: 'Cid2' }),
      'delete inside': () => db.people.delete(4),
    },
  });
  assert.deepEqual(live.last(), []);
  live.subscription.unsubscribe();
  db.close();
});

test('get(key): re-runs only for that key', async () => {
  const db = await openDb();
  const live = await watch(() => db.people.get(3));
  await matrix(db, live, {
    outside: {
      'update another key': () => db.people.update(4, { age: 31 }),
      'add another key': () => db.people.add({ name: 'Hal', age: 25 }),
      'delete another key': () => db.people.delete(1),
    },
    inside: {
      'update it': () => db.people.update(3, { age: 26 }),
      'delete it': () => db.people.delete(3),
      'add it again': () => db.people.add({ id: 3, name: 'New', age: 1 }),
    },
  });
  assert.equal(live.last(), undefined);
  db.close();
});

test('count(): a range count ignores changes that keep its entries; a table count ignores updates', async () => {
  const db = await openDb();
  const live = await watch(() => db.people.where('age').between(20, 30, true, true).count());
  assert.equal(live.last(), 3);
  await matrix(db, live, {
    outside: {
      'add outside': () => db.people.add({ name: 'Hal', age: 70 }),
      'update outside': () => db.people.update(5, { age: 41 }),
      'update inside keeping the age': () => db.people.update(3, { name: 'Cid2', tags: ['x'] }),
      'delete outside': () => db.people.delete(1),
    },
    inside: {
      'add inside': () => db.people.add({ name: 'Ivy', age: 22 }),
      'update moving in': () => db.people.update(5, { age: 21 }),
      'update moving out': () => db.people.update(2, { age: 45 }),
      'delete inside': () => db.people.delete(4),
    },
  });
  assert.equal(live.last(), 0);

  const total = await watch(() => db.people.count());
  await expectRuns(total, 1, 'an add', () => db.people.add({ id: 5, name: 'Eve', age: 40 }));
  await expectRuns(total, 0, 'an update', () => db.people.put({ id: 5, name: 'Eve', age: 1 }));
  await expectRuns(total, 1, 'an add', () => db.people.add({ name: 'Jo', age: 5 }));
  await expectRuns(total, 1, 'a delete', () => db.people.delete(5));
  db.close();
});

test('orderBy(name).limit(3): re-runs only for changes among the first three names', async () => {
  const db = await openDb();
  const live = await watch(() => db.people.orderBy('name').limit(3).toArray());
  assert.deepEqual(
    live.last().map((p) => p.name),
    ['Ann', 'Bob', 'Cid'],
  );
  await matrix(db, live, {
    outside: {
      'add a later name': () => db.people.add({ name: 'Zed', age: 1 }),
      'update a later row': () => db.people.update(6, { age: 1 }),
      'rename a later row to another later name': () => db.people.update(7, { name: 'Guy' }),
      'delete a later row': () => db.people.delete(5),
    },
    inside: {
      'add an earlier name': () => db.people.add({ name: 'Abe', age: 1 }),
      'update one of the three': () => db.people.update(2, { age: 21 }),
      'rename a later row into the three': () => db.people.update(4, { name: 'Aaa' }),
      'delete one of the three': () => db.people.delete(1),
    },
  });
  db.close();
});

test('compound index [age+name]: re-runs only for entries in the compound range', async () => {
  const db = await openDb();
  const live = await watch(() => db.people.where('[age+name]').between([20, ''], [30, '\uffff']).toArray());
  assert.deepEqual(
    live.last().map((p) => p.name),
    ['Bob', 'Cid', 'Dee'],
  );
  await matrix(db, live, {
    outside: {
      'add outside': () => db.people.add({ name: 'Hal', age: 31 }),
      'update outside': () => db.people.update(5, { name: 'Eve2' }),
      'add without a name (no compound entry)': () => db.people.add({ age: 25 }),
    },
    inside: {
      'add inside': () => db.people.add({ name: 'Ivy', age: 30 }),
      'rename inside': () => db.people.update(2, { name: 'Bo' }),
      'move out': () => db.people.update(3, { age: 35 }),
    },
  });
  db.close();
});

test('multi-entry index *tags: re-runs only when a record gains, loses or holds the tag', async () => {
  const db = await openDb();
  const live = await watch(() => db.people.where('tags').equals('red').toArray());
  assert.deepEqual(
    live.last().map((p) => p.name),
    ['Ann', 'Cid', 'Gus'],
  );
  await matrix(db, live, {
    outside: {
      'add a blue one': () => db.people.add({ name: 'Hal', age: 1, tags: ['blue'] }),
      'retag blue -> green': () => db.people.update(2, { tags: ['green'] }),
      'delete a non-red one': () => db.people.delete(6),
    },
    inside: {
      'add a red one': () => db.people.add({ name: 'Ivy', age: 1, tags: ['red'] }),
      'gain red': () => db.people.update(5, { tags: ['green', 'red'] }),
      'lose red': () => db.people.update(1, { tags: [] }),
      'change another field of a red one': () => db.people.update(7, { age: 61 }),
      'delete a red one': () => db.people.delete(3),
    },
  });
  db.close();
});

test('filter(): the range under the filter decides, whatever the filter says', async () => {
  const db = await openDb();
  const live = await watch(() =>
    db.people
      .where('age')
      .between(20, 30, true, true)
      .filter((p) => p.tags.includes('blue'))
      .toArray(),
  );
  assert.deepEqual(
    live.last().map((p) => p.name),
    ['Bob', 'Cid'],
  );
  await matrix(db, live, {
    outside: {
      'add a blue one outside': () => db.people.add({ name: 'Hal', age: 70, tags: ['blue'] }),
      'update outside': () => db.people.update(6, { tags: [] }),
    },
    inside: {
      'add a blue one inside': () => db.people.add({ name: 'Ivy', age: 22, tags: ['blue'] }),
      'unblue one': () => db.people.update(2, { tags: [] }),
      'delete inside': () => db.people.delete(3),
    },
  });
  db.close();
});

test('or(): each branch records its own range', async () => {
  const db = await openDb();
  const live = await watch(() => db.people.where('age').below(15).or('name').equals('Zed').toArray());
  assert.deepEqual(
    live.last().map((p) => p.name),
    ['Ann'],
  );
  await matrix(db, live, {
    outside: {
      'add neither': () => db.people.add({ name: 'Hal', age: 70 }),
      'update neither': () => db.people.update(4, { age: 33, name: 'Dan' }),
    },
    inside: {
      'add to the first branch': () => db.people.add({ name: 'Kid', age: 5 }),
      'add to the second branch': () => db.people.add({ name: 'Zed', age: 80 }),
      'rename into the second branch': () => db.people.update(5, { name: 'Zed' }),
    },
  });
  db.close();
});

test('a querier reading several tables re-runs for each of them, and only them', async () => {
  const db = await openDb();
  db.close();
  const other = new Indexie(db.name);
  other.version(1).stores({ people: '++id, name, age, *tags, [age+name]', pets: '++id, name', toys: '++id' });
  await other.open();
  const live = await watch(async () => {
    const pets = await other.pets.toArray();
    const bob = await other.people.get(2);
    return { pets: pets.length, bob: bob?.age };
  });
  assert.deepEqual(live.last(), { pets: 1, bob: 20 });
  await expectRuns(live, 0, 'another table', () => other.toys.add({}));
  await expectRuns(live, 0, 'another person', () => other.people.update(3, { age: 1 }));
  await expectRuns(live, 1, 'a pet', () => other.pets.add({ name: 'Tom' }));
  await expectRuns(live, 1, 'Bob', () => other.people.update(2, { age: 21 }));
  assert.deepEqual(live.last(), { pets: 2, bob: 21 });
  other.close();
});

test('every read API records what it read: each, first, last, keys, primaryKeys, uniqueKeys, sortBy, sum, bulkGet', async () => {
  const db = await openDb();
  const range = () => db.people.where('age').between(20, 30, true, true);
  const readers = {
    each: async () => {
      const seen = [];
      await range().each((p) => seen.push(p.name));
      return seen;
    },
    first: () => range().first(),
    last: () => range().last(),
    keys: () => range().keys(),
    primaryKeys: () => range().primaryKeys(),
    uniqueKeys: () => range().uniqueKeys(),
    sortBy: () => range().sortBy('name'),
    sum: () => range().sum('age'),
    bulkGet: () => db.people.bulkGet([2, 3, 4]),
  };
  for (const [api, querier] of Object.entries(readers)) {
    const live = await watch(querier);
    await expectRuns(live, 0, `${api}: a write outside`, () => db.people.update(6, { age: 51 }));
    // first() stops at the first row of the range (Bob), last() at the last (Dee): only they count there.
    const inside = api === 'first' ? 2 : api === 'last' ? 4 : 3;
    if (api === 'first' || api === 'last') {
      await expectRuns(live, 0, `${api}: a write to a row it did not reach`, () => db.people.update(3, { name: `Cid-${api}` }));
    }
    // Key reads depend on entries only: moving an entry counts, another field does not.
    if (['keys', 'primaryKeys', 'uniqueKeys'].includes(api)) {
      await expectRuns(live, 0, `${api}: another field inside`, () => db.people.update(inside, { tags: [api] }));
      await expectRuns(live, 1, `${api}: an entry moving inside`, async () =>
        db.people.update(inside, { age: (await db.people.get(inside)).age === 24 ? 26 : 24 }),
      );
    } else {
      await expectRuns(live, 1, `${api}: a write inside`, () => db.people.update(inside, { tags: [api] }));
    }
    live.subscription.unsubscribe();
  }
  db.close();
});

test('silent remote writes (applyRemote) and async hooks reach live queries; a failing LOCAL_FIRST hook shows, then reverts', async () => {
  const db = await openDb();
  const live = await watch(() => db.people.where('age').between(20, 30, true, true).toArray());
  const names = () => live.last().map((p) => p.name);
  await expectRuns(live, 0, 'applyRemote outside', () => db.people.applyRemote([{ type: 'put', value: { id: 50, name: 'Far', age: 90 } }]));
  await expectRuns(live, 1, 'applyRemote inside', () =>
    db.people.applyRemote([
      { type: 'put', value: { id: 51, name: 'Near', age: 21 } },
      { type: 'delete', key: 4 },
    ]),
  );
  assert.deepEqual(names(), ['Bob', 'Near', 'Cid']);

  let release;
  const gate = new Promise((resolve) => {
    release = resolve;
  });
  db.people.hook.onAdd(async () => {
    await gate;
    throw new Error('server refused');
  });
  const adding = db.people.add({ name: 'Hopeful', age: 22 });
  await settle();
  assert.deepEqual(names(), ['Bob', 'Near', 'Hopeful', 'Cid'], 'LOCAL_FIRST: shown while the hook runs');
  release();
  await assert.rejects(adding, /server refused/);
  await settle();
  assert.deepEqual(names(), ['Bob', 'Near', 'Cid'], 'reverted after the hook failed');
  db.close();
});

test('many changes in one transaction, one bulk call or one tick cause one re-run', async () => {
  const db = await openDb();
  const live = await watch(() => db.people.where('age').between(20, 30, true, true).toArray());
  await expectRuns(live, 1, 'a transaction of five writes', () =>
    db.transaction('rw', db.people, async () => {
      for (let i = 0; i < 5; i++) await db.people.add({ name: `T${i}`, age: 21 + i });
    }),
  );
  await expectRuns(live, 1, 'a bulkAdd', () =>
    db.people.bulkAdd([
      { name: 'b1', age: 22 },
      { name: 'b2', age: 23 },
    ]),
  );
  await expectRuns(live, 1, 'five writes in one tick', () =>
    Promise.all([1, 2, 3, 4, 5].map((i) => db.people.add({ name: `p${i}`, age: 20 + i }))),
  );
  await expectRuns(live, 1, 'a modify', () =>
    db.people
      .where('age')
      .between(20, 30, true, true)
      .modify({ tags: ['m'] }),
  );
  assert.equal(live.last().length, 15);
  db.close();
});

test('an unchanged result is not emitted twice in a row', async () => {
  const db = await openDb();
  const live = await watch(() => db.people.where('age').between(20, 30, true, true).toArray());
  const emitted = live.values.length;
  await expectRuns(live, 1, 'writing the same value', async () => db.people.put(await db.people.get(2)));
  assert.equal(live.values.length, emitted, 'same result: not emitted');
  await expectRuns(live, 1, 'a real change', () => db.people.update(2, { name: 'Bobby' }));
  assert.equal(live.values.length, emitted + 1);
  const counting = await watch(() => db.people.where('age').between(20, 30, true, true).count());
  await expectRuns(counting, 1, 'a move in and out in one transaction', () =>
    db.transaction('rw', db.people, async () => {
      await db.people.update(5, { age: 21 });
      await db.people.update(5, { age: 41 });
    }),
  );
  assert.equal(counting.values.length, 1);
  db.close();
});

test('an optimistic transaction shows its writes at once and takes them back on rollback; a standard one shows nothing until commit', async () => {
  const db = await openDb();
  const live = await watch(() => db.people.where('age').between(20, 30, true, true).toArray());
  const names = () => live.last().map((p) => p.name);

  const optimistic = db.people.startTransaction({ optimistic: true });
  await optimistic.table('people').add({ name: 'Opt', age: 26 });
  await settle();
  assert.deepEqual(names(), ['Bob', 'Cid', 'Opt', 'Dee'], 'visible before commit');
  await expectRuns(live, 1, 'the rollback', () => optimistic.rollback());
  assert.deepEqual(names(), ['Bob', 'Cid', 'Dee'], 'the old result again');

  const standard = db.people.startTransaction();
  await standard.table('people').add({ name: 'Std', age: 27 });
  await settle();
  assert.deepEqual(names(), ['Bob', 'Cid', 'Dee'], 'invisible before commit');
  await expectRuns(live, 1, 'the commit', () => standard.commit());
  assert.deepEqual(names(), ['Bob', 'Cid', 'Std', 'Dee']);

  const rolledBack = db.people.startTransaction();
  await rolledBack.table('people').add({ name: 'Never', age: 28 });
  await expectRuns(live, 0, 'a standard rollback', () => rolledBack.rollback());

  const failing = db.transaction(
    'rw',
    db.people,
    async () => {
      await db.people.add({ name: 'Fail', age: 29 });
      await Indexie.waitFor(new Promise((resolve) => setTimeout(resolve, 30)));
      throw new Error('server said no');
    },
    { optimistic: true },
  );
  await new Promise((resolve) => setTimeout(resolve, 15));
  assert.ok(names().includes('Fail'), 'shown while the scope still runs');
  await assert.rejects(failing, /server said no/);
  await settle();
  assert.ok(!names().includes('Fail'), 'gone after the failure');
  db.close();
});

test('errors go to error(); writing inside a querier is a ReadOnlyError; later successes emit again', async () => {
  const db = await openDb();
  let fail = true;
  const errors = [];
  const values = [];
  const subscription = liveQuery(async () => {
    const count = await db.pets.count();
    if (fail) throw new Error(`failing with ${count} pets`);
    return count;
  }).subscribe(
    (v) => values.push(v),
    (e) => errors.push(e),
  );
  await settle();
  assert.deepEqual(
    errors.map((e) => e.message),
    ['failing with 1 pets'],
  );
  fail = false;
  await db.pets.add({ name: 'Tom' });
  await settle();
  assert.deepEqual(values, [2], 'a change to what the failed run read re-runs it');
  subscription.unsubscribe();

  const writeErrors = [];
  liveQuery(() => db.pets.add({ name: 'nope' })).subscribe({ error: (e) => writeErrors.push(e) });
  liveQuery(() => db.transaction('rw', db.pets, () => undefined)).subscribe({ error: (e) => writeErrors.push(e) });
  await settle();
  assert.equal(writeErrors.length, 2);
  for (const error of writeErrors) assert.ok(error instanceof ReadOnlyError, error.message);
  assert.equal(await db.pets.count(), 2, 'nothing written');
  db.close();
});

test('Observable: async first value, subscribe forms, unsubscribe, readonly transactions inside, reads after a foreign await', async () => {
  const db = await openDb();
  const values = [];
  const subscription = liveQuery(() => db.pets.count()).subscribe((v) => values.push(v));
  assert.deepEqual(values, [], 'the first value arrives asynchronously');
  assert.equal(subscription.closed, false);
  await settle();
  assert.deepEqual(values, [1]);
  subscription.unsubscribe();
  assert.equal(subscription.closed, true);
  await db.pets.add({ name: 'Tom' });
  await settle();
  assert.deepEqual(values, [1], 'nothing after unsubscribe');

  const inTx = await watch(() => db.transaction('r', db.people, () => db.people.get(2)));
  await expectRuns(inTx, 1, 'a change to what a readonly transaction in the querier read', () => db.people.update(2, { age: 22 }));
  await expectRuns(inTx, 0, 'another key', () => db.people.update(3, { age: 22 }));

  // After awaiting a foreign promise the context is gone; the read is still recorded (for the runs in flight).
  const foreign = await watch(async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return db.people.get(4);
  });
  await expectRuns(foreign, 1, 'a change to a read made after a timer', () => db.people.update(4, { age: 31 }));
  db.close();
});

test('observers and the code they resume run outside the live query: they may write, and their reads are not recorded', async () => {
  const db = await openDb();
  let resume;
  const emitted = new Promise((resolve) => {
    resume = resolve;
  });
  let runs = 0;
  const subscription = liveQuery(() => db.pets.get(1), { onRun: () => runs++ }).subscribe(async (pet) => {
    resume(pet);
    if (!pet.seen) await db.pets.put({ ...pet, seen: true }); // a write from the observer itself
  });
  const pet = await emitted;
  assert.equal(pet.name, 'Rex');
  await db.people.add({ name: 'After', age: 26 }); // resumed by the emission: not part of the live query
  await db.people.get(2);
  await settle();
  assert.equal((await db.pets.get(1)).seen, true);
  assert.equal(runs, 2, "the observer's write to pet 1 re-ran it once; the people reads and writes did not");
  subscription.unsubscribe();
  db.close();
});

test('RxJS from() and Svelte stores consume it directly', async () => {
  const db = await openDb();
  const seen = [];
  const rx = from(liveQuery(() => db.pets.count())).subscribe((v) => seen.push(v));
  await settle();
  await db.pets.add({ name: 'Tom' });
  await settle();
  assert.deepEqual(seen, [1, 2]);
  rx.unsubscribe();

  const store = liveQuery(() => db.people.where('age').above(45).count());
  const doubled = derived(store, (n) => (n ?? 0) * 2);
  const got = [];
  const unsubscribe = doubled.subscribe((v) => got.push(v));
  await settle();
  await db.people.add({ name: 'Old', age: 90 });
  await settle();
  unsubscribe();
  assert.deepEqual(got, [0, 4, 6]);
  assert.equal(svelteGet(store), undefined, 'get() unsubscribes before the async first value');
  db.close();
});
