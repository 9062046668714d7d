// value-identity.test.mjs: what structured clone keeps beyond plain data
// comes back from a table as it went in: shared and cyclic references keep
// their identity (arrays, objects, Maps, Sets, Dates, typed arrays), boxed
// primitives keep their type, Blobs and Files keep type, bytes, name and
// lastModified. Key paths go through shared objects (the engine reads
// references), and writes that wait for a Blob's bytes still apply in call
// order. Node's structuredClone is the reference for the codec; the real
// IndexedDB comparison is tests/browser/value-identity.test.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DataCloneError, DataError, Indexie, decodeValue, encodeValue, liveQuery } from 'indexie';

let dbCount = 0;
function freshDb(stores) {
  const db = new Indexie(`value-identity-${++dbCount}-${Math.random()}`, { indexedDB: null });
  db.version(1).stores(stores);
  return db;
}

async function blobText(blob) {
  return new TextDecoder().decode(await blob.arrayBuffer());
}

function sharedValue() {
  const owner = { city: 'Oslo' };
  const tags = ['a', 'b'];
  const when = new Date(5);
  const bytes = new Uint8Array([1, 2, 3]);
  const map = new Map();
  map.set('self', map);
  const set = new Set();
  set.add(set);
  const value = { owner, home: owner, tags, also: tags, when, again: when, bytes, bytesAgain: bytes, map, set, list: [owner, tags] };
  value.self = value;
  return value;
}

function assertSharing(v, label) {
  assert.equal(v.home, v.owner, `${label}: shared object`);
  assert.equal(v.also, v.tags, `${label}: shared array`);
  assert.equal(v.again, v.when, `${label}: shared Date`);
  assert.equal(v.bytesAgain, v.bytes, `${label}: shared typed array`);
  assert.equal(v.self, v, `${label}: cycle through the root`);
  assert.equal(v.map.get('self'), v.map, `${label}: a Map that holds itself`);
  assert.equal([...v.set][0], v.set, `${label}: a Set that holds itself`);
  assert.equal(v.list[0], v.owner, `${label}: shared inside an array`);
  assert.equal(v.list[1], v.tags);
  assert.deepEqual(v.owner, { city: 'Oslo' });
  assert.ok(v.bytes instanceof Uint8Array);
}

test('the codec keeps shared and cyclic references, as structured clone does', () => {
  const value = sharedValue();
  const decoded = decodeValue(encodeValue(value));
  assertSharing(decoded, 'codec');
  assert.deepStrictEqual(decoded, structuredClone(value));
  // A value without sharing is written exactly as before (no marks).
  const plain = { a: { b: 1 }, c: [1, 2] };
  assert.equal(Buffer.from(encodeValue(plain)).toString('hex'), 'a26161a16162016163820102');
  // The same object met twice is written once.
  const big = { text: 'x'.repeat(1000) };
  assert.ok(encodeValue({ a: big, b: big }).length < 1100);
});

test('shared and cyclic values round-trip through add, put, bulkPut and update, in and out of transactions', async () => {
  const db = freshDb({ items: 'id' });
  await db.items.add({ id: 1, ...sharedValue() });
  await db.items.put({ id: 2, ...sharedValue() });
  await db.items.bulkPut([
    { id: 3, ...sharedValue() },
    { id: 4, ...sharedValue() },
  ]);
  await db.transaction('rw', db.items, async () => {
    await db.items.put({ id: 5, ...sharedValue() });
    await db.items.update(5, { extra: 1 });
  });
  // One by one, and side by side in one batch (each value numbers its shares from its own root).
  const batches = [await db.items.toArray(), await db.items.bulkGet([1, 2, 3, 4, 5]), await db.items.reverse().toArray()];
  for (const [id, v] of [
    ...(await Promise.all([1, 2, 3, 4, 5].map(async (id) => [id, await db.items.get(id)]))),
    ...batches.flat().map((v) => [v.id, v]),
  ]) {
    // The spread copied the properties; `self` still points to the original root object (not this record).
    assert.equal(v.home, v.owner, `record ${id}`);
    assert.equal(v.also, v.tags);
    assert.equal(v.self.self, v.self, `record ${id}: cycle`);
    assert.equal(v.map.get('self'), v.map);
    assert.deepEqual(v.owner, { city: 'Oslo' });
  }
  // A record whose root is in a cycle, with a generated key written into it.
  const auto = freshDb({ nodes: '++id' });
  const node = { name: 'root' };
  node.self = node;
  const id = await auto.nodes.add(node);
  const back = await auto.nodes.get(id);
  assert.equal(back.self, back);
  assert.equal(back.self.id, id);
  db.close();
  auto.close();
});

