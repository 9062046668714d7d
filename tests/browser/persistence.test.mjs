// persistence.test.mjs: in real Chromium with real IndexedDB, a database
// written in one page load is read back after a reload: every value type
// byte for byte, every index kind, and the key generator.
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

test('data written before a reload is all there after it', async () => {
  const page = await browser.openTestPage('persistence.html');
  assert.equal(await page.evaluate(() => window.writeAll()), 'written');
  await page.reload();
  await page.locator('#status', { hasText: 'ready' }).waitFor();
  assert.deepEqual(await page.evaluate(() => window.verifyAll()), []);
  // And once more, in a new page of the same browser profile.
  await page.close();
  const second = await browser.openTestPage('persistence.html');
  const problems = await second.evaluate(() => window.verifyAll());
  assert.deepEqual(
    problems,
    ['count 300 != 299', 'generator: 302 != 301'],
    'the first verify added record 301 (so one more record, and the next key is 302); the rest is unchanged',
  );
  assert.deepEqual(browser.consoleErrors, []);
});

test("a commit another tab wrote first makes this page's write fail whole (real IndexedDB: add() of a taken commit number, with an early commit())", async () => {
  const page = await browser.openTestPage('persistence.html');
  const result = await page.evaluate(() => window.conflictingCommit());
  await page.close();
  // The small commit before was one diff record of a few KiB; meta stayed at the bulk load's chunk commit.
  assert.equal(result.smallCommit.format, 3);
  assert.equal(result.smallCommit.lastKey, result.smallCommit.metaCommit + 1);
  assert.ok(result.smallCommit.diffBytes > 0 && result.smallCommit.diffBytes < 16384, `${result.smallCommit.diffBytes} bytes`);
  assert.equal(result.error?.name, 'AbortError');
  assert.match(result.error.message, /another tab committed first/);
  const [before, taken] = result.keysAfter;
  assert.equal(taken, before + 1, "nothing was stored after the other tab's entry");
  assert.ok(result.entryKept, "the other tab's entry is as it wrote it");
  assert.deepEqual(result.codesInMemory, ['one'], 'the engine reverted the failed write');
  assert.deepEqual(browser.consoleErrors, []);
});
