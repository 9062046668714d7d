// big.mjs: issue 22's "what it must show" list at N records, indexie (on
// OPFS by default) and Dexie 4.4.7 side by side in one headless Chromium
// page: bulk load (batches of 10,000), close + reopen + first indexed query
// (where('email').equals(...).first()), range read (age 20-30), offset page
// (orderBy('name').offset(N/2).limit(50)), 1000 gets, a full scan (each());
// each timed once, with the longest main-thread task over 50 ms. Memory is
// read after the reopen and after the full scan: the page's JS heap and
// its own wasm, the workers' JS heap and the renderer's RssAnon (see
// bench/worker-memory.mjs for exactly what each covers). Dexie runs first,
// then indexie, each on its own database (the other one closed).
// --persistent: a persistent profile, storage on disk (bench-browser.mjs).
// Usage: node bench/big.mjs [N=1000000] [--storage opfs|indexeddb] [--persistent]   (after scripts/build.sh)
import { withBenchBrowser } from './bench-browser.mjs';
import { outsideMemory } from './worker-memory.mjs';

const args = process.argv.slice(2);
const storageAt = args.indexOf('--storage');
const storage = storageAt >= 0 ? args[storageAt + 1] : 'opfs';
const [n = 1000000] = args.filter((a, i) => !a.startsWith('--') && i !== storageAt + 1).map(Number);
const STEPS = ['bulk load', 'reopen + first indexed query', 'range read', 'offset page', '1000 gets', 'full scan'];
const mb = (bytes) => (bytes === undefined ? '?' : `${(bytes / 1048576).toFixed(1)} MB`);

const persistent = args.includes('--persistent');
await withBenchBrowser(
  async ({ browser, openPage }) => {
    const page = await openPage('big.html');
    page.setDefaultTimeout(0);
    await page.evaluate((o) => window.bigSetup(o), { storage });
    const out = {};
    for (const name of ['dexie', 'indexie']) {
      out[name] = { steps: {}, memory: {} };
      for (const step of STEPS) {
        const began = Date.now();
        out[name].steps[step] = await page.evaluate((o) => window.bigStep(o), { name, step, n });
        console.error(`${name} ${step}: ${out[name].steps[step].ms.toFixed(1)} ms (${((Date.now() - began) / 1000).toFixed(0)} s wall)`);
        if (step === 'reopen + first indexed query' || step === 'full scan') {
          out[name].memory[step] = { ...(await page.evaluate(() => window.bigPageMemory())), ...(await outsideMemory(browser)) };
        }
      }
      await page.evaluate((o) => window.bigStep(o), { name, step: 'remove', n });
    }
    for (const error of page.errors) console.error('page error:', error);
    console.log(
      `N = ${n.toLocaleString('en-US')}, indexie on ${storage}, Dexie on IndexedDB, ${persistent ? 'persistent profile' : 'off-the-record context'}, Chromium ${browser.version()}, one run`,
    );
    console.log(
      `${'step'.padEnd(32)}${'Dexie ms'.padStart(10)}${'indexie ms'.padStart(12)}${'D/i'.padStart(8)}${'longest task ms D / i'.padStart(24)}  results`,
    );
    for (const step of STEPS) {
      const d = out.dexie.steps[step];
      const x = out.indexie.steps[step];
      console.log(
        `${step.padEnd(32)}${d.ms.toFixed(1).padStart(10)}${x.ms.toFixed(1).padStart(12)}${`${(d.ms / x.ms).toFixed(2)}x`.padStart(8)}` +
          `${`${d.longestBlockMs.toFixed(0)} / ${x.longestBlockMs.toFixed(0)}`.padStart(24)}  ${JSON.stringify(d.result)} / ${JSON.stringify(x.result)}`,
      );
    }
    for (const when of ['reopen + first indexed query', 'full scan']) {
      for (const name of ['dexie', 'indexie']) {
        const m = out[name].memory[when];
        console.log(
          `memory after ${when}, ${name}: page JS heap ${mb(m.jsHeapBytes)}, page wasm ${mb(m.pageWasmBytes)}, workers' JS heap ${mb(m.workerJsHeapBytes)} (${m.workers} workers), worker wasm ${mb(m.workerWasmBytes)}, renderer RssAnon ${mb(m.rendererAnonBytes)}`,
        );
      }
    }
  },
  { persistent },
);
