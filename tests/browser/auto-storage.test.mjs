// auto-storage.test.mjs: the default storage ('auto') in real Chromium,
// which has OPFS and Workers: a new database goes to OPFS; a database that
// already lives in IndexedDB (made by an earlier version, or with storage:
// 'indexeddb') stays there; an `indexedDB` option or migrateFrom means
// IndexedDB; Indexie.exists() and Indexie.delete() with default options
// find a database wherever 'auto' put it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { TEST_MOUNTS, startBrowser } from './harness.mjs';

let browser;
let page;
before(async () => {
  browser = await startBrowser({ mounts: TEST_MOUNTS });
  page = await browser.openTestPage('tabs.html');
});
after(async () => {
  await browser?.close();
});

/** In the page: where database `name` is stored (its OPFS file, its IndexedDB store). */
const WHERE = `async (name) => {
  const { Indexie } = await import('indexie');
  const inIdb = (await indexedDB.databases()).some((info) => info.name === 'indexie:' + name);
  return { opfs: await Indexie.exists(name, { storage: 'opfs' }), idb: inIdb };
}`;

test('a new database with default options lives in OPFS, reopens from there, and Indexie.exists()/delete() find it', async () => {
  const r = await page.evaluate(async (whereSource) => {
    const where = eval(whereSource);
    const { Indexie } = await import('indexie');
    const db = new Indexie('auto-new');
    db.version(1).stores({ notes: '++id, title' });
    await db.notes.bulkAdd([{ title: 'a' }, { title: 'b' }, { title: 'c' }]);
    const stored = await where('auto-new');
    db.close();
    const again = new Indexie('auto-new');
    again.version(1).stores({ notes: '++id, title' });
    const titles = (await again.notes.orderBy('title').toArray()).map((n) => n.title);
    again.close();
    const existed = await Indexie.exists('auto-new');
    await Indexie.delete('auto-new');
    return { stored, titles, existed, existsAfter: await Indexie.exists('auto-new'), after: await where('auto-new') };
  }, WHERE);
  assert.deepEqual(r.stored, { opfs: true, idb: false }, 'in OPFS, nothing in IndexedDB');
  assert.deepEqual(r.titles, ['a', 'b', 'c']);
  assert.equal(r.existed, true);
  assert.equal(r.existsAfter, false);
  assert.deepEqual(r.after, { opfs: false, idb: false });
});

test('a database already stored in IndexedDB stays there when opened with default options; an indexedDB option or migrateFrom means IndexedDB', async () => {
  const r = await page.evaluate(async (whereSource) => {
    const where = eval(whereSource);
    const { Indexie } = await import('indexie');
    const old = new Indexie('auto-old', { storage: 'indexeddb' });
    old.version(1).stores({ notes: '++id, title' });
    await old.notes.add({ title: 'from before' });
    old.close();
    const reopened = new Indexie('auto-old');
    reopened.version(2).stores({ notes: '++id, title', more: 'id' });
    const kept = await reopened.notes.toArray();
    await reopened.more.put({ id: 1 });
    const afterDefault = await where('auto-old');
    reopened.close();

    const explicit = new Indexie('auto-explicit-idb', { indexedDB: globalThis.indexedDB });
    explicit.version(1).stores({ notes: '++id' });
    await explicit.notes.add({});
    const withOption = await where('auto-explicit-idb');
    explicit.close();

    const migrating = new Indexie('auto-migrating', { migrateFrom: 'indexeddb' });
    migrating.version(1).stores({ notes: '++id' });
    await migrating.notes.add({});
    const withMigrate = await where('auto-migrating');
    migrating.close();

    for (const name of ['auto-old', 'auto-explicit-idb', 'auto-migrating']) await Indexie.delete(name);
    const gone = await Promise.all(['auto-old', 'auto-explicit-idb', 'auto-migrating'].map((name) => Indexie.exists(name)));
    return { kept: kept.map((n) => n.title), afterDefault, withOption, withMigrate, gone };
  }, WHERE);
  assert.deepEqual(r.kept, ['from before'], 'the existing data is there');
  assert.deepEqual(r.afterDefault, { opfs: false, idb: true }, 'it stayed in IndexedDB');
  assert.deepEqual(r.withOption, { opfs: false, idb: true });
  assert.deepEqual(r.withMigrate, { opfs: false, idb: true });
  assert.deepEqual(r.gone, [false, false, false]);
});

test('Indexie.delete() of an auto database that was never opened in this page deletes it where it lives', async () => {
  const r = await page.evaluate(async (whereSource) => {
    const where = eval(whereSource);
    const { Indexie } = await import('indexie');
    const db = new Indexie('auto-delete-unopened');
    db.version(1).stores({ notes: '++id' });
    await db.notes.add({});
    db.close();
    const before = await where('auto-delete-unopened');
    const handle = new Indexie('auto-delete-unopened');
    await handle.delete(); // Dexie's instance delete(), before any open of this handle
    return { before, after: await where('auto-delete-unopened') };
  }, WHERE);
  assert.deepEqual(r.before, { opfs: true, idb: false });
  assert.deepEqual(r.after, { opfs: false, idb: false });
});

test("on OPFS, db.delete() of a closed handle closes this page's other connection to it (as versionchange does for Dexie), and a first open that fails leaves no database", async () => {
  const r = await page.evaluate(async (whereSource) => {
    const where = eval(whereSource);
    const { Indexie } = await import('indexie');
    const first = new Indexie('auto-two-handles');
    first.version(1).stores({ friends: '++id, name' });
    await first.friends.bulkAdd([{ name: 'Foo' }, { name: 'Bar' }]);
    first.close();
    const second = new Indexie('auto-two-handles');
    second.version(1).stores({ friends: '++id, name' });
    second
      .version(2)
      .stores({ friends2: 'id, name', friends: null })
      .upgrade((tx) => tx.friends.toArray().then((all) => tx.friends2.bulkAdd(all)));
    const moved = (await second.friends2.toArray()).map((f) => f.name);
    await first.delete(); // the closed first handle; the second is open
    const afterDelete = await where('auto-two-handles');
    const secondOpen = second.isOpen();

    const failing = new Indexie('auto-failed-create');
    failing.version(1).stores({ items: 'id' });
    failing.on('populate', () => {
      throw new Error('populate failed');
    });
    const failure = await failing.open().then(
      () => 'opened',
      (error) => error.name,
    );
    return { moved, afterDelete, secondOpen, failure, afterFailure: await where('auto-failed-create') };
  }, WHERE);
  assert.deepEqual(r.moved, ['Foo', 'Bar']);
  assert.deepEqual(r.afterDelete, { opfs: false, idb: false });
  assert.equal(r.secondOpen, false, 'the other connection was closed for the delete');
  assert.notEqual(r.failure, 'opened');
  assert.deepEqual(r.afterFailure, { opfs: false, idb: false }, 'the failed first open left no database behind');
});
