// transactions.test.mjs: overlay transactions and hooks in real Chromium
// with real IndexedDB: the two scenarios of the Indexie documentation
// (sections 2 and 5 of the seed), checked again after a reload, and a page
// closed while a transaction is open leaves nothing of it on disk.
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

test('optimistic add, failing onAdd hook: readers see the row until the rollback, and nothing reaches IndexedDB', async () => {
  const page = await browser.openTestPage('transactions.html');
  const result = await page.evaluate(() => window.optimisticAddWithFailingHook('tx-optimistic'));
  await page.close();
  assert.equal(result.commitError, 'server rejected the user');
  assert.equal(result.seenBeforeCommit, 1, 'visible at once to readers outside the transaction');
  assert.ok(result.sawIt, 'the polling reader saw the optimistic row');
  assert.equal(result.lastSample, 0, 'the polling reader saw it disappear after the rollback');
  assert.equal(result.after, 0);
  const reloaded = await browser.openTestPage('transactions.html');
  assert.deepEqual(await reloaded.evaluate(() => window.countNamed('tx-optimistic', 'Optimistic Olga')), { count: 0, problems: [] });
  await reloaded.close();
});

test('standard transfer: a polling reader never sees one balance updated without the other; a failed commit changes neither', async () => {
  const page = await browser.openTestPage('transactions.html');
  const result = await page.evaluate(() => window.standardTransfer('tx-transfer'));
  await page.close();
  assert.ok(result.samples > 20, `the reader polled throughout (${result.samples} samples)`);
  assert.deepEqual(result.distinct, ['500/0', '400/100'], 'only the state before and the state after, never half');
  assert.deepEqual(result.afterCommit, [400, 100]);
  assert.equal(result.failure, 'ledger unavailable');
  assert.deepEqual(result.afterFailure, [400, 100], 'the failed commit changed neither balance');
  console.log(`# transfer: ${result.samples} polls, states seen: ${result.distinct.join(', ')}`);
});

test('in Chromium, scope calls join the transaction after awaits; an unrelated flow and a queued event never do', async () => {
  const page = await browser.openTestPage('transactions.html');
  const result = await page.evaluate(() => window.contextRules('tx-context'));
  await page.close();
  assert.deepEqual(result, {
    error: 'roll back',
    insideCount: 5,
    users: 0,
    logs: 15,
    outsideAlwaysOutside: true,
    outsideRuns: 15,
    clicks: [false, true],
  });
});

for (const optimistic of [false, true]) {
  test(`a page closed during an open ${optimistic ? 'optimistic' : 'standard'} transaction leaves nothing of it on disk`, async () => {
    const name = `tx-crash-${optimistic}`;
    const page = await browser.openTestPage('transactions.html');
    let written;
    const reported = new Promise((resolve) => {
      written = resolve;
    });
    await page.exposeFunction('reportWritten', () => written());
    await page.evaluate(
      ([n, o]) => {
        void window.holdTransaction(n, o);
      },
      [name, optimistic],
    );
    await reported;
    await page.close();
    const reloaded = await browser.openTestPage('transactions.html');
    assert.deepEqual(await reloaded.evaluate((n) => window.countNamed(n, 'uncommitted'), name), { count: 0, problems: [] });
    assert.equal((await reloaded.evaluate((n) => window.countNamed(n, 'committed before'), name)).count, 1);
    await reloaded.close();
  });
}
