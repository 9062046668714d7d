// run.mjs: runs the benchmark page in headless Chromium (Debian's) and
// prints, per workload, the median time on Dexie and on indexie and their
// ratio. Usage: node bench/run.mjs [N] [runs]   (after scripts/build.sh)
import { join } from 'node:path';

import { launchChromium } from '../scripts/chromium.mjs';
import { ROOT, startServer } from '../scripts/serve.mjs';

const n = Number(process.argv[2] ?? 100000);
const runs = Number(process.argv[3] ?? 5);
const server = await startServer({
  mounts: [
    { prefix: '/bench/', dir: join(ROOT, 'bench', 'pages') },
    { prefix: '/node_modules/', dir: join(ROOT, 'node_modules') },
  ],
});
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(`${server.url}bench/bench.html`);
  await page.locator('#status', { hasText: 'ready' }).waitFor();
  const rows = await page.evaluate((options) => window.runBench(options), { n, runs });
  console.log(`N = ${n}, median of ${runs} runs, Chromium ${browser.version()}`);
  console.log('workload'.padEnd(50), 'Dexie ms'.padStart(10), 'indexie ms'.padStart(11), 'Dexie/indexie'.padStart(14));
  for (const row of rows) {
    console.log(row.workload.padEnd(50), row.dexieMs.toFixed(1).padStart(10), row.indexieMs.toFixed(1).padStart(11),
      `${(row.dexieMs / row.indexieMs).toFixed(1)}x`.padStart(14));
  }
} finally {
  await browser.close();
  await server.close();
}
