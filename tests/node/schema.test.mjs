// schema.test.mjs: versions, store specs, upgrades and opening, through the
// public API: the schema lives inside the database, upgrades run in order
// and are all-or-nothing, and every bad spec is a named error.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Indexie, InvalidTableError, NoSuchDatabaseError, SchemaError, UpgradeError, DatabaseClosedError, ConstraintError } from 'indexie';

let counter = 0;
const uniqueName = (label) => `schema-test-${label}-${counter++}`;

test('db properties: name, verno, tables, table(), db.<table>, isOpen, schema details', async () => {
  const name = uniqueName('props');
  const db = new Indexie(name);
  db.version(1).stores({
    users: '++id, &email, name, *tags, [first+last], address.city',
    blobs: '',
    log: '++',
    pairs: '[a+b], c',
  });
  assert.equal(db.name, name);
  assert.equal(db.verno, 1);
  assert.equal(db.isOpen(), false);
  assert.ok(db.users, 'db.users exists before open');
  await db.open();
  assert.equal(db.isOpen(), true);
  assert.deepEqual(db.tables.map((t) => t.name).sort(), ['blobs', 'log', 'pairs', 'users']);
  assert.equal(db.table('users'), db.users);
  assert.equal(db.users.name, 'users');
  const { primKey, indexes, idxByName } = db.users.schema;
  assert.deepEqual(
    { keyPath: primKey.keyPath, auto: primKey.auto, unique: primKey.unique, multi: primKey.multi, compound: primKey.compound },
    { keyPath: 'id', auto: true, unique: true, multi: false, compound: false }, // a primary key is unique, as Dexie says
  );
  assert.deepEqual(
    indexes.map((i) => i.name),
    ['email', 'name', 'tags', '[first+last]', 'address.city'],
  );
  assert.equal(idxByName.email.unique, true);
  assert.equal(idxByName.tags.multi, true);
  assert.deepEqual(idxByName['[first+last]'].keyPath, ['first', 'last']);
  assert.equal(idxByName['[first+last]'].compound, true);
  assert.equal(idxByName['address.city'].keyPath, 'address.city');
  assert.equal(db.blobs.schema.primKey.keyPath, null);
  assert.equal(db.log.schema.primKey.auto, true);
  assert.deepEqual(db.pairs.schema.primKey.keyPath, ['a', 'b']);
  assert.throws(() => db.table('nope'), InvalidTableError);
  db.close();
  assert.equal(db.isOpen(), false);
});

test('bad specs raise SchemaError naming the table and the entry', async () => {
  const cases = [
    ['id, name, name', /table 'users'.*'name'.*duplicates/],
    ['*id', /table 'users'.*'\*id'.*multi-entry/],
    ['id, *[a+b]', /table 'users'.*compound index multi-entry/],
    ['id, ,name', /table 'users'.*is empty/],
    ['id, #x', /table 'users'.*unknown prefix '#'/],
    ['id, ++n', /table 'users'.*'\+\+n'.*only the primary key/],
  ];
  for (const [spec, pattern] of cases) {
    const db = new Indexie(uniqueName('badspec'));
    db.version(1).stores({ users: spec });
    await assert.rejects(db.open(), (error) => {
      assert.ok(error instanceof SchemaError, `${spec}: ${error}`);
      assert.match(error.message, pattern);
      return true;
    });
    assert.equal(db.isOpen(), false);
  }
  assert.throws(() => new Indexie('x').version(1).stores({ t: 5 }), SchemaError);
  assert.throws(() => new Indexie('x').version(0), SchemaError);
  assert.throws(() => new Indexie('x').version(-1), SchemaError);
});

test('populate runs once, when the database is created, inside the creation', async () => {
  const name = uniqueName('populate');
  let runs = 0;
  const open = async () => {
    const db = new Indexie(name);
    db.version(1).stores({ settings: 'key' });
    db.on('populate', async (tx) => {
      runs++;
      await db.settings.add({ key: 'theme', value: 'dark' });
      await tx.table('settings').add({ key: 'lang', value: 'en' });
    });
    await db.open();
    return db;
  };
  const first = await open();
  assert.deepEqual(
    (await first.settings.toArray()).map((s) => s.key),
    ['lang', 'theme'],
  );
  first.close();
  const second = await open();
  assert.equal(runs, 1);
  assert.equal(await second.settings.count(), 2);
  second.close();
});

