// query.test.mjs: every WhereClause and Collection method through the public
// API, with Dexie's semantics and their edge cases, and the extensions
// (Collection.orderBy, multi-field sorts, aggregates).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { DataError, Indexie, InvalidArgumentError, ModifyError, SchemaError, ConstraintError } from 'indexie';

const PEOPLE = [
  { id: 1, name: 'Carl', email: 'carl@x', age: 30, tags: ['a', 'b'], address: { city: 'Oslo' }, first: 'C', last: 'X' },
  { id: 2, name: 'Ada', email: 'ada@x', age: 25, tags: ['b'], address: { city: 'Bergen' }, first: 'A', last: 'L' },
  { id: 3, name: 'Bob', email: 'bob@x', age: 30, tags: [], first: 'B', last: 'M' },
  { id: 4, name: 'ada', email: 'ada2@x', age: 41, tags: ['a', 'c', 'a'], address: { city: 'Oslo' }, first: 'A', last: 'B' },
  { id: 5, name: 'Dan', email: 'dan@x', age: 19, tags: ['c'], first: 'D', last: 'K' },
  { id: 6, name: 'Ådne', email: 'adne@x', age: 30, tags: ['b'], first: 'Å', last: 'Z' },
];

let counter = 0;
async function peopleDb() {
  const db = new Indexie(`query-test-${counter++}`);
  db.version(1).stores({ people: 'id, name, &email, age, *tags, address.city, [first+last], [age+name+email]' });
  await db.people.bulkAdd(PEOPLE.map((p) => structuredClone(p)));
  return db;
}
const ids = (rows) => rows.map((r) => r.id);

let db;
before(async () => {
  db = await peopleDb();
});

test('where on the primary key, by name and by :id', async () => {
  assert.deepEqual(ids(await db.people.where('id').between(2, 4).toArray()), [2, 3]);
  assert.deepEqual(ids(await db.people.where(':id').above(4).toArray()), [5, 6]);
  assert.deepEqual(await db.people.where(':id').belowOrEqual(2).primaryKeys(), [1, 2]);
});

test('equals / above / aboveOrEqual / below / belowOrEqual on a plain index; ties order by primary key', async () => {
  assert.deepEqual(ids(await db.people.where('age').equals(30).toArray()), [1, 3, 6]);
  assert.deepEqual(ids(await db.people.where('age').above(30).toArray()), [4]);
  assert.deepEqual(ids(await db.people.where('age').aboveOrEqual(30).toArray()), [1, 3, 6, 4]);
  assert.deepEqual(ids(await db.people.where('age').below(25).toArray()), [5]);
  assert.deepEqual(ids(await db.people.where('age').belowOrEqual(25).toArray()), [5, 2]);
  assert.deepEqual(ids(await db.people.where('age').equals(30).reverse().toArray()), [6, 3, 1]);
});

test('between: default bounds [lower, upper), every inclusion, reversed bounds are empty', async () => {
  assert.deepEqual(ids(await db.people.where('age').between(25, 30).toArray()), [2]);
  assert.deepEqual(ids(await db.people.where('age').between(25, 30, true, true).toArray()), [2, 1, 3, 6]);
  assert.deepEqual(ids(await db.people.where('age').between(25, 30, false, true).toArray()), [1, 3, 6]);
  assert.deepEqual(await db.people.where('age').between(30, 25).toArray(), []);
  assert.deepEqual(await db.people.where('age').between(30, 30).toArray(), []);
  assert.deepEqual(ids(await db.people.where('age').between(Indexie.minKey, Indexie.maxKey).toArray()).length, 6);
});

test('unique, nested, compound and multi-entry indexes', async () => {
  assert.deepEqual(ids(await db.people.where('email').startsWith('ada').toArray()), [4, 2], "'ada2@x' sorts before 'ada@x'");
  assert.deepEqual(ids(await db.people.where('address.city').equals('Oslo').toArray()), [1, 4]);
  assert.deepEqual(ids(await db.people.where('[first+last]').equals(['A', 'L']).toArray()), [2]);
  assert.deepEqual(ids(await db.people.where(['first', 'last']).between(['A', ''], ['A', '\uffff']).toArray()), [4, 2]);
  assert.deepEqual(ids(await db.people.where('tags').equals('a').toArray()), [1, 4], 'a record appears once per matching key');
  assert.deepEqual(ids(await db.people.where('tags').anyOf('a', 'c').toArray()), [1, 4, 4, 5]);
  assert.deepEqual(ids(await db.people.where('tags').anyOf('a', 'c').distinct().toArray()), [1, 4, 5]);
});

