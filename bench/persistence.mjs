// persistence.mjs: measures the IndexedDB bridge in headless Chromium for
// several record sizes (pages per IndexedDB record) and prints a table.
// Usage: node bench/persistence.mjs [N] [commits]   (after scripts/build.sh)
import { withBenchBrowser } from './bench-browser.mjs';

const n = Number(process.argv[2] ?? 100000);
const commits = Number(process.argv[3] ?? 200);
await withBenchBrowser(async ({ browser, openPage }) => {
  console.log(`N = ${n}, ${commits} small commits, Chromium ${browser.version()}`);
  console.log(
    'pages/record  small commit ms (median)  bulkAdd in memory ms  bulkAdd persisted ms  flush ms  open+first query ms  file size',
  );
  for (const pagesPerRecord of [1, 4, 16, 64]) {
    const context = await browser.newContext();
    const page = await openPage('persistence.html', context);
    const r = await page.evaluate((options) => window.measurePersistence(options), { pagesPerRecord, n, commits });
    for (const error of page.errors) console.error('page error:', error);
    console.log(
      String(r.pagesPerRecord).padStart(12),
      r.smallCommitMedianMs.toFixed(2).padStart(25),
      r.memoryBulkMs.toFixed(0).padStart(21),
      r.persistedBulkMs.toFixed(0).padStart(21),
      r.flushMs.toFixed(0).padStart(9),
      r.openAndFirstQueryMs.toFixed(0).padStart(20),
      `${(r.fileBytes / 1e6).toFixed(1)} MB file`.padStart(14),
    );
    await context.close();
  }
});
