// migration-crash.test.mjs: a page is closed at random points while it
// migrates a Dexie database of 10,000 people into indexie. After each
// close, a new page finds the source exactly as Dexie wrote it, and the
// indexie database either absent or complete (every table equal to the
// source, SQLite's integrity check clean): never half a migration.
// MIGRATION_CRASH_ROUNDS sets the rounds (default 4 here; the 20-round
// run is scripts/migration-crash-soak.sh). The first round is never closed:
// the migration must then complete, and its duration (from the first batch)
// sets the window the other rounds are closed in (0 to 1.2 times it).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { TEST_MOUNTS, startBrowser } from './harness.mjs';

const ROUNDS = Number(process.env.MIGRATION_CRASH_ROUNDS ?? 4);
const NAME = 'mig-crash';
const PEOPLE = 10000;

let browser;
before(async () => {
  browser = await startBrowser({ mounts: TEST_MOUNTS });
});
after(async () => {
  await browser?.close();
});

test(`closing the page mid-migration ${ROUNDS} times: never half a migration, the source never damaged`, async () => {
  const seeder = await browser.openTestPage('migration.html');
  await seeder.evaluate(([name, count]) => window.seedDexie(name, count), [NAME, PEOPLE]);
  const expected = await seeder.evaluate((name) => window.sourceSnapshot(name), NAME);
  await seeder.close();

  let random = 4242;
  const outcomes = { absent: 0, complete: 0 };
  let migrationMs;
  for (let round = 0; round < ROUNDS; round++) {
    const last = round === 0; // the uninterrupted round
    const page = await browser.openTestPage('migration.html');
    let started;
    const firstBatch = new Promise((resolve) => (started = resolve));
    let done;
    const finished = new Promise((resolve) => (done = resolve));
    await page.exposeFunction('reportProgress', () => started());
    await page.exposeFunction('reportDone', () => done());
    void page.evaluate((name) => window.migrateUntilClosed(name), NAME).catch(() => undefined);
    await firstBatch;
    const begin = Date.now();
    if (last) {
      await finished;
      migrationMs = Date.now() - begin;
    } else {
      random = (random * 1103515245 + 12345) % 2147483648;
      await new Promise((resolve) => setTimeout(resolve, (random / 2147483648) * 1.2 * migrationMs));
    }
    await page.close();

    const checker = await browser.openTestPage('migration.html');
    const seen = await checker.evaluate(([name, reference]) => window.inspectAfterCrash(name, reference), [NAME, expected]);
    assert.equal(seen.sourceWhole, true, `round ${round}: the source changed`);
    if (seen.migrated) {
      outcomes.complete++;
      assert.deepEqual(seen.migrated.integrity, [], `round ${round}: integrity`);
      for (const table of Object.keys(expected)) {
        assert.equal(seen.migrated[table], expected[table], `round ${round}: table '${table}' is not whole`);
      }
    } else {
      outcomes.absent++;
      assert.ok(!last, 'the round that was not closed must have completed the migration');
    }
    await checker.evaluate((name) => window.deleteMigrated(name), NAME);
    await checker.close();
  }
  console.log(
    `# migration crash: ${ROUNDS} rounds: ${outcomes.absent} closed before the commit (nothing stored), ` +
      `${outcomes.complete} complete; an uninterrupted migration of ${PEOPLE} people took ${migrationMs} ms after its first batch`,
  );
});
