#!/usr/bin/env node
// crash-kill-soak.mjs: hard browser kills mid-commit (issue 22). A page
// (tests/browser/pages/crash.js) commits batches of 1500 rows one after the
// other and reports each resolved commit to this process over a binding;
// after its first resolved commit, at a random moment (0 to 400 ms later,
// commits take tens to hundreds of ms), the whole Chromium is SIGKILLed
// (its process group: no unload, no flush, nothing graceful). A new
// Chromium on the same profile then opens the database and must find:
//   - SQLite's PRAGMA integrity_check clean (db.checkIntegrity());
//   - every commit whose resolution reached this process, whole;
//   - every other batch present whole (a commit is all or nothing);
//   - the batches it checked in earlier rounds (trimmed to 5 rows each,
//     so the database stays small over 100 kills) still there;
//   - the database taking a write (the trim is one commit);
//   - no error opening it (a lock left by the killed browser, a
//     DatabaseInUseError on OPFS, is a failure).
// A round in which no commit resolved before the kill is a failure too: it
// would have checked nothing. The next round's writing page is the same
// browser that verified, so each kill costs one browser start.
//
//   node scripts/crash-kill-soak.mjs [--storage opfs|indexeddb] [--kills 100] [--seed 1]
// Needs a build (js/dist). tests/browser/crash-kill.test.mjs runs a short
// version (runKillSoak()) on both stores.
/* global window */ // page.evaluate callbacks run in the page
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchBrowserProcess } from './chromium.mjs';
import { startServer } from './serve.mjs';
import { TEST_MOUNTS } from '../tests/browser/harness.mjs';

