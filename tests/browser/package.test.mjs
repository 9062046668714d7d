// package.test.mjs: the packed tarball (tests/package/pack.mjs), unpacked and
// served as is, in real Chromium with real IndexedDB: in a plain page whose
// import map points at it (nothing installed or bundled), and inside a module
// Web Worker that imports it by URL. Each does the shared workload
// (tests/package/workload.js) and reads it back after a reload or from a new
// worker. Also logs the time from import('indexie') to an open empty database
// (a measurement, never asserted). Every request must stay inside the
// unpacked package and the test pages: nothing comes from js/dist.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { ROOT } from '../../scripts/serve.mjs';
import { packTarball } from '../package/pack.mjs';
import { EXPECTED, problems } from '../package/workload.js';
import { startBrowser } from './harness.mjs';

let pack;
let browser;
const requested = [];

before(async () => {
  pack = await packTarball();
  browser = await startBrowser({
    mounts: [
      { prefix: '/pkgtest/', dir: join(ROOT, 'tests', 'package') },
      { prefix: '/unpacked/indexie/', dir: pack.packageDir },
    ],
  });
  browser.context.on('request', (request) => requested.push(new URL(request.url()).pathname));
});
after(async () => {
  await browser?.close();
  pack?.cleanup();
});

async function openPage(file) {
  const page = await browser.context.newPage();
  await page.goto(`${browser.url}pkgtest/pages/${file}`);
  await page.locator('#status', { hasText: 'ready' }).waitFor({ timeout: 15000 });
  return page;
}

function assertOnlyPackageRequests() {
  const outside = requested.filter((path) => !path.startsWith('/pkgtest/') && !path.startsWith('/unpacked/indexie/'));
  assert.deepEqual(outside, [], 'every request went to the unpacked tarball or the test pages');
  assert.ok(requested.includes('/unpacked/indexie/dist/indexie-core.wasm'), 'the wasm came from the unpacked tarball');
}

test('a plain page with an import map: the unpacked tarball opens, writes, queries, and reads back after a reload', async () => {
  const page = await openPage('plain.html?db=plain');
  assert.deepEqual(problems(await page.evaluate(() => window.run()), true), []);
  await page.reload();
  await page.locator('#status', { hasText: 'ready' }).waitFor();
  assert.deepEqual(await page.evaluate(() => window.readBack()), EXPECTED.readBack('plain'));
  await page.close();
  assertOnlyPackageRequests();
  assert.deepEqual(browser.consoleErrors, []);
});

test('import to an open empty database, in a plain page (logged, not asserted)', async () => {
  const times = [];
  const imports = [];
  for (let i = 0; i < 7; i++) {
    const page = await openPage(`plain.html?db=timing-${i}`);
    times.push(await page.evaluate(() => window.importToOpenMs));
    imports.push(await page.evaluate(() => window.importMs));
    await page.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
  console.log(
    `# import('indexie') -> open empty database: median ${median(times).toFixed(1)} ms over 7 loads ` +
      `(min ${sorted[0].toFixed(1)}, max ${sorted[6].toFixed(1)}; of it the import ${median(imports).toFixed(1)} ms; ` +
      'each load fetches the modules and the wasm uncached, from 127.0.0.1)',
  );
  assert.ok(times.every((ms) => ms > 0));
  assert.deepEqual(browser.consoleErrors, []);
});

test('a module Web Worker: the unpacked tarball works there, and the page reads what the worker wrote', async () => {
  const page = await openPage('worker.html');
  const ran = await page.evaluate(() => window.inWorker('run', 'in-worker'));
  assert.deepEqual(ran.context, { window: 'undefined', document: 'undefined', worker: true });
  assert.deepEqual(problems(ran.result, true), []);
  const again = await page.evaluate(() => window.inWorker('readBack', 'in-worker'));
  assert.deepEqual(again.result, EXPECTED.readBack('in-worker'), 'a new worker reads it back');
  assert.deepEqual(await page.evaluate(() => window.readBackHere('in-worker')), EXPECTED.readBack('in-worker'), 'so does the page');
  await page.close();
  assertOnlyPackageRequests();
  assert.ok(requested.includes('/pkgtest/pages/worker.js'));
  assert.deepEqual(browser.consoleErrors, []);
});
