// portability.test.mjs: export -> import in real Chromium at 3,000 records
// with every value type (bench/portability.mjs runs the same at 100,000):
// the copy equals the original record by record and index by index.
// The longest main-thread task (from a DevTools trace: wall and CPU time)
// is logged, not asserted: on a shared machine one stray long task (GC,
// another process) is not the code's; the bench reports it at scale.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runPortability } from '../../bench/portability.mjs';

test('export -> import round trip of 3,000 records in Chromium: the copy equals the original', async () => {
  const r = await runPortability(3000);
  assert.equal(r.equal, true);
  assert.equal(r.indexEqual, true);
  console.log(
    `# export ${r.exportMs.toFixed(0)} ms (longest task ${r.exportTask.wall.toFixed(0)} ms, ${r.exportTask.cpu.toFixed(0)} ms of CPU), ` +
      `import ${r.importMs.toFixed(0)} ms (longest task ${r.importTask.wall.toFixed(0)} ms, ${r.importTask.cpu.toFixed(0)} ms of CPU)`,
  );
});
