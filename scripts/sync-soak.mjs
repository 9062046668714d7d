#!/usr/bin/env node
// sync-soak.mjs: the REST sync soak (issue 21). Two "devices", each its own
// Chromium process on its own profile directory (so IndexedDB persists
// across a relaunch), make random writes to contacts while db.sync() pushes
// and pulls through the reference server. Meanwhile, at random moments:
// offline periods (the device's link to the server is cut: refused and reset
// connections), page reloads, and hard kills (SIGKILL of the browser's
// process group) in the middle of a push, alternately before the server saw
// it and after the server applied it but before the answer got back (a lost
// response). Then both go online and sync until quiet.
//
// What it checks (each failure is listed in `violations`):
//   - convergence: device A, device B and the server hold the same records;
//   - nothing lost: each device writes its own keys (and both write a few
//     shared ones, to make conflicts); every own key ends as the device's
//     last write that committed locally (a write cut by a kill or reload may
//     have committed or not: the device's database, read after relaunch,
//     says which, and it must be one of those two), and nothing is pending;
//   - nothing applied twice: the server's apply log has each change id once.
//
//   node scripts/sync-soak.mjs [--writes 1000] [--kills 10] [--reloads 10] [--offline 10] [--seed 1] [--strategy newest-wins]
// tests/browser/sync-soak.test.mjs runs a short version (runSoak()).
/* global window */ // page.evaluate callbacks run in the page
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

import { launchBrowserProcess } from './chromium.mjs';
import { startServer } from './serve.mjs';
import { startLinkProxy } from '../sync-server/link-proxy.mjs';
import { startSyncServer } from '../sync-server/reference-server.mjs';
import { TEST_MOUNTS } from '../tests/browser/harness.mjs';

/** Keys each device writes alone, and keys both write (conflicts). */
const OWN_KEYS = 40;
const SHARED_KEYS = 6;
const SHARED_SHARE = 0.15;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A seeded random source (mulberry32), so a failing run can be replayed with its --seed. */
function randomSource(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n) };
}

