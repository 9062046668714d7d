// fidelity-scenarios-lifecycle.js: more named Dexie 4 scenarios (see
// fidelity-scenarios.js for the contract): nested transactions, the
// database's lifecycle (open, on('ready'), auto-open) and hooks' context.
// Each runs on Dexie and on indexie; Dexie's answer is the expected one.

function define(Lib, name, stores) {
  const db = new Lib(name);
  db.version(1).stores(stores);
  return db;
}

const PETS = { users: 'username', pets: '++id, kind', petsPerUser: '++, user, pet' };

/** The outcome of a transaction: 'committed' or the error's name. */
async function ending(promise) {
  try {
    await promise;
    return 'committed';
  } catch (error) {
    return error?.name ?? String(error);
  }
}

export const LIFECYCLE_SCENARIOS = {
  // --- Nested transactions (Dexie's tests-transaction.js)
  'a nested transaction not awaited still runs inside its parent (Dexie issue #71)': async (Lib, name) => {
    const db = define(Lib, name, PETS);
    const log = [];
    const outcome = await ending(
      db.transaction('rw', db.users, db.pets, () => {
        db.users.add({ username: 'Gunnar' }).then(() => {
          db.pets.add({ kind: 'cat' }).then(
            () => log.push('parent add'),
            (error) => log.push(`parent add failed: ${error.name}`),
          );
        });
        db.transaction('rw', db.users, () =>
          db.users.add({ username: 'child' }).then(
            () => log.push('child add'),
            (error) => log.push(`child add failed: ${error.name}`),
          ),
        );
      }),
    );
    const users = await db.users.orderBy('username').primaryKeys();
    db.close();
    return { outcome, log: log.sort(), users };
  },
  'abort() in a three-level nested transaction aborts them all': async (Lib, name) => {
    const db = define(Lib, name, PETS);
    const log = [];
    const outcome = await ending(
      db.transaction('rw', db.users, db.pets, db.petsPerUser, () => {
        db.users.add({ username: 'ojsan' });
        db.transaction('rw', db.users, db.pets, () => {
          db.users.add({ username: 'ojsan2' });
          db.users.toCollection().delete();
          db.transaction('r', db.users, () => {
            db.users.toArray((users) => {
              log.push(users.length);
              Lib.currentTransaction.abort();
            });
          });
        });
      }),
    );
    const users = await db.users.count();
    db.close();
    return { outcome, log, users };
  },
  'a nested transaction naming a table its parent lacks fails the parent': async (Lib, name) => {
    const db = define(Lib, name, PETS);
    const outcome = await ending(
      db.transaction('rw', db.users, () => {
        db.users.add({ username: 'bertil' });
        db.transaction('rw', db.users, db.pets, () => db.pets.add({ kind: 'cat' })).catch(() => undefined);
      }),
    );
    const counts = [await db.users.count(), await db.pets.count()];
    db.close();
    return { outcome, counts };
  },
  'a read-write transaction nested in a read-only one fails the parent': async (Lib, name) => {
    const db = define(Lib, name, PETS);
    const outcome = await ending(
      db.transaction('r', db.users, db.pets, () => {
        db.users.toArray();
        db.transaction('rw', db.users, db.pets, () => db.pets.add({ kind: 'cat' }));
      }),
    );
    const pets = await db.pets.count();
    db.close();
    return { outcome, pets };
  },
  'a failed nested transaction aborts its parent even when caught': async (Lib, name) => {
    const db = define(Lib, name, PETS);
    let inner;
    const outcome = await ending(
      db.transaction('rw', db.users, () => {
        db.users.add({ username: 'sune' });
        db.transaction('rw', db.users, () => {
          db.users.add({ username: 'sune' });
        }).then(
          () => (inner = 'committed'),
          (error) => (inner = error.name),
        );
      }),
    );
    const users = await db.users.count();
    db.close();
    return { outcome, inner, users };
  },
  'an async nested transaction keeps its context across awaits (Dexie tests-asyncawait.js)': async (Lib, name) => {
    const db = define(Lib, name, { items: 'id' });
    const log = [];
    await db.transaction('rw', db.items, async () => {
      const outer = Lib.currentTransaction;
      await db.items.add({ id: 'foo' });
      await db.transaction('r', db.items, async (inner) => {
        log.push(Lib.currentTransaction === inner, inner.parent === outer);
        await db.items.get(1);
        log.push(Lib.currentTransaction === inner);
        await Promise.all([db.items.get(2), db.items.get('foo')]);
        log.push(Lib.currentTransaction === inner);
      });
      log.push(Lib.currentTransaction === outer);
    });
    db.close();
    return log;
  },
  'a nested transaction returns its value through the parent': async (Lib, name) => {
    const db = define(Lib, name, PETS);
    const result = await db.transaction('rw', db.users, db.pets, () =>
      db.transaction('rw', db.users, () => db.users.add({ username: 'a' }).then(() => 'hello')),
    );
    const users = await db.users.toArray();
    db.close();
    return { result, users };
  },
};

