// opfs-storage.test.mjs: storage: 'opfs' through the public API in real
// Chromium: a database moved from IndexedDB to OPFS in one call
// (exportFile -> importFile) keeps every record and index; it reopens from
// OPFS after close(); bad options are named errors; delete and exists work.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { TEST_MOUNTS, startBrowser } from './harness.mjs';

let browser;
let page;
before(async () => {
  browser = await startBrowser({ mounts: TEST_MOUNTS });
  page = await browser.openTestPage('tabs.html');
});
after(async () => {
  await browser?.close();
});

test('a database stored in IndexedDB moves to OPFS with importFile(exportFile()): same records and index answers, then reopens from OPFS', async () => {
  const r = await page.evaluate(async () => {
    const { Indexie } = await import('indexie');
    const old = new Indexie('move-source', { storage: 'indexeddb' });
    old.version(1).stores({ people: '++id, name, *tags, [name+age]' });
    await old.people.bulkAdd(
      Array.from({ length: 500 }, (_, i) => ({ name: `n${i % 50}`, age: i % 90, tags: [`t${i % 7}`], born: new Date(i) })),
    );
    const file = await old.exportFile();
    const moved = await Indexie.importFile('move-target', file, { storage: 'opfs' });
    const answers = async (db) => ({
      count: await db.table('people').count(),
      byName: await db.table('people').where('name').equals('n7').primaryKeys(),
      byTag: await db.table('people').where('tags').equals('t3').count(),
      compound: await db.table('people').where('[name+age]').between(['n1', 0], ['n1', 50]).count(),
      last: await db.table('people').get(500),
    });
    const before = await answers(old);
    const after = await answers(moved);
    let again;
    try {
      await Indexie.importFile('move-target', file, { storage: 'opfs' });
    } catch (error) {
      again = error.name;
    }
    moved.close();
    const reopened = new Indexie('move-target', { storage: 'opfs' });
    reopened.version(1).stores({ people: '++id, name, *tags, [name+age]' });
    const afterReopen = await answers(reopened);
    const integrity = await reopened.checkIntegrity();
    reopened.close();
    old.close();
    const exists = await Indexie.exists('move-target', { storage: 'opfs' });
    await Indexie.delete('move-target', { storage: 'opfs' });
    const existsAfterDelete = await Indexie.exists('move-target', { storage: 'opfs' });
    await Indexie.delete('move-source');
    return { before, after, afterReopen, again, integrity, exists, existsAfterDelete, isDate: after.last.born instanceof Date };
  });
  assert.equal(r.before.count, 500);
  assert.deepEqual(r.after, r.before);
  assert.deepEqual(r.afterReopen, r.before);
  assert.equal(r.isDate, true);
  assert.equal(r.again, 'InvalidArgumentError', 'an existing OPFS database is not overwritten');
  assert.deepEqual(r.integrity, []);
  assert.equal(r.exists, true);
  assert.equal(r.existsAfterDelete, false);
});

test("storage and cacheSize options: bad values are named errors at once; an OPFS database is 'persistent'", async () => {
  const r = await page.evaluate(async () => {
    const { Indexie } = await import('indexie');
    const attempt = (options) => {
      try {
        new Indexie('options-check', options);
        return 'ok';
      } catch (error) {
        return error.name;
      }
    };
    const db = new Indexie('options-opfs', { storage: 'opfs', cacheSize: 4 * 1024 * 1024 });
    db.version(1).stores({ items: 'id' });
    await db.items.put({ id: 1 });
    const persistent = db.persistent;
    await db.delete();
    return {
      badStorage: attempt({ storage: 'disk' }),
      tinyCache: attempt({ storage: 'opfs', cacheSize: 1000 }),
      fractionalCache: attempt({ storage: 'opfs', cacheSize: 2 * 1024 * 1024 + 0.5 }),
      fine: attempt({ storage: 'opfs', cacheSize: 8 * 1024 * 1024 }),
      persistent,
    };
  });
  assert.deepEqual(r, {
    badStorage: 'InvalidArgumentError',
    tinyCache: 'InvalidArgumentError',
    fractionalCache: 'InvalidArgumentError',
    fine: 'ok',
    persistent: true,
  });
});

