// quota.test.mjs: with a small storage quota for the origin (DevTools
// protocol Storage.overrideQuotaForOrigin), writing until storage refuses
// gives a QuotaExceededError, loses no committed data, leaves memory and
// IndexedDB in agreement, and the database works again once there is room.
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

for (const storage of ['indexeddb', 'opfs']) {
  test(`${storage}: a full disk is a QuotaExceededError that loses nothing, and writes work again with room`, async () => {
    const page = await browser.openTestPage('crash.html');
    const cdp = await browser.context.newCDPSession(page);
    const origin = new URL(browser.url).origin;
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 6 * 1024 * 1024 });

    const name = `quota-${storage}`;
    const full = await page.evaluate(([name, storage]) => window.fillUntilFull(name, storage), [name, storage]);
    assert.equal(full.name, 'QuotaExceededError', full.message);
    assert.match(full.message, /storage quota is exhausted.*nothing of it was saved/);
    assert.deepEqual(full.problems, []);
    assert.equal(full.count, (full.failedBatch - 1) * 200, 'every batch before the refused one is there, none after');

    // A fresh page reads only what IndexedDB holds: the same records.
    const reader = await browser.openTestPage('crash.html');
    assert.equal(await reader.evaluate(([name, storage]) => window.count(name, storage), [name, storage]), full.count);

    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 512 * 1024 * 1024 });
    assert.equal(await reader.evaluate(([name, storage]) => window.addOne(name, storage), [name, storage]), full.count + 1);
    // Free the origin's storage for the next store's run, then give the quota back.
    await reader.evaluate(
      async ([name, storage]) => {
        const { Indexie } = await import('indexie');
        await Indexie.delete(name, { storage });
      },
      [name, storage],
    );
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await reader.close();
    await page.close();
    console.log(`# quota (${storage}): refused at batch ${full.failedBatch}, ${full.count} records kept`);
  });
}
