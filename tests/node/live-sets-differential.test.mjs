// live-sets-differential.test.mjs: the page's JS read sets and change sets
// (js/src/engine/read-set.ts, change-set.ts, from the unbundled
// js/build-tsc) against the C++ ones they replace in the page
// (core/src/read_set.cc, change_set.cc through the wasm bindings,
// wasm/live_sets.cc, which stay for that reason).
//
// Seeded random cases: random tables (names with non-ASCII and invalid
// UTF-8 bytes), keys over bytes chosen to expose signed/unsigned and
// prefix ordering, ranges (unbounded, empty, inverted), "everything", empty
// sets, whole-table changes, records past the per-table cap, repeated
// tables and indexes, and malformed bytes (truncated, mutated, extended).
// Both sides must agree on: which bytes parse, change-set serialize()
// bytes, isEmpty(), merge/addSerialized results, and intersects() for every
// read set against every change set. Read sets have no serialize() binding,
// so their bytes are checked against what the engine itself sends (real
// kTakeReads answers from real queries) and against the format's model.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadCoreModule } from '../../js/build-tsc/wasm-module.js';
import { requestBuffer } from '../../js/build-tsc/engine/requests.js';
import { Engine } from '../../js/build-tsc/engine/engine.js';
import { ReadSet } from '../../js/build-tsc/engine/read-set.js';
import { ChangeSet } from '../../js/build-tsc/engine/change-set.js';
import { DataError } from '../../js/build-tsc/errors.js';
import { rng } from '../browser/seeded-random.mjs';

const core = await loadCoreModule();

// --- The C++ side, through the bindings -------------------------------------

function inRequestBuffer(bytes) {
  core.HEAPU8.set(bytes, requestBuffer(core, bytes.length));
  return bytes.length;
}

/** C++ ReadSet::MergeSerialized: whether it parsed. */
const nativeAddReads = (set, bytes) => set.addSerialized(inRequestBuffer(bytes));
/** C++ ChangeSet::Parse + Merge: whether it parsed. */
const nativeAddChanges = (set, bytes) => set.add(inRequestBuffer(bytes));

/** The JS side's parse result as a boolean, failing on anything but DataError. */
function jsAccepts(action) {
  try {
    action();
    return true;
  } catch (error) {
    assert.ok(error instanceof DataError, `expected a DataError, got ${error}`);
    return false;
  }
}

// --- An independent CBOR writer for the wire formats (read_set.h, change_set.h) ---

class Cbor {
  bytes = [];
  header(major, arg) {
    if (arg < 24) this.bytes.push((major << 5) | arg);
    else if (arg < 0x100) this.bytes.push((major << 5) | 24, arg);
    else if (arg < 0x10000) this.bytes.push((major << 5) | 25, arg >> 8, arg & 0xff);
    else this.bytes.push((major << 5) | 26, (arg >>> 24) & 0xff, (arg >> 16) & 0xff, (arg >> 8) & 0xff, arg & 0xff);
    return this;
  }
  array(n) {
    return this.header(4, n);
  }
  uint(n) {
    return this.header(0, n);
  }
  raw(major, byteArray) {
    this.header(major, byteArray.length);
    this.bytes.push(...byteArray);
    return this;
  }
  bool(b) {
    this.bytes.push(b ? 0xf5 : 0xf4);
    return this;
  }
  null() {
    this.bytes.push(0xf6);
    return this;
  }
  finish() {
    return Uint8Array.from(this.bytes);
  }
}

// --- Random sets -------------------------------------------------------------

// Bytes that expose ordering mistakes: 0x00, an ASCII pair, 0x7F/0x80 (signed vs unsigned), 0xFF.
const KEY_BYTES = [0x00, 0x01, 0x41, 0x42, 0x7f, 0x80, 0xc3, 0xff];
const TABLES = [[0x74], [0x75], [0x74, 0x74], [0xc3, 0xa9], [0xff, 0x00], []]; // t, u, tt, é, invalid UTF-8, ''
const INDEXES = [[], [0x61], [0x62], [0x61, 0x2b, 0x62]]; // '' (primary key), a, b, a+b

