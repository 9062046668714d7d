// crash.test.mjs: a page is closed in the middle of large flushes, at random
// points, 20 times, on the IndexedDB store and on the OPFS store (there the
// page's engine Worker dies with it, holding the file's sync access
// handles, which the next page must get back). After each, a new page
// reopens the database: SQLite's integrity check passes, every commit whose promise resolved is there, and
// every commit that is there is whole (nothing half-written).
// Each round waits for the page's first resolved commit before it picks the
// moment to close it, and asserts that at least one commit resolved: without
// that, a page whose writes never resolve would pass, having nothing to lose.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { TEST_MOUNTS, startBrowser } from './harness.mjs';

const ROUNDS = 20;
/** Commits that must resolve in every round before the page is closed. */
const MIN_RESOLVED_PER_ROUND = 1;
/** How long a round waits for its first commit (opening the database and one flush: 0.2-0.5 s here). */
const FIRST_COMMIT_TIMEOUT_MS = 15000;

let browser;
before(async () => {
  browser = await startBrowser({ mounts: TEST_MOUNTS });
});
after(async () => {
  await browser?.close();
});

const newPage = () => browser.openTestPage('crash.html');

for (const storage of ['indexeddb', 'opfs']) {
  test(`closing the page mid-flush ${ROUNDS} times on ${storage} loses no resolved commit and leaves nothing half-written`, async () => {
    const name = `crash-${storage}`;
    let resolved = 0;
    let resolvedInAll = 0;
    let nextBatch = 1;
    let random = 12345;
    let rowsPerCommit;
    for (let round = 0; round < ROUNDS; round++) {
      const page = await newPage();
      let resolvedInRound = 0;
      let firstResolved;
      const firstCommit = new Promise((resolve) => (firstResolved = resolve));
      await page.exposeFunction('reportResolved', (batch) => {
        resolved = Math.max(resolved, batch);
        resolvedInRound++;
        firstResolved();
      });
      void page
        .evaluate(([db, first, store]) => window.writeUntilClosed(db, first, store), [name, nextBatch, storage])
        .catch(() => undefined);
      // Close at a random point of the flushes that follow the first resolved commit (0.3 s holds up to about 10 more).
      let timer;
      await Promise.race([firstCommit, new Promise((resolve) => (timer = setTimeout(resolve, FIRST_COMMIT_TIMEOUT_MS)))]);
      clearTimeout(timer);
      random = (random * 1103515245 + 12345) % 2147483648;
      await new Promise((resolve) => setTimeout(resolve, random % 300));
      await page.close();
      const closedAfter = resolvedInRound;
      resolvedInAll += closedAfter;

      const checker = await newPage();
      const { problems, counts, batchSize } = await checker.evaluate(([db, store]) => window.verify(db, store), [name, storage]);
      await checker.close();
      rowsPerCommit = batchSize;
      assert.deepEqual(problems, [], `round ${round}: integrity`);
      for (let batch = 1; batch <= resolved; batch++) {
        assert.equal(counts[batch], batchSize, `round ${round}: resolved batch ${batch} must be whole`);
      }
      for (const [batch, count] of Object.entries(counts)) {
        assert.equal(count, batchSize, `round ${round}: batch ${batch} is half-written`);
      }
      assert.ok(
        closedAfter >= MIN_RESOLVED_PER_ROUND,
        `round ${round}: ${closedAfter} commits resolved before the page was closed, expected at least ${MIN_RESOLVED_PER_ROUND}` +
          ` (waited ${FIRST_COMMIT_TIMEOUT_MS} ms for the first): the test would check nothing`,
      );
      nextBatch = Math.max(resolved, ...Object.keys(counts).map(Number)) + 1;
    }
    console.log(`# crash ${storage}: ${ROUNDS} rounds, ${resolvedInAll} resolved commits of ${rowsPerCommit} rows, all intact`);
  });
}
