// portability.test.mjs: export and import (JSON), the raw database file,
// and the integrity check, on the real engine with fake-indexeddb (the
// Dexie migration and the main-thread measurements are browser tests:
// tests/browser/migration*.test.mjs, bench/portability.mjs). The exported
// SQLite file is opened by Debian's sqlite3 CLI (installed by
// scripts/setup.sh), not by indexie.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { Indexie, encodeValue } from 'indexie';

const SCHEMA = { things: '++id, &code, *tags, [kind+code]', pairs: ', label', grid: '[x+y], v' };
const hex = (value) => Buffer.from(encodeValue(value)).toString('hex');

function samples() {
  return {
    nothing: null,
    missing: undefined,
    zero: -0,
    nan: NaN,
    inf: -Infinity,
    big: -(2n ** 80n),
    lone: 'a\uD800',
    date: new Date(1700000000123),
    bad: new Date(NaN),
    buffer: new Uint8Array([0, 1, 255]).buffer,
    // A view on a whole buffer: an export holds a view's own bytes, not the rest of its buffer
    // (a view on part of a buffer comes back as a view on a buffer of its bytes; checked below).
    u8: new Uint8Array([8]),
    f64: new Float64Array([1.5, -0]),
    i64: new BigInt64Array([-5n]),
    view: new DataView(new Uint8Array([9, 9]).buffer),
    // eslint-disable-next-line no-sparse-arrays -- a hole on purpose
    list: [1, , 'x'],
    map: new Map([[new Date(5), { deep: [new Set(['s', 1n])] }]]),
    set: new Set([1, 'b']),
    re: /x+/gi,
    'dotted.name': { '~tilde': undefined, '': NaN },
    $types: 'an own $types property',
  };
}

async function seeded(name, indexedDB, count = 300) {
  const db = new Indexie(name, { indexedDB, IDBKeyRange });
  db.version(3).stores(SCHEMA);
  await db.things.bulkAdd(
    Array.from({ length: count }, (_, i) => ({ code: `c${i}`, kind: i % 4, tags: [`t${i % 3}`], ...(i === 0 ? samples() : {}) })),
  );
  await db.pairs.bulkAdd([{ label: 'a' }, 'plain string', [1, new Date(2)], new Map([[1, 2]])], ['k1', 2, [3, 'x'], new Date(4)]);
  await db.grid.bulkAdd([
    { x: 1, y: 2, v: 3n },
    { x: 1, y: 3, v: undefined },
  ]);
  return db;
}

async function everything(db) {
  const out = {};
  for (const table of db.tables) out[table.name] = hex([await table.toCollection().primaryKeys(), await table.toArray()]);
  return out;
}

test('export -> Indexie.import round-trips every value type, key kind and the schema', async () => {
  const indexedDB = new IDBFactory();
  const db = await seeded('src', indexedDB);
  const progress = [];
  const blob = await db.export({ onProgress: (p) => progress.push(p) });
  assert.equal(blob.type, 'application/json');
  const text = await blob.text();
  const json = JSON.parse(text); // the file is one JSON document
  assert.equal(json.formatName, 'dexie');
  assert.deepEqual(
    json.data.tables.map((t) => [t.name, t.rowCount]),
    [
      ['grid', 2],
      ['pairs', 4],
      ['things', 300],
    ],
  );
  assert.equal(json.data.data.find((t) => t.tableName === 'pairs').inbound, false);
  assert.equal(progress.at(-1).completedRows, 306);

  const copy = await Indexie.import(blob, { name: 'copy', indexedDB, IDBKeyRange });
  assert.equal(copy.verno, 3);
  assert.deepEqual(copy.tables.map((t) => t.schema.spec).sort(), db.tables.map((t) => t.schema.spec).sort());
  assert.deepEqual(await everything(copy), await everything(db));
  // A view on part of a buffer exports its own bytes.
  await db.grid.put({ x: 9, y: 9, part: new Uint8Array([7, 8]).subarray(1) });
  const partCopy = await Indexie.import(await db.export(), { name: 'part-copy', indexedDB, IDBKeyRange });
  const part = (await partCopy.grid.get([9, 9])).part;
  assert.deepEqual([part.constructor.name, [...part], part.byteOffset, part.buffer.byteLength], ['Uint8Array', [8], 0, 1]);
  partCopy.close();
  await db.grid.delete([9, 9]);
  // The key generator continues past the imported keys.
  assert.equal(await copy.things.add({ code: 'new', tags: [] }), 301);
  await assert.rejects(Indexie.import(blob, { name: 'copy', indexedDB, IDBKeyRange }), { name: 'InvalidArgumentError' });
  copy.close();
  db.close();
});

