// worker-host.test.mjs: the engine in a dedicated Worker, in real Chromium,
// every page and worker served under the package's strict CSP
// (`script-src 'self' 'wasm-unsafe-eval'`, with a control showing it is in
// force in the page and in a worker):
//   - WorkerEngineHost with storage 'memory' on the shipped worker bundle
//     (js/dist/engine-worker.js): request batches built with RequestBuilder
//     set a schema, write, query and read back; errors inside a batch stay
//     that operation's result; a closed host refuses with DatabaseClosedError.
//   - Failures cross the boundary as errors.ts's classes; a worker that does
//     not load, or is terminated with requests in flight, rejects them all
//     with DatabaseClosedError (none hangs).
//   - The OPFS file backend (js/src/worker/opfs-file-backend.ts) in a
//     worker: bytes at offsets round-trip through write/read/size/truncate/
//     sync, across a "memory growth"; a second open of the same database
//     while the first holds it is DatabaseInUseError, and succeeds once the
//     first releases or its worker is terminated; a full origin quota makes
//     write() answer -2; exists/delete through the engine worker.
//   - End to end on OPFS (the C++ file VFS through that backend): a database
//     written in a worker that is then terminated reopens in a new worker
//     with its data; a commit the quota refuses is a QuotaExceededError that
//     keeps every earlier commit, and writes work again with room.
// Also logs the round trip of an empty request batch through the worker
// (median of 1000; a measurement, never asserted).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { ROOT } from '../../scripts/serve.mjs';
import { TEST_MOUNTS, startBrowser } from './harness.mjs';

const CSP = "script-src 'self' 'wasm-unsafe-eval'";
const SHIPPED_WORKER = '/indexie/engine-worker.js';
const UNBUNDLED_WORKER = '/build-tsc/worker/engine-worker.js';

let browser;
let page;
before(async () => {
  browser = await startBrowser({
    headers: { 'Content-Security-Policy': CSP },
    mounts: [...TEST_MOUNTS, { prefix: '/build-tsc/', dir: join(ROOT, 'js', 'build-tsc') }],
  });
  await browser.context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
  page = await browser.openTestPage('worker-host.html');
});
after(async () => {
  await browser?.close();
});

/** What writeFriends (pages/worker-host.js) answers. */
function assertFriendsWritten(out) {
  assert.deepEqual(out.schema, [null, null]);
  assert.deepEqual(out.write, [null, [[1, 2, 3], []], null]);
  assert.deepEqual(out.bulk, [null, 2000, [], null]);
}

/** What readFriends answers after writeFriends. */
function assertFriendsRead(read) {
  const [count, two, byAge, byName, duplicate, noTable] = read;
  assert.equal(count, 2003);
  assert.deepEqual(two, { name: 'Bob', age: 25, joined: new Date(Date.UTC(2020, 0, 2)), id: 2 });
  assert.deepEqual(
    byAge.map((friend) => friend.name),
    ['Ann', 'Cy'],
  );
  assert.deepEqual(byAge[1].bytes, new Uint8Array([1, 2, 3]));
  assert.deepEqual(byName, [1, 2]);
  // add() of an existing key: the write answers its per-item failure, as in process.
  assert.deepEqual(duplicate[1], [[0, 'ConstraintError', "key 1 already exists in table 'friends'"]]);
  assert.equal(noTable.error, 'InvalidTableError');
}

test("WorkerEngineHost ('memory', the shipped worker bundle) sets a schema, writes, queries and reads back under the strict CSP", async () => {
  const response = await page.request.get(`${browser.url}indexie/engine-worker.js`);
  assert.equal(response.headers()['content-security-policy'], CSP);

  const out = await page.evaluate(([name, url]) => window.roundTrip(name, 'memory', url), ['friends', SHIPPED_WORKER]);
  assertFriendsWritten(out);
  assertFriendsRead(out.read);
  assert.equal(out.isOpenAfterClose, false);
  assert.deepEqual(out.afterClose, { name: 'DatabaseClosedError', message: 'the database is closed', className: 'DatabaseClosedError' });
  assert.deepEqual(out.reopenedTables, [], "a 'memory' database is gone with its last session, though the worker is kept");

  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assert.deepEqual(browser.consoleErrors, []);
});