test('a compound index serves its leading paths (virtual indexes)', async () => {
  const local = new Indexie(`query-virtual-${counter++}`);
  local.version(1).stores({ people: 'id, [age+name+email]' });
  await local.people.bulkAdd(PEOPLE.map((p) => structuredClone(p)));
  assert.deepEqual(ids(await local.people.where('age').equals(30).toArray()), [3, 1, 6]); // by name within age
  assert.deepEqual(ids(await local.people.where('age').above(30).toArray()), [4]);
  assert.deepEqual(ids(await local.people.where('age').between(25, 30, true, true).toArray()), [2, 3, 1, 6]);
  assert.deepEqual(ids(await local.people.where('[age+name]').equals([30, 'Bob']).toArray()), [3]);
  assert.deepEqual(ids(await local.people.where(['age', 'name']).between([30, 'B'], [30, 'D']).toArray()), [3, 1]);
  await assert.rejects(local.people.where('email').equals('x').toArray(), SchemaError);
  local.close();
});

test('anyOf, noneOf, notEqual, inAnyRange, startsWithAnyOf', async () => {
  assert.deepEqual(ids(await db.people.where('age').anyOf(41, 19, 41).toArray()), [5, 4]);
  assert.deepEqual(ids(await db.people.where('age').anyOf([25]).toArray()), [2]);
  assert.deepEqual(await db.people.where('age').anyOf([]).toArray(), []);
  assert.deepEqual(ids(await db.people.where('age').noneOf(30, 25).toArray()), [5, 4]);
  assert.deepEqual(ids(await db.people.where('age').noneOf([]).toArray()).length, 6);
  assert.deepEqual(ids(await db.people.where('age').notEqual(30).toArray()), [5, 2, 4]);
  assert.deepEqual(
    ids(
      await db.people
        .where('age')
        .inAnyRange([
          [19, 25],
          [40, 50],
        ])
        .toArray(),
    ),
    [5, 4],
  );
  assert.deepEqual(
    ids(
      await db.people
        .where('age')
        .inAnyRange([[19, 25]], { includeLowers: false, includeUppers: true })
        .toArray(),
    ),
    [2],
  );
  await assert.rejects(
    db.people
      .where('age')
      .inAnyRange([[30, 20]])
      .toArray(),
    InvalidArgumentError,
  );
  assert.deepEqual(ids(await db.people.where('name').startsWithAnyOf('B', 'D').toArray()), [3, 5]);
  assert.deepEqual(await db.people.where('name').startsWithAnyOf([]).toArray(), []);
});

test('ignore-case methods', async () => {
  assert.deepEqual(ids(await db.people.where('name').equalsIgnoreCase('ADA').toArray()), [2, 4]);
  assert.deepEqual(ids(await db.people.where('name').anyOfIgnoreCase('bob', 'DAN').toArray()), [3, 5]);
  assert.deepEqual(ids(await db.people.where('name').startsWithIgnoreCase('a').toArray()), [2, 4]);
  assert.deepEqual(ids(await db.people.where('name').startsWithIgnoreCase('å').toArray()), [6]);
  assert.deepEqual(ids(await db.people.where('name').startsWithAnyOfIgnoreCase(['c', 'D']).toArray()), [1, 5]);
});

