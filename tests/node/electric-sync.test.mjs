// electric-sync.test.mjs: table.syncElectric() against the test shape server
// over a real Postgres (tests/electric/): the table equals SELECT after the
// initial snapshot (in pages) and after live inserts, partial updates and
// deletes, in long-poll and SSE; resume after a restart mid-snapshot and in
// live mode without refetching; 409 must-refetch with a rotated handle and
// no live-query emission mixing old and new; faults (server down, 500s, a
// cut-off body, 401 with a refreshed token, a 400); silent apply (no hook
// runs for synced changes, an app write still runs them); stop() and
// db.close() end the sync. The database persists through fake-indexeddb,
// so a "reload" is a new Indexie on the same IndexedDB.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { ElectricSyncError, Indexie, liveQuery } from 'indexie';
import { insertItemsSql, selectItems, sortById, startElectricFixture, until } from '../electric/fixtures.mjs';

let fixture;
let counter = 0;
const FAST = { initialMs: 20, maxMs: 200 };

before(async () => {
  fixture = await startElectricFixture({ chunkRows: 400, longPollMs: 1000, sseMs: 1500, keepAliveMs: 300 });
  await fixture.shapes.sql(insertItemsSql(1, 1001)); // 3 snapshot pages
});
after(async () => {
  await fixture?.stop();
});

function openDb(indexedDB = new IDBFactory(), name = `electric-${++counter}`) {
  const db = new Indexie(name, { indexedDB, IDBKeyRange });
  db.version(1).stores({ items: 'id, title, done' });
  return db;
}

/** Waits until the table equals SELECT (for `where`) and the sync is up to date. */
async function equalsPostgres(db, sync, where = 'true', what = 'the table to equal SELECT') {
  const expected = await selectItems(fixture.shapes.pool, where);
  let actual;
  try {
    await until(
      async () => {
        if (!sync.isUpToDate) return false;
        actual = sortById(await db.items.toArray()).map((row) => ({ ...row, id: String(row.id) }));
        try {
          assert.deepEqual(actual, expected);
          return true;
        } catch {
          return false;
        }
      },
      what,
      15_000,
    );
  } catch (error) {
    assert.deepEqual(actual?.slice(0, 5), expected.slice(0, 5), `${error.message} (${actual?.length} vs ${expected.length} rows)`);
    throw error;
  }
}

const shapeOpts = (extra = {}) => ({ url: fixture.shapes.url, params: { table: 'items' }, backoff: FAST, ...extra });

for (const live of ['long-poll', 'sse']) {
  test(`${live}: initial sync in pages, then live inserts, partial updates, deletes, applied silently`, async () => {
    const db = openDb();
    const hookCalls = [];
    db.items.hook('creating', () => void hookCalls.push('creating'));
    db.items.hook('updating', () => void hookCalls.push('updating'));
    db.items.hook('deleting', () => void hookCalls.push('deleting'));
    db.items.hook.onAdd(async () => void hookCalls.push('onAdd'));
    const statuses = [];
    const sync = db.items.syncElectric(shapeOpts({ live }));
    sync.subscribe((s) => statuses.push(s));
    await sync.whenUpToDate();
    await equalsPostgres(db, sync, 'true', 'the initial snapshot');
    const first = await db.items.get(1);
    assert.equal(first.id, 1); // int8 -> number (safe integer)
    assert.equal(first.done, false);
    assert.deepEqual(first.meta, { n: 1, even: false });
    assert.deepEqual(first.tags, ['t1', null]);
    assert.equal(first.amount, '1.25');

    // A live query re-runs on synced changes.
    const counts = [];
    const subscription = liveQuery(() => db.items.count()).subscribe((n) => counts.push(n));
    await until(() => counts.length > 0, 'the first live query result');
    const s = fixture.shapes;
    await s.sql(insertItemsSql(5000, 5005));
    await equalsPostgres(db, sync, 'true', 'live inserts');
    const total = Number((await s.pool.query('SELECT count(*) AS n FROM items')).rows[0].n);
    await until(() => counts.at(-1) === total, 'the live query to see the inserts').catch((e) => {
      throw new Error(`${e.message}: ${counts.join()} ${sync.status}`);
    });
    await s.sql(`UPDATE items SET title = 'renamed' WHERE id BETWEEN 10 AND 12`);
    await equalsPostgres(db, sync, 'true', 'a partial update');
    assert.equal((await db.items.get(10)).amount, '12.50'); // untouched columns kept (merged)
    await s.sql(`DELETE FROM items WHERE id IN (5000, 5001)`);
    await s.sql(`UPDATE items SET id = 7000 WHERE id = 20`); // a primary key change
    await equalsPostgres(db, sync, 'true', 'deletes and a PK change');
    assert.deepEqual(hookCalls, [], 'no hook ran for synced changes');
    await db.items.add({ id: 99999, title: 'local' });
    assert.deepEqual(hookCalls, ['creating', 'onAdd'], 'an app write still runs the hooks');
    await db.items.delete(99999);
    assert.ok(statuses.includes('initial-sync') && statuses.includes('up-to-date') && statuses.at(-1) === 'live', statuses.join());
    assert.ok(sync.lastSyncedAt instanceof Date);
    if (live === 'sse') assert.ok(s.requests.some((r) => r.url.includes('live_sse=true')));
    subscription.unsubscribe();
    await sync.stop();
    db.close();
    await s.sql('UPDATE items SET id = 20 WHERE id = 7000');
    await s.sql('DELETE FROM items WHERE id >= 5000');
    await s.sql(`UPDATE items SET title = 'item ' || id WHERE id BETWEEN 10 AND 12`);
  });
}