test('failures cross as their own classes; a missing worker script is an UnsupportedError naming what to serve; a terminated worker rejects every pending request with DatabaseClosedError', async () => {
  // The unbundled worker (js/build-tsc, tsc's output as ES modules) runs as well as the bundle.
  const out = await page.evaluate((url) => window.failures(url), UNBUNDLED_WORKER);
  assert.equal(out.badStorage.className, 'InvalidArgumentError', JSON.stringify(out.badStorage));
  assert.match(out.badStorage.message, /unknown worker storage 'floppy'/);
  assert.equal(out.badCache.className, 'InvalidArgumentError');
  assert.equal(out.missingScript.className, 'UnsupportedError');
  assert.match(out.missingScript.message, /the engine worker failed.*serve engine-worker\.js/);
  assert.deepEqual(out.terminated, Array(20).fill('DatabaseClosedError'));
  assert.equal(out.afterTerminate.className, 'DatabaseClosedError');
  browser.consoleErrors.length = 0; // the missing script's 404 is logged by the browser, as it should be
});

/** A new opfs-worker.js worker; its id for opfsTask. */
const opfsWorker = () => page.evaluate(() => window.opfsWorker());
const opfsTask = (worker, task) => page.evaluate(([w, t]) => window.opfsTask(w, t), [worker, task]);

test('the OPFS file backend in a worker round-trips bytes at offsets through write, read, size, truncate and sync', async () => {
  const worker = await opfsWorker();
  // A name no OPFS file may have ('/'): encoded into the file name the VFS is opened with.
  const opened = await opfsTask(worker, { task: 'open', name: 'round/trip' });
  assert.equal(opened.fileName, 'round%2Ftrip');
  const r = await opfsTask(worker, { task: 'roundTrip', name: 'round/trip' });
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.deepEqual(r.ids, [1, 2, 3, 0]); // the database, its journal, its WAL; no other file
  assert.equal(r.emptySize, 0);
  assert.equal(r.write, 0);
  assert.equal(r.sizeAfterWrite, 4096 + 5000);
  assert.equal(r.read, 5000);
  assert.equal(r.readEqual, true);
  assert.equal(r.hole, 4096);
  assert.equal(r.holeIsZero, true, 'bytes before the first write read as zeros');
  assert.equal(r.shortRead, 9096 - 8192, 'a read past the end is short');
  assert.equal(r.pastEnd, 0);
  assert.equal(r.grownWrite, 0, 'a pointer valid only in the grown heap is written from it');
  assert.equal(r.grownRead, 3000);
  assert.equal(r.grownEqual, true);
  assert.equal(r.truncate, 0);
  assert.equal(r.sizeAfterTruncate, 4096);
  assert.equal(r.sync, 0);
  assert.deepEqual([r.journalWrite, r.journalSize, r.journalTruncate, r.journalSizeAfter, r.journalSync], [0, 512, 0, 0, 0]);
  assert.deepEqual(r.unknownId, [-1, -1, -1, -1, -1]);
  assert.deepEqual([r.reopenedId, r.readAfterClose], [1, 100], 'the VFS closing a file keeps its handle');

  const released = await opfsTask(worker, { task: 'release', name: 'round/trip' });
  assert.deepEqual(released, { id: released.id, open: 0, size: -1, read: -1, write: -1 });
  // Reopened (after release, in a new worker): what was written is in the file.
  const other = await opfsWorker();
  assert.equal((await opfsTask(other, { task: 'open', name: 'round/trip' })).fileName, 'round%2Ftrip');
  const contents = await opfsTask(other, { task: 'contents', name: 'round/trip' });
  assert.deepEqual([contents.size, contents.read, contents.same], [4096, 3000, true]);
  await opfsTask(other, { task: 'release', name: 'round/trip' });
  await page.evaluate((ids) => ids.forEach((id) => window.opfsTerminate(id)), [worker, other]);
});

