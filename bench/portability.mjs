// portability.mjs: export -> import of N records (default 100,000) with
// every value type, in headless Chromium: times, file size, the longest
// main-thread task during each, and whether the copy equals the original.
// Usage: node bench/portability.mjs [N]. The test command runs it at 3,000
// (tests/browser/portability.test.mjs).
import { fileURLToPath } from 'node:url';

import { withBenchBrowser } from './bench-browser.mjs';

export async function runPortability(n) {
  return withBenchBrowser(async ({ openPage }) => {
    const page = await openPage('portability.html');
    const result = await page.evaluate((count) => window.roundTrip(count), n);
    if (page.errors.length > 0) throw page.errors[0];
    return result;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 100000);
  const r = await runPortability(n);
  console.log(
    `export -> import of ${r.n} records (${(r.bytes / 1e6).toFixed(1)} MB of JSON): ` +
      `export ${r.exportMs.toFixed(0)} ms (longest task ${r.exportLong ? `${r.exportLong.toFixed(0)} ms` : 'under 50 ms'}), ` +
      `import ${r.importMs.toFixed(0)} ms (longest task ${r.importLong ? `${r.importLong.toFixed(0)} ms` : 'under 50 ms'}); ` +
      `copy equal: ${r.equal && r.indexEqual}`,
  );
}
