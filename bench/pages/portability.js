// portability.js: writes N records holding every value type, exports them
// (db.export()), imports the file into a new database (Indexie.import()),
// and checks the copy equals the original record by record (by encoding).
// Long tasks (> 50 ms, PerformanceObserver 'longtask') are collected during
// the export and the import separately: the longest is reported, 0 if none.
// The observer misses tasks that are only garbage collection, so each phase
// is also marked (console.timeStamp 'export'/'import' + '-start'/'-end') for
// bench/portability.mjs, which finds every main-thread task in a DevTools trace.
import { Indexie, encodeValue } from 'indexie';

function record(i) {
  return {
    id: i,
    name: `name ${i % 1000}`,
    tags: [`t${i % 7}`, `u${i % 11}`],
    born: new Date(1e12 + i * 1000),
    big: BigInt(i) * 1000000000000n,
    bytes: new Uint8Array([i & 255, (i >> 8) & 255]),
    ratio: i % 10 === 0 ? NaN : i / 7,
    meta: new Map([['k', new Set([i % 3])]]),
    ...(i % 100 === 0 ? { missing: undefined, zero: -0, f: new Float32Array([i]) } : {}),
  };
}

let longTasks = [];
new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration))).observe({
  type: 'longtask',
  buffered: false,
});

const hex = (value) => Array.from(encodeValue(value), (b) => b.toString(16).padStart(2, '0')).join('');

/** `storage`: the Indexie storage option of both databases (undefined: the default, 'auto'). */
window.roundTrip = async (n, storage) => {
  await Indexie.delete('port-src', storage ? { storage } : {});
  await Indexie.delete('port-copy', storage ? { storage } : {});
  const db = new Indexie('port-src', storage ? { storage } : {});
  db.version(1).stores({ items: 'id, name, *tags, born' });
  await db.items.bulkAdd(Array.from({ length: n }, (_, i) => record(i + 1)));
  await new Promise((resolve) => setTimeout(resolve, 100));

  longTasks = [];
  console.timeStamp('export-start');
  let t = performance.now();
  const blob = await db.export();
  const exportMs = performance.now() - t;
  console.timeStamp('export-end');
  await new Promise((resolve) => setTimeout(resolve, 100)); // long tasks are reported a little later
  const exportLong = Math.max(0, ...longTasks);

  longTasks = [];
  console.timeStamp('import-start');
  t = performance.now();
  const copy = await Indexie.import(blob, { name: 'port-copy', ...(storage ? { storage } : {}) });
  const importMs = performance.now() - t;
  console.timeStamp('import-end');
  await new Promise((resolve) => setTimeout(resolve, 100));
  const importLong = Math.max(0, ...longTasks);

  // Equality, compared in pieces of 5,000 records.
  let equal = true;
  for (let from = 0; from < n && equal; from += 5000) {
    const [a, b] = await Promise.all([
      db.items
        .where('id')
        .between(from + 1, from + 5000, true, true)
        .toArray(),
      copy
        .table('items')
        .where('id')
        .between(from + 1, from + 5000, true, true)
        .toArray(),
    ]);
    equal = a.length === b.length && hex(a) === hex(b);
  }
  const indexEqual = (await copy.table('items').where('tags').equals('t3').count()) === (await db.items.where('tags').equals('t3').count());
  db.close();
  copy.close();
  return { n, bytes: blob.size, exportMs, importMs, exportLong, importLong, equal, indexEqual };
};

document.getElementById('status').textContent = 'ready';
