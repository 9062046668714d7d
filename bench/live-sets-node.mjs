// live-sets-node.mjs: the cost of live queries' set work per change, JS sets
// (js/src/engine/read-set.ts, change-set.ts) against the C++ ones through the
// wasm bindings they replaced in the page, in Node on the same bytes: the
// engine's real read sets (S subscriptions, each a range query) and change
// sets (one put each), then per change: build the change set from its bytes
// and intersect it with every subscription's read set.
// Usage: node bench/live-sets-node.mjs [subscriptions=100] [changes=2000]   (after scripts/build.sh)
import { loadCoreModule } from '../js/build-tsc/wasm-module.js';
import { requestBuffer } from '../js/build-tsc/engine/requests.js';
import { Engine } from '../js/build-tsc/engine/engine.js';
import { ReadSet } from '../js/build-tsc/engine/read-set.js';
import { changeSetOf } from '../js/build-tsc/engine/live-sets.js';

const [subscriptions = 100, changes = 2000] = process.argv.slice(2).map(Number);
const core = await loadCoreModule();
const engine = await Engine.open('live-sets-bench');
await engine.setSchema({ people: '++id, name, age' });
await engine.write(
  'people',
  'put',
  Array.from({ length: 1000 }, (_, i) => ({ name: `n${i}`, age: i % 90 })),
);
await engine.takeChanges();

const readBytes = [];
for (let s = 0; s < subscriptions; s++) {
  engine.recordReadsInto({ addSerialized: (bytes) => readBytes.push(bytes) });
  const done = engine.query(
    { table: 'people', index: 'age', reverse: false, distinct: false, unique: false, offset: 0, limit: -1, orderBy: [] },
    [[0, s % 90, (s % 90) + 1, false, true]],
    'values',
  );
  engine.recordReadsInto(null);
  await done;
}
const changeBytes = [];
for (let c = 0; c < changes; c++) {
  await engine.write('people', 'put', [{ id: 1 + (c % 1000), name: 'x', age: (c * 7) % 90 }]);
  changeBytes.push(await engine.takeChanges());
}
await engine.close();

const copy = (bytes) => {
  core.HEAPU8.set(bytes, requestBuffer(core, bytes.length));
  return bytes.length;
};
function runJs() {
  const sets = readBytes.map((bytes) => {
    const set = new ReadSet();
    set.addSerialized(bytes);
    return set;
  });
  let hits = 0;
  const began = performance.now();
  for (const bytes of changeBytes) {
    const changeSet = changeSetOf([bytes]);
    for (const set of sets) if (set.intersects(changeSet)) hits++;
  }
  return { ms: performance.now() - began, hits };
}
function runWasm() {
  const sets = readBytes.map((bytes) => {
    const set = new core.ReadSet();
    set.addSerialized(copy(bytes));
    return set;
  });
  let hits = 0;
  const began = performance.now();
  for (const bytes of changeBytes) {
    const changeSet = new core.ChangeSet();
    if (!changeSet.add(copy(bytes))) changeSet.addEverything();
    for (const set of sets) if (set.intersects(changeSet)) hits++;
    changeSet.delete();
  }
  const ms = performance.now() - began;
  for (const set of sets) set.delete();
  return { ms, hits };
}
for (let round = 0; round < 3; round++) {
  const js = runJs();
  const wasm = runWasm();
  if (js.hits !== wasm.hits) throw new Error(`the two disagree: ${js.hits} against ${wasm.hits} hits`);
  console.log(
    `${changes} changes x ${subscriptions} read sets (${js.hits} re-runs): JS ${js.ms.toFixed(1)} ms (${((js.ms * 1000) / changes).toFixed(1)} µs a change), ` +
      `wasm bindings ${wasm.ms.toFixed(1)} ms (${((wasm.ms * 1000) / changes).toFixed(1)} µs a change)`,
  );
}