test('indexes read through shared objects and arrays', async () => {
  const db = freshDb({ people: 'id, home.city, *also, [home.city+owner.city]' });
  const owner = { city: 'Oslo' };
  const tags = ['red', 'blue'];
  const ada = { id: 1, owner, home: owner, tags, also: tags };
  ada.self = ada;
  await db.people.put(ada);
  await db.people.put({ id: 2, home: { city: 'Rome' }, owner: { city: 'Rome' }, also: ['red'] });
  assert.deepEqual(
    (await db.people.where('home.city').equals('Oslo').toArray()).map((p) => p.id),
    [1],
  );
  assert.deepEqual(
    (await db.people.where('also').equals('blue').toArray()).map((p) => p.id),
    [1],
  );
  assert.deepEqual(
    (await db.people.where('[home.city+owner.city]').equals(['Oslo', 'Oslo']).toArray()).map((p) => p.id),
    [1],
  );
  // Changing the shared object changes what the index sees.
  const stored = await db.people.get(1);
  stored.owner.city = 'Bergen';
  await db.people.put(stored);
  assert.equal(await db.people.where('home.city').equals('Oslo').count(), 0);
  assert.equal(await db.people.where('home.city').equals('Bergen').count(), 1);
  db.close();
});

test('views on one buffer share it, and a view on part of a buffer keeps its place, as structured clone keeps them', async () => {
  const buffer = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer;
  const value = { id: 1, buffer, part: new Uint8Array(buffer, 2, 3), words: new Uint16Array(buffer), dv: new DataView(buffer, 6) };
  for (const back of [decodeValue(encodeValue(value)), structuredClone(value)]) {
    assert.equal(back.part.buffer, back.buffer);
    assert.equal(back.words.buffer, back.buffer);
    assert.equal(back.dv.buffer, back.buffer);
    assert.deepEqual([back.part.byteOffset, back.dv.byteOffset, back.dv.byteLength], [2, 6, 2]);
    assert.deepEqual([...back.part], [3, 4, 5]);
  }
  // Stored and indexed: a view's key is the bytes it views.
  const db = freshDb({ blobs: 'id, part' });
  await db.blobs.put(value);
  const back = await db.blobs.get(1);
  assert.equal(back.part.buffer, back.buffer);
  assert.equal(
    await db.blobs
      .where('part')
      .equals(new Uint8Array([3, 4, 5]))
      .count(),
    1,
  );
  assert.equal(
    await db.blobs
      .where('part')
      .equals(new Uint8Array(buffer, 2, 3))
      .count(),
    1,
    'a query key that is a partial view',
  );
  db.close();
});

test('a key used for both bounds of a range (one object twice) still finds its records', async () => {
  const db = freshDb({ pairs: 'id, [a+b], when' });
  const when = new Date(7);
  await db.pairs.put({ id: 1, a: 1, b: 2, when });
  const key = [1, 2];
  assert.equal(await db.pairs.where('[a+b]').equals(key).count(), 1);
  assert.equal(await db.pairs.where('[a+b]').between(key, key, true, true).count(), 1);
  assert.equal(await db.pairs.where('when').equals(when).count(), 1);
  assert.equal(await db.pairs.where('when').anyOf([when, when]).count(), 1);
  db.close();
});

