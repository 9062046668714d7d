// page-memory.mjs: the page's own memory after it opened a database, wrote,
// read and subscribed a live query (issue 22: "memory after open under
// 64 MB"), for storage: 'opfs' (the engine in a Worker) and the default
// (IndexedDB, the engine in the page). Measured from outside the page,
// after a forced garbage collection:
//   - pageJsHeapBytes: the page's V8 heap in use (DevTools Runtime.getHeapUsage
//     on the page's own session: the page only, not its Worker);
//   - WebAssembly.Memory in the page: how many are alive in the page's realm
//     (Runtime.queryObjects on WebAssembly.Memory.prototype). Asked only when
//     the page's engine module did not load: with a wasm memory alive,
//     Chromium 156's renderer crashes on that query (every time, here).
//   - pageWasmBytes: Indexie.engineMemoryBytes(), the page's engine module's memory;
//   - worker JS heap and renderer RssAnon as bench/worker-memory.mjs takes them.
// Also the time db.open() took (a new database: the engine's Worker starts,
// and before the JS live sets the page compiled its own module meanwhile).
// Usage: node bench/page-memory.mjs [rows=1000]   (after scripts/build.sh)
import { withBenchBrowser } from './bench-browser.mjs';
import { outsideMemory } from './worker-memory.mjs';

const rows = Number(process.argv[2] ?? 1000);
/** How many WebAssembly.Memory objects the page's realm holds. */
async function wasmMemoriesIn(cdp) {
  const { result: prototype } = await cdp.send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
  const { objects } = await cdp.send('Runtime.queryObjects', { prototypeObjectId: prototype.objectId });
  const { result } = await cdp.send('Runtime.callFunctionOn', {
    objectId: objects.objectId,
    functionDeclaration: 'function () { return this.length; }',
    returnByValue: true,
  });
  return result.value;
}

const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;

await withBenchBrowser(async ({ browser, openPage }) => {
  console.log(`the page's memory after open + ${rows} writes + a read + a live query, Chromium ${browser.version()}`);
  for (const storage of (process.env.STORAGES ?? 'opfs,indexeddb').split(',')) {
    const context = await browser.newContext();
    const page = await openPage('page-memory.html', context);
    const answer = await page.evaluate((options) => window.openAndQuery(options), { storage, rows });
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const memories = answer.pageWasmBytes > 0 ? 'yes (the engine module)' : await wasmMemoriesIn(cdp);
    const outside = await outsideMemory(browser);
    for (const error of page.errors) console.error('page error:', error);
    console.log(
      `${storage.padEnd(10)} open ${answer.openMs.toFixed(0)} ms, page JS heap ${mb(usedSize)}, WebAssembly.Memory in the page: ${memories}, page wasm ${mb(answer.pageWasmBytes)}, ` +
        `workers' JS heap ${mb(outside.workerJsHeapBytes)} (${outside.workers} workers), worker wasm ${mb(outside.workerWasmBytes)}, renderer RssAnon ${mb(outside.rendererAnonBytes)}` +
        `  [read ${answer.read}, live ${answer.first}]`,
    );
    await cdp.detach();
    await context.close();
  }
});
