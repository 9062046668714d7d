// opfs-tabs.test.mjs: several pages on one database stored in OPFS
// (storage: 'opfs'), in real Chromium. One page owns the database's engine
// (js/src/tabs: elected with a Web Lock) and runs it in its Worker; the
// others send their operations to it. Shown here with the public API:
// transactions from three pages never lose an update, a live query in one
// page hears another page's write, when the owner page goes away the next
// one takes over with every acknowledged write, and a page that upgrades the
// schema closes the pages that declared less (versionchange).
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

async function openTabs(count, name) {
  const pages = [];
  for (let i = 0; i < count; i++) {
    const page = await browser.openTestPage('tabs.html');
    await page.evaluate(([n, storage]) => window.openDb(n, storage), [name, 'opfs']);
    pages.push(page);
  }
  return pages;
}

test('three pages on OPFS: increments in read-write transactions lose no update, and every page reads the total', async () => {
  const pages = await openTabs(3, 'opfs-counter');
  const perPage = 40;
  const done = await Promise.all(pages.map((page) => page.evaluate((n) => window.incrementInTransactions(n), perPage)));
  assert.deepEqual(done, [perPage, perPage, perPage]);
  for (const page of pages) assert.equal(await page.evaluate(() => window.counter()), 3 * perPage);
  await Promise.all(pages.map((page) => page.close()));
});

test("a live query in one page re-runs on another page's write (the owner's change sets reach every page)", async () => {
  const [owner, follower] = await openTabs(2, 'opfs-live');
  await follower.evaluate(() => window.watchNotes());
  await owner.evaluate(() => window.watchNotes());
  await owner.evaluate((text) => window.write(text), 'from-owner');
  await follower.evaluate((text) => window.write(text), 'from-follower');
  for (const page of [owner, follower]) {
    const counts = await page.evaluate(async () => {
      for (let i = 0; i < 200 && window.liveCounts.at(-1) !== 2; i++) await new Promise((r) => setTimeout(r, 10));
      return window.liveCounts;
    });
    assert.equal(counts.at(-1), 2, `live counts ${counts}`);
  }
  await Promise.all([owner.close(), follower.close()]);
});

test('the owner page closing hands the engine to the next page: acknowledged writes are there, writes go on', async () => {
  const [first, second] = await openTabs(2, 'opfs-handover');
  for (let i = 0; i < 5; i++) await first.evaluate((text) => window.write(text), `first-${i}`);
  await second.evaluate((text) => window.write(text), 'second-0');
  await first.close(); // the owner (it opened first) goes away
  // A write sent to the owner as it went away rejects with ConnectionLostError (it may or may not
  // have been applied: never silently lost); once the second page has taken over, writes go on.
  const outcome = await second.evaluate(async (text) => {
    try {
      await window.write(text);
      return 'written';
    } catch (error) {
      if (error.name !== 'ConnectionLostError') throw error;
      await window.write(text);
      return 'written after ConnectionLostError';
    }
  }, 'second-1');
  assert.match(outcome, /^written/);
  for (const text of ['first-0', 'first-4', 'second-0', 'second-1']) {
    assert.notEqual(await second.evaluate((t) => window.waitForNote(t, 2000), text), null, `${text} is there`);
  }
  await second.evaluate(() => window.closeDb());
  await second.close();
  // A page opened afterwards reads what OPFS holds.
  const [fresh] = await openTabs(1, 'opfs-handover');
  assert.notEqual(await fresh.evaluate((t) => window.waitForNote(t, 2000), 'second-1'), null);
  await fresh.close();
});

test('an upgrade in a newer page fires versionchange in the older page on OPFS and closes it; the data and the new index are there', async () => {
  const stores = [{ items: '++id' }, { items: '++id, name' }];
  const older = await browser.openTestPage('tabs.html');
  assert.equal(await older.evaluate((s) => window.openVersion('opfs-upgrade-tabs', 1, s, 'opfs'), stores), 1);
  assert.equal(await older.evaluate(() => window.versionedAdd({ name: 'before' })), 1);
  const newer = await browser.openTestPage('tabs.html');
  assert.equal(await newer.evaluate((s) => window.openVersion('opfs-upgrade-tabs', 2, s, 'opfs'), stores), 2);
  // The older page owned the engine and closes now (versionchange): this write, sent to it while it
  // closes, is answered, or resent to the next owner (its 'bye', or 'notrun'), never lost or failed.
  assert.equal(await newer.evaluate(() => window.versionedAdd({ name: 'after' })), 2, await newer.evaluate(() => window.lastError));
  const events = await older.evaluate(async () => {
    for (let i = 0; i < 200 && window.events.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    return window.events;
  });
  assert.deepEqual(events, [['versionchange', 2]]);
  assert.equal((await older.evaluate(() => window.versionedState())).open, false, 'the older page closed');
  const state = await newer.evaluate(() => window.versionedState());
  assert.deepEqual(state.items, [
    { name: 'before', id: 1 },
    { name: 'after', id: 2 },
  ]);
  assert.deepEqual(state.indexes, ['name']);
  assert.deepEqual(state.integrity, []);
  assert.deepEqual(await newer.evaluate(() => window.events), [], 'the upgrading page hears nothing of its own upgrade');
  await older.close();
  await newer.close();
});