test('a second open of a database another worker holds is DatabaseInUseError; it opens once the first releases or is terminated', async () => {
  const first = await opfsWorker();
  const second = await opfsWorker();
  await opfsTask(first, { task: 'open', name: 'held' });
  const refused = await opfsTask(second, { task: 'open', name: 'held', attempts: 3 });
  assert.equal(refused.error?.name, 'DatabaseInUseError', JSON.stringify(refused));
  assert.match(refused.error.message, /the database 'held' is open in another tab or worker/);

  await opfsTask(first, { task: 'release', name: 'held' });
  assert.equal((await opfsTask(second, { task: 'open', name: 'held', attempts: 1 })).fileName, 'held');

  // A worker terminated while holding the files lets go of them: the default retry waits for that.
  await page.evaluate((id) => window.opfsTerminate(id), second);
  const third = await opfsWorker();
  const opened = await opfsTask(third, { task: 'open', name: 'held' });
  assert.equal(opened.fileName, 'held', JSON.stringify(opened));

  // Deleting it while held: refused and nothing removed; once released: gone.
  assert.equal(await page.evaluate(([n, url]) => window.opfsExists(n, url), ['held', SHIPPED_WORKER]), false, 'never written: no database');
  await opfsTask(third, { task: 'fill', name: 'held', chunk: 4096, max: 8192 });
  assert.equal(await page.evaluate(([n, url]) => window.opfsExists(n, url), ['held', SHIPPED_WORKER]), true);
  const refusedDelete = await page.evaluate(([n, url]) => window.opfsDelete(n, url), ['held', SHIPPED_WORKER]);
  assert.equal(refusedDelete.className, 'DatabaseInUseError', JSON.stringify(refusedDelete));
  assert.equal(await page.evaluate(([n, url]) => window.opfsExists(n, url), ['held', SHIPPED_WORKER]), true);
  await opfsTask(third, { task: 'release', name: 'held' });
  assert.equal(await page.evaluate(([n, url]) => window.opfsDelete(n, url), ['held', SHIPPED_WORKER]), 'deleted');
  assert.equal(await page.evaluate(([n, url]) => window.opfsExists(n, url), ['held', SHIPPED_WORKER]), false);
  assert.equal(
    await page.evaluate(([n, url]) => window.opfsDelete(n, url), ['held', SHIPPED_WORKER]),
    'deleted',
    'deleting nothing is no error',
  );
  await page.evaluate((ids) => ids.forEach((id) => window.opfsTerminate(id)), [first, third]);
});

test('with the origin quota exhausted, the backend answers write() with -2, and 0 again once there is room', async () => {
  const cdp = await browser.context.newCDPSession(page);
  const origin = new URL(browser.url).origin;
  const worker = await opfsWorker();
  await opfsTask(worker, { task: 'open', name: 'quota' });
  try {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 4 * 1024 * 1024 });
    const full = await opfsTask(worker, { task: 'fill', name: 'quota', chunk: 256 * 1024, max: 64 * 1024 * 1024 });
    assert.equal(full.code, -2, JSON.stringify(full));
    assert.ok(full.written > 0 && full.written <= 4 * 1024 * 1024, JSON.stringify(full));
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 512 * 1024 * 1024 });
    const more = await opfsTask(worker, { task: 'writeMore', name: 'quota', chunk: 256 * 1024 });
    assert.deepEqual([more.code, more.truncated, more.size], [0, 0, 0]);
    console.log(`# quota: OPFS write refused (-2) after ${full.written} bytes under a 4 MiB quota`);
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await opfsTask(worker, { task: 'release', name: 'quota' });
    await page.evaluate((id) => window.opfsTerminate(id), worker);
  }
});

test('the policy is in force: an inline script in the page and new Function in a worker are refused', async () => {
  const worker = await opfsWorker();
  assert.deepEqual(await opfsTask(worker, { task: 'evalAllowed' }), { id: 1, allowed: false, error: 'EvalError' });
  await page.evaluate((id) => window.opfsTerminate(id), worker);
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.inlineRan = true;';
    document.head.append(script);
  });
  await page.waitForFunction(() => window.cspViolations.length > 0);
  assert.equal(await page.evaluate(() => window.inlineRan), undefined);
  browser.consoleErrors.length = 0;
});