test('resume: a restart mid-snapshot continues at the next page; a restart when live asks for no snapshot', async () => {
  const indexedDB = new IDBFactory();
  const name = `electric-resume-${++counter}`;
  const s = fixture.shapes;
  let db = openDb(indexedDB, name);
  // Stop after the first page is applied (the second request has started).
  let sync;
  let pages = 0;
  const fetchTwice = async (url, init) => {
    if (++pages === 2) void sync.stop();
    return fetch(url, init);
  };
  sync = db.items.syncElectric(shapeOpts({ fetch: fetchTwice }));
  await until(() => pages >= 2, 'two requests');
  await sync.stop();
  const afterFirst = await db.items.count();
  assert.equal(afterFirst, 400, 'the first page is in the table');
  db.close();

  const from = s.requests.length;
  db = openDb(indexedDB, name);
  sync = db.items.syncElectric(shapeOpts());
  await sync.whenUpToDate();
  await equalsPostgres(db, sync, 'true', 'the resumed snapshot');
  const resumed = s.requests.slice(from).map((r) => new URL(r.url, 'http://x').searchParams);
  assert.equal(resumed[0].get('offset'), '0_0', 'resumed after the first page');
  assert.ok(!resumed.some((p) => p.get('offset') === '-1'), 'no refetch');
  await sync.stop();
  db.close();

  // Changes while nobody syncs; then a restart from the live position.
  await s.sql(`UPDATE items SET title = 'while away' WHERE id = 1`);
  await s.sql(insertItemsSql(6000, 6003));
  const from2 = s.requests.length;
  db = openDb(indexedDB, name);
  sync = db.items.syncElectric(shapeOpts());
  await equalsPostgres(db, sync, 'true', 'the changes made while stopped');
  const again = s.requests.slice(from2).map((r) => new URL(r.url, 'http://x').searchParams);
  assert.ok(!again.some((p) => p.get('offset') === '-1'), 'no refetch on resume');
  assert.equal(again[0].get('live'), null, 'the first request after a restart is not live');
  await sync.stop();
  db.close();
  await s.sql('DELETE FROM items WHERE id >= 6000');
  await s.sql(`UPDATE items SET title = 'item 1' WHERE id = 1`);
});