test('a file of dexie-export-import shape (one JSON line, no indexie marker) imports too', async () => {
  const indexedDB = new IDBFactory();
  const file = {
    formatName: 'dexie',
    formatVersion: 1,
    data: {
      databaseName: 'fromDexie',
      databaseVersion: 1,
      tables: [{ name: 'friends', schema: '++id,name', rowCount: 2 }],
      data: [
        {
          tableName: 'friends',
          inbound: true,
          rows: [
            { id: 1, name: 'a' },
            { id: 2, name: 'b', born: 0, $types: { born: 'date' } },
          ],
        },
      ],
    },
  };
  const db = await Indexie.import(new Blob([JSON.stringify(file)]), { indexedDB, IDBKeyRange });
  assert.deepEqual(await db.table('friends').toArray(), [
    { id: 1, name: 'a' },
    { id: 2, name: 'b', born: new Date(0) },
  ]);
  db.close();
});

test('db.import() is one transaction: a bad row rolls everything back; clearTablesBeforeImport; named errors', async () => {
  const indexedDB = new IDBFactory();
  const db = await seeded('target', indexedDB, 50);
  const before = await everything(db);
  const rows = Array.from({ length: 500 }, (_, i) => ({ id: 1000 + i, code: `n${i}`, tags: [] }));
  rows.push({ id: 5000, code: 'c1', tags: [] }); // duplicate of a unique index: the whole import fails
  const file = (tables) =>
    new Blob([
      JSON.stringify({ formatName: 'dexie', formatVersion: 1, data: { databaseName: 'x', databaseVersion: 3, tables: [], data: tables } }),
    ]);
  await assert.rejects(db.import(file([{ tableName: 'things', inbound: true, rows }])), { name: 'BulkError' });
  assert.deepEqual(await everything(db), before, 'nothing of the failed import stays');

  await db.import(file([{ tableName: 'things', inbound: true, rows: rows.slice(0, 500) }]), { clearTablesBeforeImport: true });
  assert.equal(await db.things.count(), 500);
  assert.equal(await db.things.where('code').equals('c1').count(), 0);

  await assert.rejects(db.import(file([{ tableName: 'nope', inbound: true, rows: [] }])), { name: 'InvalidTableError' });
  await db.import(file([{ tableName: 'nope', inbound: true, rows: [] }]), { acceptMissingTables: true });
  await assert.rejects(db.import(new Blob(['not json'])), { name: 'MigrationError' });
  await assert.rejects(db.import(new Blob(['{"formatName":"other"}'])), { name: 'MigrationError', message: /formatName/ });
  db.close();
});

test('an export of several MiB is read in pieces: characters split across pieces survive; a broken row is a MigrationError naming it', async () => {
  const indexedDB = new IDBFactory();
  const db = new Indexie('pieces', { indexedDB, IDBKeyRange });
  db.version(1).stores({ notes: '++id, title' });
  // ~3 MiB of JSON in which multi-byte characters (2, 3 and 4 bytes) land on every 1 MiB boundary somewhere.
  const text = (i) => `${'é€😀'.repeat(40 + (i % 7))} ${i}`;
  await db.notes.bulkAdd(Array.from({ length: 8000 }, (_, i) => ({ title: text(i), n: i })));
  const blob = await db.export();
  assert.ok(blob.size > 3 * 1024 * 1024, `the file is ${blob.size} bytes`);
  const copy = await Indexie.import(blob, { name: 'pieces-copy', indexedDB, IDBKeyRange });
  assert.deepEqual(await everything(copy), await everything(db));

  const lines = (await blob.text()).split('\n');
  const broken = lines.findIndex((line) => line.includes(`"n":4000`));
  lines[broken] = '{"id":4001,"title":';
  const before = await everything(copy);
  await assert.rejects(copy.import(new Blob([lines.join('\n')]), { clearTablesBeforeImport: true }), {
    name: 'MigrationError',
    message: /row 4000 of table 'notes' is not JSON.*nothing was imported/,
  });
  assert.deepEqual(await everything(copy), before, 'nothing of the failed import stays');
  copy.close();
  db.close();
});

