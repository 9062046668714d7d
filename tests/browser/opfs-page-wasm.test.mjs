// opfs-page-wasm.test.mjs: with storage: 'opfs' the page loads no
// WebAssembly for open, write, read, a live query and Indexie.exists()
// (the engine is the Worker's; live queries' read and change sets are
// plain JS in the page: js/src/engine/read-set.ts, change-set.ts), in real
// Chromium.
//
// How "in the page" is told apart from "in its Worker", soundly: the page
// records every WebAssembly compile/instantiate call and Module/Instance/
// Memory construction in its own realm (pages/wasm-spy.js, installed before
// any module runs; a Worker is another realm), and lists the .wasm fetches
// on its own resource timeline (a Worker's are on the Worker's). The same
// page on storage: 'indexeddb' (the engine in the page) is the control that
// shows both detectors see a load when there is one. The network as a whole
// must still see the worker fetch indexie-core.wasm, once.
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

/** Runs the scenario in a new page; its result and every .wasm request the browser made for it. */
async function scenario(storage) {
  const page = await browser.context.newPage();
  const wasmRequests = [];
  page.on('request', (request) => {
    if (request.url().endsWith('.wasm')) wasmRequests.push(request.url());
  });
  await page.goto(`${browser.url}test/page-wasm.html`);
  await page.locator('#status', { hasText: 'ready' }).waitFor({ timeout: 15000 });
  const result = await page.evaluate((options) => window.runScenario(options), { name: `page-wasm-${storage ?? 'idb'}`, storage });
  await page.close();
  return { ...result, wasmRequests };
}

for (const storage of ['opfs', undefined]) {
  test(`${storage ? 'on OPFS' : 'on the default storage (a new database: OPFS)'} the page compiles, instantiates and fetches no wasm for open, write, read, a live query and exists(); the worker fetches the engine's`, async () => {
    const r = await scenario(storage);
    assert.deepEqual(r.read, ['Bob']);
    assert.deepEqual(r.emitted, [2, 3], 'the live query saw its first result and re-ran for the add');
    assert.equal(r.exists, true);
    assert.deepEqual(r.wasmCalls, [], 'no WebAssembly call or construction in the page');
    assert.deepEqual(r.wasmFetchedByPage, [], "no .wasm on the page's resource timeline");
    assert.equal(r.pageWasmBytes, 0, "the page's engine module never loaded");
    // Once: Indexie.delete() then runs on the same worker, kept idle after close() (engine/worker-channel.ts).
    assert.equal(r.wasmRequests.filter((url) => url.endsWith('/indexie-core.wasm')).length, 1, 'the worker fetched the engine once');
    assert.deepEqual(browser.consoleErrors, []);
  });
}

test("control: on storage: 'indexeddb' (the engine in the page) the same detectors see the page load the module", async () => {
  const r = await scenario('indexeddb');
  assert.deepEqual(r.read, ['Bob']);
  assert.deepEqual(r.emitted, [2, 3]);
  assert.ok(
    r.wasmCalls.some((call) => call.startsWith('instantiate')),
    `the page instantiated wasm (${r.wasmCalls})`,
  );
  assert.ok(
    r.wasmFetchedByPage.some((url) => url.endsWith('/indexie-core.wasm')),
    "indexie-core.wasm is on the page's resource timeline",
  );
  assert.ok(r.pageWasmBytes > 0);
  assert.deepEqual(browser.consoleErrors, []);
});
