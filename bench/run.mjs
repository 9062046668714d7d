// run.mjs: the benchmark against Dexie (issue 9). Usage, after scripts/build.sh:
//   node bench/run.mjs [N ...] [--runs R] [--storage indexeddb|opfs] [--persistent]
//   default: 10000 100000, 3 runs, indexie on IndexedDB (as the README's
//   tables); --storage opfs runs indexie with new Indexie(name, {storage:
//   'opfs'}) (engine in a Worker, file in OPFS) against the same Dexie;
//   --persistent opens the pages in a persistent profile (storage on disk)
//   instead of Playwright's off-the-record context (storage in memory).
// Prints a table per N, and writes bench/results/results.json and
// bench/results/chart.svg (shown in the README).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { renderSvg, renderTable, runBenchmark } from './benchmark.mjs';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const storageAt = args.indexOf('--storage');
const storage = storageAt >= 0 ? args[storageAt + 1] : 'indexeddb';
if (storage !== 'indexeddb' && storage !== 'opfs') throw new Error(`--storage must be indexeddb or opfs, not ${storage}`);
const valueAt = new Set([runsAt + 1, storageAt + 1].filter((i) => i > 0));
const sizes = args.filter((arg, i) => !arg.startsWith('--') && !valueAt.has(i)).map(Number);
const persistent = args.includes('--persistent');
const results = await runBenchmark({ sizes: sizes.length > 0 ? sizes : [10000, 100000], runs, storage, persistent });
for (const result of results) console.log(`${renderTable(result)}\n`);
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
// The OPFS results go beside the IndexedDB ones, so the README's chart stays the IndexedDB one.
const stem = `${storage === 'indexeddb' ? '' : `-${storage}`}${persistent ? '-persistent' : ''}`;
writeFileSync(`${dir}results${stem}.json`, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(`${dir}chart${stem}.svg`, `${renderSvg(results)}\n`);
console.log(`wrote ${dir}results${stem}.json and ${dir}chart${stem}.svg`);
