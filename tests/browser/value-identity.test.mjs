// value-identity.test.mjs: in real Chromium, values of every type
// IndexedDB's structured clone keeps (boxed primitives, shared and cyclic
// references, Blob and File, every typed array, sparse arrays) are stored
// through Dexie 4 (real IndexedDB) and through indexie by add, put,
// bulkPut, update and modify, in and out of a transaction, and read back
// after a page reload (records changed by update() and modify() hold only
// what Dexie's own copy there keeps: see values.js). Dexie's answer is the expected one: what came back
// (types, bytes, which objects are the same object) and what the indexes
// through shared objects, Blobs, Files and String objects find.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { TEST_MOUNTS, startBrowser } from './harness.mjs';

let browser;
before(async () => {
  browser = await startBrowser({ mounts: TEST_MOUNTS });
});
after(async () => {
  await browser?.close();
});

test('every structured-clone type comes back after a reload as Dexie (real IndexedDB) returns it', async () => {
  const page = await browser.openTestPage('values.html');
  const name = `values-${Date.now()}`;
  for (const lib of ['dexie', 'indexie']) assert.equal(await page.evaluate(([l, n]) => window.writeAll(l, n), [lib, name]), 'written');
  await page.reload();
  await page.locator('#status', { hasText: 'ready' }).waitFor();
  const dexie = await page.evaluate((n) => window.readAll('dexie', n), name);
  const indexie = await page.evaluate((n) => window.readAll('indexie', n), name);
  if (process.env.VALUES_DUMP) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(process.env.VALUES_DUMP, JSON.stringify({ dexie, indexie }, null, 1));
  }
  // The reference itself shows what is being compared (so the test cannot pass on two empty answers).
  assert.equal(dexie.items.length, 8);
  assert.equal(dexie.items[1].self.self.$, 'same');
  assert.equal(dexie.items[1].home.$, 'same');
  assert.equal(dexie.items[3].file.$, 'File');
  for (let i = 0; i < dexie.items.length; i++) assert.deepEqual(indexie.items[i], dexie.items[i], `record ${i + 1}`);
  assert.deepEqual(indexie.auto, dexie.auto, 'a cyclic record with a generated key');
  for (const [index, found] of Object.entries(dexie.indexes)) assert.deepEqual(indexie.indexes[index], found, `index ${index}`);
  assert.deepEqual(browser.consoleErrors, []);
});
