// electric-faults.test.mjs: table.syncElectric() through the faults issue 20
// names that electric-sync.test.mjs does not cover, against the test shape
// server over a real Postgres (tests/electric/):
// - the server down for 10 s, changes committed just before and during it:
//   status goes offline, then live, and no change is lost;
// - slow responses (every answer delayed): every liveQuery emission is a
//   state Postgres went through, in commit order (an old batch applied
//   again would step back), and the client never asks again for an offset
//   before one it has passed;
// - a live request the server never answers (long-poll and SSE): abandoned
//   after the `timeout` option's silence, retried, the change arrives;
// - a 400 "offset out of bounds" (the server no longer knows the stored
//   offset): a clean refetch, not a stop; the liveQuery never shows a mix.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { Indexie, InvalidArgumentError, liveQuery } from 'indexie';
import { insertItemsSql, selectItems, sortById, startElectricFixture, until } from '../electric/fixtures.mjs';

let fixture;
let counter = 0;
const FAST = { initialMs: 20, maxMs: 200 };
const LONG_POLL_MS = 1000;

before(async () => {
  fixture = await startElectricFixture({ chunkRows: 100, longPollMs: LONG_POLL_MS, sseMs: 1500, keepAliveMs: 300 });
  await fixture.shapes.sql(insertItemsSql(1, 201));
});
const opened = [];
after(async () => {
  for (const db of opened) db.close(); // a failed test's sync stops too
  await fixture?.stop();
});

function openDb() {
  const db = new Indexie(`electric-faults-${++counter}`, { indexedDB: new IDBFactory(), IDBKeyRange });
  db.version(1).stores({ items: 'id, title' });
  opened.push(db);
  return db;
}
const shapeOpts = (extra = {}) => ({ url: fixture.shapes.url, params: { table: 'items' }, backoff: FAST, ...extra });
const state = (rows) => rows.map((r) => `${r.id}:${r.title}`).join();
const selectState = async () => state(await selectItems(fixture.shapes.pool));

/** Waits until the table equals SELECT and the sync is up to date. */
async function equalsSelect(db, sync, what, ms = 15_000) {
  const expected = await selectItems(fixture.shapes.pool);
  let actual;
  await until(
    async () => {
      if (!sync.isUpToDate) return false;
      actual = sortById(await db.items.toArray()).map((row) => ({ ...row, id: String(row.id) }));
      return JSON.stringify(actual) === JSON.stringify(expected);
    },
    what,
    ms,
  );
  assert.deepEqual(actual, expected);
}

/** Records every emission of a liveQuery over the whole table. */
function recordEmissions(db) {
  const emissions = [];
  const subscription = liveQuery(() => db.items.toArray()).subscribe((rows) => emissions.push(state(rows)));
  return { emissions, stop: () => subscription.unsubscribe() };
}

async function reset() {
  const s = fixture.shapes;
  s.faults.delayMs = 0;
  await s.sql('DELETE FROM items WHERE id > 200');
  await s.sql(`UPDATE items SET title = 'item ' || id WHERE title <> 'item ' || id`);
}

test('server down for 10 s: offline, then live again, with every change made before and during it', async () => {
  const db = openDb();
  const s = fixture.shapes;
  const sync = db.items.syncElectric(shapeOpts());
  await sync.whenUpToDate();
  await until(() => sync.status === 'live', 'live');
  const statuses = [];
  sync.subscribe((status) => statuses.push(status));
  await s.pool.query(`UPDATE items SET title = 'just before' WHERE id = 1`);
  await s.down();
  const downAt = Date.now();
  await until(() => sync.status === 'offline', 'status offline while the server is down');
  await s.pool.query(insertItemsSql(500, 505));
  await s.pool.query(`UPDATE items SET title = 'while down' WHERE id BETWEEN 2 AND 4`);
  await s.pool.query(`DELETE FROM items WHERE id IN (5, 6)`);
  await new Promise((r) => setTimeout(r, 10_000 - (Date.now() - downAt)));
  assert.equal(sync.status, 'offline', 'still offline after 10 s down');
  await s.up();
  await s.sync();
  await equalsSelect(db, sync, 'the changes made before and while the server was down');
  await until(() => sync.status === 'live', 'live again');
  assert.deepEqual(statuses.slice(statuses.indexOf('offline')).at(-1), 'live');
  assert.ok(statuses.indexOf('offline') < statuses.lastIndexOf('live'), statuses.join());
  await sync.stop();
  db.close();
  await reset();
  await s.sql(insertItemsSql(5, 7));
});

