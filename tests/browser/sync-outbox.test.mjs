// sync-outbox.test.mjs: REST sync in real Chromium. Two browser contexts
// (two "devices", each with its own IndexedDB) sync contacts through the
// reference server (sync-server/); one goes offline, writes, reloads with
// its outbox pending, comes back; both devices and the server converge, and
// the server's apply log shows no change applied twice.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchChromium } from '../../scripts/chromium.mjs';
import { startServer } from '../../scripts/serve.mjs';
import { startSyncServer } from '../../sync-server/reference-server.mjs';
import { TEST_MOUNTS } from './harness.mjs';

let web;
let chromium;
let syncServer;
before(async () => {
  web = await startServer({ mounts: TEST_MOUNTS });
  chromium = await launchChromium();
  syncServer = await startSyncServer();
});
after(async () => {
  await chromium?.close();
  await web?.close();
  await syncServer?.close();
});

async function device() {
  const context = await chromium.newContext();
  const page = await context.newPage();
  const open = async () => {
    await page.goto(`${web.url}test/sync.html`);
    await page.locator('#status', { hasText: 'ready' }).waitFor({ timeout: 15000 });
    await page.evaluate((url) => window.startSync(url), syncServer.url);
  };
  await open();
  return { context, page, open };
}

test('two devices converge through the server across an offline period and a reload', async () => {
  const A = await device();
  const B = await device();
  const ops = (prefix, n) => Array.from({ length: n }, (_, i) => ['put', `${prefix}${i}`, `${prefix} ${i}`]);
  await A.page.evaluate((o) => window.write(o), ops('a', 20));
  await B.page.evaluate((o) => window.write(o), ops('b', 20));
  assert.equal(await A.page.evaluate(() => window.syncAll()), 'ok');
  assert.equal(await B.page.evaluate(() => window.syncAll()), 'ok');
  assert.equal(await A.page.evaluate(() => window.syncAll()), 'ok'); // A now has B's contacts too

  // A goes offline, edits and deletes, fails to sync, and reloads with its outbox pending.
  // Offline for the sync server only (the page itself must still reload): its requests fail as with no network.
  const cutOff = (route) => route.abort('internetdisconnected');
  await A.context.route(`${syncServer.url}/**`, cutOff);
  await A.page.evaluate(() =>
    window.write([
      ['update', 'b1', 'b1 edited offline by A'],
      ['delete', 'b2'],
      ['put', 'a100', 'made offline'],
    ]),
  );
  assert.match(await A.page.evaluate(() => window.syncAll()), /SyncError/);
  assert.equal(await A.page.evaluate(() => window.pending()), 3);
  await A.page.reload();
  await A.page.locator('#status', { hasText: 'ready' }).waitFor({ timeout: 15000 });
  await A.page.evaluate((url) => window.startSync(url), syncServer.url);
  assert.equal(await A.page.evaluate(() => window.pending()), 3, 'the outbox survived the reload');

  // Meanwhile B edits too.
  await B.page.evaluate(() => window.write([['update', 'a3', 'a3 edited by B']]));
  assert.equal(await B.page.evaluate(() => window.syncAll()), 'ok');

  await A.context.unroute(`${syncServer.url}/**`, cutOff);
  for (const d of [A, B, A, B]) assert.equal(await d.page.evaluate(() => window.syncAll()), 'ok');
  const onA = await A.page.evaluate(() => window.contacts());
  const onB = await B.page.evaluate(() => window.contacts());
  const onServer = Object.fromEntries(Object.entries(syncServer.store.snapshot('contacts')).map(([k, v]) => [JSON.parse(k), v]));
  assert.deepEqual(onA, onB);
  assert.deepEqual(onServer, onA);
  assert.equal(onA.b1.name, 'b1 edited offline by A');
  assert.equal(onA.b2, undefined);
  assert.equal(onA.a100.name, 'made offline');
  assert.equal(onA.a3.name, 'a3 edited by B');
  assert.equal(Object.keys(onA).length, 40);
  const stats = syncServer.store.stats();
  assert.equal(stats.appliedChanges, stats.distinctChangeIds);
  assert.equal(await A.page.evaluate(() => window.pending()), 0);
  await A.context.close();
  await B.context.close();
});
