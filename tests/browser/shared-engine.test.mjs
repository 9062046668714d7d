// shared-engine.test.mjs: js/src/tabs' one-engine-for-all-tabs in real
// Chromium: several pages of one origin in one browser profile are several
// tabs. Each page (pages/shared-engine.js) joins the shared engine of one
// database with the in-process wasm host over the memory VFS as the owner's
// host, and drives it with the real Engine class, so every batch is a real
// engine request that travels between tabs as bytes.
//
// The memory VFS lives in the owner tab's wasm module, so a new owner starts
// from an empty database: the handover tests check liveness and the errors
// of what was in flight, not that data survives (durability is the owner
// host's: OPFS, where a Worker host is used).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { ROOT } from '../../scripts/serve.mjs';
import { TEST_MOUNTS, startBrowser } from './harness.mjs';

let browser;
before(async () => {
  browser = await startBrowser({ mounts: [...TEST_MOUNTS, { prefix: '/build-tsc/', dir: join(ROOT, 'js', 'build-tsc') }] });
});
after(async () => {
  await browser?.close();
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` pages on the shared engine of `name`, opened one after the other (the first owns it). */
async function openTabs(count, name, options = {}) {
  const pages = [];
  for (let i = 0; i < count; i++) {
    const page = await browser.openTestPage('shared-engine.html');
    await page.evaluate(([n, o]) => window.openShared(n, o), [name, options]);
    pages.push(page);
  }
  return pages;
}

const owners = (pages) => Promise.all(pages.map((page) => page.evaluate(() => window.isOwner())));

/** Polls `check` until it returns something truthy (or `ms` pass). */
async function eventually(check, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value || Date.now() > end) return value;
    await sleep(20);
  }
}

test('three tabs write through one owner and read each other’s writes; transactional increments lose no update', async () => {
  const pages = await openTabs(3, 'counter');
  assert.deepEqual(await owners(pages), [true, false, false]);
  // Only the owner opened engine hosts (one for every tab’s main session).
  assert.deepEqual(await Promise.all(pages.map((page) => page.evaluate(() => window.hostsOpened()))), [1, 0, 0]);
  for (const [i, page] of pages.entries()) await page.evaluate((text) => window.addNote(text), `note-${i}`);
  for (const page of pages) assert.deepEqual(await page.evaluate(() => window.notes()), ['note-0', 'note-1', 'note-2']);

  const counts = await Promise.all(pages.map((page) => page.evaluate(() => window.incrementFor(3000))));
  assert.ok(
    counts.every((count) => count > 0),
    `every tab made progress: ${counts}`,
  );
  const total = counts.reduce((a, b) => a + b, 0);
  for (const page of pages) assert.equal(await page.evaluate(() => window.counter()), total, `counts ${counts}`);
  console.log(`# shared engine: ${counts.join(' + ')} = ${total} transactional increments in 3 s`);
  await Promise.all(pages.map((page) => page.close()));
  assert.deepEqual(browser.consoleErrors, []);
});

test('a follower’s open transaction holds other tabs’ batches until it ends; a follower tab closed mid-transaction is rolled back', async () => {
  const [owner, holder, waiter] = await openTabs(3, 'exclusive');
  await holder.evaluate(() => window.beginAndPut(100));
  await owner.evaluate(() => window.startRead());
  await waiter.evaluate(() => window.startRead());
  await sleep(400);
  assert.equal(await owner.evaluate(() => window.startedSettled()), null, 'the owner’s own read waits');
  assert.equal(await waiter.evaluate(() => window.startedSettled()), null, 'another follower’s read waits');
  await holder.evaluate(() => window.commit());
  // They ran after the commit (the value it committed), not before it (they waited 400 ms above).
  for (const page of [owner, waiter]) assert.deepEqual(await page.evaluate(() => window.startedResult()), { value: 100 });

  // A second follower tab opens a transaction and is closed in the middle of it.
  const [doomed] = await openTabs(1, 'exclusive');
  await doomed.evaluate(() => window.beginAndPut(999));
  await waiter.evaluate(() => window.startRead());
  await sleep(400);
  assert.equal(await waiter.evaluate(() => window.startedSettled()), null, 'the read waits for the open transaction');
  await doomed.close();
  assert.deepEqual(await waiter.evaluate(() => window.startedResult()), { value: 100 }, 'rolled back: 999 never committed');
  assert.deepEqual(await owner.evaluate(() => window.attempt('addNote', 'after')), { value: 1 });
  assert.equal(await holder.evaluate(() => window.counter()), 100);
  await Promise.all([owner, holder, waiter].map((page) => page.close()));
});

