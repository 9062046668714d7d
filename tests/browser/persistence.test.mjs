// persistence.test.mjs: in real Chromium with real IndexedDB, a database
// written in one page load is read back after a reload: every value type
// byte for byte, every index kind, and the key generator.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { TEST_MOUNTS, startBrowser } from './harness.mjs';

let browser;
before(async () => { browser = await startBrowser({ mounts: TEST_MOUNTS }); });
after(async () => { await browser?.close(); });

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
  assert.deepEqual(problems, ['count 300 != 299', 'generator: 302 != 301'],
    'the first verify added record 301 (so one more record, and the next key is 302); the rest is unchanged');
  assert.deepEqual(browser.consoleErrors, []);
});
