// bench-smoke.test.mjs: the benchmark (bench/) runs end to end at N = 1,000,
// once, in real Chromium: every workload completes on both libraries with
// the same results (the page compares them), and the table and chart render.
// Times are not checked: speed is measured by `node bench/run.mjs`, not asserted.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { TARGETS, renderSvg, renderTable, runBenchmark } from '../../bench/benchmark.mjs';

test('the benchmark runs every workload on Dexie and indexie at N = 1,000', async () => {
  const [result] = await runBenchmark({ sizes: [1000], runs: 1, latencyRounds: 3 });
  const names = result.rows.map((row) => row.workload);
  for (const target of Object.keys(TARGETS)) assert.ok(names.includes(target), `${target} is measured`);
  assert.equal(names.length, 11);
  for (const row of result.rows) {
    assert.ok(row.dexieMs > 0 && row.indexieMs > 0, `${row.workload}: ${row.dexieMs} / ${row.indexieMs}`);
    assert.ok(Number.isFinite(row.dexieBlockMs) && Number.isFinite(row.indexieBlockMs));
  }
  assert.ok(result.memory.indexie.wasmBytes > 1 << 20, "the engine's wasm memory is reported");
  assert.match(renderTable(result), /bulkAdd of all N/);
  assert.match(renderSvg([result]), /^<svg[\s\S]*<\/svg>$/);
});
