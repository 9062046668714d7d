// electric-sync.test.mjs: table.syncElectric() in real Chromium (real
// IndexedDB, the browser's fetch, CORS) against the test shape server over a
// real Postgres (tests/electric/), on its own port, so every request is
// cross-origin. For long-poll and SSE, in a fresh browser context each:
// - the initial sync (120 rows in 3 pages) equals SELECT;
// - live inserts, partial updates and deletes made with SQL arrive, and a
//   liveQuery in the page re-runs; every emission it made equals the shape
//   as of one of the SQL transactions (never half a transaction);
// - a reload mid-live (with a change committed while the page was away)
//   resumes from the stored position: no request after the reload asks for
//   offset=-1, and the table equals SELECT (nothing lost, nothing doubled);
// - a must-refetch (the server rotates the handle while SQL changes rows)
//   ends equal to the new shape, and every liveQuery emission is the old
//   shape or the new one, never a mix;
// - in a module Worker (its own database): the initial sync equals SELECT
//   and a live change arrives.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchChromium } from '../../scripts/chromium.mjs';
import { startServer } from '../../scripts/serve.mjs';
import { insertItemsSql, selectItems, sortById, startElectricFixture, until } from '../electric/fixtures.mjs';
import { TEST_MOUNTS } from './harness.mjs';

let web;
let chromium;
let fixture;
const BASE_ROWS = 120;
before(async () => {
  fixture = await startElectricFixture({ chunkRows: 50, longPollMs: 1000, sseMs: 1500, keepAliveMs: 300 });
  await fixture.shapes.sql(insertItemsSql(1, BASE_ROWS + 1));
  web = await startServer({ mounts: TEST_MOUNTS });
  chromium = await launchChromium();
});
after(async () => {
  await chromium?.close();
  await web?.close();
  await fixture?.stop();
});

/** The shape as SELECT gives it, as the page's emissions spell it. */
const selectState = async () => (await selectItems(fixture.shapes.pool)).map((r) => `${r.id}:${r.title}`).join();