test('ignore-case methods scan only the case variants, and agree with a filter over everything', async () => {
  const words = [
    'Straße',
    'STRASSE',
    'strasbourg',
    'Ada',
    'aDa',
    'ADAM',
    'adamant',
    'Über',
    'über',
    'ÜBERALL',
    'Abcdefghij',
    'ABCDEFGHIJK',
    'abcdefghiZ',
    'Zed',
    'x1y2',
    'X1Y2z',
    '',
    'ß',
    'SS',
  ];
  const local = new Indexie(`query-ignorecase-${Date.now()}`);
  local.version(1).stores({ words: '++id, w' });
  await local.words.bulkAdd(words.map((w) => ({ w })));
  const all = await local.words.toArray();
  const expectWhere = async (label, collection, predicate) => {
    const got = (await collection.toArray()).map((r) => r.w).sort();
    const wanted = all
      .filter((r) => predicate(r.w))
      .map((r) => r.w)
      .sort();
    assert.deepEqual(got, wanted, label);
  };
  for (const prefix of ['ada', 'STRA', 'straß', 'über', 'abcdefghi', 'ABCDEFGHIJ', 'x1', 'ß', '']) {
    await expectWhere(`startsWithIgnoreCase(${prefix})`, local.words.where('w').startsWithIgnoreCase(prefix), (w) =>
      w.toLowerCase().startsWith(prefix.toLowerCase()),
    );
  }
  for (const value of ['ada', 'STRASSE', 'straße', 'abcdefghijk', 'x1y2', 'ß']) {
    await expectWhere(
      `equalsIgnoreCase(${value})`,
      local.words.where('w').equalsIgnoreCase(value),
      (w) => w.toLowerCase() === value.toLowerCase(),
    );
  }
  local.close();
});

test('invalid keys in a where-clause reject when the query runs: TypeError for null, undefined or a non-string prefix, else DataError (as Dexie)', async () => {
  for (const make of [
    () => db.people.where('age').above(NaN),
    () => db.people.where('age').between(1, {}),
    () => db.people.where('age').anyOf(1, true),
  ]) {
    await assert.rejects(make().toArray(), DataError);
  }
  for (const make of [
    () => db.people.where('age').equals(null),
    () => db.people.where('age').equals(undefined),
    () => db.people.where('name').startsWith(5),
    () => db.people.where({ age: null }),
  ]) {
    await assert.rejects(make().toArray(), TypeError);
  }
  await assert.rejects(db.people.where('nope').equals(1).toArray(), SchemaError);
});

test('where({...}): a covering compound index, or one index plus a filter', async () => {
  assert.deepEqual(ids(await db.people.where({ first: 'A', last: 'B' }).toArray()), [4]);
  assert.deepEqual(ids(await db.people.where({ last: 'L', first: 'A' }).toArray()), [2]);
  assert.deepEqual(ids(await db.people.where({ age: 30, name: 'Carl' }).toArray()), [1]);
  assert.deepEqual(ids(await db.people.where({ tags: 'a', age: 41 }).toArray()), [4]);
  assert.deepEqual(ids(await db.people.where({ age: 30, nick: 'x' }).toArray()), []);
  await assert.rejects(db.people.where({ nick: 'x' }).toArray(), SchemaError);
});

test('offset and limit: past the end, limit(0), and composition in call order', async () => {
  assert.deepEqual(ids(await db.people.orderBy('age').offset(2).limit(2).toArray()), [1, 3]);
  assert.deepEqual(ids(await db.people.orderBy('age').limit(4).offset(2).toArray()), [1, 3]);
  assert.deepEqual(await db.people.orderBy('age').offset(100).toArray(), []);
  assert.deepEqual(await db.people.orderBy('age').limit(0).toArray(), []);
  assert.equal(await db.people.orderBy('age').offset(4).count(), 2);
  assert.equal(await db.people.where('age').equals(30).limit(2).count(), 2);
  assert.deepEqual(ids(await db.people.offset(4).toArray()), [5, 6]);
  assert.deepEqual(ids(await db.people.limit(2).toArray()), [1, 2]);
  assert.deepEqual(ids(await db.people.reverse().limit(2).toArray()), [6, 5]);
});

test('filter/and, until with and without the stop entry, and limit after filters', async () => {
  assert.deepEqual(ids(await db.people.filter((p) => p.age === 30).toArray()), [1, 3, 6]);
  assert.deepEqual(
    ids(
      await db.people
        .where('age')
        .above(20)
        .and((p) => p.name.length === 3)
        .toArray(),
    ),
    [2, 3, 4],
  );
  assert.deepEqual(
    ids(
      await db.people
        .orderBy('age')
        .until((p) => p.age >= 30)
        .toArray(),
    ),
    [5, 2],
  );
  assert.deepEqual(
    ids(
      await db.people
        .orderBy('age')
        .until((p) => p.age >= 30, true)
        .toArray(),
    ),
    [5, 2, 1],
  );
  assert.deepEqual(
    ids(
      await db.people
        .filter((p) => p.age === 30)
        .offset(1)
        .limit(1)
        .toArray(),
    ),
    [3],
  );
  assert.equal(await db.people.filter((p) => p.age > 20).count(), 5);
});