function generator(seed) {
  const random = rng(seed);
  const int = (n) => Math.floor(random() * n);
  const pick = (list) => list[int(list.length)];
  const key = () => Array.from({ length: int(4) }, () => pick(KEY_BYTES));
  return { random, int, pick, key };
}

/** A random read set's parts: [table, [[index, values ranges, keys ranges]...]] (repeats allowed). */
function randomReadParts(g) {
  const tables = [];
  for (let t = g.int(4); t > 0; t--) {
    const indexes = [];
    for (let i = g.int(3); i >= 0; i--) {
      const ranges = () =>
        Array.from({ length: g.int(4) }, () => {
          const lo = g.key();
          const shape = g.random();
          if (shape < 0.15) return [lo, null];
          if (shape < 0.25) return [lo, [...lo, 0xff]]; // a point read
          return [lo, g.key()]; // may be empty or inverted
        });
      indexes.push([g.pick(INDEXES), ranges(), ranges()]);
    }
    tables.push([g.pick(TABLES), indexes]);
  }
  return tables;
}

function encodeReads(parts) {
  const out = new Cbor().array(2).uint(1).array(parts.length);
  const ranges = (list) => {
    out.array(list.length);
    for (const [lo, hi] of list) {
      out.array(2).raw(2, lo);
      if (hi === null) out.null();
      else out.raw(2, hi);
    }
  };
  for (const [table, indexes] of parts) {
    out.array(2).raw(3, table).array(indexes.length);
    for (const [index, values, keys] of indexes) {
      out.array(3).raw(3, index);
      ranges(values);
      ranges(keys);
    }
  }
  return out.finish();
}

/** The model of read_set.h's serialization of merged parts: grouped, names in byte order, ranges as given. */
function expectedReadBytes(partsList) {
  const byTable = new Map();
  const name = (bytes) => String.fromCharCode(...bytes);
  for (const parts of partsList) {
    for (const [table, indexes] of parts) {
      for (const [index, values, keys] of indexes) {
        if (values.length + keys.length === 0) continue; // nothing recorded: no entry
        if (!byTable.has(name(table))) byTable.set(name(table), { table, indexes: new Map() });
        const entries = byTable.get(name(table)).indexes;
        if (!entries.has(name(index))) entries.set(name(index), [index, [], []]);
        entries.get(name(index))[1].push(...values);
        entries.get(name(index))[2].push(...keys);
      }
    }
  }
  const sorted = (map) => [...map.keys()].sort().map((k) => map.get(k));
  return encodeReads(sorted(byTable).map(({ table, indexes }) => [table, sorted(indexes)]));
}

function randomChanges(g, tableNames) {
  const everything = g.random() < 0.05;
  const tables = [];
  for (let t = g.int(3); t > 0; t--) {
    const whole = g.random() < 0.1;
    const records = [];
    const count = g.random() < 0.02 ? 1990 + g.int(20) : g.int(4); // sometimes near the 2000-record cap
    for (let r = 0; r < count; r++) {
      const indexes = [];
      for (const index of INDEXES.slice(1)) {
        if (g.random() >= 0.9) continue; // an index the change does not list
        const before = Array.from({ length: g.int(4) }, g.key);
        // Sometimes the same entries in another order (a multiEntry index rewritten), or one more.
        const after =
          g.random() < 0.3 ? [...before].reverse().concat(g.random() < 0.5 ? [g.key()] : []) : Array.from({ length: g.int(4) }, g.key);
        indexes.push([index, before, after]);
      }
      records.push([g.key(), g.random() < 0.7, g.random() < 0.7, indexes]);
    }
    tables.push([g.pick(tableNames), whole, whole && g.random() < 0.5 ? [] : records]); // a whole table may list records
  }
  const out = new Cbor().array(3).uint(1).bool(everything).array(tables.length);
  for (const [table, whole, records] of tables) {
    out.array(3).raw(3, table).bool(whole).array(records.length);
    for (const [pk, before, after, indexes] of records) {
      out.array(4).raw(2, pk).bool(before).bool(after).array(indexes.length);
      for (const [index, was, is] of indexes) {
        out.array(3).raw(3, index).array(was.length);
        for (const k of was) out.raw(2, k);
        out.array(is.length);
        for (const k of is) out.raw(2, k);
      }
    }
  }
  return out.finish();
}

