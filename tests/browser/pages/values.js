// values.js: the same writes through Dexie (real IndexedDB: its structured
// clone is the reference) and through indexie: every type structured clone
// keeps (boxed primitives, shared and cyclic references, Blob and File,
// every typed array, sparse arrays), by add, put, bulkPut, update and
// modify, in and out of a transaction. writeAll(lib) stores them;
// readAll(lib), after a reload, describes what came back (describeValue:
// types, bytes and which objects are the same one) and what the indexes
// find. The test compares indexie's description with Dexie's.
import Dexie from 'dexie';
import { Indexie } from 'indexie';

const LIBRARIES = { dexie: Dexie, indexie: Indexie };
const SCHEMA = {
  items: 'id, home.city, *also, file.name, blob.size, blob.type, label, label.length',
  auto: '++id',
};

function typedArrays() {
  return {
    i8: new Int8Array([-128, 127]),
    u8: new Uint8Array([0, 255]),
    u8c: new Uint8ClampedArray([300 & 255, 7]),
    i16: new Int16Array([-32768]),
    u16: new Uint16Array([65535]),
    i32: new Int32Array([-1]),
    u32: new Uint32Array([4294967295]),
    f32: new Float32Array([NaN, -0, 1.5]),
    f64: new Float64Array([NaN, -0, Infinity, Math.PI]),
    bi64: new BigInt64Array([-(2n ** 63n)]),
    bu64: new BigUint64Array([2n ** 64n - 1n]),
    dv: new DataView(new Uint8Array([1, 2, 3]).buffer),
    ab: new Uint8Array([4, 5]).buffer,
    ...views(),
  };
}

/** Views on one buffer (which they share) and on part of a buffer. */
function views() {
  const buffer = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer;
  return {
    buffer,
    part: new Uint8Array(buffer, 2, 3),
    words: new Uint16Array(buffer),
    dvPart: new DataView(buffer, 6),
    lone: new Float64Array(new ArrayBuffer(24), 8, 1),
  };
}

function shared() {
  const owner = { city: 'Oslo' };
  const tags = ['red', 'blue'];
  const when = new Date(1700000000000);
  const bytes = new Uint16Array([1, 2]);
  const map = new Map([['k', owner]]);
  map.set('self', map);
  const set = new Set([when]);
  set.add(set);
  const value = { owner, home: owner, tags, also: tags, when, whenAgain: when, bytes, bytesAgain: bytes, map, set, pair: [owner, tags] };
  value.self = value;
  return value;
}

function boxed() {
  return {
    label: new String('héllo'),
    n: new Number(-0),
    nan: new Number(NaN),
    yes: new Boolean(true),
    no: new Boolean(false),
    big: Object(-5n),
  };
}

function files() {
  const blob = new Blob(['hello blob'], { type: 'text/plain' });
  const file = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0])], 'cat.png', { type: 'image/png', lastModified: 1700000000123 });
  return { blob, file, both: [blob, blob], empty: new Blob([]) };
}

/** Shared and cyclic references and types that Dexie's update()/modify() copy keeps (see writeAll). */
function sharedPlain() {
  const owner = { city: 'Oslo' };
  const tags = ['red', 'blue'];
  const when = new Date(1700000000000);
  const value = { owner, home: owner, tags, also: tags, when, whenAgain: when, label: new String('plain') };
  value.self = value;
  return value;
}

window.writeAll = async (libName, name) => {
  const db = new LIBRARIES[libName](name);
  db.version(1).stores(SCHEMA);
  await db.open();
  // eslint-disable-next-line no-sparse-arrays -- holes on purpose: sparse arrays round-trip
  const sparse = [1, , 3, , ,];
  // Records 1-5: stored by add, put, bulkPut, in and out of a transaction, never changed after.
  await db.items.add({ id: 1, ...typedArrays(), sparse });
  await db.items.put({ id: 2, ...shared() });
  await db.items.bulkPut([
    { id: 3, ...boxed() },
    { id: 4, ...files(), sparse },
  ]);
  await db.transaction('rw', db.items, db.auto, async () => {
    await db.items.put({ id: 5, ...shared(), ...boxed() });
    await db.items.bulkPut([
      { id: 6, ...sharedPlain() },
      { id: 7, ...sharedPlain() },
    ]);
    await db.items.update(6, { attachment: new File(['att'], 'a.txt', { type: 'text/plain', lastModified: 5 }), flag: new Boolean(false) });
    const node = { name: 'cyclic root' };
    node.self = node;
    await db.auto.add(node);
  });
  // Records 6-8 are changed by update() and modify(). Dexie copies a record there with its
  // deepClone, which loses holes, Number and BigInt objects and a Map's sharing; so these
  // hold only what that copy keeps (that difference: the fidelity scenario
  // 'update() and modify() store what structured clone keeps').
  await db.items.put({ id: 8, ...sharedPlain() });
  await db.items.update(7, { extra: new String('x'), blob: new Blob(['upd'], { type: 'text/x' }) });
  await db.items
    .where('id')
    .anyOf([6, 8])
    .modify({ stamp: new Blob(['stamp']), when: new Date(5) });
  db.close();
  return 'written';
};