export async function runSoak({ writes = 1000, kills = 10, reloads = 10, offline = 10, seed = 1, syncOptions = {}, log = () => {} } = {}) {
  const started = performance.now();
  const random = randomSource(seed);
  const web = await startServer({ mounts: TEST_MOUNTS });
  const syncServer = await startSyncServer();
  const pageUrl = `${web.url}test/sync-device.html`;
  const violations = [];
  const devices = [];
  let killsSoFar = 0;
  try {
    for (const name of ['A', 'B']) {
      const link = await startLinkProxy(syncServer.url);
      devices.push({
        name,
        link,
        profile: mkdtempSync(join(tmpdir(), `indexie-soak-${name}-`)),
        share: name === 'A' ? Math.ceil(writes / 2) : Math.floor(writes / 2),
        written: 0,
        nextN: 0,
        /** own key -> the last write known to have committed locally: { n, deleted } */
        expected: new Map(),
        uncertain: [],
        numbers: {
          resolved: 0,
          uncertainCommitted: 0,
          uncertainNotCommitted: 0,
          kills: 0,
          killsAfterApply: 0,
          reloads: 0,
          offlinePeriods: 0,
        },
      });
    }

    const open = async (device) => {
      device.process ??= await launchBrowserProcess(device.profile);
      const { context } = device.process;
      device.page = context.pages()[0] ?? (await context.newPage());
      await device.page.goto(pageUrl);
      await device.page.locator('#status', { hasText: 'ready' }).waitFor({ timeout: 20000 });
      await device.page.evaluate(([url, options]) => window.startSync(url, options), [device.link.url, syncOptions]);
    };

    /** One random write; a write the page did not confirm (killed, reloaded) becomes uncertain. */
    const doWrite = async (device) => {
      device.written++;
      const n = ++device.nextN;
      const name = `${device.name} write ${n}`;
      let op;
      let tracked;
      if (random.next() < SHARED_SHARE) {
        op = ['put', { id: `s-${random.int(SHARED_KEYS)}`, dev: device.name, n, name }];
      } else {
        const key = `${device.name}-${random.int(OWN_KEYS)}`;
        const known = device.expected.get(key);
        const roll = random.next();
        if (known && !known.deleted && roll < 0.15) op = ['delete', key];
        else if (known && !known.deleted && roll < 0.55) op = ['update', key, { n, name }];
        else op = ['put', { id: key, dev: device.name, n, name }];
        tracked = { key, n, deleted: op[0] === 'delete' };
      }
      try {
        await device.page.evaluate((o) => window.write(o), op);
        device.numbers.resolved++;
        if (tracked) device.expected.set(tracked.key, tracked);
      } catch {
        if (tracked) device.uncertain.push(tracked);
      }
    };

    /** After a relaunch or reload: each uncertain write committed or not, and nothing else may be there. */
    const settleUncertain = async (device) => {
      const local = await device.page.evaluate(() => window.contacts());
      for (const write of device.uncertain.splice(0)) {
        const value = local[write.key];
        const shows = (state) => (!state || state.deleted ? value === undefined : value?.n === state.n);
        const before = device.expected.get(write.key);
        if (shows(write)) {
          device.expected.set(write.key, write);
          device.numbers.uncertainCommitted++;
        } else if (shows(before)) device.numbers.uncertainNotCommitted++;
        else
          violations.push(
            `${device.name}: after a restart, ${write.key} is ${JSON.stringify(value)}: neither the cut write ${write.n} nor the last confirmed ${JSON.stringify(before)}`,
          );
      }
    };

    const killDuringPush = async (device) => {
      device.link.online = true;
      const afterApply = killsSoFar++ % 2 === 1;
      const arriving = device.link.nextPush(20000);
      arriving.catch(() => undefined);
      let push = null;
      while (!push) {
        await doWrite(device);
        push = await Promise.race([arriving, sleep(40).then(() => null)]);
      }
      const cut = doWrite(device); // a write in flight when the browser dies
      if (afterApply) await push.forward(); // the server applies it; the answer never arrives
      await sleep(random.int(15));
      await device.process.kill();
      push.drop();
      await cut;
      device.process = undefined;
      device.numbers.kills++;
      if (afterApply) device.numbers.killsAfterApply++;
      log(`${device.name}: killed during a push (${afterApply ? 'after the server applied it' : 'before the server saw it'})`);
      await open(device);
      await settleUncertain(device);
    };

    const reload = async (device) => {
      const cut = doWrite(device);
      await sleep(random.int(20));
      await device.page.reload();
      await cut;
      await device.page.locator('#status', { hasText: 'ready' }).waitFor({ timeout: 20000 });
      await device.page.evaluate(([url, options]) => window.startSync(url, options), [device.link.url, syncOptions]);
      device.numbers.reloads++;
      await settleUncertain(device);
    };

    const plan = (device) => {
      const at = () => 1 + random.int(Math.max(1, device.share - 2));
      const events = [];
      const mine = (total) => Math.floor(total / 2) + (device.name === 'A' ? total % 2 : 0);
      for (let i = 0; i < mine(kills); i++) events.push({ at: at(), kind: 'kill' });
      for (let i = 0; i < mine(reloads); i++) events.push({ at: at(), kind: 'reload' });
      for (let i = 0; i < mine(offline); i++) {
        const from = at();
        events.push({ at: from, kind: 'offline' }, { at: from + 5 + random.int(Math.max(5, device.share / 10)), kind: 'online' });
      }
      return events.sort((a, b) => a.at - b.at);
    };

    const drive = async (device) => {
      const events = plan(device);
      while (device.written < device.share) {
        while (events.length > 0 && events[0].at <= device.written) {
          const event = events.shift();
          if (event.kind === 'kill') await killDuringPush(device);
          else if (event.kind === 'reload') await reload(device);
          else if (event.kind === 'offline') {
            device.link.online = false;
            device.numbers.offlinePeriods++;
          } else device.link.online = true;
        }
        await doWrite(device);
      }
      device.link.online = true;
    };

    await Promise.all(devices.map(open));
    log(`two devices up after ${Math.round(performance.now() - started)} ms; writing`);
    const writesStarted = performance.now();
    await Promise.all(devices.map(drive));
    const writingMs = performance.now() - writesStarted;
    log(`writes done in ${Math.round(writingMs)} ms; converging`);

    // Both online: sync until both are quiet and agree with the server.
    const convergeStarted = performance.now();
    let rounds = 0;
    let states;
    let serverState;
    let pending;
    for (; rounds < 30; rounds++) {
      for (const device of devices) await device.page.evaluate(() => window.syncAll());
      states = await Promise.all(devices.map((device) => device.page.evaluate(() => window.contacts())));
      pending = await Promise.all(devices.map((device) => device.page.evaluate(() => window.syncStatus().pendingChanges)));
      serverState = Object.fromEntries(
        Object.entries(syncServer.store.snapshot('contacts')).map(([key, value]) => [JSON.parse(key), value]),
      );
      if (pending.every((count) => count === 0) && isDeepStrictEqual(states[0], states[1]) && isDeepStrictEqual(states[0], serverState))
        break;
    }
    const convergeMs = performance.now() - convergeStarted;
    if (!isDeepStrictEqual(states[0], states[1])) violations.push('A and B did not converge');
    if (!isDeepStrictEqual(states[0], serverState)) violations.push('the devices and the server did not converge');
    if (pending.some((count) => count !== 0)) violations.push(`changes still pending after ${rounds} rounds: ${pending}`);
    for (const device of devices) {
      for (const [key, last] of device.expected) {
        const onServer = serverState[key];
        const ok = last.deleted ? onServer === undefined : onServer?.n === last.n;
        if (!ok)
          violations.push(
            `${device.name}: ${key} should be write ${last.n}${last.deleted ? ' (a delete)' : ''}, the server has ${JSON.stringify(onServer)}`,
          );
      }
    }
    const server = syncServer.store.stats();
    if (server.appliedChanges !== server.distinctChangeIds)
      violations.push(`${server.appliedChanges - server.distinctChangeIds} changes applied twice`);
    const events = await Promise.all(devices.map((device) => device.page.evaluate(() => window.events())));
    return {
      seed,
      writes: devices.reduce((sum, device) => sum + device.written, 0),
      devices: Object.fromEntries(
        devices.map((device, i) => [
          device.name,
          { ...device.numbers, link: device.link.stats, eventsSinceLastStart: events[i], ownKeysChecked: device.expected.size },
        ]),
      ),
      server,
      finalRecords: Object.keys(serverState).length,
      convergeRounds: rounds + 1,
      writingMs: Math.round(writingMs),
      convergeMs: Math.round(convergeMs),
      totalMs: Math.round(performance.now() - started),
      violations,
    };
  } finally {
    for (const device of devices) {
      await device.process?.close();
      await device.link.close();
      rmSync(device.profile, { recursive: true, force: true });
    }
    await syncServer.close();
    await web.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const report = await runSoak({
    writes: option('writes', 1000),
    kills: option('kills', 10),
    reloads: option('reloads', 10),
    offline: option('offline', 10),
    seed: option('seed', 1),
    syncOptions: args.includes('--strategy') ? { conflictResolution: args[args.indexOf('--strategy') + 1] } : {},
    log: (line) => console.error(`# ${line}`),
  });
  console.log(JSON.stringify(report, null, 2));
  process.exitCode = report.violations.length === 0 ? 0 : 1;
}
