// migration.test.mjs: a database written by Dexie 4.4.7 in real Chromium
// (every value type, inbound auto-increment, outbound and outbound
// auto-increment keys, compound, multi-entry, unique and dotted indexes) is
// opened by indexie with `migrateFrom: 'indexeddb'`: every record and every
// index query equals Dexie's answer on the untouched source, and the key
// generators continue where Dexie's do. A different declared schema is
// installed as an upgrade and reported; Blobs and Files migrate; a record
// indexie cannot store (a CryptoKey) fails the migration with a named error
// and changes nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { TEST_MOUNTS, startBrowser } from './harness.mjs';

let browser;
let page;
before(async () => {
  browser = await startBrowser({ mounts: TEST_MOUNTS });
  page = await browser.openTestPage('migration.html');
});
after(async () => {
  await browser?.close();
});

test('a Dexie database migrates on first open: every record and index query equals Dexie', async () => {
  await page.evaluate(() => window.seedDexie('mig-same', 2000));
  const result = await page.evaluate(() => window.migrateAndCompare('mig-same'));
  const names = Object.keys(result.theirs);
  assert.ok(names.length >= 20);
  for (const name of names) assert.equal(result.ours[name], result.theirs[name], `query '${name}' differs from Dexie`);
  assert.deepEqual(result.report.records, { people: 1997, notes: 60, events: 39, values: 2 });
  assert.equal(result.report.sourceVersion, 2);
  assert.deepEqual(result.report.difference, { onlyInSource: [], onlyDeclared: [], changed: [] });
  assert.equal(result.report.sourceDeleted, false);
  // Auto-increment continues past the deleted keys, as the source's generator does.
  assert.equal(result.next.people[0], 2001);
  assert.deepEqual(result.next.people, [2001, 2001]);
  assert.deepEqual(result.next.events, [41, 41]);
  assert.equal(result.countAfter, 1998, 'the reopened database is what was stored, not migrated again');
  assert.equal(result.migratedAgain, false);
  assert.deepEqual(result.lastProgress, { table: 'people', done: 1997, total: 1997 });
  assert.ok(result.batches >= 4, 'progress is reported per batch');
  console.log(`# migrated ${JSON.stringify(result.report.records)} in ${result.report.ms.toFixed(0)} ms`);
});

test('a declared schema that differs from the source is installed as an upgrade, and reported', async () => {
  await page.evaluate(() => window.seedDexie('mig-upgrade', 300));
  const result = await page.evaluate(() => window.migrateWithNewSchema('mig-upgrade'));
  assert.equal(result.upgradeRan, true);
  assert.equal(result.verno, 3);
  assert.deepEqual(result.tables, ['extra', 'notes', 'people', 'values']);
  assert.ok(result.byLast > 0, 'the new index is built from the migrated records');
  assert.equal(result.upgraded, 297);
  assert.deepEqual(result.report.difference.onlyInSource, ['events']);
  assert.deepEqual(result.report.difference.onlyDeclared, ['extra']);
  assert.deepEqual(
    result.report.difference.changed.map((c) => c.table),
    ['people'],
  );
  assert.equal(result.report.sourceDeleted, true);
  assert.equal(result.sourceLeft, false, 'deleteSource: the source is gone once the migration is stored');
});

test('Blob and File values migrate: type, size, bytes, name and lastModified as Dexie reads them', async () => {
  await page.evaluate(() => window.seedDexie('mig-blobs', 50, { blobs: true }));
  const { ours, theirs } = await page.evaluate(() => window.migrateBlobs('mig-blobs'));
  assert.deepEqual(ours, theirs);
  assert.equal(theirs[1].isFile, true);
});

test('a record indexie cannot store fails the migration with MigrationError; nothing stored, the source as it was', async () => {
  await page.evaluate(() => window.seedDexie('mig-crypto', 50, { unstorable: true }));
  const result = await page.evaluate(() => window.migrateFailing('mig-crypto'));
  assert.equal(result.error?.name, 'MigrationError');
  assert.match(result.error.message, /table 'values'/);
  assert.match(result.error.message, /"crypto"/);
  assert.match(result.error.message, /CryptoKey/);
  assert.equal(result.exists, false);
  assert.equal(result.sourceCount, 3);
});
