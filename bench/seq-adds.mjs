// seq-adds.mjs: the benchmark's "200 sequential add()" row alone, for quick
// iteration: Dexie and indexie in one headless Chromium page, on tables of
// N records, `rounds` alternating rounds each; prints each library's median
// and the ratio. With --profile, also a CPU profile of one indexie round
// (self time per function, via the DevTools protocol).
// --storage opfs puts indexie's database in OPFS (engine in a Worker);
// --persistent runs in a persistent profile (storage on disk; see
// bench-browser.mjs).
// --durability strict|relaxed sets indexie's `durability` option (default: the library's).
// Usage: node bench/seq-adds.mjs [N=100000] [rounds=5] [--profile] [--storage opfs] [--durability strict] [--persistent]   (after scripts/build.sh)
import { withBenchBrowser } from './bench-browser.mjs';

const args = process.argv.slice(2);
const profile = args.includes('--profile');
const profileName = args.includes('--profile-dexie') ? 'dexie' : 'indexie';
const storageAt = args.indexOf('--storage');
const storage = storageAt >= 0 ? args[storageAt + 1] : 'indexeddb';
const durabilityAt = args.indexOf('--durability');
const durability = durabilityAt >= 0 ? args[durabilityAt + 1] : undefined;
const [n = 100000, rounds = 5] = args
  .filter((a, i) => !a.startsWith('--') && (storageAt < 0 || i !== storageAt + 1) && (durabilityAt < 0 || i !== durabilityAt + 1))
  .map(Number);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const persistent = args.includes('--persistent');
await withBenchBrowser(
  async ({ openPage }) => {
    const page = await openPage('seq.html');
    if (process.env.EXP)
      await page.evaluate((e) => {
        globalThis.__exp = JSON.parse(e);
      }, process.env.EXP);
    await page.evaluate((o) => window.setupSeq(o), { n, storage, durability });
    const times = { dexie: [], indexie: [] };
    for (let r = 0; r < rounds; r++) {
      for (const name of r % 2 ? ['indexie', 'dexie'] : ['dexie', 'indexie']) {
        times[name].push(await page.evaluate((o) => window.runSeq(o), { name, n }));
      }
    }
    for (const error of page.errors) console.error('page error:', error);
    const d = median(times.dexie);
    const x = median(times.indexie);
    console.log(`N=${n}, indexie on ${storage}${durability ? ` (durability ${durability})` : ''}, ${rounds} rounds of 200 awaited adds`);
    console.log(`dexie   ${times.dexie.map((t) => t.toFixed(0)).join(' ')}  median ${d.toFixed(1)} ms`);
    console.log(`indexie ${times.indexie.map((t) => t.toFixed(0)).join(' ')}  median ${x.toFixed(1)} ms`);
    console.log(`Dexie/indexie: ${(d / x).toFixed(2)}x`);
    for (const name of ['dexie', 'indexie']) {
      const { each } = await page.evaluate((o) => window.runSeq(o), { name, n, detail: true });
      const sorted = [...each].sort((a, b) => a - b);
      const q = (f) => sorted[Math.floor(f * (sorted.length - 1))].toFixed(2);
      const sum = each.reduce((a, b) => a + b, 0);
      const slow = each.map((t, i) => [t, i]).filter(([t]) => t > 4 * sorted[100]);
      console.log(
        `${name.padEnd(8)} per add: p10 ${q(0.1)} median ${q(0.5)} p90 ${q(0.9)} max ${q(1)} ms; sum ${sum.toFixed(0)}; slow: ${slow.map(([t, i]) => `#${i} ${t.toFixed(1)}`).join(' ')}`,
      );
    }
    if (profile || profileName === 'dexie') {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
      await page.evaluate((o) => window.runSeq(o), { name: profileName, n, adds: 400 });
      const { profile: p } = await cdp.send('Profiler.stop');
      const self = new Map();
      const dt = new Map();
      p.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
      let total = 0;
      for (const node of p.nodes) {
        const t = (dt.get(node.id) ?? 0) / 1000;
        total += t;
        const f = node.callFrame;
        const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
        self.set(key, (self.get(key) ?? 0) + t);
      }
      console.log(`profile of 400 ${profileName} adds: ${total.toFixed(0)} ms sampled`);
      for (const [key, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(t.toFixed(1).padStart(8), key);
    }
    await page.evaluate(() => window.teardownSeq());
  },
  { persistent },
);