test('or(): union de-duplicated by primary key, with filters and limits over the union', async () => {
  const union = await db.people.where('age').equals(30).or('name').startsWith('A').toArray();
  assert.deepEqual(ids(union).sort(), [1, 2, 3, 6]);
  assert.equal(await db.people.where('tags').equals('a').or('tags').equals('c').count(), 3);
  assert.deepEqual(
    ids(
      await db.people
        .where('age')
        .equals(30)
        .or('age')
        .equals(25)
        .filter((p) => p.id > 1)
        .limit(2)
        .toArray(),
    ),
    [3, 6],
  );
});

test('first, last, keys, primaryKeys, uniqueKeys, firstKey, lastKey', async () => {
  assert.equal((await db.people.orderBy('age').first()).id, 5);
  assert.equal((await db.people.orderBy('age').last()).id, 4);
  assert.equal(await db.people.where('age').above(100).first(), undefined);
  assert.deepEqual(await db.people.orderBy('age').keys(), [19, 25, 30, 30, 30, 41]);
  assert.deepEqual(await db.people.orderBy('age').uniqueKeys(), [19, 25, 30, 41]);
  assert.deepEqual(await db.people.orderBy('tags').uniqueKeys(), ['a', 'b', 'c']);
  assert.deepEqual(await db.people.orderBy('age').primaryKeys(), [5, 2, 1, 3, 6, 4]);
  assert.equal(await db.people.orderBy('name').firstKey(), 'Ada');
  assert.equal(await db.people.orderBy('name').lastKey(), 'Ådne', 'U+00C5 sorts after every ASCII letter');
  assert.equal(await db.people.where('age').above(100).firstKey(), undefined);
});

test('each, eachKey, eachPrimaryKey, eachUniqueKey', async () => {
  const seen = [];
  await db.people
    .where('age')
    .equals(30)
    .each((p, cursor) => seen.push([p.id, cursor.key, cursor.primaryKey]));
  assert.deepEqual(seen, [
    [1, 30, 1],
    [3, 30, 3],
    [6, 30, 6],
  ]);
  const keys = [];
  await db.people.orderBy('age').eachKey((key, cursor) => keys.push([key, cursor.primaryKey]));
  assert.deepEqual(keys.slice(0, 2), [
    [19, 5],
    [25, 2],
  ]);
  const pks = [];
  await db.people
    .where('tags')
    .equals('b')
    .eachPrimaryKey((pk) => pks.push(pk));
  assert.deepEqual(pks, [1, 2, 6]);
  const unique = [];
  await db.people.orderBy('age').eachUniqueKey((key) => unique.push(key));
  assert.deepEqual(unique, [19, 25, 30, 41]);
  const all = [];
  await db.people.each((p) => all.push(p.id));
  assert.deepEqual(all, [1, 2, 3, 4, 5, 6]);
});

test('sortBy, clone, desc', async () => {
  assert.deepEqual(
    (await db.people.where('age').equals(30).sortBy('name')).map((p) => p.name),
    ['Bob', 'Carl', 'Ådne'],
  );
  assert.deepEqual(
    (await db.people.where('age').equals(30).reverse().sortBy('name')).map((p) => p.name),
    ['Ådne', 'Carl', 'Bob'],
  );
  const base = db.people.where('age').above(20);
  const limited = base.clone().limit(1);
  assert.equal((await base.toArray()).length, 5);
  assert.equal((await limited.toArray()).length, 1);
  assert.deepEqual(ids(await db.people.orderBy('age').desc().limit(1).toArray()), [4]);
});

test('extension: orderBy after a where-clause, several fields, mixed directions', async () => {
  assert.deepEqual(ids(await db.people.where('age').aboveOrEqual(25).orderBy('name').toArray()), [2, 3, 1, 4, 6]);
  assert.deepEqual(ids(await db.people.where('age').aboveOrEqual(25).orderBy('name').offset(1).limit(2).toArray()), [3, 1]);
  assert.deepEqual(ids(await db.people.orderBy(['-age', 'name']).toArray()), [4, 3, 1, 6, 2, 5]);
  assert.deepEqual(ids(await db.people.toCollection().orderBy('-age', '-name').limit(3).toArray()), [4, 6, 1]);
  assert.deepEqual(
    ids(
      await db.people
        .filter((p) => p.age >= 30)
        .orderBy('-name')
        .toArray(),
    ),
    [6, 4, 1, 3],
  );
  assert.deepEqual(ids(await db.people.orderBy('address.city').toArray()), [2, 1, 4], 'records without the key are left out');
});