/** Valid bytes, or a malformed variant of them (truncated, a byte changed, a byte appended, a bad header). */
function maybeMangled(g, bytes) {
  const roll = g.random();
  if (roll < 0.7) return bytes;
  const copy = Array.from(bytes);
  if (roll < 0.76) return Uint8Array.from(copy.slice(0, g.int(copy.length)));
  if (roll < 0.88) {
    copy[g.int(copy.length)] = g.int(256);
    return Uint8Array.from(copy);
  }
  if (roll < 0.9) return Uint8Array.from([...copy, g.int(256)]);
  if (roll < 0.92) {
    copy[g.int(copy.length)] = (g.int(8) << 5) | (28 + g.int(4)); // a reserved or indefinite-length header
    return Uint8Array.from(copy);
  }
  if (roll < 0.96) return Uint8Array.from([0x9f, ...copy.slice(1)]); // indefinite-length array
  copy.splice(1, 1, 0x18, copy[1]); // the format number in a longer (non-minimal) header: still valid
  return Uint8Array.from(copy);
}

// --- The tests ----------------------------------------------------------------

const CASES = 3000;

test(`change sets: ${CASES} seeded random cases parse, merge and serialize byte-identically to the C++`, () => {
  const g = generator(20261207);
  let accepted = 0;
  let rejected = 0;
  for (let n = 0; n < CASES; n++) {
    const native = new core.ChangeSet();
    const js = new ChangeSet();
    try {
      for (let p = g.int(4); p > 0; p--) {
        if (g.random() < 0.05) {
          native.addEverything();
          js.addEverything();
          continue;
        }
        const bytes = maybeMangled(g, randomChanges(g, TABLES));
        const ok = nativeAddChanges(native, bytes);
        assert.equal(
          jsAccepts(() => js.add(bytes)),
          ok,
          `case ${n}: which bytes parse`,
        );
        if (ok) accepted++;
        else rejected++;
      }
      assert.equal(js.isEmpty(), native.isEmpty(), `case ${n}: isEmpty`);
      assert.deepEqual(js.serialize(), native.serialize(), `case ${n}: serialized bytes`);
      // And a parse of them serializes to the same bytes (the C++ Parse keeps what it reads).
      assert.deepEqual(ChangeSet.parse(js.serialize()).serialize(), native.serialize(), `case ${n}: reparsed`);
    } finally {
      native.delete();
    }
  }
  assert.ok(accepted > CASES && rejected > CASES / 10, `both kinds were exercised (${accepted} parsed, ${rejected} malformed)`);
});

