// migration.js: seeds a database with Dexie 4 (every value type, inbound
// auto-increment, outbound and outbound auto-increment keys, compound,
// multi-entry and unique indexes), migrates it into indexie, and runs the
// same queries on both. Values are compared by their indexie encoding
// (encodeValue): equal bytes are equal values, types included.
import Dexie from 'dexie';
import { Indexie, encodeValue } from 'indexie';

export const SCHEMA = {
  people: '++id, name, age, *tags, [first+last], &email, address.city',
  notes: ', title, *words',
  events: '++, kind, [kind+at]',
  values: 'key',
};

function samples() {
  return {
    nothing: null,
    missing: undefined,
    yes: true,
    zero: -0,
    nan: NaN,
    inf: -Infinity,
    pi: Math.PI,
    big: -(2n ** 80n),
    text: 'héllo 😀',
    lone: 'a\uD800',
    date: new Date(1700000000123),
    bad: new Date(NaN),
    buffer: new Uint8Array([0, 1, 255]).buffer,
    u8: new Uint8Array([7]),
    u8c: new Uint8ClampedArray([300 & 255]),
    i16: new Int16Array([-2]),
    f32: new Float32Array([1.5]),
    f64: new Float64Array([-0]),
    i64: new BigInt64Array([-5n]),
    u64: new BigUint64Array([2n ** 63n]),
    view: new DataView(new Uint8Array([9, 9]).buffer),
    // eslint-disable-next-line no-sparse-arrays -- a hole on purpose
    list: [1, , 'x'],
    map: new Map([[1, { deep: [new Set(['s'])] }]]),
    set: new Set([1, 'b']),
    re: /x+/gi,
    nested: { a: { b: [{ c: new Date(0) }] } },
  };
}

