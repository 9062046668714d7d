// sync-outbox.test.mjs: REST sync (db.sync(), js/src/sync/outbox/) in Node
// against the real reference server (sync-server/reference-server.mjs)
// over HTTP. The outbox commits with the write or not at all; pushes are
// idempotent through lost responses, 500s and timeouts (the server's
// apply log proves no change applied twice); each conflict strategy on one
// scripted conflict set; a pending outbox survives a reload (fake-indexeddb);
// pulled rows are applied silently. The real-browser proof is
// tests/browser/sync-outbox.test.mjs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { DataError, Indexie, InvalidArgumentError, SyncError, liveQuery } from 'indexie';
import { openSyncStore, startSyncServer } from '../../sync-server/reference-server.mjs';

let server;
let serial = 0;
before(async () => {
  server = await startSyncServer();
});
after(async () => {
  await server.close();
});

/** A "device": its own database and a sync controller that runs only when told. */
async function device(options = {}, { name = `device-${++serial}`, indexedDB = null, table = 'contacts', schema = 'id, name' } = {}) {
  const db = new Indexie(name, indexedDB ? { indexedDB, IDBKeyRange } : { indexedDB: null });
  db.version(1).stores({ [table]: schema });
  const sync = db.sync({
    url: server.url,
    tables: [table],
    interval: 0,
    pushDelay: false,
    syncOnConnect: false,
    retryDelay: 60000,
    ...options,
  });
  await sync.ready;
  const conflicts = [];
  sync.on('conflict', (conflict) => conflicts.push(conflict));
  return { db, sync, conflicts, close: () => (sync.stop(), db.close()) };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** The pending count once the status has caught up with the last write (it refreshes 20 ms after a change). */
const pending = async (d) => (await sleep(50), d.sync.status().pendingChanges);
const table = (rows) => Object.fromEntries(rows.map((row) => [row.id, row]));
const serverRows = (tableName = 'contacts') =>
  Object.fromEntries(Object.entries(server.store.snapshot(tableName)).map(([key, value]) => [JSON.parse(key), value]));

function assertAppliedOnce() {
  const stats = server.store.stats();
  assert.equal(stats.appliedChanges, stats.distinctChangeIds, `a change was applied twice: ${JSON.stringify(stats)}`);
  return stats;
}

test('the outbox is internal: not a table users see, not a name they may declare', async () => {
  const d = await device();
  assert.deepEqual(
    d.db.tables.map((t) => t.name),
    ['contacts'],
  );
  assert.throws(() => d.db.table('$indexie:sync_outbox'), { name: 'InvalidTableError' });
  d.close();
  const bad = new Indexie(`reserved-${++serial}`, { indexedDB: null });
  bad.version(1).stores({ '$indexie:mine': 'id' });
  await assert.rejects(bad.open(), { name: 'SchemaError', message: /reserved/ });
});

test('a write and its outbox entry commit together: a rolled-back transaction or a failed write leaves no entry', async () => {
  const d = await device();
  await d.db.contacts.add({ id: 'x', name: 'X' });
  assert.equal(await pending(d), 1);
  await assert.rejects(
    d.db.transaction('rw', d.db.contacts, async () => {
      await d.db.contacts.put({ id: 'y', name: 'Y' });
      throw new Error('abort this');
    }),
    /abort this/,
  );
  await assert.rejects(d.db.contacts.add({ id: 'x', name: 'again' }), { name: 'ConstraintError' });
  assert.equal(await pending(d), 1);
  assert.equal(await d.db.contacts.get('y'), undefined);
  d.close();
});

test('coalescing: changes to one unsent record make one entry; the server gets the last state', async () => {
  const d = await device();
  await d.db.contacts.put({ id: 'c1', name: 'one' });
  await d.db.contacts.update('c1', { name: 'two' });
  await d.db.contacts.where('id').equals('c1').modify({ phone: '555' });
  await d.db.contacts.bulkPut([{ id: 'c2', name: 'gone' }]);
  await d.db.contacts.delete('c2');
  assert.equal(await pending(d), 2);
  await d.sync.syncAll();
  assert.deepEqual(serverRows().c1, { id: 'c1', name: 'two', phone: '555' });
  assert.equal(serverRows().c2, undefined);
  assert.equal(d.sync.status().pendingChanges, 0);
  d.close();
});

test('records that JSON cannot carry are refused with a DataError, and nothing is written', async () => {
  const d = await device();
  await assert.rejects(d.db.contacts.add({ id: 'd', name: 'D', born: new Date() }), (error) => {
    assert(error instanceof DataError, String(error));
    assert.match(error.message, /born is a Date/);
    return true;
  });
  assert.equal(await d.db.contacts.get('d'), undefined);
  assert.equal(await pending(d), 0);
  d.close();
});

test('db.sync() refuses bad options and auto-incremented keys with named errors', async () => {
  const db = new Indexie(`opts-${++serial}`, { indexedDB: null });
  db.version(1).stores({ notes: '++id', contacts: 'id' });
  assert.throws(() => db.sync({ tables: ['contacts'] }), InvalidArgumentError);
  assert.throws(() => db.sync({ url: server.url, tables: [] }), InvalidArgumentError);
  assert.throws(() => db.sync({ url: server.url, tables: ['contacts'], conflictResolution: 'mine-wins' }), /conflictResolution/);
  const autoInc = db.sync({ url: server.url, tables: ['notes'], syncOnConnect: false });
  await assert.rejects(autoInc.ready, { name: 'InvalidArgumentError', message: /auto-incremented/ });
  const missing = db.sync({ url: server.url, tables: ['nope'], syncOnConnect: false });
  await assert.rejects(missing.ready, { name: 'InvalidTableError' });
  db.close();
});

test('a lost response (applied, answer dropped) is retried and applied once', async () => {
  const d = await device();
  await d.db.contacts.bulkPut([
    { id: 'l1', name: 'L1' },
    { id: 'l2', name: 'L2' },
  ]);
  const before = server.store.stats();
  server.faults.push({ path: '/push', kind: 'drop-response' });
  await assert.rejects(d.sync.syncAll(), (error) => error instanceof SyncError && error.retryable);
  assert.equal(d.sync.status().state, 'offline');
  assert.equal(server.store.stats().appliedChanges - before.appliedChanges, 2, 'the server applied the push whose answer was lost');
  assert.equal(await pending(d), 2, 'not acknowledged: still in the outbox');
  await d.sync.syncAll();
  const stats = assertAppliedOnce();
  assert.equal(stats.appliedChanges - before.appliedChanges, 2);
  assert.equal(stats.duplicates - before.duplicates, 2);
  assert.equal(d.sync.status().pendingChanges, 0);
  assert.equal(d.sync.status().state, 'idle');
  d.close();
});

test('a 500 applies nothing; the retry applies once', async () => {
  const d = await device();
  await d.db.contacts.put({ id: 'f1', name: 'F' });
  const before = server.store.stats();
  server.faults.push({ path: '/push', kind: 'status', status: 500 });
  await assert.rejects(d.sync.syncAll(), (error) => error instanceof SyncError && error.status === 500 && error.retryable);
  assert.equal(d.sync.status().state, 'error');
  assert.equal(server.store.stats().appliedChanges, before.appliedChanges);
  await d.sync.syncAll();
  assert.equal(server.store.stats().appliedChanges - before.appliedChanges, 1);
  assertAppliedOnce();
  d.close();
});

test('a timeout (the server applies, answers too late) is retried and applied once', async () => {
  const d = await device({ timeout: 150 });
  await d.db.contacts.put({ id: 't1', name: 'T' });
  const before = server.store.stats();
  server.faults.push({ path: '/push', kind: 'delay', ms: 600 });
  await assert.rejects(d.sync.syncAll(), /no answer .* within 150 ms/);
  await sleep(700);
  await d.sync.syncAll();
  const stats = assertAppliedOnce();
  assert.equal(stats.appliedChanges - before.appliedChanges, 1);
  assert.equal(stats.duplicates - before.duplicates, 1);
  assert.deepEqual(serverRows().t1, { id: 't1', name: 'T' });
  d.close();
});

test('a failure backs off and the automatic retry pushes once the server answers', async () => {
  const d = await device({ retryDelay: 50, pushDelay: 0 });
  server.faults.push({ path: '/push', kind: 'status', status: 503 }, { path: '/push', kind: 'status', status: 503 });
  await d.db.contacts.put({ id: 'b1', name: 'B' });
  for (let i = 0; i < 100 && serverRows().b1 === undefined; i++) await sleep(20);
  assert.deepEqual(serverRows().b1, { id: 'b1', name: 'B' });
  assertAppliedOnce();
  d.close();
});

test('pulled rows are applied silently: no hook fires, no outbox entry, live queries see them', async () => {
  const writer = await device({}, { table: 'silent' });
  const reader = await device({}, { table: 'silent' });
  let hooks = 0;
  reader.db.silent.hook('creating', () => void hooks++);
  reader.db.silent.hook('updating', () => void hooks++);
  const seen = [];
  const subscription = liveQuery(() => reader.db.silent.count()).subscribe((n) => seen.push(n));
  await writer.db.silent.bulkPut([
    { id: 's1', name: 'a' },
    { id: 's2', name: 'b' },
  ]);
  await writer.sync.syncAll();
  await reader.sync.syncAll();
  await sleep(50);
  assert.equal(hooks, 0);
  assert.equal(reader.sync.status().pendingChanges, 0);
  assert.equal(seen.at(-1), 2);
  subscription.unsubscribe();
  writer.close();
  reader.close();
});

/**
 * The scripted conflict set: five records both devices hold (or create), changed on both while
 * apart. A changes and pushes first; B's changes, some made after A's, meet A's on B's push.
 */
async function conflictSet(strategy) {
  const name = `conflicts-${typeof strategy === 'function' ? 'merge' : strategy}`;
  const options = { conflictResolution: strategy };
  const A = await device(options, { table: name });
  const B = await device(options, { table: name });
  const t = A.db.table(name);
  const u = B.db.table(name);
  await t.bulkPut(['k1', 'k2', 'k3', 'k4'].map((id) => ({ id, a: 0, b: 0 })));
  await A.sync.syncAll();
  await B.sync.syncAll();
  // k1: A edits a, later B edits b.   k2: B edits b, later A edits a.
  // k3: A deletes, later B edits.     k4: A edits, later B deletes.   k5: both create, B later.
  await t.update('k1', { a: 1 });
  await sleep(5);
  await u.update('k1', { b: 2 });
  await u.update('k2', { b: 2 });
  await sleep(5);
  await t.update('k2', { a: 1 });
  await t.delete('k3');
  await sleep(5);
  await u.update('k3', { b: 2 });
  await t.update('k4', { a: 1 });
  await sleep(5);
  await u.delete('k4');
  await t.put({ id: 'k5', a: 1, b: 0 });
  await sleep(5);
  await u.put({ id: 'k5', a: 0, b: 2 });
  await A.sync.syncAll();
  await B.sync.syncAll();
  await A.sync.syncAll();
  const onA = table(await t.toArray());
  const onB = table(await u.toArray());
  const onServer = serverRows(name);
  assert.deepEqual(onA, onB, `${name}: the devices differ`);
  assert.deepEqual(onServer, onB, `${name}: the server differs`);
  assert.equal(A.sync.status().pendingChanges + B.sync.status().pendingChanges, 0);
  const conflicts = [...A.conflicts, ...B.conflicts].map((c) => `${c.key}:${c.during}:${c.resolution}`).sort();
  A.close();
  B.close();
  return { result: onServer, conflicts };
}

const show = (row) => (row ? `a=${row.a} b=${row.b}` : 'deleted');

test('conflict strategies on one scripted conflict set: each converges to its documented outcome', async () => {
  const merge = (local, remote, base) => {
    if (local === null || remote === null) return local ?? remote;
    const mine = Object.fromEntries(Object.entries(local).filter(([field, value]) => base?.[field] !== value));
    return { ...remote, ...mine };
  };
  const expected = {
    'remote-wins': { k1: 'a=1 b=0', k2: 'a=1 b=0', k3: 'deleted', k4: 'a=1 b=0', k5: 'a=1 b=0' },
    'local-wins': { k1: 'a=0 b=2', k2: 'a=0 b=2', k3: 'a=0 b=2', k4: 'deleted', k5: 'a=0 b=2' },
    'newest-wins': { k1: 'a=0 b=2', k2: 'a=1 b=0', k3: 'a=0 b=2', k4: 'deleted', k5: 'a=0 b=2' },
    merge: { k1: 'a=1 b=2', k2: 'a=1 b=2', k3: 'a=0 b=2', k4: 'a=1 b=0', k5: 'a=0 b=2' },
  };
  const rows = [];
  for (const [label, strategy] of [['remote-wins'], ['local-wins'], ['newest-wins'], ['merge', merge]].map(([l, s]) => [l, s ?? l])) {
    const { result, conflicts } = await conflictSet(strategy);
    const outcome = Object.fromEntries(['k1', 'k2', 'k3', 'k4', 'k5'].map((key) => [key, show(result[key])]));
    rows.push(`| ${label} | ${Object.values(outcome).join(' | ')} | ${conflicts.length} |`);
    assert.deepEqual(outcome, expected[label], label);
    assert.equal(conflicts.filter((c) => c.includes(':push:')).length, 5, `${label}: B's five pushes met A's changes`);
  }
  console.log(['| strategy | k1 | k2 | k3 | k4 | k5 | conflicts |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n'));
  assertAppliedOnce();
});

test('the outbox survives a reload: written offline, closed, reopened, pushed once', async () => {
  const indexedDB = new IDBFactory();
  const name = `reload-${++serial}`;
  const offline = await device({ url: 'http://127.0.0.1:9/sync', timeout: 500 }, { name, indexedDB });
  await offline.db.contacts.bulkPut([
    { id: 'r1', name: 'one' },
    { id: 'r2', name: 'two' },
  ]);
  await offline.db.contacts.update('r1', { name: 'uno' });
  await assert.rejects(offline.sync.syncAll(), (error) => error instanceof SyncError && error.retryable);
  assert.equal(offline.sync.status().state, 'offline');
  assert.equal(offline.sync.status().pendingChanges, 2);
  offline.close();

  const reloaded = await device({}, { name, indexedDB });
  await sleep(30);
  assert.equal(reloaded.sync.status().pendingChanges, 2);
  const before = server.store.stats();
  await reloaded.sync.syncAll();
  assert.equal(server.store.stats().appliedChanges - before.appliedChanges, 2);
  assert.deepEqual(serverRows().r1, { id: 'r1', name: 'uno' });
  assert.equal(reloaded.sync.status().pendingChanges, 0);
  assertAppliedOnce();
  reloaded.close();
});

test('custom push and pull functions: any backend (here the reference store without HTTP)', async () => {
  const store = openSyncStore(':memory:');
  const calls = [];
  const functions = {
    url: undefined,
    push: async (request) => (calls.push('push'), store.push(structuredClone(request))),
    pull: async ({ table, cursor, limit }) => (calls.push('pull'), store.pull(table, cursor, String(limit))),
  };
  const A = await device(functions);
  const B = await device(functions);
  await A.db.contacts.put({ id: 'p1', name: 'P' });
  await A.sync.syncAll();
  await B.sync.syncAll();
  assert.deepEqual(await B.db.contacts.get('p1'), { id: 'p1', name: 'P' });
  assert(calls.includes('push') && calls.includes('pull'));
  const broken = await device({ url: undefined, push: async () => ({ nope: true }), pull: functions.pull });
  await broken.db.contacts.put({ id: 'p2', name: 'Q' });
  await assert.rejects(broken.sync.syncAll(), { name: 'SyncError', message: /breaks the protocol/ });
  assert.equal(await pending(broken), 1, 'a broken answer acknowledges nothing');
  A.close();
  B.close();
  broken.close();
  store.close();
});

/**
 * A lost answer, then an edit on top: the device writes v1 and pushes; the server applies it but the
 * answer is lost; the device edits the same record (v2: a new entry, since v1 was sent under its id);
 * the retry carries both. v2 was made on top of v1 on the same device, so it is no conflict: whatever
 * the strategy, v2 ends everywhere (device, server, a second device that pulls) and no conflict is reported.
 */
for (const strategy of ['remote-wins', 'local-wins', 'newest-wins']) {
  test(`an edit on top of a change whose answer was lost is no conflict (${strategy})`, async () => {
    const name = `on-top-${strategy}`;
    const A = await device({ conflictResolution: strategy }, { table: name });
    const B = await device({ conflictResolution: strategy }, { table: name });
    const t = A.db.table(name);
    const before = server.store.stats();
    await t.put({ id: 'r', name: 'v1' });
    server.faults.push({ path: '/push', kind: 'drop-response' });
    await assert.rejects(A.sync.syncAll(), (error) => error instanceof SyncError && error.retryable);
    assert.deepEqual(serverRows(name).r, { id: 'r', name: 'v1' }, 'the server applied v1; its answer was lost');
    await t.update('r', { name: 'v2' });
    assert.equal(await pending(A), 2, 'v1 was sent under its id: v2 is an entry of its own');
    await A.sync.syncAll();
    await B.sync.syncAll();
    assert.deepEqual(await t.get('r'), { id: 'r', name: 'v2' }, 'device');
    assert.deepEqual(serverRows(name).r, { id: 'r', name: 'v2' }, 'server');
    assert.deepEqual(await B.db.table(name).get('r'), { id: 'r', name: 'v2' }, 'second device');
    assert.deepEqual(A.conflicts, [], 'no conflict reported');
    assert.equal(A.sync.status().pendingChanges, 0);
    const stats = assertAppliedOnce();
    assert.equal(stats.conflicts - before.conflicts, 0, 'the server saw no conflict');
    assert.equal(stats.appliedChanges - before.appliedChanges, 2, 'v1 and v2, once each');
    A.close();
    B.close();
  });
}

test('edits on top of two lost answers in a row: sent entries keep their ids, the unsent one coalesces, the last state wins', async () => {
  const A = await device({ conflictResolution: 'remote-wins' }, { table: 'chain' });
  const t = A.db.table('chain');
  const before = server.store.stats();
  await t.put({ id: 'r', n: 1 });
  server.faults.push({ path: '/push', kind: 'drop-response' });
  await assert.rejects(A.sync.syncAll(), SyncError);
  await t.update('r', { n: 2 });
  server.faults.push({ path: '/push', kind: 'drop-response' });
  await assert.rejects(A.sync.syncAll(), SyncError);
  assert.deepEqual(serverRows('chain').r, { id: 'r', n: 2 }, 'the second push applied n=2 on top of n=1 (its answer lost too)');
  await t.update('r', { n: 3 });
  await t.update('r', { n: 4 });
  assert.equal(await pending(A), 3, 'n=1 and n=2 were sent (fixed under their ids); n=3 and n=4 share one unsent entry');
  await A.sync.syncAll();
  assert.deepEqual(await t.get('r'), { id: 'r', n: 4 });
  assert.deepEqual(serverRows('chain').r, { id: 'r', n: 4 });
  assert.deepEqual(A.conflicts, []);
  const stats = assertAppliedOnce();
  assert.equal(stats.appliedChanges - before.appliedChanges, 3);
  assert.equal(stats.conflicts - before.conflicts, 0);
  A.close();
});

test('an edit on top of a change the server never saw: both go in one batch and apply in order, no conflict', async () => {
  const A = await device({ conflictResolution: 'remote-wins' }, { table: 'unseen' });
  const t = A.db.table('unseen');
  await t.put({ id: 'r', name: 'v1' });
  server.faults.push({ path: '/push', kind: 'status', status: 503 });
  await assert.rejects(A.sync.syncAll(), SyncError);
  assert.equal(serverRows('unseen').r, undefined);
  await t.update('r', { name: 'v2' });
  await A.sync.syncAll();
  assert.deepEqual(serverRows('unseen').r, { id: 'r', name: 'v2' });
  assert.deepEqual(await t.get('r'), { id: 'r', name: 'v2' });
  assert.deepEqual(A.conflicts, []);
  assertAppliedOnce();
  A.close();
});

test('an edit on top of a lost answer still conflicts when another device changed the record since', async () => {
  const A = await device({ conflictResolution: 'remote-wins' }, { table: 'overtaken' });
  const B = await device({ conflictResolution: 'remote-wins' }, { table: 'overtaken' });
  await A.db.table('overtaken').put({ id: 'r', name: 'A1' });
  server.faults.push({ path: '/push', kind: 'drop-response' });
  await assert.rejects(A.sync.syncAll(), SyncError);
  await B.sync.syncAll();
  await B.db.table('overtaken').update('r', { name: 'B' });
  await B.sync.syncAll();
  await A.db.table('overtaken').update('r', { name: 'A2' });
  await A.sync.syncAll();
  assert.deepEqual(
    A.conflicts.map((c) => [c.key, c.during, c.resolution, c.remote?.name]),
    [['r', 'push', 'remote', 'B']],
  );
  assert.deepEqual(await A.db.table('overtaken').get('r'), { id: 'r', name: 'B' });
  assert.deepEqual(serverRows('overtaken').r, { id: 'r', name: 'B' });
  A.close();
  B.close();
});

test('the reference server: parentId is optional (an old client gets the baseVersion rule), must name the latest change, and is checked', () => {
  const store = openSyncStore(':memory:');
  const change = (id, name, extra) => ({
    id,
    table: 't',
    key: 'r',
    op: 'put',
    value: { id: 'r', name },
    fields: ['name'],
    baseVersion: null,
    clientTime: `00000000000000${id.length}-000000-x`,
    ...extra,
  });
  const push = (...changes) => store.push({ clientId: 'c', changes }).results.map((r) => r.status);
  assert.deepEqual(push(change('c1', 'one')), ['applied']);
  assert.deepEqual(push(change('c2', 'stale, no parent')), ['conflict'], 'a client sending no parentId: unchanged rule');
  assert.deepEqual(push(change('c3', 'stale, parent not the latest', { parentId: 'c0' })), ['conflict']);
  assert.deepEqual(push(change('c4', 'on top of c1', { parentId: 'c1' }), change('c5', 'on top of c4', { parentId: 'c4' })), [
    'applied',
    'applied',
  ]);
  assert.deepEqual(push(change('c6', 'on top of c4, no longer the latest', { parentId: 'c4' })), ['conflict']);
  assert.deepEqual(push(change('c7', 'null parent', { parentId: null, baseVersion: 3 })), ['applied']);
  assert.deepEqual(store.snapshot('t'), { '"r"': { id: 'r', name: 'null parent' } });
  assert.throws(() => push(change('c8', 'bad', { parentId: 42 })), /changes\[0\]\.parentId must be a string/);
  store.close();
});