test("an OPFS database's durability reaches its engine worker's open, and exportFile() includes commits still in the WAL", async () => {
  const r = await page.evaluate(async () => {
    const { Indexie } = await import('indexie');
    // What the page asks its engine workers to open (worker-protocol.ts: 'open' of a WorkerEngineHost,
    // 'own' of the tabs' engine owner run in the worker, which opens every session with it).
    const opens = [];
    const { Worker: PageWorker } = globalThis;
    const post = PageWorker.prototype.postMessage;
    PageWorker.prototype.postMessage = function (message, ...rest) {
      if (message?.op === 'open' || message?.op === 'own') opens.push({ name: message.name, durability: message.durability });
      return post.call(this, message, ...rest);
    };
    try {
      const strict = new Indexie('durability-strict', { storage: 'opfs', durability: 'strict' });
      strict.version(1).stores({ items: '++id, tag' });
      for (let i = 0; i < 20; i++) await strict.items.add({ tag: `t${i % 3}`, text: 'x'.repeat(500) }); // 20 commits, in the WAL
      await strict.items.where('tag').equals('t1').modify({ text: 'changed' });
      const file = await strict.exportFile();
      const copy = await Indexie.importFile('durability-copy', file);
      const exported = {
        count: await copy.table('items').count(),
        changed: await copy
          .table('items')
          .where('tag')
          .equals('t1')
          .filter((item) => item.text === 'changed')
          .count(),
        integrity: await copy.checkIntegrity(),
      };
      copy.close();
      await Indexie.delete('durability-copy');
      await strict.delete();
      const relaxed = new Indexie('durability-relaxed', { storage: 'opfs' });
      relaxed.version(1).stores({ items: '++id' });
      await relaxed.items.add({ one: 1 });
      await relaxed.delete();
      return { opens, exported };
    } finally {
      PageWorker.prototype.postMessage = post;
    }
  });
  assert.deepEqual(
    r.opens.filter((open) => open.name.startsWith('durability-')).map((open) => open.durability),
    // The engine and its committed-state reader per database, if both were opened; at least the engine.
    r.opens.filter((open) => open.name.startsWith('durability-')).map((open) => (open.name === 'durability-strict' ? 'strict' : 'relaxed')),
  );
  assert.ok(r.opens.some((open) => open.name === 'durability-strict' && open.durability === 'strict'));
  assert.ok(r.opens.some((open) => open.name === 'durability-relaxed' && open.durability === 'relaxed'));
  assert.deepEqual(r.exported, { count: 20, changed: 7, integrity: [] });
});

test("a closed OPFS database's worker is kept for the next open, and starts it as small as a new one", async () => {
  // The engine worker's wasm memory, through its diagnostic global (worker/engine-worker.ts).
  const engineWorkers = () => page.workers().filter((worker) => worker.url().endsWith('/engine-worker.js'));
  const workerMemory = async () =>
    Promise.all(engineWorkers().map((worker) => worker.evaluate(() => globalThis.indexieEngineMemoryBytes())));
  await page.evaluate(async () => {
    const { Indexie } = await import('indexie');
    await Indexie.delete('kept-worker', { storage: 'opfs' });
    const db = new Indexie('kept-worker', { storage: 'opfs' });
    db.version(1).stores({ blobs: '++id' });
    // ~24 MB of records, read back whole: the page cache (32 MiB by default) grows the wasm memory.
    for (let i = 0; i < 6; i++) await db.blobs.bulkAdd(Array.from({ length: 1000 }, (_, j) => ({ text: `${i}.${j}`.padEnd(4000, '.') })));
    await db.blobs.toArray();
    window.keptWorkerDb = db;
  });
  const [grown] = await workerMemory();
  assert.equal(engineWorkers().length, 1);
  await engineWorkers()[0].evaluate(() => (globalThis.markedByTest = true));
  const r = await page.evaluate(async () => {
    const db = window.keptWorkerDb;
    db.close();
    await db.open();
    return { count: await db.blobs.count(), last: (await db.blobs.get(6000))?.text.slice(0, 6) };
  });
  const [fresh] = await workerMemory();
  await page.evaluate(() => window.keptWorkerDb.delete());
  assert.deepEqual(r, { count: 6000, last: '5.999.' });
  const marked = await Promise.all(engineWorkers().map((worker) => worker.evaluate(() => globalThis.markedByTest === true)));
  assert.deepEqual(marked, [true], 'the reopen ran on the kept worker, the only engine worker');
  assert.ok(grown > 24 * 1024 * 1024, `the database grew the worker's wasm memory (${grown} bytes)`);
  assert.ok(fresh < grown && fresh <= 24 * 1024 * 1024, `after the close the module was renewed (${grown} -> ${fresh} bytes)`);
  console.log(`# kept worker: wasm ${(grown / 2 ** 20).toFixed(0)} MB before close(), ${(fresh / 2 ** 20).toFixed(0)} MB after the reopen`);
  assert.deepEqual(browser.consoleErrors, []);
});

