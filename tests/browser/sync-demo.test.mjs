// sync-demo.test.mjs: walks through the sync demo (demo/sync.html, built into
// build/demo/) in real Chromium with the reference sync server: a contact
// added on device A reaches B; A offline shows its pending change and pushes
// it when back; a conflict made on purpose is settled by the chosen
// strategy (newest-wins, then the field merge) the same way on both devices
// and the server. Saves screenshots in test-artifacts/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startSyncServer } from '../../sync-server/reference-server.mjs';
import { screenshotPath, startBrowser } from './harness.mjs';

let browser;
let syncServer;
before(async () => {
  browser = await startBrowser();
  syncServer = await startSyncServer();
});
after(async () => {
  await browser?.close();
  await syncServer?.close();
});

const names = (page, device) => page.locator(`#contacts-${device} li .name`).allTextContents();

test('the sync demo: two devices, offline with a pending change, a conflict per strategy', async () => {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${browser.url}sync.html?server=${encodeURIComponent(syncServer.url)}`);
  await page.locator('#server-status[data-state="ready"]').waitFor({ timeout: 20000 });

  await page.fill('#add-A input[name="name"]', 'Ann from A');
  await page.click('#add-A button[type="submit"]');
  await page.locator('#contacts-A li', { hasText: 'Ann from A' }).waitFor();
  await page.click('#sync-B');
  await page.locator('#contacts-B li', { hasText: 'Ann from A' }).waitFor({ timeout: 10000 });

  // Offline: the write waits in A's outbox, counted on screen, and goes when A is back.
  await page.check('#offline-A');
  await page.fill('#add-A input[name="name"]', 'Bo, added offline');
  await page.click('#add-A button[type="submit"]');
  await page.locator('#pending-A', { hasText: '1 pending' }).waitFor({ timeout: 10000 });
  await page.locator('#state-A[data-state="offline"]').waitFor({ timeout: 10000 });
  assert.deepEqual(await names(page, 'B'), ['Ann from A']);
  await page.screenshot({ path: screenshotPath('sync-demo-offline'), fullPage: true });
  await page.uncheck('#offline-A');
  await page.locator('#pending-A', { hasText: '0 pending' }).waitFor({ timeout: 10000 });
  await page.click('#sync-B');
  await page.locator('#contacts-B li', { hasText: 'Bo, added offline' }).waitFor({ timeout: 10000 });

  // A conflict per strategy: A renames, B (later) changes the phone.
  const conflict = async (strategy) => {
    await page.selectOption('#strategy', strategy);
    await page.click('#make-conflict');
    await page.locator('#make-conflict:enabled').waitFor({ timeout: 20000 });
    await page.locator('#conflict-outcome', { hasText: 'the same' }).waitFor({ timeout: 5000 });
    return page.locator('#conflict-outcome').textContent();
  };
  const newest = await conflict('newest-wins');
  assert.match(newest, /settled for local/, newest); // B's edit is the later one: B's copy wins
  assert.match(newest, /“Robin Conflict”, 555-0199 \(set on B\)/);
  const merged = await conflict('merge');
  assert.match(merged, /settled for merged/, merged);
  assert.match(merged, /“Robin \(renamed on A\)”, 555-0199 \(set on B\)/);

  // Both devices list the same contacts as the server holds.
  const server = Object.values(syncServer.store.snapshot('contacts'))
    .map((c) => c.name)
    .sort();
  const sortedA = [...(await names(page, 'A'))].sort();
  assert.deepEqual(sortedA, server);
  assert.deepEqual([...(await names(page, 'B'))].sort(), server);
  assert.equal(await page.locator('#pending-A').textContent(), '0 pending');
  assert.equal(await page.locator('#pending-B').textContent(), '0 pending');
  const stats = syncServer.store.stats();
  assert.equal(stats.appliedChanges, stats.distinctChangeIds);
  assert.ok(stats.conflicts >= 2);
  await page.screenshot({ path: screenshotPath('sync-demo-conflicts'), fullPage: true });
  assert.deepEqual(browser.consoleErrors, []);
});
