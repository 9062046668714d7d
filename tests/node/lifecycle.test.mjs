// lifecycle.test.mjs: opening and closing as an app sees them, in Node (an
// in-memory database and one on fake-indexeddb): close() during an open
// fails that open and what waits for it, and the database opens again
// afterwards; db.on('ready') follows Dexie's rules (db/ready.ts); a ready
// subscriber that throws fails the open and leaves the database closed but
// openable. The same behaviours are compared with Dexie in Chromium by
// tests/browser/dexie-fidelity.test.mjs.
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DatabaseClosedError, Indexie } from 'indexie';

let counter = 0;
const uniqueName = (label) => `lifecycle-${label}-${counter++}`;
const outcome = (promise) =>
  promise.then(
    () => 'ok',
    (error) => error.name,
  );

for (const persisted of [false, true]) {
  const kind = persisted ? 'IndexedDB' : 'in memory';
  const make = (label) => {
    const db = new Indexie(uniqueName(label), persisted ? {} : { indexedDB: null });
    db.version(1).stores({ foo: 'id' });
    return db;
  };

  test(`${kind}: close() during open fails it and its waiters; open() works again after`, async () => {
    const db = make('close-during-open');
    const opened = outcome(db.open());
    const queried = outcome(db.foo.toArray());
    db.close();
    assert.deepEqual([await opened, await queried, db.isOpen()], ['DatabaseClosedError', 'DatabaseClosedError', false]);
    await assert.rejects(db.foo.toArray(), DatabaseClosedError, 'closed by the user: no auto-open');
    await db.open();
    await db.foo.add({ id: 1 });
    assert.deepEqual(await db.foo.toArray(), [{ id: 1 }]);
    db.close();
  });

  test(`${kind}: autoOpen false: an operation before open() fails; after an unawaited open() it waits`, async () => {
    const db = new Indexie(uniqueName('no-auto-open'), { autoOpen: false, ...(persisted ? {} : { indexedDB: null }) });
    db.version(1).stores({ foo: 'id' });
    await assert.rejects(db.foo.toArray(), DatabaseClosedError);
    void db.open();
    assert.deepEqual(await db.foo.toArray(), []);
    db.close();
  });

  test(`${kind}: ready subscribers: once, sticky, late, and one added by a running subscriber`, async () => {
    const db = make('ready');
    const log = [];
    db.on('ready', () => {
      log.push('once');
      db.on('ready', () => log.push('added while running'));
    });
    db.on('ready', () => log.push('sticky'), true);
    await db.open();
    assert.deepEqual(log.splice(0), ['once', 'sticky', 'added while running']);
    db.on('ready', () => log.push('late'));
    await Promise.resolve();
    assert.deepEqual(log.splice(0), ['late'], 'a subscriber added when open is called at once');
    db.close();
    await db.open();
    assert.deepEqual(log.splice(0), ['sticky'], 'only sticky subscribers run at the next open');
    db.close();
  });

  test(`${kind}: a ready subscriber that throws fails the open; the database stays closed but opens again`, async () => {
    const db = make('ready-throws');
    let fail = true;
    db.on(
      'ready',
      () => {
        if (fail) throw new TypeError('not yet');
      },
      true,
    );
    await assert.rejects(db.open(), TypeError);
    assert.equal(db.isOpen(), false);
    fail = false;
    await db.foo.add({ id: 1 }); // autoOpen: the next operation opens it again
    assert.equal(db.isOpen(), true);
    assert.equal(await db.foo.count(), 1);
    db.close();
  });

  test(`${kind}: a ready subscriber may await a timer and then write; operations called before open wait for it`, async () => {
    const db = make('ready-await');
    db.on('ready', async () => {
      await db.foo.add({ id: 1 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await db.foo.add({ id: 2 });
    });
    const counted = db.foo.count();
    await db.open();
    assert.equal(await counted, 2);
    db.close();
  });
}

test('close({ disableAutoOpen: false }): the next operation opens the database again', async () => {
  const db = new Indexie(uniqueName('close-reopen'), { indexedDB: null });
  db.version(1).stores({ foo: 'id' });
  await db.foo.add({ id: 1 });
  db.close({ disableAutoOpen: false });
  assert.equal(db.isOpen(), false);
  assert.deepEqual(await db.foo.toArray(), [{ id: 1 }]);
  assert.equal(db.isOpen(), true);
  db.close();
  await assert.rejects(db.foo.toArray(), DatabaseClosedError, 'a plain close() keeps it closed');
});