test('later versions: omitted tables keep their spec, null deletes, indexes are built and dropped', async () => {
  const name = uniqueName('versions');
  const v1 = new Indexie(name);
  v1.version(1).stores({ users: '++id, name', old: 'id' });
  await v1.open();
  await v1.users.bulkAdd([
    { name: 'Ada', city: 'London' },
    { name: 'Bob', city: 'Paris' },
  ]);
  await v1.old.add({ id: 1 });
  v1.close();

  const v2 = new Indexie(name);
  v2.version(1).stores({ users: '++id, name', old: 'id' });
  v2.version(2).stores({ old: null, extra: '++id' });
  v2.version(3).stores({ users: '++id, city' });
  await v2.open();
  assert.equal(v2.verno, 3);
  assert.deepEqual(v2.tables.map((t) => t.name).sort(), ['extra', 'users']);
  assert.deepEqual(
    v2.users.schema.indexes.map((i) => i.name),
    ['city'],
  );
  assert.equal((await v2.users.get({ city: 'Paris' })).name, 'Bob', 'the new index was built from existing records');
  v2.close();

  // The installed schema lives in the database: opening with no version() declared finds it.
  const dynamic = new Indexie(name);
  await dynamic.open();
  assert.equal(dynamic.verno, 3);
  assert.deepEqual(
    dynamic.table('users').schema.indexes.map((i) => i.name),
    ['city'],
  );
  assert.equal(await dynamic.table('users').count(), 2);
  dynamic.close();
});

test('upgrade functions run in order for each version above the installed one, and see every table', async () => {
  const name = uniqueName('upgrade');
  const v1 = new Indexie(name);
  v1.version(1).stores({ people: 'id', pets: 'id' });
  await v1.open();
  await v1.people.bulkAdd([
    { id: 1, fullName: 'Ada Lovelace' },
    { id: 2, fullName: 'Alan Turing' },
  ]);
  await v1.pets.add({ id: 1, owner: 1 });
  v1.close();

  const order = [];
  const v3 = new Indexie(name);
  v3.version(1).stores({ people: 'id', pets: 'id' });
  v3.version(2)
    .stores({ people: 'id, last' })
    .upgrade(async (tx) => {
      order.push(2);
      for (const person of await tx.table('people').toArray()) {
        const [first, last] = person.fullName.split(' ');
        await tx.table('people').put({ id: person.id, first, last });
      }
    });
  v3.version(3)
    .stores({ pets: null, petNames: '++id' })
    .upgrade(async (tx) => {
      order.push(3);
      // A table deleted in this version is still readable while its upgrade runs.
      for (const pet of await tx.table('pets').toArray()) await tx.table('petNames').add({ owner: pet.owner });
    });
  await v3.open();
  assert.deepEqual(order, [2, 3]);
  assert.equal((await v3.people.get({ last: 'Turing' })).first, 'Alan');
  assert.deepEqual(await v3.petNames.toArray(), [{ owner: 1, id: 1 }]);
  assert.throws(() => v3.table('pets'), InvalidTableError);
  v3.close();
});

test('a failing upgrade leaves the old version and its data untouched', async () => {
  const name = uniqueName('failing');
  const v1 = new Indexie(name);
  v1.version(1).stores({ items: '++id' });
  await v1.open();
  await v1.items.add({ n: 1 });
  v1.close();

  const v2 = new Indexie(name);
  v2.version(1).stores({ items: '++id' });
  v2.version(2)
    .stores({ items: '++id, n', more: 'id' })
    .upgrade(async (tx) => {
      await tx.table('items').add({ n: 2 });
      throw new Error('migration bug');
    });
  await assert.rejects(v2.open(), (error) => {
    assert.ok(error instanceof UpgradeError);
    assert.match(error.message, /stays at version 1: migration bug/);
    assert.equal(error.cause.message, 'migration bug');
    return true;
  });
  assert.equal(v2.isOpen(), false);

  const again = new Indexie(name);
  again.version(1).stores({ items: '++id' });
  await again.open();
  assert.equal(again.verno, 1);
  assert.deepEqual(await again.items.toArray(), [{ n: 1, id: 1 }]);
  assert.deepEqual(
    again.tables.map((t) => t.name),
    ['items'],
  );
  assert.deepEqual(again.items.schema.indexes, []);
  // The generator was rolled back too: the next key is 2, not 3.
  assert.equal(await again.items.add({ n: 'next' }), 2);
  again.close();
});

test('changing a primary key is an UpgradeError; a unique index over duplicates is a ConstraintError', async () => {
  const name = uniqueName('pkchange');
  const v1 = new Indexie(name);
  v1.version(1).stores({ users: 'id' });
  await v1.open();
  await v1.users.bulkAdd([
    { id: 1, email: 'same' },
    { id: 2, email: 'same' },
  ]);
  v1.close();

  const pk = new Indexie(name);
  pk.version(1).stores({ users: 'id' });
  pk.version(2).stores({ users: '++id' });
  await assert.rejects(pk.open(), (e) => e instanceof UpgradeError && /primary key of table 'users'/.test(e.message));

  const unique = new Indexie(name);
  unique.version(1).stores({ users: 'id' });
  unique.version(2).stores({ users: 'id, &email' });
  await assert.rejects(unique.open(), (e) => e instanceof ConstraintError && /unique index 'email'/.test(e.message));

  const check = new Indexie(name);
  await check.open();
  assert.equal(check.verno, 1);
  assert.equal(await check.table('users').count(), 2);
  check.close();
});