test('round trip of an empty request batch through the worker (measured, not asserted)', async () => {
  // 1000 round trips in 40 groups of 25 (see timeEmptyExecute for why by group).
  const times = await page.evaluate((url) => window.timeEmptyExecute(40, 25, url), SHIPPED_WORKER);
  times.sort((a, b) => a - b);
  const at = (q) => (times[Math.floor(q * (times.length - 1))] * 1000).toFixed(0);
  const mean = ((times.reduce((sum, t) => sum + t, 0) / times.length) * 1000).toFixed(0);
  console.log(
    `# empty execute() through the worker, 1000 round trips: median ${at(0.5)} us (groups of 25), slowest group ${at(1)} us, mean ${mean} us`,
  );
  assert.equal(times.length, 40);
});

test('end to end on OPFS: a database written in a worker that is then terminated reopens in a new worker with its data', async () => {
  const name = 'e2e/opfs';
  const created = await page.evaluate(([n, url]) => window.opfsCreate(n, url), [name, SHIPPED_WORKER]);
  assert.equal(created.openError, undefined, JSON.stringify(created.openError));
  assertFriendsWritten(created);
  const reopened = await page.evaluate(([n, url]) => window.opfsReopen(n, url), [name, SHIPPED_WORKER]);
  assertFriendsRead(reopened.read);
  assert.equal(reopened.secondOpen.className, 'DatabaseInUseError', JSON.stringify(reopened.secondOpen));
  assert.equal(await page.evaluate(([n, url]) => window.opfsExists(n, url), [name, SHIPPED_WORKER]), true);
  assert.equal(await page.evaluate(([n, url]) => window.opfsDelete(n, url), [name, SHIPPED_WORKER]), 'deleted');
  assert.equal(await page.evaluate(([n, url]) => window.opfsExists(n, url), [name, SHIPPED_WORKER]), false);
});

test("durability reaches the OPFS engine: 'relaxed' (the default) is WAL with synchronous=NORMAL, 'strict' is FULL", async () => {
  const name = 'durability';
  try {
    const modes = [];
    for (const durability of [undefined, 'relaxed', 'strict']) {
      modes.push(await page.evaluate(([n, d, url]) => window.opfsSynchronous(n, d, url), [name, durability, SHIPPED_WORKER]));
    }
    assert.deepEqual(modes, [
      { synchronous: 1, journalMode: 'wal' },
      { synchronous: 1, journalMode: 'wal' },
      { synchronous: 2, journalMode: 'wal' },
    ]);
  } finally {
    await page.evaluate(([n, url]) => window.opfsDelete(n, url), [name, SHIPPED_WORKER]);
  }
});

test('end to end on OPFS: a commit the quota refuses is a QuotaExceededError that keeps every earlier commit, and writes work again with room', async () => {
  const cdp = await browser.context.newCDPSession(page);
  const origin = new URL(browser.url).origin;
  const name = 'e2e-quota';
  try {
    assert.deepEqual(await page.evaluate(([n, url]) => window.opfsOpen(n, url), [name, SHIPPED_WORKER]), [null, null]);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 8 * 1024 * 1024 });
    const full = await page.evaluate((n) => window.opfsFill(n), name);
    assert.equal(full.failed?.error, 'QuotaExceededError', JSON.stringify(full));
    assert.ok(full.commits > 0, 'some commits fit');
    assert.equal(full.count, full.commits * 100, 'every commit before the refused one is there, nothing of it');
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 512 * 1024 * 1024 });
    assert.deepEqual(await page.evaluate((n) => window.opfsAddOne(n), name), { commit: null, count: full.count + 1 });
    console.log(`# OPFS engine quota: refused at commit ${full.commits + 1} under 8 MiB, ${full.count} records kept`);
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await page.evaluate((n) => window.opfsClose(n), name);
    await page.evaluate(([n, url]) => window.opfsDelete(n, url), [name, SHIPPED_WORKER]);
  }
});