test('exportFile() is a SQLite file the sqlite3 CLI opens: integrity ok, row counts right; importFile() makes a database of it', async () => {
  const indexedDB = new IDBFactory();
  const db = await seeded('filed', indexedDB, 2000);
  const blob = await db.exportFile();
  const dir = mkdtempSync(join(tmpdir(), 'indexie-file-'));
  try {
    const path = join(dir, 'filed.sqlite');
    writeFileSync(path, Buffer.from(await blob.arrayBuffer()));
    const sql = (query) => execFileSync('sqlite3', ['-readonly', path, query], { encoding: 'utf8' }).trim();
    assert.equal(sql('PRAGMA integrity_check'), 'ok');
    const schema = JSON.parse(sql("SELECT value FROM _indexie_meta WHERE name = 'schema'"));
    const counts = Object.fromEntries(
      Object.entries(schema.tables).map(([name, t]) => [name, Number(sql(`SELECT count(*) FROM s${t.store}`))]),
    );
    assert.deepEqual(counts, { things: 2000, pairs: 4, grid: 2 });
    // Each index table holds one entry per key: *tags has one tag per record.
    const tagsIndex = schema.tables.things.indexes.tags;
    assert.equal(Number(sql(`SELECT count(*) FROM x${tagsIndex}`)), 2000);
    assert.equal(sql("SELECT value FROM _indexie_meta WHERE name = 'version'"), '3.0');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const copy = await Indexie.importFile('filed-copy', blob, { indexedDB, IDBKeyRange });
  assert.deepEqual(await everything(copy), await everything(db));
  copy.close();
  // Stored: it opens again from IndexedDB alone.
  const again = new Indexie('filed-copy', { indexedDB, IDBKeyRange });
  assert.equal(await again.table('things').count(), 2000);
  again.close();
  await assert.rejects(Indexie.importFile('filed', blob, { indexedDB, IDBKeyRange }), { name: 'InvalidArgumentError' });
  await assert.rejects(Indexie.importFile('junk', new Uint8Array(8192), { indexedDB, IDBKeyRange }), { name: 'MigrationError' });
  db.close();
});

test('checkIntegrity() names a missing stored chunk; throwIfDamaged makes it a CorruptionError', async () => {
  const indexedDB = new IDBFactory();
  const db = await seeded('damaged', indexedDB, 3000);
  assert.deepEqual(await db.checkIntegrity(), []);
  // Damage the page store behind the database's back: drop chunk 1.
  const raw = await new Promise((resolve) => {
    const open = indexedDB.open('indexie:damaged');
    open.onsuccess = () => resolve(open.result);
  });
  await new Promise((resolve) => {
    const tx = raw.transaction('chunks', 'readwrite');
    tx.objectStore('chunks').delete(1);
    tx.oncomplete = resolve;
  });
  raw.close();
  const problems = await db.checkIntegrity();
  assert.equal(problems.length, 1);
  assert.match(problems[0], /chunk 1 \(pages 16-31\) is missing: those pages are lost/);
  await assert.rejects(db.checkIntegrity({ throwIfDamaged: true }), { name: 'CorruptionError', message: /chunk 1/ });
  db.close();
});

test('db.storage answers where there is no StorageManager (Node)', async () => {
  const db = new Indexie('mem', { indexedDB: null });
  assert.equal(await db.storage.persisted(), false);
  assert.equal(await db.storage.estimate(), undefined);
  assert.deepEqual(await db.storage.status(), { persisted: false, usage: undefined, quota: undefined });
});