window.readAll = async (libName, name) => {
  const db = new LIBRARIES[libName](name);
  db.version(1).stores(SCHEMA);
  await db.open();
  const items = await db.items.toArray();
  const auto = await db.auto.toArray();
  const ids = (rows) => rows.map((row) => row.id);
  const result = {
    items: await Promise.all(items.map((item) => describeValue(item))),
    auto: await Promise.all(auto.map((item) => describeValue(item))),
    indexes: {
      homeCity: ids(await db.items.where('home.city').equals('Oslo').toArray()),
      also: ids(await db.items.where('also').equals('blue').toArray()),
      fileName: ids(await db.items.where('file.name').equals('cat.png').toArray()),
      blobSize: ids(await db.items.where('blob.size').equals(10).toArray()),
      blobType: await db.items.orderBy('blob.type').keys(),
      label: await db.items.orderBy('label').keys(),
      labelLength: await db.items.orderBy('label.length').keys(),
    },
  };
  db.close();
  return result;
};

/**
 * A description of a value, as JSON: each type named, binary as bytes,
 * Blobs with their bytes, and an object met again as {$: 'same', as: path}
 * (the path where it was first met, in property order).
 */
async function describeValue(value) {
  const blobs = [];
  findBlobs(value, blobs, new Set());
  const bytes = new Map();
  for (const blob of blobs) bytes.set(blob, [...new Uint8Array(await blob.arrayBuffer())]);
  return describe(value, bytes, new Map(), '$');
}

function findBlobs(value, blobs, seen) {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Blob) blobs.push(value);
  else if (value instanceof Map) for (const [k, v] of value) (findBlobs(k, blobs, seen), findBlobs(v, blobs, seen));
  else if (value instanceof Set || Array.isArray(value)) for (const v of value) findBlobs(v, blobs, seen);
  else for (const v of Object.values(value)) findBlobs(v, blobs, seen);
}

function describe(value, bytes, seen, path) {
  if (value === undefined) return { $: 'undefined' };
  if (typeof value === 'number')
    return Number.isFinite(value) && !Object.is(value, -0) ? value : { $: 'number', v: Object.is(value, -0) ? '-0' : String(value) };
  if (typeof value === 'bigint') return { $: 'bigint', v: String(value) };
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return { $: 'same', as: seen.get(value) };
  seen.set(value, path);
  for (const Boxed of [String, Number, Boolean, BigInt]) {
    if (value instanceof Boxed) return { $: `${Boxed.name} object`, v: describe(value.valueOf(), bytes, seen, path) };
  }
  if (value instanceof Blob) {
    const out = { $: value instanceof File ? 'File' : 'Blob', type: value.type, size: value.size, bytes: bytes.get(value) };
    if (value instanceof File) Object.assign(out, { name: value.name, lastModified: value.lastModified });
    return out;
  }
  if (value instanceof ArrayBuffer) return { $: 'ArrayBuffer', v: [...new Uint8Array(value)] };
  if (ArrayBuffer.isView(value)) {
    const v = [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)];
    return { $: value.constructor.name, v, byteOffset: value.byteOffset, buffer: describe(value.buffer, bytes, seen, `${path}.buffer`) };
  }
  if (value instanceof Date) return { $: 'Date', v: value.getTime() };
  if (value instanceof Map) {
    return {
      $: 'Map',
      v: [...value].map(([k, v], i) => [describe(k, bytes, seen, `${path}.key${i}`), describe(v, bytes, seen, `${path}.get(${i})`)]),
    };
  }
  if (value instanceof Set) return { $: 'Set', v: [...value].map((v, i) => describe(v, bytes, seen, `${path}.item${i}`)) };
  if (Array.isArray(value)) {
    return {
      $: 'Array',
      v: Array.from({ length: value.length }, (_, i) => (i in value ? describe(value[i], bytes, seen, `${path}[${i}]`) : { $: 'hole' })),
    };
  }
  const out = { $: Object.getPrototypeOf(value) === Object.prototype ? 'Object' : String(value.constructor?.name) };
  for (const [k, v] of Object.entries(value)) out[k] = describe(v, bytes, seen, `${path}.${k}`);
  return out;
}

document.getElementById('status').textContent = 'ready';
