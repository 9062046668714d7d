// sync-tabs.test.mjs: REST sync with two tabs of one origin on one
// database, in real Chromium. Both tabs run db.sync() and write; the Web
// Lock `indexie-sync:<db>` lets one push at a time, so the link to the
// server (sync-server/link-proxy.mjs) never sees two pushes of this browser
// in flight together; both tabs show the same pending count, read from the
// database; and a tab closed in the middle of its push (after the server
// applied it, before the answer came back) loses nothing: the other tab
// takes over, re-sends under the same ids, and the server ends complete.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startLinkProxy } from '../../sync-server/link-proxy.mjs';
import { startSyncServer } from '../../sync-server/reference-server.mjs';
import { TEST_MOUNTS, startBrowser } from './harness.mjs';

let browser;
let syncServer;
let link;
before(async () => {
  browser = await startBrowser({ mounts: TEST_MOUNTS });
  syncServer = await startSyncServer();
  link = await startLinkProxy(syncServer.url);
});
after(async () => {
  await browser?.close();
  await link?.close();
  await syncServer?.close();
});

async function openTab(name) {
  const page = await browser.openTestPage('sync-device.html');
  // The header tells the link which tab sent a push.
  await page.evaluate(([url, tab]) => window.startSync(url, { headers: { 'x-tab': tab } }), [link.url, name]);
  return page;
}

const put = (page, ids) =>
  page.evaluate(async (list) => {
    for (const id of list) await window.write(['put', { id, n: 1, name: `contact ${id}` }]);
  }, ids);
const pendingIn = (page) => page.evaluate(() => window.syncStatus().pendingChanges);

async function until(what, check, timeout = 15000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const serverKeys = () =>
  Object.keys(syncServer.store.snapshot('contacts'))
    .map((key) => JSON.parse(key))
    .sort();

test('two tabs: one pushes at a time, both show the pending count, a tab closed mid-push loses nothing', { timeout: 60000 }, async () => {
  const tab1 = await openTab('tab1');
  const tab2 = await openTab('tab2');

  // Both write at once; each write schedules a push in its tab, and both tabs run rounds every 400 ms.
  const ids1 = Array.from({ length: 40 }, (_, i) => `t1-${i}`);
  const ids2 = Array.from({ length: 40 }, (_, i) => `t2-${i}`);
  await Promise.all([put(tab1, ids1), put(tab2, ids2)]);
  await until('the server to hold all 80', () => serverKeys().length === 80);
  await until('both tabs to show nothing pending', async () => (await pendingIn(tab1)) === 0 && (await pendingIn(tab2)) === 0);
  assert.ok(link.stats.pushes >= 2, `pushes: ${link.stats.pushes}`);
  assert.equal(link.stats.maxConcurrentPushes, 1, 'two pushes of this browser were in flight at once');
  let stats = syncServer.store.stats();
  assert.equal(stats.appliedChanges, 80);
  assert.equal(stats.duplicates, 0, 'no tab re-sent what the other had pushed');

  // Offline: a write in one tab shows as pending in both (the count is read from the database).
  link.online = false;
  const offline = Array.from({ length: 5 }, (_, i) => `off-${i}`);
  await put(tab1, offline);
  await until('both tabs to show 5 pending', async () => (await pendingIn(tab1)) === 5 && (await pendingIn(tab2)) === 5);

  // Online again: hold the first push, let the server apply it, then close the tab that sent it.
  const held = link.nextPush(20000);
  link.online = true;
  const push = await held;
  const sender = push.headers['x-tab'];
  const [closing, survivor] = sender === 'tab1' ? [tab1, tab2] : [tab2, tab1];
  assert.deepEqual(push.body.changes.map((change) => change.key).sort(), offline);
  await push.forward(); // applied on the server; the answer never reaches the tab
  await closing.close();
  push.drop();

  await until('the other tab to finish the push', async () => (await pendingIn(survivor)) === 0);
  assert.deepEqual(serverKeys(), [...ids1, ...ids2, ...offline].sort());
  stats = syncServer.store.stats();
  assert.equal(stats.appliedChanges, 85);
  assert.equal(stats.distinctChangeIds, 85, 'no change applied twice');
  assert.ok(stats.duplicates >= 5, `the surviving tab re-sent the closed tab's changes under their ids (duplicates: ${stats.duplicates})`);
  assert.equal(link.stats.maxConcurrentPushes, 1);
  const local = await survivor.evaluate(() => window.contacts());
  assert.deepEqual(Object.keys(local).sort(), serverKeys());
  console.log(`# sync tabs: ${link.stats.pushes} pushes, at most ${link.stats.maxConcurrentPushes} in flight; closed ${sender} mid-push`);
});
