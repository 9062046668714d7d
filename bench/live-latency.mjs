// live-latency.mjs: live query latency, Dexie vs indexie, in one headless
// Chromium page: the median (and 90th percentile) time from starting a
// write to the subscriber's notification (and to the write's promise
// resolving, once durable) over `rounds` writes into what the
// query reads, and the re-runs caused by as many writes it does not read.
// Usage: node bench/live-latency.mjs [rounds=50] [seed rows=10000]   (after scripts/build.sh)
import { withBenchBrowser } from './bench-browser.mjs';

const rounds = Number(process.argv[2] ?? 50);
const seed = Number(process.argv[3] ?? 10000);
await withBenchBrowser(async ({ browser, openPage }) => {
  const page = await openPage('live.html');
  const { dexie, indexie } = await page.evaluate((options) => window.runLiveBench(options), { rounds, seed });
  for (const error of page.errors) console.error('page error:', error);
  console.log(`live query latency, ${rounds} writes into the watched group of a ${seed}-row table, Chromium ${browser.version()}`);
  console.log(
    ''.padEnd(10),
    'median ms'.padStart(10),
    'p90 ms'.padStart(8),
    'write resolved ms'.padStart(18),
    `re-runs for ${rounds} unrelated writes`.padStart(34),
  );
  for (const [name, r] of [
    ['Dexie', dexie],
    ['indexie', indexie],
  ]) {
    console.log(
      name.padEnd(10),
      r.median.toFixed(2).padStart(10),
      r.p90.toFixed(2).padStart(8),
      r.write.toFixed(2).padStart(18),
      String(r.needless).padStart(34),
    );
  }
  console.log(`Dexie/indexie median latency: ${(dexie.median / indexie.median).toFixed(1)}x`);
});
