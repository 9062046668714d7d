// benchmark.mjs: runs bench/pages/bench.js in headless Chromium (Debian's)
// and renders its results: a terminal table, and an SVG chart of the
// Dexie/indexie ratios. bench/run.mjs is the command; the test command runs
// it once at N = 1,000 (tests/browser/bench-smoke.test.mjs) so it cannot rot.
// `storage` chooses where indexie's databases live ('indexeddb', the
// default, or 'opfs'); Dexie uses IndexedDB either way. `persistent`: a
// persistent profile, storage on disk (bench-browser.mjs); by default an
// off-the-record context, as the README's earlier tables were measured.
import { withBenchBrowser } from './bench-browser.mjs';
import { outsideMemory } from './worker-memory.mjs';

/** Targets at N = 100,000 (issue 9): the least Dexie/indexie ratio wanted per workload. */
export const TARGETS = {
  'bulkAdd of all N': 5,
  '1,000 sequential get(id)': 10,
  "where('age').between(20, 30).toArray()": 3,
  'toArray() of the whole table': 3,
  "orderBy('name').offset(N/2).limit(50).toArray()": 10,
  "where('age').below(10).modify(fn)": 5,
  '200 sequential add() (each its own transaction)': 1,
  'live query: write -> notification (median of 20)': 1,
};

/** Runs the page once per N; resolves [{n, runs, storage, chromium, rows, memory}]. */
export function runBenchmark({ sizes, runs, latencyRounds = 20, storage = 'indexeddb', persistent = false }) {
  return withBenchBrowser(
    async ({ browser, openPage }) => {
      const results = [];
      for (const n of sizes) {
        const page = await openPage('bench.html');
        await page.exposeFunction('measureOutside', () => outsideMemory(browser));
        const { rows, memory } = await page.evaluate((options) => window.runBench(options), { n, runs, latencyRounds, storage });
        await page.close();
        if (page.errors.length > 0) throw page.errors[0];
        results.push({ n, runs, storage, persistent, chromium: browser.version(), rows, memory });
      }
      return results;
    },
    { persistent },
  );
}

const ms = (value) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

/** The results as a fixed-width table. */
export function renderTable(result) {
  const lines = [
    `N = ${result.n.toLocaleString('en-US')}, indexie on ${result.storage ?? 'indexeddb'}${result.persistent ? ' (persistent profile)' : ''}, median of ${result.runs} runs, Chromium ${result.chromium}`,
  ];
  lines.push(
    `${'workload'.padEnd(52)}${'Dexie ms'.padStart(10)}${'indexie ms'.padStart(12)}${'ratio'.padStart(8)}${'target'.padStart(8)}` +
      `${'longest block ms (D / i)'.padStart(26)}`,
  );
  for (const row of result.rows) {
    const ratio = row.dexieMs / row.indexieMs;
    const target = TARGETS[row.workload];
    lines.push(
      `${row.workload.padEnd(52)}${ms(row.dexieMs).padStart(10)}${ms(row.indexieMs).padStart(12)}${`${ratio.toFixed(1)}x`.padStart(8)}` +
        `${(target ? `${target}x` : '').padStart(8)}${`${ms(row.dexieBlockMs)} / ${ms(row.indexieBlockMs)}`.padStart(26)}`,
    );
  }
  const mb = (bytes) => (bytes === undefined ? '?' : `${(bytes / 1048576).toFixed(1)} MB`);
  lines.push(
    `after the bulk load: JS heap ${mb(result.memory.dexie.jsHeapBytes)} (Dexie run), ${mb(result.memory.indexie.jsHeapBytes)} (indexie run); indexie wasm memory ${mb(result.memory.indexie.wasmBytes)}`,
  );
  for (const [when, pick] of [
    ['after the bulk load', (m) => m],
    ['after the last reopen + first query', (m) => m.afterReopen ?? {}],
  ]) {
    const d = pick(result.memory.dexie);
    const x = pick(result.memory.indexie);
    lines.push(
      `${when}: page JS heap ${mb(d.jsHeapBytes)} / ${mb(x.jsHeapBytes)}, page wasm - / ${mb(x.wasmBytes)}, workers' JS heap ${mb(d.workerJsHeapBytes)} / ${mb(x.workerJsHeapBytes)}, worker wasm - / ${mb(x.workerWasmBytes)}, ` +
        `renderer RssAnon (page + workers + Chromium) ${mb(d.rendererAnonBytes)} / ${mb(x.rendererAnonBytes)} (Dexie / indexie)`,
    );
  }
  return lines.join('\n');
}

const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar chart (SVG) of Dexie/indexie per workload, one bar per N, on a log scale. */
export function renderSvg(results) {
  const workloads = results[0].rows.map((row) => row.workload);
  const colors = ['#74c0fc', '#1c7ed6', '#0b4f9c'];
  const labelWidth = 380,
    plotWidth = 460,
    barHeight = 12,
    gap = 10,
    top = 52;
  const groupHeight = results.length * barHeight + gap;
  const height = top + workloads.length * groupHeight + 40;
  const minLog = Math.log10(0.1),
    maxLog = Math.log10(1000);
  const x = (ratio) => labelWidth + ((Math.log10(Math.min(Math.max(ratio, 0.1), 1000)) - minLog) / (maxLog - minLog)) * plotWidth;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 90}" height="${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="600">How many times faster than Dexie (Dexie ms / indexie ms, log scale)</text>`,
  ];
  results.forEach((result, i) =>
    parts.push(
      `<rect x="${10 + i * 130}" y="30" width="10" height="10" fill="${colors[i % colors.length]}"/>` +
        `<text x="${24 + i * 130}" y="39">N = ${result.n.toLocaleString('en-US')}</text>`,
    ),
  );
  for (const tick of [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000]) {
    parts.push(
      `<line x1="${x(tick)}" x2="${x(tick)}" y1="${top - 6}" y2="${height - 30}" stroke="${tick === 1 ? '#868e96' : '#e9ecef'}"/>` +
        `<text x="${x(tick)}" y="${height - 16}" text-anchor="middle" fill="#495057">${tick}x</text>`,
    );
  }
  workloads.forEach((workload, w) => {
    const y0 = top + w * groupHeight;
    parts.push(`<text x="${labelWidth - 8}" y="${y0 + (results.length * barHeight) / 2 + 4}" text-anchor="end">${escape(workload)}</text>`);
    results.forEach((result, i) => {
      const row = result.rows.find((r) => r.workload === workload);
      if (!row) return;
      const ratio = row.dexieMs / row.indexieMs;
      const y = y0 + i * barHeight;
      parts.push(
        `<rect x="${Math.min(x(1), x(ratio))}" y="${y}" width="${Math.abs(x(ratio) - x(1))}" height="${barHeight - 2}" fill="${colors[i % colors.length]}"/>` +
          `<text x="${Math.max(x(1), x(ratio)) + 4}" y="${y + barHeight - 3}" fill="#212529">${ratio >= 10 ? ratio.toFixed(0) : ratio >= 0.1 ? ratio.toFixed(1) : ratio.toFixed(2)}x</text>`,
      );
    });
    const target = TARGETS[workload];
    if (target)
      parts.push(
        `<line x1="${x(target)}" x2="${x(target)}" y1="${y0 - 2}" y2="${y0 + results.length * barHeight}" stroke="#e03131" stroke-width="2"/>`,
      );
  });
  parts.push(
    `<text x="10" y="${height - 2}" fill="#868e96" font-size="11">Red marks: the targets at N = 100,000. Measured ${new Date().toISOString().slice(0, 10)}, Chromium ${escape(results[0].chromium)}, headless, shared 2-core machine.</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}