test("storage: 'opfs' with the worker script missing: open() fails at once with an UnsupportedError that names what to serve", async () => {
  const r = await page.evaluate(async () => {
    const { Indexie } = await import('indexie');
    const db = new Indexie('no-worker-here', { storage: 'opfs', workerUrl: '/indexie/no-such-worker.js' });
    db.version(1).stores({ items: '++id' });
    const started = performance.now();
    const outcome = await db.open().then(
      () => 'opened',
      (error) => `${error.name}: ${error.message}`,
    );
    return { outcome, ms: performance.now() - started, exists: await Indexie.exists('no-worker-here', { storage: 'opfs' }) };
  });
  assert.match(r.outcome, /^UnsupportedError: .*serve engine-worker\.js, indexie-core\.js and indexie-core\.wasm/);
  assert.ok(r.ms < 5000, `it failed in ${r.ms} ms, not after the owner timeout`);
  assert.equal(r.exists, false, 'nothing was created');
});

test('new Indexie() of a database that may live in OPFS starts its engine worker before open(), and the open runs on it', async () => {
  const fresh = await browser.openTestPage('tabs.html');
  const engineWorkers = () => fresh.workers().filter((worker) => worker.url().endsWith('/engine-worker.js'));
  assert.equal(engineWorkers().length, 0, 'a fresh page has no engine worker');
  await fresh.evaluate(async () => {
    const { Indexie } = await import('indexie');
    window.prewarmed = new Indexie('prewarmed', { storage: 'opfs' });
    window.prewarmed.version(1).stores({ items: '++id' });
  });
  await fresh
    .waitForEvent('worker', { predicate: (worker) => worker.url().endsWith('/engine-worker.js'), timeout: 5000 })
    .catch(() => undefined);
  assert.equal(engineWorkers().length, 1, 'the worker started at new Indexie(), before any open');
  // It compiles the module meanwhile: once that is done, its engine memory is there.
  let memory = 0;
  for (let i = 0; i < 100 && memory === 0; i++) {
    memory = await engineWorkers()[0].evaluate(() => globalThis.indexieEngineMemoryBytes());
    if (memory === 0) await fresh.waitForTimeout(20);
  }
  assert.ok(memory > 0, 'the worker compiled and instantiated the module before any open');
  await engineWorkers()[0].evaluate(() => (globalThis.markedByTest = true));
  const count = await fresh.evaluate(async () => {
    await window.prewarmed.items.add({ at: 1 });
    return window.prewarmed.items.count();
  });
  assert.equal(count, 1);
  const marked = await Promise.all(engineWorkers().map((worker) => worker.evaluate(() => globalThis.markedByTest === true)));
  assert.deepEqual(marked, [true], 'the open ran on the prewarmed worker');
  await fresh.evaluate(() => window.prewarmed.delete());
  await fresh.close();
});
