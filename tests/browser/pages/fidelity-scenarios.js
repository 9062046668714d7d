// fidelity-scenarios.js: named scenarios of Dexie 4 behaviour that apps rely
// on, each written once against the shared API and run on Dexie and on
// indexie (fidelity.js). Dexie's answer is the expected one: a scenario
// states no expected value of its own. Each returns what an app could
// observe (values, error names, what was stored afterwards).
//
// A scenario is `async (Lib, name) => result`, where Lib is the database
// class (Dexie, or indexie's Indexie) and name a fresh database name.

async function open(Lib, name, stores) {
  const db = new Lib(name);
  db.version(1).stores(stores);
  await db.open();
  return db;
}

/** { value } or { error: name }: a step whose failure is part of the outcome. */
async function attempt(step) {
  try {
    return { value: await step() };
  } catch (error) {
    return { error: error?.name ?? String(error) };
  }
}

export const SCENARIOS = {
  // --- Keys written back into the caller's objects
  'add() writes the generated key into the object': async (Lib, name) => {
    const db = await open(Lib, name, { t: '++id, name' });
    const item = { name: 'a' };
    const key = await db.t.add(item);
    db.close();
    return { key, item };
  },
  'bulkAdd() and bulkPut() leave the objects as they were': async (Lib, name) => {
    const db = await open(Lib, name, { t: '++id, name' });
    const added = [{ name: 'a' }, { name: 'b' }];
    const put = [{ name: 'c' }];
    const keys = await db.t.bulkAdd(added, { allKeys: true });
    await db.t.bulkPut(put);
    const stored = await db.t.toArray();
    db.close();
    return { keys, added, put, stored };
  },
  'a binary key written back into the object is an ArrayBuffer': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    const item = { id: new Uint8Array([1, 2, 3]), v: 1 };
    const key = await db.t.add(item);
    const stored = await db.t.get(new Uint8Array([1, 2, 3]));
    db.close();
    return { key, item, stored };
  },
  'put(obj, key) and add(obj, key) on an inbound table ignore the key': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id', auto: '++id' });
    const put = await attempt(() => db.t.put({ id: 1, v: 'a' }, 5));
    const add = await attempt(() => db.t.add({ id: 2, v: 'b' }, 6));
    const addAuto = await attempt(() => db.auto.add({ v: 'c' }, 7));
    const stored = { t: await db.t.toArray(), auto: await db.auto.toArray() };
    db.close();
    return { put, add, addAuto, stored };
  },

  'bulkAdd(items, undefined, { allKeys: true }) resolves every key': async (Lib, name) => {
    const db = await open(Lib, name, { t: '++id' });
    const added = await db.t.bulkAdd([{ a: 1 }, { a: 2 }], undefined, { allKeys: true });
    const put = await db.t.bulkPut([{ a: 3 }], undefined, { allKeys: true });
    db.close();
    return { added, put };
  },

  // --- Classes and generators
  'mapToClass() and defineClass() return instances': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id', u: 'id' });
    class Friend {
      greet() {
        return `hi ${this.name}`;
      }
    }
    const returned = db.t.mapToClass(Friend) === Friend;
    const Defined = db.u.defineClass({ id: Number, name: String });
    await db.t.add({ id: 1, name: 'Ada' });
    await db.u.add(new Defined({ id: 2, name: 'Bo' }));
    const friend = await db.t.get(1);
    const defined = await db.u.get(2);
    const all = await db.t.toArray();
    db.close();
    return {
      returned,
      friend: { isFriend: friend instanceof Friend, greeting: friend.greet(), own: Object.keys(friend) },
      defined: { isDefined: defined instanceof Defined, own: Object.keys(defined) },
      allAreFriends: all.every((f) => f instanceof Friend),
    };
  },
  'Dexie.async() and Dexie.spawn() run generator functions': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    const addTwo = Lib.async(function* (base) {
      yield db.t.add({ id: base });
      yield db.t.add({ id: base + 1 });
      return yield db.t.count();
    });
    const count = await addTwo(1);
    const spawned = await Lib.spawn(function* () {
      const n = yield Promise.resolve(20);
      return n + 2;
    });
    const failed = await attempt(() =>
      Lib.spawn(function* () {
        yield db.t.add({ id: 1 });
      }),
    );
    const caught = await Lib.spawn(function* () {
      try {
        yield db.t.add({ id: 1 });
      } catch (error) {
        return `caught ${error.name}`;
      }
    });
    db.close();
    return { count, spawned, failed, caught };
  },
  'a generator function as a transaction scope': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    const result = await db.transaction('rw', db.t, function* () {
      yield db.t.add({ id: 1 });
      yield db.t.add({ id: 2 });
      return yield db.t.count();
    });
    const failed = await attempt(() =>
      db.transaction('rw', db.t, function* () {
        yield db.t.add({ id: 3 });
        yield db.t.add({ id: 1 });
      }),
    );
    const stored = await db.t.toArray();
    db.close();
    return { result, failed, stored };
  },
  'object helpers: getByKeyPath, setByKeyPath, delByKeyPath, shallowClone, deepClone': async (Lib) => {
    class Point {
      constructor(x) {
        this.x = x;
      }
    }
    const shared = { n: 1 };
    const source = { a: { b: [1, { c: 2 }] }, when: new Date(5), point: new Point(3), shared, again: shared };
    const deep = Lib.deepClone(source);
    const shallow = Lib.shallowClone(source);
    const target = { a: { b: 1 }, list: [1, 2, 3] };
    Lib.setByKeyPath(target, 'a.c.d', 5);
    Lib.delByKeyPath(target, 'list.1');
    return {
      get: Lib.getByKeyPath(source, 'a.b.1.c'),
      deepEqualCopy: JSON.stringify(deep) === JSON.stringify(source),
      deepNewObjects: deep.a !== source.a && deep.a.b !== source.a.b,
      deepKeepsDate: deep.when === source.when,
      deepKeepsPrototype: deep.point instanceof Point && deep.point !== source.point,
      deepKeepsSharing: deep.shared === deep.again,
      shallowSameChildren: shallow.a === source.a,
      target,
    };
  },
  'ignoreTransaction() runs outside the transaction': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    const seen = await db.transaction('rw', db.t, async (tx) => {
      await db.t.add({ id: 1 });
      const inside = Lib.ignoreTransaction(() => Lib.currentTransaction);
      return { inside, after: Lib.currentTransaction === tx };
    });
    db.close();
    return seen;
  },

  'an upgrade function reaches tables as tx.<tableName>': async (Lib, name) => {
    const v1 = await open(Lib, name, { friends: '++id, name' });
    await v1.friends.bulkAdd([{ name: 'a' }, { name: 'b' }]);
    v1.close();
    const db = new Lib(name);
    db.version(1).stores({ friends: '++id, name' });
    db.version(2)
      .stores({ friends: '++id, name, shoeSize', pets: '++id' })
      .upgrade(async (tx) => {
        await tx.friends.toCollection().modify((f) => {
          f.shoeSize = f.name.length;
        });
        await tx.pets.add({ kind: 'cat' });
      });
    await db.open();
    const result = { friends: await db.friends.toArray(), pets: await db.pets.toArray() };
    db.close();
    return result;
  },

  'a failure left unhandled at the end of a then() chain aborts the transaction': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    await db.t.add({ id: 1 });
    const thenOnly = await attempt(() =>
      db.transaction('rw', db.t, () => {
        db.t.add({ id: 2 });
        db.t.add({ id: 1 }).then(() => 'never');
      }),
    );
    const rethrown = await attempt(() =>
      db.transaction('rw', db.t, () => {
        db.t.add({ id: 3 });
        db.t.add({ id: 1 }).catch((error) => {
          throw error;
        });
      }),
    );
    const handled = await attempt(() =>
      db.transaction('rw', db.t, () => {
        db.t.add({ id: 4 });
        db.t
          .add({ id: 1 })
          .then(() => 'never')
          .catch(() => 'handled');
      }),
    );
    const stored = (await db.t.toArray()).map((r) => r.id);
    db.close();
    return { thenOnly, rethrown, handled, stored };
  },

  // --- Options, schema and lifecycle details
  'Dexie options are accepted: chromeTransactionDurability, cache, an empty addons list': async (Lib, name) => {
    const db = new Lib(name, { chromeTransactionDurability: 'strict', cache: 'disabled', addons: [] });
    db.version(1).stores({ t: '++id, name, id' });
    await db.t.add({ name: 'a' });
    const schema = db.t.schema;
    const result = {
      count: await db.t.count(),
      primKeyUnique: schema.primKey.unique,
      indexNames: schema.indexes.map((i) => i.name).filter((n) => n !== 'id'),
    };
    db.close();
    return result;
  },
  'a transaction on a table that does not exist is a NotFoundError': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    const result = await attempt(() => db.transaction('rw', 'nosuchtable', () => 1));
    db.close();
    return result;
  },
  "tx.on('error') and tx.on('abort') fire with the error that aborted it": async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    await db.t.add({ id: 1 });
    const events = [];
    const result = await attempt(() =>
      db.transaction('rw', db.t, (tx) => {
        tx.on('error', (error) => events.push(`error ${error?.name}`));
        tx.on('abort', () => events.push('abort'));
        tx.on('complete', () => events.push('complete'));
        return db.t.add({ id: 1 });
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    db.close();
    return { result, events: events.filter((e) => e !== 'abort').concat(events.includes('abort') ? ['abort'] : []) };
  },
  'waitFor(promise, timeout) fails with a TimeoutError past the timeout': async (Lib) => {
    const late = await attempt(() => Lib.waitFor(new Promise((resolve) => setTimeout(resolve, 200)), 10));
    const inTime = await Lib.waitFor(Promise.resolve(5), 1000);
    return { late, inTime };
  },

  'db.use(middleware)': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    const result = await attempt(async () => db.use({ stack: 'dbcore', name: 'noop', create: (down) => down }) === db);
    db.close();
    return result;
  },

  'operations in a transaction run in the order they were called, awaited or not': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    await db.t.add({ id: 1, v: 'old' });
    const result = await db.transaction('rw', db.t, async () => {
      const before = db.t.get(1);
      const put = db.t.put({ id: 1, v: 'new' });
      const after = db.t.get(1);
      const count = db.t.count();
      const added = db.t.add({ id: 2, v: 'two' });
      const countAfter = db.t.count();
      return {
        before: (await before).v,
        put: await put,
        after: (await after).v,
        count: await count,
        added: await added,
        countAfter: await countAfter,
      };
    });
    db.close();
    return result;
  },

  'an operation called while an earlier one runs, whose callback calls more (Dexie test "put")': async (Lib, name) => {
    const db = await open(Lib, name, { users: '++id, &username, last' });
    const log = [];
    await db.transaction('rw', db.users, () => {
      const user = { username: 'aper', last: 'Persbrant' };
      db.users.put(user).then((id) => log.push(`put ${id} ${user.id}`));
      db.users
        .where('username')
        .equals('aper')
        .first((found) => {
          log.push(`first ${found.last}`);
          found.last = 'Changed';
          db.users.put(found).then((id) => log.push(`put again ${id}`));
          db.users
            .where('last')
            .equals('Changed')
            .first((again) => log.push(`first again ${again.last}`));
        });
    });
    db.close();
    return log;
  },
  'outside a transaction, a read called after an unawaited write sees it': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    await db.t.add({ id: 1, v: 'old' });
    const put = db.t.put({ id: 1, v: 'new' });
    const read = db.t.get(1);
    const add = db.t.add({ id: 2 });
    const count = db.t.count();
    const cleared = db.t.where('id').above(1).delete();
    const left = db.t.toArray();
    const result = { put: await put, read: (await read).v, add: await add, count: await count, cleared: await cleared, left: await left };
    db.close();
    return result;
  },

  'opening with a lower declared version than the installed one': async (Lib, name) => {
    const v2 = new Lib(name);
    v2.version(2).stores({ a: '++id, x', b: 'id' });
    await v2.a.add({ x: 1 });
    v2.close();
    const db = new Lib(name);
    db.version(1).stores({ a: '++id' });
    const opened = await attempt(async () => {
      await db.open();
      return { verno: db.verno, tables: db.tables.map((t) => t.name).sort(), rows: await db.a.where('x').equals(1).count() };
    });
    db.close();
    return opened;
  },

  'tx.waitFor(promise) keeps the transaction for what follows': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    const result = await db.transaction('rw', db.t, async (tx) => {
      await db.t.add({ id: 1 });
      const waited = await tx.waitFor(new Promise((resolve) => setTimeout(() => resolve('waited'), 10)));
      await db.t.add({ id: 2 });
      return { waited, same: Lib.currentTransaction === tx, count: await db.t.count() };
    });
    db.close();
    return result;
  },

  // --- Hooks
  'each of several hooks gets its own onsuccess and onerror': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    const log = [];
    for (const tag of ['h1', 'h2']) {
      db.t.hook('creating', function () {
        this.onsuccess = (key) => log.push(`${tag} created ${key}`);
        this.onerror = (error) => log.push(`${tag} failed ${error.name}`);
      });
      db.t.hook('updating', function () {
        this.onsuccess = (updated) => log.push(`${tag} updated ${updated.v}`);
      });
      db.t.hook('deleting', function () {
        this.onsuccess = () => log.push(`${tag} deleted`);
      });
    }
    await db.transaction('rw', db.t, async () => {
      await db.t.add({ id: 1, v: 'a' });
    });
    await db.t.update(1, { v: 'b' });
    await attempt(() => db.t.add({ id: 1, v: 'dup' }));
    await db.t.delete(1);
    db.close();
    return log;
  },

  // --- Bulk writes with an invalid key
  'bulkAdd() with an invalid key in the batch': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    const result = await attempt(() => db.t.bulkAdd([{ id: 1 }, { id: null }, { id: 3 }]));
    const stored = await db.t.toArray();
    db.close();
    return { result, stored };
  },
  'bulkPut() with an invalid key in the batch': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    const result = await attempt(() => db.t.bulkPut([{ id: 1 }, { id: true }, { id: 3 }]));
    const stored = await db.t.toArray();
    db.close();
    return { result, stored };
  },
  'bulkAdd() with a duplicate key: a BulkError, the rest is stored': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    const result = await attempt(() => db.t.bulkAdd([{ id: 1 }, { id: 1 }, { id: 3 }]));
    const stored = await db.t.toArray();
    db.close();
    return { result, stored };
  },

  // --- Transactions and promises
  'Dexie.currentTransaction is null outside a transaction': async (Lib) => Lib.currentTransaction,
  'catch(ErrorClass, fn) catches only that class': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    await db.t.add({ id: 1 });
    const caught = await db.t.add({ id: 1 }).catch(Lib.ConstraintError, (e) => `caught ${e.name}`);
    const passed = await attempt(() => db.t.add({ id: 1 }).catch(Lib.DataError, () => 'wrongly caught'));
    db.close();
    return { caught, passed };
  },
  "catch('ErrorName', fn) catches errors of that name": async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    await db.t.add({ id: 1 });
    const caught = await db.t.add({ id: 1 }).catch('ConstraintError', (e) => `caught ${e.name}`);
    db.close();
    return caught;
  },

  // --- Callback arguments
  'toArray(cb), first(cb), count(cb), get(key, cb) resolve to the callback result': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id, n' });
    await db.t.bulkAdd([
      { id: 1, n: 5 },
      { id: 2, n: 6 },
    ]);
    const result = {
      toArray: await db.t.toArray((rows) => rows.map((r) => r.n)),
      first: await db.t.orderBy('n').first((row) => row.id),
      count: await db.t.count((n) => n * 10),
      get: await db.t.get(2, (row) => row.n),
      whereCount: await db.t
        .where('n')
        .above(5)
        .count((n) => `n=${n}`),
    };
    db.close();
    return result;
  },

  // --- Schema errors
  'get({ notIndexed }) is a SchemaError': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id, name' });
    await db.t.add({ id: 1, name: 'a', other: 2 });
    const result = await attempt(() => db.t.get({ other: 2 }));
    db.close();
    return result;
  },
  'get({ indexed }) finds by the index': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id, name, [a+b]' });
    await db.t.bulkAdd([
      { id: 1, name: 'x', a: 1, b: 2 },
      { id: 2, name: 'y', a: 1, b: 3 },
    ]);
    const result = { byName: await db.t.get({ name: 'y' }), byCompound: await db.t.get({ a: 1, b: 3 }) };
    db.close();
    return result;
  },
  "orderBy('typo') is a SchemaError": async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id, name' });
    const result = await attempt(() => db.t.orderBy('typo').toArray());
    db.close();
    return result;
  },

  // --- Collections
  'offset(n) then filter(fn): n raw rows are skipped first': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    await db.t.bulkAdd(Array.from({ length: 10 }, (_, i) => ({ id: i + 1 })));
    const even = (r) => r.id % 2 === 0;
    const ids = async (collection) => (await collection.toArray()).map((r) => r.id);
    const result = {
      offsetFilter: await ids(db.t.orderBy('id').offset(2).filter(even)),
      filterOffset: await ids(db.t.orderBy('id').filter(even).offset(2)),
      limitFilter: await ids(db.t.orderBy('id').limit(5).filter(even)),
      filterLimit: await ids(db.t.orderBy('id').filter(even).limit(2)),
      offsetLimitFilter: await ids(db.t.orderBy('id').offset(1).limit(4).filter(even)),
      offsetFilterLimit: await ids(db.t.orderBy('id').offset(3).filter(even).limit(2)),
      whereOffsetFilter: await ids(db.t.where('id').above(1).offset(2).filter(even)),
      offsetFilterCount: await db.t.orderBy('id').offset(2).filter(even).count(),
    };
    db.close();
    return result;
  },
  'limit(-1) and limit(0)': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    await db.t.bulkAdd([{ id: 1 }, { id: 2 }]);
    const result = {
      minusOne: await attempt(() => db.t.toCollection().limit(-1).toArray()),
      zero: await attempt(() => db.t.toCollection().limit(0).toArray()),
    };
    db.close();
    return result;
  },
  'anyOf(...).delete() on a multi-entry index counts matched rows': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id, *tags' });
    await db.t.bulkAdd([
      { id: 1, tags: ['a', 'b'] },
      { id: 2, tags: ['b'] },
      { id: 3, tags: ['c'] },
    ]);
    const deleted = await db.t.where('tags').anyOf('a', 'b').delete();
    const left = await db.t.toArray();
    db.close();
    return { deleted, left };
  },

  // --- Updates
  "update(key, { 'tags.1': undefined }) on an array": async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    await db.t.add({ id: 1, tags: ['a', 'b', 'c'], s: 'text' });
    await db.t.update(1, { 'tags.1': undefined });
    const afterArray = await db.t.get(1);
    await db.t.update(1, { 's.x': 5 });
    const afterString = await db.t.get(1);
    db.close();
    return { afterArray, afterString };
  },

  'property modifications: add(), remove(), replacePrefix() in update and modify': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    await db.t.bulkAdd([
      { id: 1, n: 1, big: 10n, tags: ['b', 'a'], path: 'old/x' },
      { id: 2, tags: 'not an array', path: 'other/y' },
    ]);
    const { add, remove, replacePrefix } = Lib.add ? Lib : await import('dexie');
    await db.t.update(1, { n: add(2), big: add(5n), tags: add(['c']), path: replacePrefix('old/', 'new/') });
    await db.t.update(2, { n: add(3), tags: remove(['x']), path: replacePrefix('old/', 'new/') });
    await db.t.toCollection().modify({ m: remove(1) });
    const result = await db.t.toArray();
    db.close();
    return result;
  },

  // --- Bad arguments
  'WhereClause methods with bad arguments': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id, name' });
    await db.t.add({ id: 1, name: 'a' });
    const cases = {
      startsWithNumber: () => db.t.where('name').startsWith(5).toArray(),
      equalsNull: () => db.t.where('name').equals(null).toArray(),
      equalsObject: () => db.t.where('name').equals({}).toArray(),
      aboveNull: () => db.t.where('name').above(null).toArray(),
      belowUndefined: () => db.t.where('name').below(undefined).toArray(),
      betweenNull: () => db.t.where('name').between(null, 'z').toArray(),
      anyOfNull: () => db.t.where('name').anyOf([null]).toArray(),
      startsWithIgnoreCaseNumber: () => db.t.where('name').startsWithIgnoreCase(5).toArray(),
      anyOfIgnoreCaseUndefined: () => {
        try {
          return db.t.where('name').anyOfIgnoreCase([undefined]).toArray();
        } catch (error) {
          return Promise.resolve(`thrown synchronously: ${error.name}`);
        }
      },
      equalsIgnoreCaseNumber: () => db.t.where('name').equalsIgnoreCase(5).toArray(),
      anyOfIgnoreCaseNumbers: () => db.t.where('name').anyOfIgnoreCase([5]).toArray(),
      startsWithAnyOfNumber: () => db.t.where('name').startsWithAnyOf([5]).toArray(),
      betweenObjects: () => db.t.where('name').between({}, {}).toArray(),
      inAnyRangeBad: () =>
        db.t
          .where('name')
          .inAnyRange([[1]])
          .toArray(),
    };
    const result = {};
    for (const [key, run] of Object.entries(cases)) result[key] = await attempt(run);
    db.close();
    return result;
  },
  // --- Values as structured clone keeps them
  'boxed primitives are stored with their type, and are not keys': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id, label, label.length' });
    await db.t.put({ id: 1, label: new String('héllo'), n: new Number(-0), yes: new Boolean(false), big: Object(7n) });
    const back = await db.t.get(1);
    const result = {
      types: ['label', 'n', 'yes', 'big'].map((k) => Object.prototype.toString.call(back[k])),
      values: [back.label.valueOf(), Object.is(back.n.valueOf(), -0), back.yes.valueOf(), String(back.big.valueOf())],
      indexedByLabel: await db.t.orderBy('label').keys(),
      indexedByLength: await db.t.orderBy('label.length').keys(),
      asPrimaryKey: await attempt(() => db.t.put({ id: new String('k') })),
      asQueryKey: await attempt(() => db.t.get(new Number(1))),
    };
    db.close();
    return result;
  },
  'shared and cyclic references keep their identity, and indexes read through them': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id, home.city, *also', auto: '++id' });
    const owner = { city: 'Oslo' };
    const tags = ['red', 'blue'];
    const map = new Map([['owner', owner]]);
    map.set('self', map);
    const value = { id: 1, owner, home: owner, tags, also: tags, map, pair: [owner, tags] };
    value.self = value;
    await db.t.put(value);
    const node = { name: 'root' };
    node.self = node;
    const autoKey = await db.auto.add(node);
    const [back] = await db.t.toArray();
    const autoBack = await db.auto.get(autoKey);
    const result = {
      shared: [back.home === back.owner, back.also === back.tags, back.pair[0] === back.owner, back.map.get('owner') === back.owner],
      cycles: [back.self === back, back.map.get('self') === back.map],
      byHomeCity: (await db.t.where('home.city').equals('Oslo').toArray()).map((v) => v.id),
      byAlso: (await db.t.where('also').equals('blue').toArray()).map((v) => v.id),
      generatedKeyInCyclicRoot: [autoBack.self === autoBack, autoBack.id === autoKey, autoBack.self.id === autoKey],
    };
    db.close();
    return result;
  },
  'Blob and File values keep type, bytes, name and lastModified; indexes read their properties': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id, blob, file.name, file.lastModified, blob.size, blob.type' });
    const blob = new Blob(['hello'], { type: 'text/plain' });
    const file = new File(['png!'], 'cat.png', { type: 'image/png', lastModified: 1700000000123 });
    await db.t.add({ id: 1, blob, file, twice: [blob, blob] });
    await db.transaction('rw', db.t, async () => {
      await db.t.put({ id: 2, blob: new Blob([new Uint8Array([1, 2, 3])]) });
      await db.t.update(2, { file: new File([], 'empty.txt', { lastModified: 7 }) });
    });
    const [one, two] = await db.t.toArray();
    const result = {
      one: [one.blob instanceof Blob, one.blob instanceof File, one.blob.type, one.blob.size, await one.blob.text()],
      file: [one.file instanceof File, one.file.name, one.file.type, one.file.lastModified, await one.file.text()],
      sameBlobTwice: one.twice[0] === one.twice[1],
      two: [two.blob.type, [...new Uint8Array(await two.blob.arrayBuffer())], two.file.name, two.file.size, two.file.lastModified],
      byBlob: await db.t.orderBy('blob').keys(),
      byName: await db.t.orderBy('file.name').keys(),
      byLastModified: await db.t.orderBy('file.lastModified').keys(),
      bySize: await db.t.orderBy('blob.size').keys(),
      byType: await db.t.orderBy('blob.type').keys(),
      asPrimaryKey: await attempt(() => db.t.put({ id: blob })),
    };
    db.close();
    return result;
  },
  'update() and modify() store what structured clone keeps': async (Lib, name) => {
    const db = await open(Lib, name, { t: 'id' });
    const obj = { x: 1 };
    // eslint-disable-next-line no-sparse-arrays -- a hole on purpose
    await db.t.put({ id: 1, n: new Number(2), list: [1, , 3], map: new Map([['obj', obj]]), obj });
    await db.t.update(1, { changed: true });
    await db.t.toCollection().modify({ again: true });
    const back = await db.t.get(1);
    db.close();
    return { numberObject: back.n instanceof Number, hole: !(1 in back.list), mapShares: back.map.get('obj') === back.obj };
  },
};