async function openPage(context) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${web.url}test/electric.html`);
  await page.locator('#status', { hasText: 'ready' }).waitFor({ timeout: 15000 });
  return { page, errors };
}

/** Waits until the page's table equals SELECT and its sync is up to date. */
async function equalsSelect(page, what) {
  const expected = await selectItems(fixture.shapes.pool);
  let actual;
  await until(
    async () => {
      const state = await page.evaluate(() => window.syncState());
      if (!state.isUpToDate) return false;
      actual = sortById(await page.evaluate(() => window.rows()));
      return JSON.stringify(actual) === JSON.stringify(expected);
    },
    what,
    10_000,
  ).catch((error) => {
    assert.deepEqual(actual?.slice(0, 3), expected.slice(0, 3), `${error.message} (${actual?.length} vs ${expected.length} rows)`);
    throw error;
  });
  assert.deepEqual(actual, expected);
}

const offsetsSince = (from) => fixture.shapes.requests.slice(from).map((r) => new URL(r.url, 'http://x').searchParams.get('offset'));

for (const live of ['long-poll', 'sse']) {
  test(`${live}: initial sync, live changes, a reload mid-live, a must-refetch; in Chromium`, async () => {
    const s = fixture.shapes;
    const context = await chromium.newContext();
    const { page, errors } = await openPage(context);
    try {
      // Initial sync, cross-origin.
      const fromStart = s.requests.length;
      await page.evaluate(([url, mode]) => window.startSync(url, mode), [s.url, live]);
      await equalsSelect(page, 'the initial sync');
      assert.ok(offsetsSince(fromStart).includes('0_1'), 'the snapshot came in pages');
      assert.equal((await page.evaluate(() => window.rows())).length, BASE_ROWS);

      // Live changes; every emission must be the shape as of one SQL transaction.
      const states = new Set([await selectState()]);
      const emittedBefore = await page.evaluate(() => window.emissions.length);
      const change = async (sql) => {
        await s.sql(sql);
        states.add(await selectState());
      };
      await change(insertItemsSql(1000, 1005));
      await change(`UPDATE items SET title = 'renamed ' || id WHERE id BETWEEN 10 AND 14`);
      await change(`DELETE FROM items WHERE id IN (1000, 1001, 3)`);
      await equalsSelect(page, 'live inserts, partial updates and deletes');
      const amount = await page.evaluate(async () => (await window.rows()).find((r) => r.id === '10').amount);
      assert.equal(amount, '12.50', 'a partial update kept the columns it did not carry');
      const finalState = await selectState();
      await until(async () => (await page.evaluate(() => window.emissions.at(-1))) === finalState, 'the liveQuery to re-run');
      const emissions = await page.evaluate((n) => window.emissions.slice(n), emittedBefore);
      assert.ok(emissions.length >= 1, 'the liveQuery re-ran');
      for (const emitted of emissions) assert.ok(states.has(emitted), 'each emission is the shape as of a whole transaction');
      if (live === 'sse')
        assert.ok(
          s.requests.some((r) => r.url.includes('live_sse=true')),
          'SSE was used',
        );

      // A reload mid-live: resumes from the stored position.
      await page.reload();
      await page.locator('#status', { hasText: 'ready' }).waitFor({ timeout: 15000 });
      await s.sql(`UPDATE items SET title = 'while reloading' WHERE id = 20`);
      await s.sql(insertItemsSql(2000, 2003));
      const fromReload = s.requests.length;
      await page.evaluate(([url, mode]) => window.startSync(url, mode), [s.url, live]);
      await equalsSelect(page, 'the changes made during the reload');
      await s.sql(`UPDATE items SET title = 'after reload' WHERE id = 21`);
      await equalsSelect(page, 'a live change after the reload');
      const resumed = offsetsSince(fromReload);
      assert.ok(resumed.length > 0 && !resumed.includes('-1'), `no refetch after the reload: ${resumed.join(' ')}`);

      // Must-refetch: the handle rotates while rows change; never a mix in the liveQuery.
      const before = await selectState();
      await until(async () => (await page.evaluate(() => window.emissions.at(-1))) === before, 'the liveQuery to show the shape');
      const emittedAtRotate = await page.evaluate(() => window.emissions.length);
      const fromRotate = s.requests.length;
      await s.rotate('items');
      await s.pool.query(`UPDATE items SET title = 'rotated ' || id WHERE id <= 60`);
      await s.sync();
      await equalsSelect(page, 'the refetched shape');
      const afterState = await selectState();
      await until(async () => (await page.evaluate(() => window.emissions.at(-1))) === afterState, 'the liveQuery to show the new shape');
      const around = await page.evaluate((n) => window.emissions.slice(n), emittedAtRotate);
      for (const emitted of around) assert.ok(emitted === before || emitted === afterState, 'every emission is the old or the new shape');
      assert.ok(offsetsSince(fromRotate).includes('-1'), 'the rotation made the page refetch');
      await page.evaluate(() => window.stopSync());
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await s.sql(`DELETE FROM items WHERE id > ${BASE_ROWS}`);
      await s.sql(`UPDATE items SET title = 'item ' || id`);
      await s.sql(insertItemsSql(3, 4));
    }
  });
}

test('in a module Worker: the initial sync equals SELECT, and a live change arrives', async () => {
  const s = fixture.shapes;
  const context = await chromium.newContext();
  const { page, errors } = await openPage(context);
  try {
    const rowsEqualSelect = async (what) => {
      const expected = await selectItems(s.pool);
      let state;
      await until(
        async () => {
          state = await page.evaluate(() => window.workerState());
          return state.isUpToDate && JSON.stringify(sortById(state.rows)) === JSON.stringify(expected);
        },
        what,
        10_000,
      ).catch((error) => {
        assert.fail(`${error.message}: ${state?.rows.length} rows in the Worker against ${expected.length} in Postgres`);
      });
    };
    await page.evaluate((url) => window.startWorkerSync(url, 'long-poll'), s.url);
    await rowsEqualSelect('the initial sync in the Worker');
    await s.sql(`UPDATE items SET title = 'from the worker test' WHERE id = 22`);
    await s.sql(insertItemsSql(3000, 3002));
    await rowsEqualSelect('live changes in the Worker');
    await page.evaluate(() => window.stopWorkerSync());
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
