// dexie-fidelity.test.mjs: the named scenarios of
// tests/browser/pages/fidelity-scenarios.js, each run on Dexie 4 (the dev
// dependency, real IndexedDB) and on indexie in one Chromium page. Dexie's
// outcome is the expected one; each scenario is its own test, so a failure
// names the behaviour. DIFFERENCES lists the ones where indexie differs on
// purpose, with the reason (README, "Coming from Dexie"): for those the test
// checks that they still differ as documented, so a change is noticed.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { TEST_MOUNTS, startBrowser } from './harness.mjs';

/** Scenario name -> why indexie's answer differs on purpose. */
export const DIFFERENCES = {
  'a CryptoKey value':
    "IndexedDB keeps a CryptoKey by reference to the browser's key; indexie's database file cannot hold one, so it is a DataCloneError (never an empty object)",
  'bulkUpdate() with an invalid key':
    'indexie rejects the whole call with a DataError and updates nothing; Dexie skips the invalid key or fails with a DataError depending on the other keys (its reads race the invalid request)',
  'update() and modify() store what structured clone keeps':
    "Dexie copies the record with its deepClone before changing it, which turns a sparse array's holes into undefined, " +
    "Number and BigInt objects into plain objects, and separates a Map's values from the same objects elsewhere; " +
    'indexie stores the changed record as IndexedDB stores any value (its structured clone keeps all three)',
  'db.use(middleware)':
    'indexie has no DBCore, so middleware cannot run: db.use() is an UnsupportedError, where Dexie installs it and returns db',
};

const browser = await startBrowser({ mounts: TEST_MOUNTS });
after(() => browser.close());

// Every scenario on IndexedDB, then on OPFS (what the default picks for a new database in a
// browser): the API is the same whatever runs the engine.
for (const [storage, prefix, differences] of [
  ['indexeddb', '', DIFFERENCES],
  ['opfs', '[opfs] ', DIFFERENCES],
]) {
  const page = await browser.openTestPage(storage ? `fidelity.html?storage=${storage}` : 'fidelity.html');
  const names = await page.evaluate(() => window.scenarioNames());
  for (const name of names) {
    test(prefix + name, { timeout: 20000 }, async () => {
      const { dexie, indexie } = await page.evaluate((n) => window.runScenario(n), name);
      if (differences[name]) {
        assert.notDeepEqual(indexie, dexie, `documented as differing (${differences[name]}), but indexie now answers as Dexie`);
        return;
      }
      assert.deepEqual(indexie, dexie, `Dexie: ${JSON.stringify(dexie)}\nindexie: ${JSON.stringify(indexie)}`);
    });
  }
}