test('slow responses: emissions follow the commits in order, no offset asked for twice after it was passed', async () => {
  const db = openDb();
  const s = fixture.shapes;
  const sync = db.items.syncElectric(shapeOpts());
  await sync.whenUpToDate();
  const live = recordEmissions(db);
  await until(() => live.emissions.length > 0, 'a first emission');
  const from = s.requests.length;
  s.faults.delayMs = 400;
  const states = [await selectState()];
  for (let i = 0; i < 6; i++) {
    // Insert, rename, delete the same row: re-applying an old batch would show a state from the past.
    const sql = [insertItemsSql(600, 601), `UPDATE items SET title = 'slow ${i}' WHERE id = 600`, 'DELETE FROM items WHERE id = 600'][
      i % 3
    ];
    await s.sql(sql);
    states.push(await selectState());
    await new Promise((r) => setTimeout(r, 150));
  }
  await equalsSelect(db, sync, 'the slow changes');
  await until(() => live.emissions.at(-1) === states.at(-1), 'the liveQuery to show the last state');
  let position = 0;
  for (const emitted of live.emissions) {
    const index = states.indexOf(emitted, position);
    assert.ok(index >= 0, `an emission that is not a later state: ${emitted.slice(-60)}`);
    position = index;
  }
  const offsets = s.requests.slice(from).map((r) => new URL(r.url, 'http://x').searchParams.get('offset'));
  const asNumber = (o) => o.split('_').map(Number);
  for (let i = 1; i < offsets.length; i++) {
    const [a, b] = [asNumber(offsets[i - 1]), asNumber(offsets[i])];
    assert.ok(b[0] > a[0] || (b[0] === a[0] && b[1] >= a[1]), `offsets went back: ${offsets.join(' ')}`);
  }
  live.stop();
  await sync.stop();
  db.close();
  await reset();
});

for (const mode of ['long-poll', 'sse']) {
  test(`${mode}: a live request that is never answered times out and is retried`, async () => {
    assert.throws(() => openDb().items.syncElectric(shapeOpts({ timeout: 0 })), InvalidArgumentError);
    const db = openDb();
    const s = fixture.shapes;
    const timeout = 1500;
    const sync = db.items.syncElectric(shapeOpts({ live: mode, timeout }));
    await sync.whenUpToDate();
    await until(() => sync.status === 'live', 'live');
    const offlineErrors = [];
    sync.subscribe((status) => status === 'offline' && offlineErrors.push(sync.error?.message));
    s.faults.hangNextLive(1);
    const from = s.requests.length;
    // End the live request in flight (a change), so the next one is the one that hangs.
    await s.sql(`UPDATE items SET title = 'wakes the poll' WHERE id = 7`);
    await until(() => s.requests.slice(from).some((r) => r.hung), 'a live request the server holds forever');
    const hung = s.requests.slice(from).find((r) => r.hung);
    await s.sql(`UPDATE items SET title = 'behind the hang' WHERE id = 8`);
    await equalsSelect(db, sync, 'the change behind the hung request');
    const waited = Date.now() - hung.at;
    assert.ok(waited >= timeout - 100, `the change came ${waited} ms after the hang, before the timeout of ${timeout}`);
    assert.ok(
      offlineErrors.some((m) => /silent for 1500 ms/.test(m)),
      `the timeout was reported: ${offlineErrors.join(' | ')}`,
    );
    const offsetOf = (r) => new URL(r.url, 'http://x').searchParams.get('offset');
    const retried = s.requests.slice(s.requests.indexOf(hung) + 1);
    assert.ok(retried.length > 0 && retried[0].at - hung.at >= timeout - 100, 'retried once the timeout ran out');
    assert.equal(offsetOf(retried[0]), offsetOf(hung), 'retried from the same offset');
    await until(() => sync.status === 'live', 'live again');
    await sync.stop();
    db.close();
    await reset();
  });
}

test('400 offset out of bounds: the shape is refetched cleanly, the liveQuery never shows a mix', async () => {
  const db = openDb();
  const s = fixture.shapes;
  const sync = db.items.syncElectric(shapeOpts());
  await sync.whenUpToDate();
  // The server's own rule: an offset past the shape's log is a 400, as Electric answers.
  const handle = new URL(s.requests.at(-1).url, 'http://x').searchParams.get('handle');
  const probe = await fetch(`${s.url}?table=items&handle=${handle}&offset=999999999_0`);
  assert.equal(probe.status, 400);
  assert.deepEqual(await probe.json(), { message: 'Invalid request', errors: { offset: ['out of bounds for this shape'] } });

  const live = recordEmissions(db);
  const before = await selectState();
  await until(() => live.emissions.at(-1) === before, 'a first emission');
  const statuses = [];
  sync.subscribe((status) => statuses.push(status));
  const from = s.requests.length;
  s.faults.outOfBoundsNext(1);
  await s.sql(`UPDATE items SET title = 'out of bounds ' || id WHERE id <= 50`); // ends the held poll
  await equalsSelect(db, sync, 'the refetched shape');
  const afterState = await selectState();
  await until(() => live.emissions.at(-1) === afterState, 'the liveQuery to show the new state');
  for (const emitted of live.emissions) assert.ok(emitted === before || emitted === afterState, 'no mixed emission');
  const offsets = s.requests.slice(from).map((r) => new URL(r.url, 'http://x').searchParams.get('offset'));
  assert.ok(offsets.includes('-1'), `refetched from -1: ${offsets.join(' ')}`);
  assert.ok(!statuses.includes('error'), `never stopped in error: ${statuses.join()}`);
  await until(() => sync.status === 'live', 'live after the refetch');
  live.stop();
  await sync.stop();
  db.close();
  await reset();
});
