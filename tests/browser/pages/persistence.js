// persistence.js: a database holding a record of every value type, indexed
// on every index kind; writeAll() stores it, verifyAll() (after a reload)
// checks every value byte for byte and every index.
import { Indexie, encodeValue } from 'indexie';

const SCHEMA = { things: '++id, &code, label, *tags, [kind+label], meta.rank' };

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
    f32: new Float32Array([1.5]),
    i64: new BigInt64Array([-5n]),
    view: new DataView(new Uint8Array([9, 9]).buffer),
    // eslint-disable-next-line no-sparse-arrays -- a hole on purpose: the value codec must store sparse arrays
    list: [1, , 'x'],
    map: new Map([[1, { deep: [new Set(['s'])] }]]),
    set: new Set([1, 'b']),
    re: /x+/gi,
  };
}

function records() {
  return Array.from({ length: 300 }, (_, i) => ({
    code: `c${i}`,
    label: `label-${i % 17}`,
    kind: i % 3,
    tags: [`t${i % 5}`, `t${i % 7}`],
    meta: { rank: i % 11 },
    payload: 'x'.repeat(200 + (i % 50)),
    ...(i === 0 ? samples() : {}),
  }));
}

function open() {
  const db = new Indexie('persistence-test', { storage: 'indexeddb' });
  db.version(1).stores(SCHEMA);
  return db;
}

window.writeAll = async () => {
  const db = open();
  await db.things.bulkAdd(records());
  await db.things.update(5, { label: 'updated', 'meta.rank': 99 });
  await db.things.delete(7);
  db.close();
  return 'written';
};

const same = (a, b) => {
  const x = encodeValue(a),
    y = encodeValue(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

window.verifyAll = async () => {
  const db = open();
  const problems = [];
  const expected = records().map((r, i) => ({ ...r, id: i + 1 }));
  expected[4] = { ...expected[4], label: 'updated', meta: { rank: 99 } };
  expected.splice(6, 1);
  const actual = await db.things.toArray();
  if (actual.length !== expected.length) problems.push(`count ${actual.length} != ${expected.length}`);
  expected.forEach((e, i) => {
    if (!same(actual[i], e)) problems.push(`record ${e.id} differs`);
  });
  const check = async (label, got, want) => {
    if (!same(got, want)) problems.push(`${label}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
  };
  await check('unique index', (await db.things.get({ code: 'c10' }))?.id, 11);
  await check('plain index', await db.things.where('label').equals('updated').primaryKeys(), [5]);
  await check(
    'multi-entry index',
    await db.things.where('tags').equals('t4').count(),
    expected.filter((e) => e.tags.includes('t4')).length,
  );
  await check(
    'compound index',
    await db.things.where('[kind+label]').equals([1, 'label-1']).primaryKeys(),
    expected.filter((e) => e.kind === 1 && e.label === 'label-1').map((e) => e.id),
  );
  await check('nested index', await db.things.where('meta.rank').equals(99).primaryKeys(), [5]);
  await check('generator', await db.things.add({ code: `new-${Math.random()}` }), 301);
  db.close();
  return problems;
};

/**
 * Another tab's commit lands first (written here straight into IndexedDB: an
 * empty diff under the commit number this page will use next): this page's
 * next add must fail as a conflict, store nothing, and leave that entry alone.
 * Also checks what a small commit wrote: one diff record, meta untouched.
 */
window.conflictingCommit = async () => {
  const name = `conflict-${Math.random().toString(36).slice(2)}`;
  const db = new Indexie(name, { storage: 'indexeddb' });
  db.version(1).stores(SCHEMA);
  await db.things.bulkAdd(records());
  await db.things.add({ code: 'one', label: 'small' });
  const raw = await new Promise((resolve, reject) => {
    const req = indexedDB.open(`indexie:${name}`);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const read = (mode, use) =>
    new Promise((resolve, reject) => {
      const tx = raw.transaction(['meta', 'log'], mode);
      let result;
      Promise.resolve(use(tx)).then((value) => {
        result = value;
      });
      tx.oncomplete = () => resolve(result);
      tx.onabort = () => reject(tx.error);
    });
  const get = (req) =>
    new Promise((resolve) => {
      req.onsuccess = () => resolve(req.result);
    });
  const { meta, keys, last } = await read('readonly', async (tx) => {
    const keys = await get(tx.objectStore('log').getAllKeys());
    return { meta: await get(tx.objectStore('meta').get('state')), keys, last: await get(tx.objectStore('log').get(keys.at(-1))) };
  });
  const next = keys.at(-1) + 1;
  const foreign = { diff: new Uint8Array(0), fileSize: last.fileSize, changes: [] };
  await read('readwrite', (tx) => {
    tx.objectStore('log').add(foreign, next);
  });
  let error;
  try {
    await db.things.add({ code: 'two', label: 'lost' });
  } catch (e) {
    error = { name: e.name, message: e.message };
  }
  const after = await read('readonly', async (tx) => ({
    keys: await get(tx.objectStore('log').getAllKeys()),
    entry: await get(tx.objectStore('log').get(next)),
  }));
  const inMemory = await db.things.where('code').anyOf('one', 'two').toArray();
  raw.close();
  db.close();
  await Indexie.delete(name);
  return {
    smallCommit: { format: meta.format, metaCommit: meta.commit, lastKey: keys.at(-1), diffBytes: last.diff?.length },
    error,
    keysAfter: after.keys.slice(-2),
    entryKept: after.entry.diff.length === 0 && after.entry.changes.length === 0,
    codesInMemory: inMemory.map((t) => t.code),
  };
};

document.getElementById('status').textContent = 'ready';