test('must-refetch: a rotated handle replaces the table in one transaction; live queries never show a mix', async () => {
  const db = openDb();
  const s = fixture.shapes;
  const sync = db.items.syncElectric(shapeOpts());
  await sync.whenUpToDate();
  const seen = [];
  const subscription = liveQuery(() => db.items.toArray()).subscribe((rows) => seen.push(rows.map((r) => `${r.id}:${r.title}`).join()));
  await until(() => seen.length > 0, 'a first result');
  const before = seen[0];
  const oldHandle = s.requests.at(-1).url.match(/handle=([^&]+)/)?.[1];
  // While the sync holds a live request: the shape rotates and the table changes in one step.
  await s.rotate('items');
  await s.pool.query(`UPDATE items SET title = 'rotated' WHERE id <= 50`);
  await s.sync();
  await equalsPostgres(db, sync, 'true', 'the refetched shape');
  const afterRows = (await db.items.toArray()).map((r) => `${r.id}:${r.title}`).join();
  await until(() => seen.at(-1) === afterRows, 'the live query to show the new shape');
  for (const emitted of seen) assert.ok(emitted === before || emitted === afterRows, 'every emission is the old or the new shape');
  assert.ok(s.requests.some((r) => r.url.includes(`handle=${oldHandle}`)));
  subscription.unsubscribe();
  await sync.stop();
  db.close();
  await s.sql(`UPDATE items SET title = 'item ' || id WHERE id <= 50`);
});

test('faults: server down, 500s, a cut-off body, 401 with a refreshed token; each reported in status', async () => {
  const db = openDb();
  const s = fixture.shapes;
  let token = 'first';
  const statuses = [];
  const errors = [];
  s.faults.cutNext(1); // the first page is cut off mid-body
  s.faults.failNext(500, 2);
  const sync = db.items.syncElectric(
    shapeOpts({
      headers: () => ({ authorization: `Bearer ${token}` }),
      onError: (error) => {
        errors.push(error);
        if (error.status === 401) {
          token = 'second';
          return 'retry';
        }
      },
    }),
  );
  sync.subscribe((status) => statuses.push(status));
  await sync.whenUpToDate();
  await equalsPostgres(db, sync, 'true', 'the snapshot despite faults');
  assert.ok(statuses.includes('offline'), statuses.join());

  // Down for a while: changes made meanwhile arrive once it is back.
  await s.down();
  await until(() => sync.status === 'offline', 'status offline while the server is down');
  await s.pool.query(insertItemsSql(8000, 8003));
  await new Promise((r) => setTimeout(r, 1000));
  await s.up();
  await s.sync();
  await equalsPostgres(db, sync, 'true', 'changes made while the server was down');

  // A token the server no longer takes: 401 -> onError refreshes it -> retried.
  s.faults.token = 'second';
  await s.sql(`UPDATE items SET title = 'before 401' WHERE id = 2`); // ends the live request held with the old token
  await until(() => errors.some((e) => e.status === 401), 'a 401 reported to onError');
  await s.sql(`UPDATE items SET title = 'after 401' WHERE id = 2`);
  await equalsPostgres(db, sync, 'true', 'a change after the token refresh');
  assert.ok(errors.every((e) => e instanceof ElectricSyncError));
  assert.ok(statuses.includes('error'), 'the 401 was reported in status');
  assert.equal(sync.status, 'live');
  s.faults.token = null;
  await sync.stop();
  db.close();
  await s.sql('DELETE FROM items WHERE id >= 8000');
  await s.sql(`UPDATE items SET title = 'item 2' WHERE id = 2`);
});

test('a 400 stops the sync with status error and onError; stop() and db.close() end syncs', async () => {
  const db = openDb();
  const errors = [];
  const sync = db.items.syncElectric({ url: fixture.shapes.url, params: { table: 'no_such_table' }, onError: (e) => void errors.push(e) });
  await assert.rejects(sync.whenUpToDate(), ElectricSyncError);
  assert.equal(sync.status, 'error');
  assert.equal(errors[0].status, 400);
  assert.throws(() => db.items.syncElectric({ url: fixture.shapes.url, params: {} }), /params.table/);

  // stop() aborts the live request in flight.
  const live = db.items.syncElectric(shapeOpts());
  await live.whenUpToDate();
  assert.throws(() => db.items.syncElectric(shapeOpts()), /already synced/);
  await new Promise((r) => setTimeout(r, 100)); // a live request is now held by the server
  const started = Date.now();
  await live.stop();
  assert.ok(Date.now() - started < 500, 'stop() did not wait for the long poll');

  // db.close() stops a running sync.
  const again = db.items.syncElectric(shapeOpts());
  await again.whenUpToDate();
  db.close();
  await again.done;
  const requestsAfter = fixture.shapes.requests.length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(fixture.shapes.requests.length, requestsAfter, 'no request after close');
});