test(`read sets: ${CASES} seeded random cases parse, merge and intersect change sets as the C++ does`, () => {
  const g = generator(7122026);
  let hits = 0;
  let misses = 0;
  let rejected = 0;
  for (let n = 0; n < CASES; n++) {
    const nativeA = new core.ReadSet();
    const nativeB = new core.ReadSet();
    const jsA = new ReadSet();
    const jsB = new ReadSet();
    const changes = [];
    try {
      for (const [native, js] of [
        [nativeA, jsA],
        [nativeB, jsB],
      ]) {
        for (let p = g.int(3); p > 0; p--) {
          const parts = randomReadParts(g);
          const bytes = maybeMangled(g, encodeReads(parts));
          const ok = nativeAddReads(native, bytes);
          assert.equal(
            jsAccepts(() => js.addSerialized(bytes)),
            ok,
            `case ${n}: which bytes parse`,
          );
          if (!ok) rejected++;
        }
        assert.equal(js.isEmpty(), native.isEmpty(), `case ${n}: isEmpty`);
      }
      if (g.random() < 0.5) {
        nativeA.merge(nativeB);
        jsA.merge(jsB);
      }
      for (let c = 0; c < 4; c++) {
        const native = new core.ChangeSet();
        const js = new ChangeSet();
        changes.push(native);
        if (g.random() < 0.03) {
          native.addEverything();
          js.addEverything();
        } else {
          const bytes = randomChanges(g, TABLES);
          assert.ok(nativeAddChanges(native, bytes));
          js.add(bytes);
        }
        for (const [nativeReads, jsReads, which] of [
          [nativeA, jsA, 'A'],
          [nativeB, jsB, 'B'],
        ]) {
          const expected = nativeReads.intersects(native);
          assert.equal(jsReads.intersects(js), expected, `case ${n}: read set ${which} intersects change set ${c}`);
          if (expected) hits++;
          else misses++;
        }
      }
      jsA.clear();
      nativeA.clear();
      assert.equal(jsA.isEmpty(), nativeA.isEmpty(), `case ${n}: isEmpty after clear()`);
      assert.equal(jsA.intersects(new ChangeSet()), false);
    } finally {
      for (const set of [nativeA, nativeB, ...changes]) set.delete();
    }
  }
  assert.ok(hits > CASES / 4 && misses > CASES / 4, `both answers were exercised (${hits} intersect, ${misses} do not)`);
  assert.ok(rejected > CASES / 10, `malformed read sets were exercised (${rejected})`);
});

test('read sets serialize in the wire format: merged parts grouped, names in byte order, ranges as recorded', () => {
  const g = generator(424242);
  for (let n = 0; n < CASES; n++) {
    const partsList = Array.from({ length: 1 + g.int(3) }, () => randomReadParts(g));
    const js = new ReadSet();
    for (const parts of partsList) js.addSerialized(encodeReads(parts));
    const expected = expectedReadBytes(partsList);
    assert.deepEqual(js.serialize(), expected, `case ${n}`);
    // What parses back is the same set.
    const again = new ReadSet();
    again.addSerialized(js.serialize());
    assert.deepEqual(again.serialize(), expected, `case ${n}: reparsed`);
  }
});

