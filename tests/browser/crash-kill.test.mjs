// crash-kill.test.mjs: hard browser kills mid-commit (issue 22), on the
// OPFS store and on the IndexedDB store: the whole Chromium is SIGKILLed at
// a random moment while a page commits large batches, then a new Chromium
// on the same profile opens the database: SQLite's integrity check is
// clean, every commit whose promise resolved is there and whole, nothing is
// half-written, the database takes a write, and the open is not refused (a
// lock left behind by the killed browser would be a DatabaseInUseError on
// OPFS). A round in which no commit resolved before the kill fails. The
// rounds are scripts/crash-kill-soak.mjs's, which runs 100 kills (README
// there); CRASH_KILLS sets the kills per store here (default 3).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runKillSoak } from '../../scripts/crash-kill-soak.mjs';

const KILLS = Number(process.env.CRASH_KILLS ?? 3);

for (const storage of ['opfs', 'indexeddb']) {
  test(`${KILLS} hard kills of the browser mid-commit on ${storage}: no resolved commit lost, integrity ok, writable after`, async () => {
    const { numbers, violations } = await runKillSoak({ storage, kills: KILLS, seed: storage === 'opfs' ? 22 : 23 });
    assert.deepEqual(violations, []);
    assert.equal(numbers.kills, KILLS);
    assert.ok(numbers.resolvedCommits >= KILLS, 'each round resolved at least one commit before its kill');
    console.log(
      `# crash-kill ${storage}: ${numbers.kills} kills, ${numbers.resolvedCommits} resolved commits of ${numbers.rowsPerCommit} rows, ` +
        `none lost; ${numbers.killedWithCommitInFlight} kills with a commit in flight; integrity ok each time`,
    );
  });
}
