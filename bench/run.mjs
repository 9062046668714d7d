// run.mjs: the benchmark against Dexie (issue 9). Usage, after scripts/build.sh:
//   node bench/run.mjs [N ...] [--runs R]      default: 10000 100000, 3 runs
// Prints a table per N, and writes bench/results/results.json and
// bench/results/chart.svg (shown in the README).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { renderSvg, renderTable, runBenchmark } from './benchmark.mjs';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const sizes = args.filter((arg, i) => !arg.startsWith('--') && !(runsAt >= 0 && i === runsAt + 1)).map(Number);
const results = await runBenchmark({ sizes: sizes.length > 0 ? sizes : [10000, 100000], runs });
for (const result of results) console.log(`${renderTable(result)}\n`);
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}results.json`, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(`${dir}chart.svg`, `${renderSvg(results)}\n`);
console.log(`wrote ${dir}results.json and ${dir}chart.svg`);
