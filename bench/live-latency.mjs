// live-latency.mjs: live query latency, Dexie vs indexie, in one headless
// Chromium page: the median (and 90th percentile) time from starting a
// write to the subscriber's notification (and to the write's promise
// resolving, once durable) over `rounds` writes into what the
// query reads, and the re-runs caused by as many writes it does not read.
// Usage: node bench/live-latency.mjs [rounds=50] [seed rows=10000]   (after scripts/build.sh)
import { join } from 'node:path';

import { launchChromium } from '../scripts/chromium.mjs';
import { ROOT, startServer } from '../scripts/serve.mjs';

const rounds = Number(process.argv[2] ?? 50);
const seed = Number(process.argv[3] ?? 10000);
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
  await page.goto(`${server.url}bench/live.html`);
  await page.locator('#status', { hasText: 'ready' }).waitFor();
  const { dexie, indexie } = await page.evaluate((options) => window.runLiveBench(options), { rounds, seed });
  console.log(`live query latency, ${rounds} writes into the watched group of a ${seed}-row table, Chromium ${browser.version()}`);
  console.log(''.padEnd(10), 'median ms'.padStart(10), 'p90 ms'.padStart(8), 'write resolved ms'.padStart(18), `re-runs for ${rounds} unrelated writes`.padStart(34));
  for (const [name, r] of [['Dexie', dexie], ['indexie', indexie]]) {
    console.log(name.padEnd(10), r.median.toFixed(2).padStart(10), r.p90.toFixed(2).padStart(8), r.write.toFixed(2).padStart(18), String(r.needless).padStart(34));
  }
  console.log(`Dexie/indexie median latency: ${(dexie.median / indexie.median).toFixed(1)}x`);
} finally {
  await browser.close();
  await server.close();
}