/** Deterministic pseudo-random numbers. */
function random(seed) {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** Writes the source with Dexie: `count` people (the last few deleted again, so the key generator is ahead of the highest key). */
window.seedDexie = async (name, count = 500, { blobs = false, unstorable = false } = {}) => {
  await Dexie.delete(name);
  const db = new Dexie(name);
  db.version(2).stores(SCHEMA);
  const next = random(7);
  const names = ['ann', 'bob', 'cy', 'dee', 'eve', 'fay'];
  const people = Array.from({ length: count }, (_, i) => ({
    name: names[i % names.length],
    first: names[(i * 7) % names.length],
    last: `L${i % 13}`,
    age: Math.floor(next() * 90),
    tags: [`t${i % 5}`, `t${i % 7}`, ...(i % 11 === 0 ? [] : [`x${i % 3}`])],
    email: `p${i}@example.org`,
    address: { city: ['Oslo', 'Lima', 'Pune'][i % 3] },
    payload: 'y'.repeat(100 + (i % 40)),
  }));
  await db.people.bulkAdd(people);
  await db.people
    .where('id')
    .above(count - 3)
    .delete(); // generator stays at count + 1
  await db.notes.bulkAdd(
    Array.from({ length: 60 }, (_, i) => ({ title: `note ${i % 9}`, words: ['a', 'b', `w${i % 4}`] })),
    Array.from({ length: 60 }, (_, i) => (i % 2 ? `n${i}` : [i, `k${i}`])),
  );
  await db.events.bulkAdd(Array.from({ length: 40 }, (_, i) => ({ kind: `k${i % 3}`, at: new Date(1e12 + i * 1000) })));
  await db.events.delete(40);
  await db.values.bulkAdd([
    { key: 'all', ...samples() },
    { key: 'plain', n: 1 },
    ...(blobs
      ? [
          { key: 'blob', file: new Blob(['hello'], { type: 'text/plain' }) },
          { key: 'file', file: new File(['hi there'], 'a.txt', { type: 'text/plain', lastModified: 5000 }) },
        ]
      : []),
    // A CryptoKey: IndexedDB keeps it (by reference to the browser's key), indexie's file cannot.
    ...(unstorable ? [{ key: 'crypto', k: await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']) }] : []),
  ]);
  db.close();
  return 'seeded';
};

const hex = (value) => Array.from(encodeValue(value), (b) => b.toString(16).padStart(2, '0')).join('');

/** The queries compared between Dexie and indexie; each returns something encodeValue takes. */
const QUERIES = {
  'people all': (db) => db.people.toArray(),
  'people keys': (db) => db.people.toCollection().primaryKeys(),
  'people count': (db) => db.people.count(),
  'people age between': (db) => db.people.where('age').between(20, 40, true, false).toArray(),
  'people age reverse limit': (db) => db.people.orderBy('age').reverse().limit(25).primaryKeys(),
  'people tags multi-entry': (db) => db.people.where('tags').equals('t3').primaryKeys(),
  'people tags anyOf distinct': (db) => db.people.where('tags').anyOf('x0', 't1').distinct().primaryKeys(),
  'people compound': (db) => db.people.where('[first+last]').equals(['bob', 'L2']).toArray(),
  'people compound prefix': (db) => db.people.where('[first+last]').between(['cy', ''], ['cy', '\uffff']).primaryKeys(),
  'people unique': (db) => db.people.where('email').startsWith('p1').primaryKeys(),
  'people dotted': (db) => db.people.where('address.city').equals('Lima').count(),
  'people by name keys': (db) => db.people.orderBy('name').keys(),
  'notes all': (db) => db.notes.toArray(),
  'notes keys': (db) => db.notes.toCollection().primaryKeys(),
  'notes words': (db) => db.notes.where('words').equals('w2').primaryKeys(),
  'notes title': (db) => db.notes.where('title').equals('note 3').toArray(),
  'events all': (db) => db.events.toArray(),
  'events keys': (db) => db.events.toCollection().primaryKeys(),
  'events compound': (db) =>
    db.events
      .where('[kind+at]')
      .between(['k1', new Date(0)], ['k1', new Date(2e12)])
      .primaryKeys(),
  'values all': (db) => db.values.toArray(),
};

async function answers(db) {
  const out = {};
  for (const [name, query] of Object.entries(QUERIES)) out[name] = hex(await query(db));
  return out;
}

/** Opens indexie with migrateFrom (the declared schema: `stores`, at `version`). */
function openMigrating(name, { version = 2, stores = SCHEMA, deleteSource = false, progress } = {}) {
  const db = new Indexie(name, { migrateFrom: 'indexeddb', deleteSource, onProgress: progress });
  db.version(version).stores(stores);
  return db;
}

/** Migrates and compares every query with Dexie's answer on the (untouched) source. */
window.migrateAndCompare = async (name) => {
  const progress = [];
  const db = openMigrating(name, { progress: (p) => progress.push(p) });
  let report;
  db.on('migrated', (r) => (report = r));
  await db.open();
  const ours = await answers(db);
  const dexie = new Dexie(name);
  dexie.version(2).stores(SCHEMA);
  const theirs = await answers(dexie);
  // The key generators continue where the source's would (deleted keys are not reused): add to both.
  const next = {
    people: [await dexie.people.add({ name: 'new', email: 'new@x' }), await db.people.add({ name: 'new', email: 'new@x' })],
    events: [await dexie.events.add({ kind: 'new' }), await db.events.add({ kind: 'new' })],
  };
  dexie.close();
  db.close();
  // Reopened from what was stored (no migration again: the source got a record since).
  const again = new Indexie(name, { migrateFrom: 'indexeddb' });
  again.version(2).stores(SCHEMA);
  let migratedAgain = false;
  again.on('migrated', () => (migratedAgain = true));
  const countAfter = await again.people.count();
  again.close();
  const lastProgress = progress.filter((p) => p.table === 'people').at(-1);
  return { ours, theirs, report, next, countAfter, migratedAgain, lastProgress, batches: progress.length };
};

/** Migrates into a different declared schema (version 3): handled as an upgrade. */
window.migrateWithNewSchema = async (name) => {
  let upgradeRan = false;
  const db = new Indexie(name, { migrateFrom: 'indexeddb', deleteSource: true });
  db.version(2).stores(SCHEMA);
  db.version(3)
    .stores({ people: '++id, name, age, *tags, [first+last], &email, address.city, last', events: null, extra: '++id, x' })
    .upgrade(async (tx) => {
      upgradeRan = true;
      await tx
        .table('people')
        .toCollection()
        .modify((p) => (p.upgraded = true));
    });
  let report;
  db.on('migrated', (r) => (report = r));
  await db.open();
  const result = {
    report,
    upgradeRan,
    verno: db.verno,
    tables: db.tables.map((t) => t.name).sort(),
    byLast: await db.people.where('last').equals('L4').count(),
    upgraded: await db.people.filter((p) => p.upgraded === true).count(),
    people: await db.people.count(),
    sourceLeft: (await indexedDB.databases()).some((info) => info.name === name),
  };
  db.close();
  return result;
};

/** A source holding a Blob: the migration fails with a named error; nothing is stored; the source is as it was. */
window.migrateFailing = async (name) => {
  const db = openMigrating(name);
  let error;
  try {
    await db.open();
  } catch (e) {
    error = { name: e.name, message: e.message };
  }
  db.close();
  const exists = await Indexie.exists(name);
  const dexie = new Dexie(name);
  dexie.version(2).stores(SCHEMA);
  const sourceCount = await dexie.values.count();
  dexie.close();
  return { error, exists, sourceCount };
};

/** Migrates a source holding a Blob and a File; both read back as Dexie reads them from the source. */
window.migrateBlobs = async (name) => {
  const describe = async (value) => ({
    isFile: value instanceof File,
    isBlob: value instanceof Blob,
    type: value.type,
    size: value.size,
    text: await value.text(),
    name: value.name,
    lastModified: value.lastModified,
  });
  const dexie = new Dexie(name);
  dexie.version(2).stores(SCHEMA);
  const theirs = [await describe((await dexie.values.get('blob')).file), await describe((await dexie.values.get('file')).file)];
  dexie.close();
  const db = openMigrating(name);
  await db.open();
  const ours = [await describe((await db.values.get('blob')).file), await describe((await db.values.get('file')).file)];
  db.close();
  return { ours, theirs };
};

/** Starts a migration and never returns (the test closes the page in the middle). */
window.migrateUntilClosed = (name) => {
  const db = openMigrating(name, { progress: (p) => window.reportProgress?.(p.table, p.done) });
  return db.open().then(() => window.reportDone?.());
};

/** After a page was closed mid-migration: the source whole, and the indexie database absent or whole. */
window.inspectAfterCrash = async (name, expected) => {
  const dexie = new Dexie(name);
  dexie.version(2).stores(SCHEMA);
  const source = {};
  for (const table of Object.keys(SCHEMA)) source[table] = hex(await dexie.table(table).toArray());
  dexie.close();
  const db = new Indexie(name); // no migration, nothing declared: opens only what is stored
  let migrated = null;
  try {
    await db.open();
    migrated = {};
    for (const table of Object.keys(SCHEMA)) migrated[table] = hex(await db.table(table).toArray());
    migrated.integrity = await db.checkIntegrity();
  } catch (e) {
    if (e.name !== 'NoSuchDatabaseError') throw e;
  }
  db.close();
  return { sourceWhole: JSON.stringify(source) === JSON.stringify(expected), source, migrated };
};

/** Every table's records of the source, by encoding (the reference for inspectAfterCrash). */
window.sourceSnapshot = async (name) => {
  const dexie = new Dexie(name);
  dexie.version(2).stores(SCHEMA);
  const source = {};
  for (const table of Object.keys(SCHEMA)) source[table] = hex(await dexie.table(table).toArray());
  dexie.close();
  return source;
};

document.getElementById('status').textContent = 'ready';

/** Deletes the indexie database (not the source), for the next crash round. */
window.deleteMigrated = (name) => Indexie.delete(name);
