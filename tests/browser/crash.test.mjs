// crash.test.mjs: a page is closed in the middle of large flushes, at random
// points, 20 times. After each, a new page reopens the database: SQLite's
// integrity check passes, every commit whose promise resolved is there, and
// every commit that is there is whole (nothing half-written).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { TEST_MOUNTS, startBrowser } from './harness.mjs';

const ROUNDS = 20;

let browser;
before(async () => {
  browser = await startBrowser({ mounts: TEST_MOUNTS });
});
after(async () => {
  await browser?.close();
});

const newPage = () => browser.openTestPage('crash.html');

test(`closing the page mid-flush ${ROUNDS} times loses no resolved commit and leaves nothing half-written`, async () => {
  let resolved = 0;
  let nextBatch = 1;
  let random = 12345;
  for (let round = 0; round < ROUNDS; round++) {
    const page = await newPage();
    await page.exposeFunction('reportResolved', (batch) => {
      resolved = Math.max(resolved, batch);
    });
    void page.evaluate(([name, first]) => window.writeUntilClosed(name, first), ['crash', nextBatch]).catch(() => undefined);
    random = (random * 1103515245 + 12345) % 2147483648;
    await new Promise((resolve) => setTimeout(resolve, 150 + (random % 600)));
    await page.close();

    const checker = await newPage();
    const { problems, counts, batchSize } = await checker.evaluate((name) => window.verify(name), 'crash');
    await checker.close();
    assert.deepEqual(problems, [], `round ${round}: integrity`);
    for (let batch = 1; batch <= resolved; batch++) {
      assert.equal(counts[batch], batchSize, `round ${round}: resolved batch ${batch} must be whole`);
    }
    for (const [batch, count] of Object.entries(counts)) {
      assert.equal(count, batchSize, `round ${round}: batch ${batch} is half-written`);
    }
    nextBatch = Math.max(resolved, ...Object.keys(counts).map(Number)) + 1;
  }
  console.log(`# crash: ${ROUNDS} rounds, ${resolved} resolved commits of ${1500} rows, all intact`);
});