test('malformed bytes are rejected by both with nothing merged, and named errors on the JS side', () => {
  const reads = new ReadSet();
  reads.addSerialized(encodeReads([[[0x74], [[[], [[[0x01], null]], []]]]]));
  const before = reads.serialize();
  const native = new core.ReadSet();
  try {
    const cases = [
      new Uint8Array([]),
      new Uint8Array([0x82, 0x02, 0x80]), // format 2
      new Uint8Array([0x82, 0x01]), // truncated
      new Uint8Array([0x82, 0x01, 0x80, 0x00]), // trailing byte
      new Uint8Array([0x82, 0x01, 0x9f, 0xff]), // indefinite length
      new Uint8Array([0x82, 0x01, 0x9c, ...new Array(16).fill(0)]), // additional info 28 (reserved)
      new Uint8Array([0x82, 0x01, 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // a count past the input
      encodeReads([[[0x74], [[[], [[[0x01], [0x02]]], []]]]]).slice(0, -1), // a range cut short
    ];
    for (const bytes of cases) {
      assert.equal(nativeAddReads(native, bytes), false, `C++ rejects ${Array.from(bytes)}`);
      assert.throws(() => reads.addSerialized(bytes), DataError);
      assert.deepEqual(reads.serialize(), before, 'nothing merged');
    }
    assert.throws(() => reads.addSerialized(new Uint8Array([0x82, 0x02, 0x80])), /read set format 2 is unknown/);
    assert.throws(() => ChangeSet.parse(new Uint8Array([0x83, 0x05, 0xf4, 0x80])), /change set format 5 is unknown/);
    assert.throws(() => ChangeSet.parse(new Uint8Array([0x83, 0x01, 0xf4, 0x80, 0x00])), /malformed change set/);
    assert.equal(native.isEmpty(), true);
  } finally {
    native.delete();
  }
});

test("the engine's own read sets and change sets (real queries and writes) round-trip byte-identically and match as in C++", async () => {
  const engine = await Engine.open(`live-sets-differential-${process.pid}`);
  await engine.setSchema({ people: '++id, name, age, [name+age], *tags', pets: 'id' });
  const g = generator(99);
  const names = ['Ann', 'Bob', 'Cy', 'Dé', '', 'Z'];
  const person = () => ({ name: g.pick(names), age: g.int(60), tags: [g.pick(names), g.int(5)] });
  await engine.write('people', 'put', Array.from({ length: 40 }, person));
  await engine.takeChanges();

  /** Runs `read` recording into a capture of the engine's kTakeReads bytes. */
  const captured = async (read) => {
    const chunks = [];
    engine.recordReadsInto({ addSerialized: (bytes) => chunks.push(bytes) });
    const done = read();
    engine.recordReadsInto(null);
    await done;
    return chunks;
  };
  const query = (index, lower, upper, output, limit = -1) =>
    engine.query(
      { table: 'people', index, reverse: g.random() < 0.3, distinct: false, unique: false, offset: 0, limit, orderBy: [] },
      lower === undefined ? null : [[0, lower, upper, false, g.random() < 0.5]],
      output,
    );
  const reads = [
    () => engine.get('people', 1 + g.int(50)),
    () => engine.getByIndex('people', 'name', g.pick(names)),
    () => engine.count('people'),
    () => query('age', g.int(30), 30 + g.int(30), 'values'),
    () => query('name', 'A', 'C', 'keys'),
    () => query('tags', undefined, undefined, 'primaryKeys', 1 + g.int(5)),
    () => query('', 5, 5 + g.int(20), 'rows', 1 + g.int(10)),
    () =>
      engine.countQuery(
        { table: 'people', index: 'age', reverse: false, distinct: false, unique: false, offset: 0, limit: -1, orderBy: [] },
        [[0, 10, 20, false, false]],
      ),
  ];
  const writes = [
    () => engine.write('people', 'put', [{ ...person(), id: 1 + g.int(50) }]),
    () => engine.write('people', 'add', [person(), person()]),
    () => engine.delete('people', [1 + g.int(50)]),
    () => engine.write('pets', 'put', [{ id: g.int(5) }]),
    () => engine.clear('pets'),
  ];
  let compared = 0;
  let intersecting = 0;
  for (let round = 0; round < 120; round++) {
    const chunks = await captured(g.pick(reads));
    assert.ok(chunks.length > 0 && chunks.every((bytes) => bytes.length > 0), 'the read was recorded');
    const js = new ReadSet();
    const native = new core.ReadSet();
    try {
      for (const bytes of chunks) {
        // One engine answer parses and serializes back to exactly its bytes.
        const single = new ReadSet();
        single.addSerialized(bytes);
        assert.deepEqual(single.serialize(), bytes, `round ${round}: the engine's read set bytes`);
        js.addSerialized(bytes);
        assert.ok(nativeAddReads(native, bytes));
      }
      await g.pick(writes)();
      const changeBytes = await engine.takeChanges();
      const parts = changeBytes ? [changeBytes] : [];
      if (changeBytes)
        assert.deepEqual(ChangeSet.parse(changeBytes).serialize(), changeBytes, `round ${round}: the engine's change set bytes`);
      const nativeChanges = new core.ChangeSet();
      const jsChanges = new ChangeSet();
      try {
        for (const bytes of parts) {
          assert.ok(nativeAddChanges(nativeChanges, bytes));
          jsChanges.add(bytes);
        }
        assert.deepEqual(jsChanges.serialize(), nativeChanges.serialize());
        const expected = native.intersects(nativeChanges);
        assert.equal(js.intersects(jsChanges), expected, `round ${round}: intersects`);
        if (expected) intersecting++;
        compared++;
      } finally {
        nativeChanges.delete();
      }
    } finally {
      native.delete();
    }
  }
  await engine.close();
  assert.equal(compared, 120);
  assert.ok(intersecting > 10 && intersecting < 110, `both answers were exercised (${intersecting} of 120 intersect)`);
});