test('boxed primitives keep their type, and are not keys', async () => {
  const db = freshDb({ things: 'id, label' });
  const label = new String('boxed');
  await db.things.put({ id: 1, label, n: new Number(-0), b: new Boolean(false), big: Object(5n) });
  const back = await db.things.get(1);
  assert.ok(back.label instanceof String && back.label.valueOf() === 'boxed');
  assert.ok(back.n instanceof Number && Object.is(back.n.valueOf(), -0));
  assert.ok(back.b instanceof Boolean && back.b.valueOf() === false);
  assert.ok(back.big instanceof BigInt && back.big.valueOf() === 5n);
  // Not indexed (IndexedDB: not a valid key), and not a primary key.
  assert.equal(await db.things.where('label').equals('boxed').count(), 0);
  assert.equal(await db.things.orderBy('label').count(), 0);
  await assert.rejects(db.things.put({ id: new String('x') }), DataError);
  await assert.rejects(db.things.get(new String('x')), DataError);
  // An array key that contains itself is a DataError too (IndexedDB), as a value's key or a query's.
  const cyclicKey = [1];
  cyclicKey.push(cyclicKey);
  await assert.rejects(db.things.put({ id: cyclicKey }), DataError);
  await assert.rejects(db.things.bulkPut([{ id: cyclicKey }]), DataError);
  await assert.rejects(db.things.get(cyclicKey), DataError);
  db.close();
});

test('Blobs and Files round-trip with type, bytes, name and lastModified', async () => {
  const db = freshDb({ files: 'id, file.name, blob.size, blob.type' });
  const blob = new Blob(['hello'], { type: 'text/plain' });
  const file = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'cat.png', { type: 'image/png', lastModified: 1700000000123 });
  await db.files.add({ id: 1, blob, file, both: [blob, blob] });
  const back = await db.files.get(1);
  assert.ok(back.blob instanceof Blob && !(back.blob instanceof File));
  assert.equal(back.blob.type, 'text/plain');
  assert.equal(await blobText(back.blob), 'hello');
  assert.ok(back.file instanceof File);
  assert.equal(back.file.name, 'cat.png');
  assert.equal(back.file.type, 'image/png');
  assert.equal(back.file.lastModified, 1700000000123);
  assert.deepEqual([...new Uint8Array(await back.file.arrayBuffer())], [0x89, 0x50, 0x4e, 0x47]);
  assert.equal(back.both[0], back.both[1], 'one Blob stored twice stays one');
  // Indexed where IndexedDB evaluates key paths into them.
  assert.equal(await db.files.where('file.name').equals('cat.png').count(), 1);
  assert.equal(await db.files.where('blob.size').equals(5).count(), 1);
  assert.equal(await db.files.where('blob.type').equals('text/plain').count(), 1);
  // Not a key.
  await assert.rejects(db.files.put({ id: blob }), DataError);
  db.close();
});

test('Blobs are stored by put, bulkPut, update, upsert, bulkUpdate and modify, in and out of transactions', async () => {
  const db = freshDb({ notes: 'id' });
  const text = (s) => new Blob([s], { type: 'text/plain' });
  await db.notes.put({ id: 1, body: text('one') });
  await db.notes.bulkPut([
    { id: 2, body: text('two') },
    { id: 3, body: text('three') },
  ]);
  await db.notes.update(1, { attachment: text('att') });
  await db.notes.upsert(4, { body: text('four') });
  await db.notes.bulkUpdate([{ key: 2, changes: { attachment: text('att2') } }]);
  await db.notes
    .where('id')
    .anyOf([3, 4])
    .modify({ stamp: text('stamp') });
  await db.transaction('rw', db.notes, async () => {
    await db.notes.put({ id: 5, body: text('five') });
    await db.notes.update(5, { attachment: text('att5') });
  });
  const all = await db.notes.toArray();
  assert.deepEqual(
    await Promise.all(
      all.map(async (n) => [
        n.id,
        await blobText(n.body),
        n.attachment && (await blobText(n.attachment)),
        n.stamp && (await blobText(n.stamp)),
      ]),
    ),
    [
      [1, 'one', 'att', undefined],
      [2, 'two', 'att2', undefined],
      [3, 'three', undefined, 'stamp'],
      [4, 'four', undefined, 'stamp'],
      [5, 'five', 'att5', undefined],
    ],
  );
  // A record read back is stored again as it is (its Blob's bytes are known): update of another field.
  await db.notes.update(1, { title: 'first' });
  await db.notes.toCollection().modify((note) => {
    note.seen = true;
  });
  const first = await db.notes.get(1);
  assert.equal(await blobText(first.body), 'one');
  assert.equal(first.title, 'first');
  // A Blob made inside a modify function cannot be read in time: a clear DataCloneError, nothing changed.
  await assert.rejects(
    db.notes.toCollection().modify((note) => {
      note.late = new Blob(['late']);
    }),
    (error) => error.name === 'ModifyError' || error instanceof DataCloneError,
  );
  await assert.rejects(
    db.notes.update(1, (note) => {
      note.late = new Blob(['late']);
    }),
    (error) =>
      error instanceof DataCloneError &&
      /Blob whose bytes were not read .*\(at \.late\).*pass it as a value or in the changes object/.test(error.message),
  );
  assert.equal((await db.notes.get(1)).late, undefined);
  db.close();
});

