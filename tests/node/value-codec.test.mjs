// value-codec.test.mjs: every structured-clone type the value format
// promises round-trips exactly through a real table (encode in JS, store in
// SQLite through the engine, read back, decode), one by one and nested.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DataCloneError, DataError, Indexie, decodeValue, encodeValue } from 'indexie';

const SAMPLES = {
  null: null,
  undefinedProperty: { a: undefined },
  true: true,
  false: false,
  zero: 0,
  negativeZero: -0,
  integer: 42,
  negative: -7,
  fraction: 0.1,
  maxSafe: Number.MAX_SAFE_INTEGER,
  beyondSafe: 2 ** 60,
  tiny: 5e-324,
  nan: NaN,
  infinity: Infinity,
  negativeInfinity: -Infinity,
  bigint: 12345678901234567890123n,
  negativeBigint: -98765432109876543210n,
  zeroBigint: 0n,
  emptyString: '',
  ascii: 'hello',
  unicode: 'héllo wörld ☃ 😀',
  longString: 'x'.repeat(1000) + '😀' + 'é'.repeat(100),
  loneSurrogate: 'a\uD800b',
  longLoneSurrogate: 'y'.repeat(100) + '\uDC00',
  date: new Date(1700000000123),
  oldDate: new Date(-62198755200001),
  invalidDate: new Date(NaN),
  arrayBuffer: new Uint8Array([0, 1, 255]).buffer,
  emptyArrayBuffer: new ArrayBuffer(0),
  uint8: new Uint8Array([1, 2, 3]),
  uint8Clamped: new Uint8ClampedArray([4]),
  int8: new Int8Array([-1, 1]),
  uint16: new Uint16Array([65535]),
  int16: new Int16Array([-2, 3]),
  uint32: new Uint32Array([4294967295]),
  int32: new Int32Array([-5]),
  float32: new Float32Array([1.5, -0]),
  float64: new Float64Array([Math.PI, NaN]),
  float64Special: new Float64Array([NaN, -0, Infinity, -Infinity, Number.MIN_VALUE]),
  emptyTypedArray: new Int16Array(0),
  partialView: new Uint16Array(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer, 2, 2),
  partialDataView: new DataView(new ArrayBuffer(8), 3, 4),
  bigUint64: new BigUint64Array([2n ** 64n - 1n]),
  bigInt64: new BigInt64Array([-(2n ** 63n)]),
  dataView: new DataView(new Uint8Array([9, 8, 7]).buffer),
  array: [1, 'a', [2, [3]]],
  // eslint-disable-next-line no-sparse-arrays -- a hole on purpose: the value codec must store sparse arrays
  sparseArray: [1, , 3],
  emptyObject: {},
  nested: { a: { b: { c: [{ d: new Date(5) }, new Map([['k', new Set([1n])]])] } } },
  map: new Map([
    [1, 'one'],
    ['two', { x: 2 }],
    [new Date(0), null],
  ]),
  set: new Set([1, 'a', null]),
  regexp: /ab+c/giu,
  boxedString: new String('héllo'),
  boxedEmptyString: new String(''),
  boxedNumber: new Number(1.5),
  boxedNegativeZero: new Number(-0),
  boxedNaN: new Number(NaN),
  boxedTrue: new Boolean(true),
  boxedFalse: new Boolean(false),
  boxedBigInt: Object(-12345678901234567890n),
  protoKey: JSON.parse('{"__proto__": {"polluted": true}}'),
};

function assertSame(actual, expected, label) {
  if (expected instanceof Date && Number.isNaN(expected.getTime())) {
    // deepStrictEqual finds two invalid Dates unequal (NaN !== NaN).
    assert.ok(actual instanceof Date && Number.isNaN(actual.getTime()), `${label}: not an invalid Date`);
    return;
  }
  assert.deepStrictEqual(actual, expected, label);
  // deepStrictEqual treats -0 and 0 as equal inside some containers; check the scalar case exactly.
  if (typeof expected === 'number') assert.ok(Object.is(actual, expected), `${label}: ${actual} is not ${expected}`);
  if (expected instanceof ArrayBuffer) assert.ok(actual instanceof ArrayBuffer, `${label}: not an ArrayBuffer`);
  if (expected instanceof DataView) assert.ok(actual instanceof DataView, `${label}: not a DataView`);
  if (ArrayBuffer.isView(expected)) {
    assert.equal(actual.constructor, expected.constructor, `${label}: not a ${expected.constructor.name}`);
    // As structured clone: the view keeps its place in its whole buffer.
    assert.equal(actual.byteOffset, expected.byteOffset, `${label}: byteOffset`);
    assert.equal(actual.buffer.byteLength, expected.buffer.byteLength, `${label}: its buffer's length`);
  }
  for (const Boxed of [String, Number, Boolean, BigInt]) {
    if (expected instanceof Boxed) {
      assert.ok(actual instanceof Boxed, `${label}: not a ${Boxed.name} object`);
      assert.ok(Object.is(actual.valueOf(), expected.valueOf()), `${label}: ${actual.valueOf()} is not ${expected.valueOf()}`);
    }
  }
  if (expected instanceof Float64Array || expected instanceof Float32Array) {
    expected.forEach((n, i) => assert.ok(Object.is(actual[i], n), `${label}[${i}]: ${actual[i]} is not ${n}`));
  }
}

