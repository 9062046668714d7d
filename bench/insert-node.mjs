// insert-node.mjs: the same micro-benchmark as insert_native.cc, through the
// public API in Node (wasm): bulkAdd of N records into
// '++id, &email, name, age, *tags'. Prints the median of 5 runs, and how much
// of it is encoding values in JS.
// Run: node bench/insert-node.mjs [N]   (after scripts/build.sh)
import { Indexie, encodeValue } from 'indexie';

const n = Number(process.argv[2] ?? 100000);
const records = Array.from({ length: n }, (_, i) => ({
  name: `name${i % 5000}`,
  email: `user${i}@example.com`,
  age: i % 90,
  tags: [`t${i % 7}`, `u${i % 11}`],
  bio: String.fromCharCode(97 + (i % 26)).repeat(90),
}));

const times = [];
for (let run = 0; run < 5; run++) {
  const db = new Indexie(`bench-insert-${run}`);
  db.version(1).stores({ users: '++id, &email, name, age, *tags' });
  await db.open();
  const items = records.map((r) => ({ ...r }));
  const start = performance.now();
  await db.users.bulkAdd(items);
  times.push(performance.now() - start);
  if ((await db.users.count()) !== n) throw new Error('count mismatch');
  db.close();
}
const encodeStart = performance.now();
for (const r of records) encodeValue(r);
const encodeMs = performance.now() - encodeStart;
times.sort((a, b) => a - b);
console.log(
  `wasm (Node ${process.version}): bulkAdd of ${n} records with 4 indexes: median ${times[2].toFixed(0)} ms ` +
    `(min ${times[0].toFixed(0)}, max ${times[4].toFixed(0)}) = ${Math.round(n / (times[2] / 1000))} records/s; ` +
    `encoding the values alone: ${encodeMs.toFixed(0)} ms`,
);