test('a bulk write long enough to run in slices stores the Blobs of every slice', async () => {
  // Over SLICED_ABOVE_ITEMS (1,000) items: the write runs as slices, and the Blobs are looked for and
  // read slice by slice (not in one pass over every item before the first).
  const db = freshDb({ docs: 'id' });
  const shared = new Blob(['shared'], { type: 'text/plain' });
  const n = 5000;
  const withBlob = new Set([0, 1999, 2500, n - 1]);
  const items = Array.from({ length: n }, (_, i) =>
    withBlob.has(i) ? { id: i, own: new Blob([`own ${i}`]), shared } : { id: i, plain: `p${i}` },
  );
  await db.docs.bulkAdd(items);
  assert.equal(await db.docs.count(), n);
  for (const i of withBlob) {
    const back = await db.docs.get(i);
    assert.equal(await blobText(back.own), `own ${i}`);
    assert.equal(back.shared.type, 'text/plain');
    assert.equal(await blobText(back.shared), 'shared');
  }
  assert.equal((await db.docs.get(1)).plain, 'p1');
  db.close();
});

test('writes that wait for Blob bytes still apply in call order', async () => {
  const db = freshDb({ docs: 'id' });
  const big = new Blob([new Uint8Array(4 << 20)]);
  // Not awaited: the second put (no Blob) must not overtake the first.
  const first = db.docs.put({ id: 1, data: big, version: 1 });
  const second = db.docs.put({ id: 1, version: 2 });
  await Promise.all([first, second]);
  assert.equal((await db.docs.get(1)).version, 2);
  await db.transaction('rw', db.docs, () => {
    db.docs.put({ id: 2, data: big, version: 1 });
    db.docs.put({ id: 2, version: 2 });
  });
  assert.equal((await db.docs.get(2)).version, 2);
  // A read called after an unawaited write with a Blob sees it.
  const third = db.docs.put({ id: 3, data: big });
  assert.equal((await db.docs.get(3)).data.size, 4 << 20);
  await third;
  db.close();
});

test('live queries and updating hooks handle cyclic records', async () => {
  const db = freshDb({ nodes: 'id' });
  const node = { id: 1, list: [] };
  node.self = node;
  node.list.push(node.list);
  await db.nodes.put(node);
  const results = [];
  const subscription = liveQuery(() => db.nodes.toArray()).subscribe({
    next: (value) => results.push(value),
    error: (error) => results.push(error),
  });
  const until = async (done) => {
    for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(done(), `results: ${results.length}`);
  };
  await until(() => results.length === 1);
  await db.nodes.put({ id: 2 });
  await until(() => results.length === 2);
  subscription.unsubscribe();
  assert.ok(results.every(Array.isArray), 'no error: comparing results ended');
  assert.equal(results[1][0].self, results[1][0]);
  // An updating hook is given what changed, also for a cyclic record.
  let modifications;
  db.nodes.hook('updating', (changes) => {
    modifications = changes;
  });
  await db.nodes.update(1, { name: 'x' });
  assert.deepEqual(modifications, { name: 'x' });
  db.close();
});