const NAME = 'crash-kill';
/** The kill comes this long after the round's first resolved commit, at most. */
const MAX_KILL_DELAY_MS = 400;
/** How long a round waits for its first commit (a browser start, the open and one commit). */
const FIRST_COMMIT_TIMEOUT_MS = 20000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A seeded random source (mulberry32), so a failing run can be replayed with its --seed. */
function randomSource(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs `kills` rounds on `storage` ('opfs' or 'indexeddb'); returns the
 * numbers and every violation found (empty when nothing was lost).
 */
export async function runKillSoak({ storage, kills, seed = 1, log = () => {} }) {
  const random = randomSource(seed);
  const server = await startServer({ mounts: TEST_MOUNTS });
  const profile = mkdtempSync(join(tmpdir(), 'indexie-crash-kill-'));
  const numbers = {
    storage,
    kills: 0,
    resolvedCommits: 0,
    resolvedLost: 0,
    integrityFailures: 0,
    openErrors: 0,
    roundsWithoutCommit: 0,
    killedWithCommitInFlight: 0,
    unreportedCommitsFound: 0,
    verifyMs: 0,
    rowsPerCommit: 0,
  };
  const violations = [];
  /** Batches whose resolution reached this process since the last check. */
  let resolvedUnchecked = new Set();
  /** Batches checked before, trimmed to keptRows rows: they must stay. */
  let trimmed = new Set();
  let nextBatch = 1;

  /** Opens the database in `page` after a kill and checks it (see the header). */
  const check = async (page, round) => {
    const begin = Date.now();
    const seen = await page.evaluate(([name, store]) => window.verifyAndTrim(name, store), [NAME, storage]);
    numbers.verifyMs += Date.now() - begin;
    if (seen.error) {
      numbers.openErrors++;
      violations.push(`after kill ${round}: ${seen.error}`);
      return;
    }
    numbers.rowsPerCommit = seen.batchSize;
    if (seen.problems.length > 0) {
      numbers.integrityFailures++;
      violations.push(`after kill ${round}: integrity: ${seen.problems.join('; ')}`);
    }
    const counts = Object.fromEntries(Object.entries(seen.counts).map(([batch, count]) => [Number(batch), count]));
    for (const batch of resolvedUnchecked) {
      if (counts[batch] !== seen.batchSize) {
        numbers.resolvedLost++;
        violations.push(`after kill ${round}: resolved batch ${batch} has ${counts[batch] ?? 0} of ${seen.batchSize} rows`);
      }
    }
    for (const batch of trimmed) {
      if (counts[batch] !== seen.keptRows) {
        numbers.resolvedLost++;
        violations.push(`after kill ${round}: batch ${batch}, checked before, has ${counts[batch] ?? 0} of ${seen.keptRows} rows`);
      }
    }
    for (const [batch, count] of Object.entries(counts).map(([b, c]) => [Number(b), c])) {
      if (trimmed.has(batch) || resolvedUnchecked.has(batch)) continue;
      numbers.unreportedCommitsFound++;
      if (count !== seen.batchSize) violations.push(`after kill ${round}: batch ${batch} is half-written (${count} rows)`);
    }
    trimmed = new Set([...trimmed, ...Object.keys(counts).map(Number)]);
    if (seen.rowsAfterTrim !== trimmed.size * seen.keptRows) {
      violations.push(`after kill ${round}: ${seen.rowsAfterTrim} rows after the trim, expected ${trimmed.size * seen.keptRows}`);
    }
    resolvedUnchecked = new Set();
    nextBatch = Math.max(nextBatch, ...trimmed) + 1;
  };

  const openPage = async (browser) => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}test/crash.html`);
    await page.locator('#status', { hasText: 'ready' }).waitFor({ timeout: 15000 });
    return page;
  };

  try {
    for (let round = 0; round <= kills; round++) {
      const browser = await launchBrowserProcess(profile);
      try {
        const page = await openPage(browser);
        if (round > 0) await check(page, round);
        if (round === kills) {
          await browser.close();
          break;
        }
        let resolvedInRound = 0;
        let started = 0;
        let lastResolved = 0;
        let firstResolved;
        const firstCommit = new Promise((resolve) => (firstResolved = resolve));
        await page.exposeFunction('reportStarted', (batch) => (started = batch));
        await page.exposeFunction('reportResolved', (batch) => {
          resolvedUnchecked.add(batch);
          lastResolved = batch;
          resolvedInRound++;
          firstResolved();
        });
        void page
          .evaluate(([name, first, store]) => window.writeUntilClosed(name, first, store), [NAME, nextBatch, storage])
          .catch(() => undefined);
        let timer;
        await Promise.race([firstCommit, new Promise((resolve) => (timer = setTimeout(resolve, FIRST_COMMIT_TIMEOUT_MS)))]);
        clearTimeout(timer);
        await sleep(random() * MAX_KILL_DELAY_MS);
        const inFlight = started > lastResolved;
        await browser.kill();
        numbers.kills++;
        numbers.resolvedCommits += resolvedInRound;
        if (inFlight) numbers.killedWithCommitInFlight++;
        if (resolvedInRound === 0) {
          numbers.roundsWithoutCommit++;
          violations.push(
            `kill ${round + 1}: no commit resolved in ${FIRST_COMMIT_TIMEOUT_MS} ms before the kill: the round checked nothing`,
          );
        }
        log(`kill ${round + 1}: ${resolvedInRound} commits resolved${inFlight ? ', one in flight' : ''}`);
      } finally {
        await browser.kill();
      }
    }
  } finally {
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return { numbers, violations };
}

/** `--name value` from the command line, or the fallback. */
function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

if (normalize(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const storage = option('storage', 'opfs');
  const kills = Number(option('kills', 100));
  const begin = Date.now();
  const { numbers, violations } = await runKillSoak({
    storage,
    kills,
    seed: Number(option('seed', 1)),
    log: (line) => console.log(`# ${line}`),
  });
  console.log(JSON.stringify({ ...numbers, seconds: Math.round((Date.now() - begin) / 1000), violations }, null, 2));
  process.exitCode = violations.length === 0 ? 0 : 1;
}
