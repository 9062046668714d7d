// live-query.test.mjs: live queries in real Chromium with real IndexedDB:
// a live query in one page reflects another page's writes (through the
// IndexedDB log and BroadcastChannel) within 100 ms, without re-running for
// writes it does not read; and a React app using indexie/react's
// useLiveQuery (bundled by esbuild, as an app would be) re-renders when the
// data changes.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { build } from 'esbuild';

import { ROOT } from '../../scripts/serve.mjs';
import { TEST_MOUNTS, screenshotPath, startBrowser } from './harness.mjs';

let browser;
let bundleDir;

before(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'indexie-react-app-'));
  await build({
    entryPoints: [join(ROOT, 'tests', 'browser', 'pages', 'react-app.jsx')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    outdir: bundleDir,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  // The package finds its .wasm next to the module that loads it (new URL(..., import.meta.url)): here, the bundle.
  copyFileSync(join(ROOT, 'js', 'dist', 'indexie-core.wasm'), join(bundleDir, 'indexie-core.wasm'));
  browser = await startBrowser({ mounts: [...TEST_MOUNTS, { prefix: '/react-app/', dir: bundleDir }] });
});
after(async () => {
  await browser?.close();
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

test("a live query in page A reflects page B's writes within 100 ms, and ignores B's writes elsewhere", async () => {
  const [a, b] = [await browser.openTestPage('live.html'), await browser.openTestPage('live.html')];
  for (const page of [a, b]) await page.evaluate(() => window.openDb('two-pages'));
  await a.evaluate(() => window.watchGroup('watched'));
  await a.evaluate(() => window.waitForCount(0));

  const latencies = [];
  for (let i = 1; i <= 10; i++) {
    const writtenAt = await b.evaluate((n) => window.add({ group: 'watched', n }), i);
    const seenAt = await a.evaluate((count) => window.waitForCount(count), i);
    latencies.push(seenAt - writtenAt);
  }
  const runsBefore = (await a.evaluate(() => window.liveState())).runs;
  for (let i = 0; i < 5; i++) await b.evaluate((n) => window.add({ group: 'other', n }), i);
  // B's writes to another group reach A (its engine catches up), but re-run nothing there.
  await b.evaluate(() => window.add({ group: 'watched', n: 99 }));
  await a.evaluate(() => window.waitForCount(11));
  const { runs, emissions } = await a.evaluate(() => window.liveState());
  console.log(
    `# page B write -> page A emission: median ${median(latencies).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms (${latencies.map((l) => l.toFixed(1)).join(', ')})`,
  );
  assert.ok(median(latencies) < 100, `median latency ${median(latencies)} ms`);
  assert.equal(runs - runsBefore, 1, 'only the write to the watched group re-ran the query');
  assert.deepEqual(
    emissions.map((e) => e.count),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    'each result once, in order',
  );
  assert.deepEqual(browser.consoleErrors, []);
  await a.close();
  await b.close();
});

test('React: useLiveQuery re-renders a component when the data changes, and re-subscribes when its deps change', async () => {
  const page = await browser.openTestPage('react.html');
  const list = page.locator('#list');
  await list.waitFor({ state: 'attached' });
  assert.equal(await page.locator('#list li').count(), 0);
  assert.equal(await page.locator('h1').textContent(), '0 todos');

  await page.evaluate(() =>
    window.db.todos.bulkAdd([
      { title: 'milk', done: 0 },
      { title: 'bread', done: 0 },
      { title: 'eggs', done: 1 },
    ]),
  );
  await page.locator('#list li', { hasText: 'milk' }).waitFor();
  assert.deepEqual(await page.locator('#list li').allTextContents(), ['bread', 'milk']);
  assert.equal(await page.locator('h1').textContent(), '3 todos');

  await page.evaluate(() => window.db.todos.where('title').equals('milk').modify({ done: 1 }));
  await page.locator('#list li', { hasText: 'milk' }).waitFor({ state: 'detached' });
  assert.deepEqual(await page.locator('#list li').allTextContents(), ['bread']);

  const rendersBefore = await page.evaluate(() => window.renders);
  await page.evaluate(() => window.db.todos.add({ title: 'zzz', done: 1 })); // only the done list (hidden) and the total change
  await page.locator('h1', { hasText: '4 todos' }).waitFor();
  assert.deepEqual(await page.locator('#list li').allTextContents(), ['bread']);

  await page.click('#toggle');
  await page.locator('#list[data-done="true"] li', { hasText: 'eggs' }).waitFor();
  assert.deepEqual(await page.locator('#list li').allTextContents(), ['eggs', 'milk', 'zzz']);
  // useObservable(observable): a BehaviorSubject's value from the first render, then its changes; a liveQuery's results.
  assert.equal(await page.locator('#observed').textContent(), 'initial text: bread,eggs,milk,zzz');
  await page.evaluate(() => window.filterText.next('changed'));
  await page.locator('#observed', { hasText: 'changed: bread' }).waitFor();
  const renders = await page.evaluate(() => window.renders);
  console.log(`# React: ${renders - rendersBefore} renders of the list component for one unrelated write and one toggle`);
  await page.screenshot({ path: screenshotPath('react-live-query') });
  assert.deepEqual(browser.consoleErrors, []);
  await page.close();
});