test('opening with a version below the installed one opens the database as it is, with a warning (as Dexie 4)', async () => {
  const name = uniqueName('downgrade');
  const v2 = new Indexie(name);
  v2.version(2).stores({ t: 'id, x', u: 'id' });
  await v2.t.add({ id: 1, x: 5 });
  v2.close();
  const warnings = [];
  const warn = console.warn;
  console.warn = (message) => warnings.push(String(message));
  try {
    const v1 = new Indexie(name);
    v1.version(1).stores({ t: 'id' });
    await v1.open();
    assert.equal(v1.verno, 1, 'the declared version, as Dexie reports it');
    assert.deepEqual(
      v1.tables.map((t) => t.name),
      ['t'],
      'only the declared tables',
    );
    assert.equal(await v1.t.where('x').equals(5).count(), 1, 'nothing was downgraded: the installed index still answers');
    assert.ok(
      warnings.some((w) => /version 2, newer than the highest declared version 1/.test(w)),
      warnings.join(' | '),
    );
    v1.close();
  } finally {
    console.warn = warn;
  }
  const again = new Indexie(name);
  again.version(2).stores({ t: 'id, x', u: 'id' });
  assert.equal(await again.u.count(), 0, 'the undeclared table is still there');
  again.close();
});

test('opening an unknown database with no schema is a NoSuchDatabaseError', async () => {
  const db = new Indexie(uniqueName('missing'));
  await assert.rejects(db.open(), NoSuchDatabaseError);
  assert.equal(await Indexie.exists(db.name), false);
});

test('the first operation opens the database; after close() operations fail until open()', async () => {
  const db = new Indexie(uniqueName('autoopen'));
  db.version(1).stores({ t: '++id' });
  assert.equal(await db.t.add({ a: 1 }), 1);
  assert.equal(db.isOpen(), true);
  db.close();
  await assert.rejects(db.t.count(), DatabaseClosedError);
  await db.open();
  assert.equal(await db.t.count(), 1);
  db.close();

  const manual = new Indexie(uniqueName('noauto'), { autoOpen: false });
  manual.version(1).stores({ t: '++id' });
  await assert.rejects(manual.t.count(), DatabaseClosedError);
});

test('the same version with a new table or index patches the installed schema', async () => {
  const name = uniqueName('patch');
  const first = new Indexie(name);
  first.version(1).stores({ a: 'id' });
  await first.open();
  await first.a.add({ id: 1, x: 'y' });
  first.close();
  const second = new Indexie(name);
  second.version(1).stores({ a: 'id, x', b: 'id' });
  await second.open();
  assert.equal((await second.a.get({ x: 'y' })).id, 1);
  assert.equal(await second.b.count(), 0);
  second.close();
});

test("'ready' fires after each open, 'close' on close; unsubscribe stops a listener", async () => {
  const db = new Indexie(uniqueName('events'));
  db.version(1).stores({ t: '++id' });
  const seen = [];
  const onReady = (opened) => {
    seen.push(['ready', opened === db, db.isOpen()]);
  };
  db.on('ready', onReady);
  db.on('close', () => {
    seen.push(['close']);
  });
  await db.open();
  db.close();
  await new Promise((resolve) => setTimeout(resolve, 0));
  db.on('ready').unsubscribe(onReady);
  await db.open();
  db.close();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(seen, [['ready', true, true], ['close'], ['close']]);
});

test("a subclass declaring its tables as class fields (Dexie's `users!: EntityTable<...>`) gets working tables", async () => {
  // What TypeScript (useDefineForClassFields), esbuild and Vite emit for `users!: EntityTable<User, 'id'>`:
  // an own property set to undefined right after super() returns.
  class AppDb extends Indexie {
    users = undefined;
    notes = undefined;
    constructor(name) {
      super(name);
      this.version(1).stores({ users: '++id, email', notes: '++id' });
    }
  }
  const db = new AppDb(uniqueName('subclass'));
  assert.equal(await db.users.add({ email: 'a@x' }), 1);
  assert.deepEqual(await db.users.toArray(), [{ email: 'a@x', id: 1 }]);
  assert.equal(await db.notes.count(), 0);
  // A field holding a real value is the app's own: it is never replaced by a table.
  class Custom extends Indexie {
    users = 'mine';
    constructor(name) {
      super(name);
      this.version(1).stores({ users: '++id' });
    }
  }
  const custom = new Custom(uniqueName('custom'));
  assert.equal(custom.users, 'mine');
  assert.equal(await custom.table('users').count(), 0);
  db.close();
  custom.close();
});