test('each type round-trips through the codec alone, as structured clone copies it', () => {
  for (const [label, value] of Object.entries(SAMPLES)) {
    assertSame(decodeValue(encodeValue(value)), value, label);
    assertSame(decodeValue(encodeValue(value)), structuredClone(value), `${label} (vs structuredClone)`);
  }
});

test('each type round-trips through a stored record, one by one and all nested together', async () => {
  const db = new Indexie('value-codec-roundtrip');
  db.version(1).stores({ values: '' });
  for (const [label, value] of Object.entries(SAMPLES)) {
    await db.values.put(value, label);
    assertSame(await db.values.get(label), value, label);
  }
  await db.values.put({ ...SAMPLES }, 'everything');
  const everything = await db.values.get('everything');
  for (const [label, value] of Object.entries(SAMPLES)) assertSame(everything[label], value, `nested ${label}`);
  assert.ok(Object.is(everything.negativeZero, -0));
  assert.equal(Object.getPrototypeOf(everything.protoKey), Object.prototype, 'a "__proto__" key is data, not a prototype');
  assert.deepEqual(everything.protoKey.__proto__, { polluted: true });
  db.close();
});

test('class instances are stored as plain objects of their own properties', () => {
  class Point {
    constructor() {
      this.x = 1;
      this.y = 2;
    }
    get sum() {
      return this.x + this.y;
    }
  }
  const decoded = decodeValue(encodeValue(new Point()));
  assert.deepStrictEqual(decoded, { x: 1, y: 2 });
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
});

test('values that cannot be cloned raise DataCloneError and store nothing', async () => {
  const db = new Indexie('value-codec-errors');
  db.version(1).stores({ items: '++id' });
  for (const [label, bad] of [
    ['function', { f() {} }],
    ['symbol', { s: Symbol('x') }],
    ['symbol object', { s: Object(Symbol('x')) }],
    ['weakmap', { w: new WeakMap() }],
    ['weakset', { w: new WeakSet() }],
    ['promise', { p: Promise.resolve() }],
  ]) {
    assert.throws(() => structuredClone(bad), { name: 'DataCloneError' }, `${label}: structured clone refuses it too`);
    await assert.rejects(db.items.add(bad), (error) => {
      assert.ok(error instanceof DataCloneError, `${label}: ${error}`);
      assert.equal(error.name, 'DataCloneError');
      return true;
    });
  }
  assert.equal(await db.items.count(), 0);
  db.close();
});

test('a value that cannot be stored is a DataCloneError naming the operation, the item and where in it', async () => {
  const db = new Indexie(`codec-errors-${Math.random()}`, { indexedDB: null });
  db.version(1).stores({ users: '++id, &email' });
  await assert.rejects(
    db.users.add({ email: 'f@x', run() {} }),
    (error) => error instanceof DataCloneError && error.message === "Table.add() on 'users': a function (at .run) cannot be stored",
  );
  await assert.rejects(
    db.users.bulkAdd([{ email: 'a' }, { email: 'b', p: { q: [1, Symbol('s')] } }]),
    (error) =>
      error instanceof DataCloneError && error.message === "Table.bulkAdd() on 'users': a symbol (item 1 at .p.q[1]) cannot be stored",
  );
  await assert.rejects(
    db.users.get(true),
    (error) => error instanceof DataError && error.message === "Table.get() on 'users': a boolean is not a valid key",
  );
  assert.equal(await db.users.count(), 0, 'nothing was written');
  db.close();
});