// --- The database's lifecycle (Dexie's tests-open.js)
Object.assign(LIFECYCLE_SCENARIOS, {
  "on('ready'): early, late (already open), and added by a running subscriber": async (Lib, name) => {
    const db = define(Lib, name, { foo: 'id' });
    const log = [];
    db.on('ready', async () => {
      log.push('first');
      db.on('ready', () => log.push('added while running'));
    });
    await db.open();
    db.on('ready', () => log.push('late'));
    await Promise.resolve();
    await new Promise((resolve) => setTimeout(resolve, 10));
    db.close();
    return log;
  },
  "on('ready'): a subscriber queries after populate; sticky ones run at every open": async (Lib, name) => {
    const db = define(Lib, name, { foo: 'id' });
    const log = [];
    db.on('populate', (tx) => {
      tx.foo.add({ id: 1 });
    });
    db.on('ready', () => db.foo.count().then((n) => log.push(`once: ${n}`)));
    db.on('ready', () => log.push('sticky'), true);
    await db.open();
    db.close();
    await db.open();
    db.close();
    return log;
  },
  "on('ready'): operations called before the open wait for the subscribers; one that throws fails the open": async (Lib, name) => {
    const db = define(Lib, name, { foo: 'id' });
    const log = [];
    db.on('ready', async () => {
      await db.foo.add({ id: 1 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await db.foo.add({ id: 2 });
      log.push('ready done');
    });
    const counted = db.foo.count().then((n) => log.push(`count ${n}`));
    await db.open();
    await counted;
    db.close();
    const failing = define(Lib, `${name}-2`, { foo: 'id' });
    failing.on('ready', () => {
      throw new TypeError('ready failed');
    });
    const outcome = await ending(failing.open());
    const isOpen = failing.isOpen();
    await Lib.delete(`${name}-2`);
    return { log, outcome, isOpen };
  },
  'autoOpen: false: closed until open(), then operations wait for the open': async (Lib, name) => {
    const db = new Lib(name, { autoOpen: false });
    db.version(1).stores({ foo: 'id' });
    const before = await ending(db.foo.toArray());
    db.open();
    const during = (await db.foo.toArray()).length;
    db.close();
    return { before, during };
  },
  'close() during open: the open and the operations waiting for it fail': async (Lib, name) => {
    const db = define(Lib, name, { foo: 'id' });
    const opened = ending(db.open());
    const queried = ending(db.foo.toArray());
    db.close();
    const results = [await opened, await queried, db.isOpen()];
    results.push(await ending(db.foo.toArray()));
    return results;
  },
});

// --- Hooks' context and generators
Object.assign(LIFECYCLE_SCENARIOS, {
  'Dexie.currentTransaction in CRUD hooks is the transaction they receive': async (Lib, name) => {
    const db = define(Lib, name, { users: 'username' });
    const log = [];
    db.users.hook('creating', function (key, obj, tx) {
      log.push(`creating ${Lib.currentTransaction === tx && tx !== null}`);
      this.onsuccess = () => log.push(`creating.onsuccess ${Lib.currentTransaction === tx}`);
    });
    db.users.hook('updating', (mods, key, obj, tx) => void log.push(`updating ${Lib.currentTransaction === tx}`));
    db.users.hook('deleting', (key, obj, tx) => void log.push(`deleting ${Lib.currentTransaction === tx}`));
    await db.users.add({ username: 'a' });
    await db.users.update('a', { x: 1 });
    await db.users.delete('a');
    await db.transaction('rw', db.users, async () => {
      await db.users.add({ username: 'b' });
      await db.users.where('username').equals('b').modify({ y: 2 });
    });
    db.close();
    return log;
  },
  'a generator yielding an array gets all its values (Dexie.spawn)': async (Lib) =>
    Lib.spawn(function* () {
      const mixed = yield [1, Promise.resolve(2), 3];
      const empty = yield [];
      return { mixed, empty };
    }),
});

// --- Virtual indexes: the first parts of a compound index serve as an index (Dexie's tests-whereclause.js, tests-misc.js)
Object.assign(LIFECYCLE_SCENARIOS, {
  'virtual indexes: where({...}), where(name), keys and uniqueKeys through a compound index': async (Lib, name) => {
    const db = define(Lib, name, { chaps: '++id, [name+number+age]', friends: '++id, name, age', folders: '++id' });
    await db.chaps.bulkAdd([
      { name: 'David', number: 2, age: 29 },
      { name: 'David', number: 3, age: 39 },
      { name: 'David', number: 1, age: 49 },
      { name: 'Mambo', number: 5, age: 55 },
    ]);
    await db.friends.add({ name: 'Ulla', number: 888, age: 88 });
    const r = {};
    r.davids = (await db.chaps.where({ name: 'David' }).toArray()).map((c) => c.number);
    r.mambo5 = (await db.chaps.where({ name: 'Mambo', number: 5 }).toArray()).length;
    r.anyOrder = (await db.chaps.get({ number: 5, name: 'Mambo' }))?.age;
    r.ignoreCase = (await db.chaps.where('name').equalsIgnoreCase('david').toArray()).map((c) => c.number);
    r.oneIndexed = (await db.friends.get({ name: 'Ulla', number: 888 }))?.age;
    r.keys = await db.chaps.where('name').equals('David').keys();
    r.uniqueKeys = await db.chaps.orderBy('name').uniqueKeys();
    r.noIndex = await ending(db.folders.get({ name: 'x', number: 1 }));
    db.close();
    return r;
  },
});

// --- Write forms the randomized write differential found differing (tests/browser/dexie-write-differential.test.mjs)
async function attemptStep(step) {
  try {
    return { value: await step() };
  } catch (error) {
    return { error: error?.name ?? String(error) };
  }
}

Object.assign(LIFECYCLE_SCENARIOS, {
  'modify(fn): returning false keeps the record; a throw fails the call with that error; ctx.value = null deletes': async (Lib, name) => {
    const db = define(Lib, name, { t: 'id, age' });
    await db.t.bulkAdd([
      { id: 1, age: 10 },
      { id: 2, age: 50 },
      { id: 3, age: 30 },
    ]);
    const returnsFalse = await attemptStep(() =>
      db.t.toCollection().modify((r) => {
        r.touched = true;
        return false;
      }),
    );
    const throws = await attemptStep(() =>
      db.t.toCollection().modify((r) => {
        if (r.age > 40) throw new RangeError('too old');
        r.checked = true;
      }),
    );
    const nulled = await attemptStep(() =>
      db.t
        .where('age')
        .above(40)
        .modify(function (r, ctx) {
          ctx.value = null;
        }),
    );
    const stored = await db.t.toArray();
    db.close();
    return { returnsFalse, throws, nulled, stored };
  },
  'bulkDelete() with an invalid key deletes the keys before it, then fails': async (Lib, name) => {
    const db = define(Lib, name, { t: 'id' });
    await db.t.bulkAdd([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const outcome = await attemptStep(() => db.t.bulkDelete([1, null, 3]));
    const stored = await db.t.toArray();
    db.close();
    return { outcome, stored };
  },
  'bulkAdd() with a duplicate and then an invalid key is a DataError': async (Lib, name) => {
    const db = define(Lib, name, { t: 'id' });
    await db.t.add({ id: 1 });
    const outcome = await attemptStep(() => db.t.bulkAdd([{ id: 2 }, { id: 1 }, { id: null }, { id: 4 }]));
    const stored = await db.t.toArray();
    db.close();
    return { outcome, stored };
  },
  'update() with null, with an object lacking the key, and where() on a missing index with bad arguments': async (Lib, name) => {
    const db = define(Lib, name, { t: '++id, name' });
    await db.t.add({ name: 'a' });
    return {
      updateNull: await attemptStep(() => db.t.update(null, { name: 'b' })),
      updateObjectWithoutKey: await attemptStep(() => db.t.update({ x: 1 }, { name: 'b' })),
      updateObject: await attemptStep(() => db.t.update({ id: 1 }, { name: 'b' })),
      missingIndexBadArgument: await attemptStep(() => db.t.where('age').between(null, 5).toArray()),
      stored: await db.t.toArray().finally(() => db.close()),
    };
  },
});

Object.assign(LIFECYCLE_SCENARIOS, {
  'bulkUpdate() with an invalid key': async (Lib, name) => {
    const db = define(Lib, name, { t: 'id' });
    await db.t.bulkAdd([
      { id: 1, v: 0 },
      { id: 2, v: 0 },
    ]);
    const outcome = await attemptStep(() =>
      db.t.bulkUpdate([
        { key: 1, changes: { v: 1 } },
        { key: null, changes: { v: 1 } },
      ]),
    );
    const stored = await db.t.toArray();
    db.close();
    return { outcome, stored };
  },
});

// --- Hooks and key paths (Dexie's tests-misc.js #248, tests-table.js #966)
Object.assign(LIFECYCLE_SCENARIOS, {
  'hooks converting values, with unawaited writes read back (Dexie issue #248)': async (Lib, name) => {
    const db = define(Lib, name, { foo: 'id' });
    function CustomDate(date) {
      this.y = new Date(date).getFullYear();
      this.m = new Date(date).getMonth();
      this.d = new Date(date).getDate();
    }
    const counts = { creating: 0, updating: 0 };
    db.foo.hook('creating', (key, obj) => {
      counts.creating++;
      if (obj.date instanceof CustomDate) obj.date = new Date(obj.date.y, obj.date.m, obj.date.d);
    });
    db.foo.hook('updating', (mods) => {
      counts.updating++;
      if (mods.date instanceof CustomDate) return { date: new Date(mods.date.y, mods.date.m, mods.date.d) };
    });
    db.foo.hook('reading', (obj) => {
      if (obj.date instanceof Date) obj.date = new CustomDate(obj.date);
      return obj;
    });
    db.foo.add({ id: 1, date: new CustomDate(new Date(2016, 5, 11)) });
    const first = await db.foo.get(1);
    db.foo.put({ id: 1, date: new CustomDate(new Date(2016, 5, 12)) });
    const second = await db.foo.get(1);
    db.close();
    return { first: [first.date instanceof CustomDate, first.date.d], second: [second.date instanceof CustomDate, second.date.d], counts };
  },
  'an updating hook returning a literal dotted property keeps it literal (Dexie issue #966)': async (Lib, name) => {
    const db = define(Lib, name, { folks: 'id' });
    db.folks.hook('updating', (mods) => ({ ...mods }));
    await db.folks.add({ id: 1, first: 'f' });
    await db.folks.put({ id: 1, first: 'f', 'nested.field': 'value' });
    const stored = await db.folks.get(1);
    db.close();
    return stored;
  },
  'setByKeyPath and delByKeyPath with an array of key paths': async (Lib) => {
    const deleted = { keep: 1 };
    Lib.delByKeyPath(deleted, ['foo.bar', 'baz.qux']);
    const set = { a: 1, b: { c: 2 } };
    Lib.setByKeyPath(set, ['a', 'b.c'], [5, 6]);
    return { deleted, set, got: Lib.getByKeyPath(set, ['a', 'b.c']) };
  },
});

Object.assign(LIFECYCLE_SCENARIOS, {
  'an unhandled failure aborts the transaction before the next operation runs (Dexie modify-causing-error)': async (Lib, name) => {
    const db = define(Lib, name, { users: 'id, first' });
    await db.users.bulkAdd([
      { id: 1, first: 'a' },
      { id: 2, first: 'b' },
    ]);
    const log = [];
    try {
      await db.transaction('rw', db.users, () => {
        db.users.toCollection().modify((user) => {
          user.id = 1;
          user.touched = true;
        });
        db.users.toArray(() => log.push('toArray called'));
      });
      log.push('committed');
    } catch (error) {
      // (Dexie 4.4.7's ModifyError is named 'Error': compare the class.)
      log.push(error instanceof Lib.ModifyError, error.successCount, error.failures?.length);
    }
    const caughtLater = await ending(
      db.transaction('rw', db.users, async () => {
        const failing = db.users.add({ id: 1 });
        const read = db.users.get(1);
        await failing.catch(() => undefined);
        return read;
      }),
    );
    const stored = await db.users.toArray();
    db.close();
    return { log, caughtLater, stored };
  },
});

Object.assign(LIFECYCLE_SCENARIOS, {
  'Dexie.connections lists open databases; maxConnections stops tracking the oldest': async (Lib, name) => {
    for (const connection of [...Lib.connections]) connection.close();
    const log = [Lib.connections.length];
    const dbs = [];
    for (let i = 0; i < 3; i++) {
      const db = new Lib(name, { maxConnections: 3 });
      db.version(1).stores({ foo: 'id' });
      await db.open();
      dbs.push(db);
    }
    log.push(Lib.connections.length);
    const extra = new Lib(name, { maxConnections: 3 });
    extra.version(1).stores({ foo: 'id' });
    await extra.open();
    log.push(Lib.connections.length, Lib.connections.includes(dbs[0]), Lib.connections.includes(extra));
    extra.close();
    dbs[1].close();
    log.push(Lib.connections.length);
    await dbs[1].open();
    log.push(Lib.connections.length);
    for (const db of dbs) db.close();
    log.push(Lib.connections.length);
    return log;
  },
});

Object.assign(LIFECYCLE_SCENARIOS, {
  'modify() outside a transaction where some records fail to be written: ModifyError, the others kept': async (Lib, name) => {
    const db = define(Lib, name, { t: 'id, &email' });
    await db.t.bulkAdd([
      { id: 1, email: 'a' },
      { id: 2, email: 'b' },
      { id: 3, email: 'c' },
    ]);
    let outcome;
    try {
      outcome = await db.t.toCollection().modify((r) => {
        r.email = r.id === 3 ? 'a2' : `${r.email}2`;
      });
    } catch (error) {
      outcome = { error: error instanceof Lib.ModifyError, failures: error.failures?.length, successCount: error.successCount };
    }
    const stored = await db.t.toArray();
    db.close();
    return { outcome, stored };
  },
});

Object.assign(LIFECYCLE_SCENARIOS, {
  'a live query emits again after its last result was changed in place and put back (Dexie issue 2309)': async (Lib, name) => {
    const db = define(Lib, name, { items: 'id, name' });
    await db.items.add({ id: 1, name: 'Initial' });
    const liveQuery = Lib.liveQuery;
    const log = [];
    let resolve;
    let next = new Promise((r) => (resolve = r));
    const subscription = liveQuery(() => db.items.get(1)).subscribe((value) => {
      log.push(value.name);
      resolve(value);
    });
    const first = await next;
    first.name = 'Mutated';
    next = new Promise((r) => (resolve = r));
    await db.items.put(first);
    const second = await Promise.race([next, new Promise((r) => setTimeout(() => r('no emission within 2 s'), 2000))]);
    subscription.unsubscribe();
    db.close();
    return { log, newObject: typeof second === 'object' ? second !== first : second };
  },
});

Object.assign(LIFECYCLE_SCENARIOS, {
  'getDatabaseNames(callback) and getDatabaseNames() follow databases being created and deleted': async (Lib, name) => {
    const before = await Lib.getDatabaseNames((names) => names.length);
    const db = new Lib(name);
    db.version(1).stores({});
    await db.open();
    const during = await Lib.getDatabaseNames();
    await db.delete();
    const after = await Lib.getDatabaseNames();
    return [during.length - before, during.includes(name), after.length - before, after.includes(name)];
  },
});

Object.assign(LIFECYCLE_SCENARIOS, {
  'a schema changed without a new version number: additions are made with a SchemaDiff warning, nothing is removed': async (Lib, name) => {
    let warned = false;
    const warn = console.warn;
    console.warn = (...args) => (warned ||= /SchemaDiff/.test(String(args[0])));
    try {
      // Each step: the query's outcome, and whether opening warned of a SchemaDiff (how often Dexie
      // warns per open varies with its retries; that it warns is the contract).
      const step = async (stores, query) => {
        warned = false;
        const db = new Lib(name);
        db.version(1).stores(stores);
        await db.open();
        const result = await attemptStep(() => query(db));
        db.close();
        return { ...result, warned };
      };
      const results = [
        await step({ foo: 'id' }, (db) => db.foo.add({ id: 1, name: 'x' })),
        await step({ foo: 'id, name' }, (db) => db.foo.where('name').equals('x').count()),
        await step({ foo: 'id, name', bar: '' }, (db) => db.bar.count()),
        await step({ foo: 'id' }, (db) => db.foo.where('name').equals('x').count()),
      ];
      return results;
    } finally {
      console.warn = warn;
    }
  },
});

Object.assign(LIFECYCLE_SCENARIOS, {
  'update() and modify() on a key-value table holding null and primitives': async (Lib, name) => {
    const db = define(Lib, name, { kv: '' });
    await db.kv.bulkPut([null, 5, 'str', { a: 1 }], ['n', 'num', 's', 'o']);
    const r = {};
    r.updateNull = await attemptStep(() => db.kv.update('n', { a: 2 }));
    r.updateNumber = await attemptStep(() => db.kv.update('num', { a: 2 }));
    r.updateString = await attemptStep(() => db.kv.update('s', { length: 2 }));
    r.updateDotted = await attemptStep(() => db.kv.update('o', { 'a.b': 2 }));
    r.modifyObjectOverNull = await attemptStep(() => db.kv.toCollection().modify({ x: 1 }));
    r.modifyFunction = await attemptStep(() =>
      db.kv.toCollection().modify((v, ctx) => {
        if (typeof v === 'number') ctx.value = v + 1;
      }),
    );
    r.modifyObject = await attemptStep(() => db.kv.toCollection().modify({ x: 1 }));
    r.stored = await db.kv.toArray();
    db.close();
    return r;
  },
  'sortBy() on values that are not valid keys, and through a missing object': async (Lib, name) => {
    const db = define(Lib, name, { t: 'id' });
    await db.t.bulkAdd([
      { id: 1, v: 3 },
      { id: 2, v: null },
      { id: 3 },
      { id: 4, v: 'a' },
      { id: 5, v: { x: 1 } },
      { id: 6, v: [2] },
      { id: 7, v: true },
      { id: 8, v: new Date(5), p: { q: 1 } },
      { id: 9, v: new Uint8Array([1]), p: null },
      { id: 10, v: 1, p: 'str' },
    ]);
    const ids = (records) => records.map((r) => r.id);
    const r = {
      ascending: ids(await db.t.toCollection().sortBy('v')),
      descending: ids(await db.t.toCollection().reverse().sortBy('v')),
      throughMissing: await attemptStep(async () => ids(await db.t.toCollection().sortBy('p.q'))),
    };
    db.close();
    return r;
  },
});

// --- then() chains on each() stay in their transaction (Dexie's suite resets its tables so)
Object.assign(LIFECYCLE_SCENARIOS, {
  'then() chains after each() inside a transaction stay in it (read, then write and delete)': async (Lib, name) => {
    const db = define(Lib, name, { items: 'id', other: '++id' });
    await db.items.bulkAdd([{ id: 1 }, { id: 2 }, { id: 3 }]);
    await db.other.bulkAdd([{ v: 1 }, { v: 2 }]);
    const outcome = await db
      .transaction('rw!', db.tables, () =>
        Promise.all(
          db.tables.map((table) => {
            const keys = [];
            return table
              .each((item, cursor) => void keys.push(cursor.primaryKey))
              .then(() => Promise.all([table.put(table.name === 'items' ? { id: 9 } : { id: 9, v: 9 })]))
              .then(() => table.bulkDelete(keys.slice(1)));
          }),
        ),
      )
      .then(
        () => 'committed',
        (error) => error.name,
      );
    return [outcome, await db.items.toCollection().primaryKeys(), await db.other.toCollection().primaryKeys()];
  },
  'each(), eachKey() and eachPrimaryKey() whose callback throws: what the promise does, and which records the callback saw': async (
    Lib,
    name,
  ) => {
    const db = define(Lib, name, { items: 'id, group' });
    await db.items.bulkAdd([1, 2, 3, 4].map((id) => ({ id, group: id % 2 })));
    const run = async (method, collection) => {
      const seen = [];
      const outcome = await collection[method]((value) => {
        seen.push(typeof value === 'object' ? value.id : value);
        if (seen.length === 2) throw new RangeError('from the callback');
      }).then(
        (value) => ['resolved', value === undefined ? 'undefined' : value],
        (error) => ['rejected', error.name, error.message],
      );
      return { method, outcome, seen };
    };
    const outside = [
      await run('each', db.items.toCollection()),
      await run('eachKey', db.items.orderBy('group')),
      await run('eachPrimaryKey', db.items.where('id').above(0)),
    ];
    const inside = await db
      .transaction('r', db.items, () => run('each', db.items.toCollection()))
      .then(
        (value) => value,
        (error) => ['transaction rejected', error.name],
      );
    return { outside, inside };
  },
  "each() on a missing index rejects through Dexie's filtered catch: catch('SchemaError', fn)": async (Lib, name) => {
    const db = define(Lib, name, { items: 'id' });
    await db.items.bulkAdd([{ id: 1 }, { id: 2 }]);
    return db.items
      .where('missing')
      .equals(1)
      .each(() => undefined)
      .catch('SchemaError', (error) => `caught ${error.name}`);
  },
});

Object.assign(LIFECYCLE_SCENARIOS, {
  'a CryptoKey value': async (Lib, name) => {
    const db = define(Lib, name, { keys: '++id' });
    const key = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const outcome = await attemptStep(() => db.keys.add({ key }));
    const stored = await db.keys.toArray();
    db.close();
    return { outcome, stored: stored.map((r) => Object.prototype.toString.call(r.key)) };
  },
});
