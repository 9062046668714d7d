// tabs-counter.mjs: three tabs incrementing one counter for `seconds`, each
// increment its own read-modify-write transaction, Dexie 4 and js/src/tabs'
// shared engine in the same Chromium run (three pages of one browser
// context = three tabs of one origin). The shared engine runs twice: with
// the owner's host the in-process engine over the memory VFS ('memory', no
// durability), and with that engine saving each commit to IndexedDB before
// it answers ('durable', tests/browser/pages/snapshot-host.js: a stand-in
// for the OPFS Worker host); then the public API on OPFS (new Indexie(name,
// { storage: 'opfs' }): db.transaction, liveQuery). Prints each tab's count, the total, whether
// the final counter equals it, and the cross-tab visibility median: from a
// write resolving in one tab to another tab seeing it (Dexie: its liveQuery
// emitting the new count; shared engine: onChanges, then a re-read).
// Usage: node bench/tabs-counter.mjs [seconds=10] [visibility rounds=30] [--persistent]   (after npm run build in js/)
// --persistent: the tabs of a persistent profile (storage on disk, as in a
// user's browser; bench/bench-browser.mjs says why it matters for OPFS)
// instead of off-the-record browser contexts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { launchChromium, launchChromiumProfile } from '../scripts/chromium.mjs';
import { ROOT, startServer } from '../scripts/serve.mjs';

const args = process.argv.slice(2).filter((arg) => arg !== '--persistent');
const persistent = process.argv.includes('--persistent');
const seconds = Number(args[0] ?? 10);
const rounds = Number(args[1] ?? 30);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startServer({
  mounts: [
    { prefix: '/bench/', dir: join(ROOT, 'bench', 'pages') },
    { prefix: '/test/', dir: join(ROOT, 'tests', 'browser', 'pages') },
    { prefix: '/build-tsc/', dir: join(ROOT, 'js', 'build-tsc') },
    { prefix: '/node_modules/', dir: join(ROOT, 'node_modules') },
  ],
});
const profileDir = persistent ? mkdtempSync(join(tmpdir(), 'indexie-tabs-bench-')) : undefined;
const profile = profileDir ? await launchChromiumProfile(profileDir) : undefined;
const browser = profile ? profile.browser() : await launchChromium();

/** Three tabs of one fresh context (or of the persistent profile) with `setup` done in each, one after the other. */
async function threeTabs(setup) {
  const context = profile ?? (await browser.newContext());
  const pages = [];
  for (let i = 0; i < 3; i++) {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(`${server.url}bench/tabs-counter.html`);
    await page.locator('#status', { hasText: 'ready' }).waitFor();
    await page.evaluate((s) => window.setup(s), setup);
    pages.push(page);
  }
  return { context, pages };
}

async function run(label, setup) {
  const { context, pages } = await threeTabs(setup);
  const counts = await Promise.all(pages.map((page) => page.evaluate((ms) => window.incrementFor(ms), seconds * 1000)));
  const total = counts.reduce((a, b) => a + b, 0);
  const final = await pages[1].evaluate(() => window.counter());
  // Visibility: tab 0 writes, tab 2 watches (and tab 1, the owner of the shared engine runs in tab 0, stays idle).
  const [writer, , reader] = pages;
  await reader.evaluate(() => window.watch());
  const delays = [];
  for (let i = 1; i <= rounds; i++) {
    const before = await reader.evaluate(() => window.seen.length);
    const at = await writer.evaluate(() => window.addNote());
    const seen = await reader.evaluate(
      async ([n, from]) => {
        const end = performance.now() + 2000;
        for (;;) {
          const hit = window.seen.slice(from).find((s) => s.count >= n);
          if (hit || performance.now() > end) return hit ?? null;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      },
      [i, before],
    );
    if (seen) delays.push(seen.at - at);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (profile) await Promise.all(pages.map((page) => page.close()));
  else await context.close();
  return { label, counts, total, final, exact: final === total, visibility: median(delays), seen: delays.length };
}

try {
  console.log(`three tabs, one counter, ${seconds} s each, Chromium ${browser.version()}${persistent ? ', persistent profile' : ''}`);
  const results = [];
  results.push(await run('Dexie 4', { lib: 'dexie', name: 'counter-dexie' }));
  results.push(await run('shared engine (memory host)', { lib: 'indexie', name: 'counter-memory', host: 'memory' }));
  results.push(await run('shared engine (durable host)', { lib: 'indexie', name: 'counter-durable', host: 'durable' }));
  results.push(await run("indexie, storage: 'opfs'", { lib: 'indexie-opfs', name: `counter-opfs-${Date.now()}` }));
  for (const r of results) {
    console.log(
      `${r.label.padEnd(30)} ${r.counts.join(' + ')} = ${r.total} increments (final counter ${r.final}, ${r.exact ? 'exact' : 'LOST UPDATES'}); ` +
        `cross-tab visibility median ${r.visibility?.toFixed(2)} ms over ${r.seen}/${rounds} writes`,
    );
  }
  const dexie = results[0].total;
  for (const r of results.slice(1)) console.log(`${r.label}: ${(r.total / dexie).toFixed(2)}x Dexie's increments`);
} finally {
  await (profile ?? browser).close();
  await server.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
}