test('the owner tab closing hands the engine to the next tab, with every acknowledged write; what it had not answered rejects with ConnectionLostError', async () => {
  const [owner, holder, waiter] = await openTabs(3, 'handover', { snapshot: true });
  for (const [i, page] of [owner, holder, waiter].entries()) await page.evaluate((text) => window.addNote(text), `note-${i}`);
  await holder.evaluate(() => window.beginAndPut(1)); // holds the engine: the next write waits at the owner
  await waiter.evaluate(() => window.startWrite('in flight'));
  await sleep(300);
  assert.equal(await waiter.evaluate(() => window.startedSettled()), null);
  await owner.close(); // the tab goes away: its owner lock frees

  const lost = await waiter.evaluate(() => window.startedResult());
  assert.equal(lost.name, 'ConnectionLostError', JSON.stringify(lost));
  assert.ok(lost.classes.includes('DatabaseClosedError'));
  assert.match(lost.message, /may or may not have been applied/);
  assert.ok(await eventually(async () => (await owners([holder, waiter])).includes(true)), 'a follower took over');
  assert.deepEqual(await owners([holder, waiter]), [true, false], 'the first tab in the lock’s queue');

  // The holder's transaction was open on the old owner: it is lost, up to its end.
  const commit = await holder.evaluate(() => window.attempt('commit'));
  assert.equal(commit.name, 'ConnectionLostError', JSON.stringify(commit));
  assert.match(commit.message, /transaction was open there and is lost/);
  // Every acknowledged write is there (the owner's host saved it before answering); the lost ones are not.
  assert.deepEqual(await waiter.evaluate(() => window.notes()), ['note-0', 'note-1', 'note-2']);
  assert.equal(await waiter.evaluate(() => window.counter()), 0);
  // New requests work, from both tabs.
  assert.deepEqual(await waiter.evaluate(() => window.attempt('addNote', 'after')), { value: 4 });
  assert.deepEqual(await holder.evaluate(() => window.notes()), ['note-0', 'note-1', 'note-2', 'after']);
  const increments = await waiter.evaluate(() => window.incrementFor(200));
  assert.equal(await holder.evaluate(() => window.counter()), increments);
  assert.equal(await holder.evaluate(() => window.hostsOpened()), 1, 'the new owner opened the host itself');
  await Promise.all([holder, waiter].map((page) => page.close()));
});

test('an owner that closes its database hands what it never started to the next owner', async () => {
  const [owner, holder, waiter] = await openTabs(3, 'graceful', { snapshot: true });
  await holder.evaluate(() => window.beginAndPut(1));
  await waiter.evaluate(() => window.startWrite('moved'));
  await sleep(300);
  await owner.evaluate(() => window.closeShared());
  // Not started at the old owner: it runs at the new one (the holder's tab) and resolves.
  assert.deepEqual(await waiter.evaluate(() => window.startedResult()), { value: 1 });
  assert.deepEqual(await owners([holder, waiter]), [true, false]);
  // The holder's transaction was open on the old owner: its next batches fail up to its end.
  assert.equal((await holder.evaluate(() => window.attempt('notes'))).name, 'ConnectionLostError');
  assert.equal((await holder.evaluate(() => window.attempt('commit'))).name, 'ConnectionLostError');
  assert.deepEqual(await holder.evaluate(() => window.notes()), ['moved']);
  assert.equal(await waiter.evaluate(() => window.counter()), 0, 'the holder’s transaction was rolled back');
  await Promise.all([owner, holder, waiter].map((page) => page.close()));
});

test('change sets reach every other tab, owner and followers alike', async () => {
  const pages = await openTabs(3, 'changes');
  const sent = [];
  for (const [i, writer] of pages.entries()) sent.push(await writer.evaluate((text) => window.writeAndBroadcast(text), `change-${i}`));
  for (const [j, page] of pages.entries()) {
    const received = await eventually(() => page.evaluate(() => (window.received.length >= 2 ? window.received : null)), 2000);
    await sleep(100); // nothing more arrives (not its own)
    assert.equal((await page.evaluate(() => window.received)).length, 2, `tab ${j}`);
    const expected = sent.filter((_, i) => i !== j);
    assert.deepEqual(
      received.map(({ length, head }) => ({ length, head })),
      expected.map(({ length, head }) => ({ length, head })),
      `tab ${j} heard the other tabs’ change sets, in order, byte for byte`,
    );
    received.forEach(({ at }, k) => assert.ok(at >= expected[k].at - 1));
  }
  await Promise.all(pages.map((page) => page.close()));
});

test('an owner stuck in a long task: a follower’s operation rejects with OwnerTimeoutError after the bound, and works again after', async () => {
  const [owner, follower] = await openTabs(2, 'stuck', { ownerTimeoutMs: 1000 });
  await follower.evaluate(() => window.addNote('before'));
  // The owner's main thread is busy for 3 s (pages are separate renderer processes: the follower runs on).
  const busy = owner.evaluate(() => {
    const end = Date.now() + 3000;
    while (Date.now() < end);
  });
  await sleep(100);
  const started = Date.now();
  const result = await follower.evaluate(() => window.attempt('notes'));
  const waited = Date.now() - started;
  assert.equal(result.name, 'OwnerTimeoutError', JSON.stringify(result));
  assert.ok(result.classes.includes('ConnectionLostError'));
  assert.match(result.message, /did not answer for 1000 ms/);
  assert.ok(waited >= 1000 && waited < 2500, `rejected after ${waited} ms`);
  await busy;
  assert.deepEqual(await follower.evaluate(() => window.attempt('notes')), { value: ['before'] });
  await Promise.all([owner, follower].map((page) => page.close()));
});
