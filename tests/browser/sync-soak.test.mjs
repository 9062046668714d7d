// sync-soak.test.mjs: the short version of the REST sync soak
// (scripts/sync-soak.mjs: two Chromium processes as two devices, random
// writes, offline periods, a reload, hard kills during a push, one of them
// after the server applied it and before the answer arrived). Both devices
// and the server converge, every device's last committed write to each of
// its keys is on the server, nothing is pending, nothing was applied twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runSoak } from '../../scripts/sync-soak.mjs';

test('60 random writes on two devices with offline periods, a reload and kills mid-push converge, losing nothing', async () => {
  const report = await runSoak({ writes: 60, kills: 2, reloads: 1, offline: 2, seed: 7 });
  assert.deepEqual(report.violations, []);
  assert.equal(report.writes, 60);
  const { A, B } = report.devices;
  // The events happened (else the checks would have nothing to catch).
  assert.equal(A.kills + B.kills, 2);
  assert.equal(A.killsAfterApply + B.killsAfterApply, 1);
  assert.equal(A.reloads + B.reloads, 1);
  assert.equal(A.offlinePeriods + B.offlinePeriods, 2);
  assert.ok(A.link.dropped + B.link.dropped >= 2, 'the pushes cut by the kills were dropped');
  assert.ok(A.ownKeysChecked > 5 && B.ownKeysChecked > 5);
  // The push applied before its kill was re-sent under the same id and recognized.
  assert.ok(report.server.duplicates >= 1, `duplicates: ${report.server.duplicates}`);
  assert.equal(report.server.appliedChanges, report.server.distinctChangeIds);
  console.log(`# sync soak (short): ${JSON.stringify({ ...report, devices: undefined })}`);
});