test('extension: aggregates in the engine, and with JS filters', async () => {
  assert.equal(await db.people.toCollection().sum('age'), 175);
  assert.equal(await db.people.where('age').equals(30).avg('age'), 30);
  assert.equal(await db.people.toCollection().min('age'), 19);
  assert.equal(await db.people.toCollection().max('name'), 'Ådne');
  assert.equal(await db.people.where('age').above(100).avg('age'), undefined);
  assert.equal(await db.people.where('age').above(100).sum('age'), 0);
  assert.equal(await db.people.filter((p) => p.tags.includes('b')).sum('age'), 85);
  assert.equal(await db.people.filter((p) => p.tags.includes('b')).max('age'), 30);
});

test('modify with changes and with a function; count of modified records', async () => {
  const local = await peopleDb();
  assert.equal(await local.people.where('age').equals(30).modify({ group: 'thirty', 'address.zip': '0001' }), 3);
  assert.deepEqual(ids(await local.people.filter((p) => p.group === 'thirty').toArray()), [1, 3, 6]);
  assert.equal((await local.people.get(3)).address.zip, '0001');
  assert.equal(
    await local.people
      .where('age')
      .below(26)
      .modify((p) => {
        p.age += 1;
      }),
    2,
  );
  assert.deepEqual(await local.people.where('age').below(30).primaryKeys(), [5, 2]);
  assert.deepEqual(
    (await local.people.where('age').equals(20).toArray()).map((p) => p.name),
    ['Dan'],
    'the index moved',
  );
  await local.people
    .where('name')
    .equals('Bob')
    .modify((p, ctx) => {
      ctx.value = { ...p, name: 'Robert' };
    });
  assert.equal((await local.people.get(3)).name, 'Robert');
  assert.equal(
    await local.people
      .where('age')
      .above(40)
      .modify(function () {
        delete this.value;
      }),
    1,
  );
  assert.equal(await local.people.get(4), undefined);
  local.close();
});

test('modify failures raise ModifyError; the records that could be written stay written (as in Dexie)', async () => {
  const local = await peopleDb();
  await assert.rejects(
    local.people
      .where('age')
      .equals(30)
      .modify((p) => {
        p.email = 'same@x';
      }),
    (error) => {
      assert.ok(error instanceof ModifyError);
      assert.equal(error.failures.length, 2);
      assert.ok(error.failures[0] instanceof ConstraintError);
      assert.deepEqual(error.failedKeys, [3, 6]);
      assert.equal(error.successCount, 1);
      return true;
    },
  );
  // The first of the three took the unique email; the two others kept theirs.
  assert.deepEqual((await local.people.where('age').equals(30).toArray()).map((p) => p.email).sort(), ['adne@x', 'bob@x', 'same@x']);
  local.close();
});

test('Collection.delete resolves the count and removes index entries', async () => {
  const local = await peopleDb();
  assert.equal(await local.people.where('age').equals(30).delete(), 3);
  assert.equal(await local.people.count(), 3);
  assert.deepEqual(await local.people.orderBy('age').uniqueKeys(), [19, 25, 41]);
  assert.equal(await local.people.filter((p) => p.name.startsWith('D')).delete(), 1);
  assert.equal(await local.people.where('age').above(100).delete(), 0);
  local.close();
});

test('Table.orderBy, reverse, offset, limit, filter, toCollection, each', async () => {
  assert.deepEqual(ids(await db.people.orderBy('name').toArray()), [2, 3, 1, 5, 4, 6]);
  assert.deepEqual(ids(await db.people.orderBy('[first+last]').limit(2).toArray()), [4, 2]);
  assert.deepEqual(ids(await db.people.orderBy(['first', 'last']).limit(2).toArray()), [4, 2]);
  assert.deepEqual(ids(await db.people.orderBy('name').reverse().limit(2).toArray()), [6, 4]);
  assert.equal(await db.people.toCollection().count(), 6);
  assert.equal(await db.people.where('age').above(0).count(), 6);
});
