// recovery.test.mjs: the browser closes the database's IndexedDB connection,
// or its stored data disappears, in real Chromium (db/connection-recovery.ts).
//   - Closed with the data intact (the page closes the IDBDatabase and fires
//     its `close` event, as the browser does; or only closes it): writes made
//     right after, before any reconnect, all succeed on a new connection, and
//     a fresh instance reads them back, integrity clean.
//   - The origin's IndexedDB cleared through the DevTools protocol
//     (Storage.clearDataForOrigin) while a big commit is being stored: that
//     write rejects with ConnectionLostError ("may not have been saved"), the
//     database reopens with what is stored (nothing) and fires 'dataloss' with
//     the commit it expected and the one it found; the next write succeeds.
//   - Cleared while idle: the next write runs on the reopened database.
//   - Deleted behind indexie's back while closed (the commit marker in
//     localStorage stays): opening fires 'dataloss', once; deleting through
//     indexie removes the marker, so a deliberate deletion is no loss. The
//     same in a module worker, where the marker lives in the Cache API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { TEST_MOUNTS, startBrowser } from './harness.mjs';

let browser;
let page;
let cdp;
let origin;
before(async () => {
  browser = await startBrowser({ mounts: TEST_MOUNTS });
  page = await browser.openTestPage('recovery.html');
  cdp = await browser.context.newCDPSession(page);
  origin = new URL(browser.url).origin;
  await page.exposeFunction('clearIndexedDb', () => cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'indexeddb' }));
});
after(async () => {
  await browser?.close();
});

for (const withEvent of [true, false]) {
  test(`connection closed ${withEvent ? 'by the browser (close event)' : 'without a close event'}: writes right after succeed on a reopened connection`, async () => {
    const name = `closed-${withEvent}`;
    assert.equal(await page.evaluate(({ name }) => window.addItems(name, 0, 50), { name }), 50);
    const r = await page.evaluate(({ name, withEvent }) => window.writeRightAfterClose(name, withEvent), { name, withEvent });
    assert.deepEqual(r.results, ['ok', 'ok', 'ok']);
    assert.equal(r.count, 50 + 1 + 2 + 1500);
    assert.equal(r.reopened, 1, 'one new connection, shared by the writes');
    assert.deepEqual(r.events, [], 'nothing was lost');
    const fresh = await page.evaluate((name) => window.readFresh(name), name);
    assert.deepEqual(fresh, { count: 1553, problems: [], events: [] });
  });
}

test('IndexedDB cleared while a commit is stored: that write rejects with ConnectionLostError, the database reopens and reports the loss', async () => {
  const name = 'cleared-in-flight';
  assert.equal(await page.evaluate((name) => window.addItems(name, 0, 100), name), 100);
  const outcome = await page.evaluate((name) => window.writeWhileCleared(name, 20000), name);
  assert.equal(outcome.name, 'ConnectionLostError', JSON.stringify(outcome));
  assert.match(outcome.message, /may not have been saved: the browser closed the IndexedDB connection/);
  const events = await page.evaluate((name) => window.waitForDataLoss(name), name);
  assert.equal(events.length, 1);
  assert.equal(events[0].reason, 'wiped');
  assert.equal(events[0].foundCommit, 0);
  assert.ok(events[0].expectedCommit >= 2, `expected the commits saved before: ${JSON.stringify(events[0])}`);
  assert.match(events[0].message, /stored data of database 'cleared-in-flight' is gone.*it starts empty/);
  const r = await page.evaluate((name) => window.afterWipe(name), name);
  assert.deepEqual(
    { countAfter: r.countAfter, count: r.count, isOpen: r.isOpen, events: r.events.length },
    { countAfter: 0, count: 1, isOpen: true, events: 1 },
  );
  const fresh = await page.evaluate((name) => window.readFresh(name), name);
  assert.deepEqual(fresh, { count: 1, problems: [], events: [] });
});

test('IndexedDB cleared while idle: the next write runs on the reopened database, and the loss is reported', async () => {
  const name = 'cleared-idle';
  assert.equal(await page.evaluate((name) => window.addItems(name, 0, 30), name), 30);
  await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'indexeddb' });
  const r = await page.evaluate((name) => window.afterWipe(name), name);
  assert.equal(r.added, 1, 'the write ran on the reopened, empty database');
  assert.equal(r.count, 1);
  assert.equal(r.events.length, 1);
  assert.equal(r.events[0].reason, 'wiped');
  assert.equal(r.events[0].foundCommit, 0);
  assert.ok(r.events[0].expectedCommit >= 2);
});

test('deleted behind indexie while closed: opening fires dataloss once; deleting through indexie is no loss', async () => {
  const name = 'wiped-closed';
  assert.equal(await page.evaluate((name) => window.addItems(name, 0, 20), name), 20);
  await page.evaluate((name) => window.addItems(name, 20, 5), name);
  await page.evaluate((name) => window.closeDatabase(name), name);
  const marker = Number(await page.evaluate((name) => window.marker(name), name));
  assert.ok(marker >= 3, `the marker records the last commit on close: ${marker}`);
  await page.evaluate((name) => window.deleteBehindBack(name), name);
  // A reload: the marker in localStorage survives it, as it survives the browser's own wipe.
  await page.reload();
  await page.locator('#status', { hasText: 'ready' }).waitFor();
  const first = await page.evaluate((name) => window.readFresh(name), name);
  assert.equal(first.count, 0);
  assert.equal(first.events.length, 1);
  assert.deepEqual(
    { reason: first.events[0].reason, expectedCommit: first.events[0].expectedCommit, foundCommit: first.events[0].foundCommit },
    { reason: 'wiped', expectedCommit: marker, foundCommit: 0 },
  );
  const second = await page.evaluate((name) => window.readFresh(name), name);
  assert.deepEqual(second.events, [], 'reported once');

  await page.evaluate((name) => window.addItems(name, 0, 10), name);
  await page.evaluate((name) => window.closeDatabase(name), name);
  await page.evaluate((name) => window.deleteThroughIndexie(name), name);
  assert.equal(await page.evaluate((name) => window.marker(name), name), null);
  const afterDelete = await page.evaluate((name) => window.readFresh(name), name);
  assert.deepEqual(afterDelete, { count: 0, problems: [], events: [] });
});

test('in a worker (no localStorage) the marker lives in the Cache API: a database deleted behind its back is reported', async () => {
  const name = 'wiped-in-worker';
  assert.deepEqual(await page.evaluate((name) => window.inWorker({ name, write: true }), name), { count: 3, events: [] });
  await page.waitForTimeout(200); // the marker's Cache API write is asynchronous
  await page.evaluate((name) => window.deleteBehindBack(name), name);
  const r = await page.evaluate((name) => window.inWorker({ name }), name);
  assert.equal(r.count, 0);
  assert.equal(r.events.length, 1, JSON.stringify(r));
  assert.equal(r.events[0].reason, 'wiped');
  assert.equal(r.events[0].foundCommit, 0);
  assert.ok(r.events[0].expectedCommit >= 2, JSON.stringify(r.events[0]));
});
