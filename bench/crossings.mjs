// crossings.mjs: counts the calls from JS into the wasm module that one
// add(), one get() and one range query make, on a database persisted in
// (fake) IndexedDB, as an app's first writes and reads would. Every function
// of the module and every method of its handles' prototypes is wrapped with
// a counter before the first database opens.
//   node bench/crossings.mjs [path of an unbundled build]   (default js/build-tsc)
// It needs the internal wasm-module.js, so it runs on the unbundled build
// that `npm run build` in js/ leaves in js/build-tsc/ (the shipped js/dist is
// bundled). Run it on two builds (e.g. a saved copy of an older build-tsc/,
// or a dist/ from before the package was bundled) to compare them.
import 'fake-indexeddb/auto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(process.argv[2] ?? new URL('../js/build-tsc/', import.meta.url).pathname);
const moduleFile = ['wasm-module.js', 'engine/wasm-module.js'].map((f) => resolve(dist, f)).find(existsSync);
const { loadCoreModule } = await import(pathToFileURL(moduleFile).href);
const { Indexie } = await import(pathToFileURL(resolve(dist, 'index.js')).href);

const core = await loadCoreModule();
const calls = new Map();
function count(name, fn) {
  return function counted(...args) {
    calls.set(name, (calls.get(name) ?? 0) + 1);
    return fn.apply(this, args);
  };
}
for (const [name, value] of Object.entries(core)) {
  if (typeof value !== 'function') continue;
  if (value.prototype && Object.getOwnPropertyNames(value.prototype).length > 1) {
    for (const method of Object.getOwnPropertyNames(value.prototype)) {
      const fn = value.prototype[method];
      if (method !== 'constructor' && typeof fn === 'function') value.prototype[method] = count(`${name}.${method}`, fn);
    }
  } else if (/^(_malloc|_free|[a-z]\w*)$/.test(name) && !name.startsWith('dynCall')) {
    // The glue may rebind an export on its first call (Module._malloc = the raw export): count whatever is current.
    let current = value;
    Object.defineProperty(core, name, {
      get: () => count(name, current),
      set: (next) => {
        current = next;
      },
      configurable: true,
    });
  }
}

const db = new Indexie(`crossings-${Date.now()}`);
db.version(1).stores({ people: '++id, name, age' });
await db.open();
await db.people.bulkAdd(Array.from({ length: 1000 }, (_, i) => ({ name: `p${i}`, age: i % 90 })));
await db.people.add({ name: 'warm-up', age: 1 }); // the first write after bulkAdd (its checkpoint) is not counted

async function measure(label, operation) {
  calls.clear();
  await operation();
  const total = [...calls.values()].reduce((a, b) => a + b, 0);
  const detail = [...calls].map(([name, n]) => `${name} ${n}`).join(', ');
  console.log(`${label.padEnd(44)} ${String(total).padStart(3)}   ${detail}`);
  return total;
}

console.log(`JS -> wasm calls per operation (${dist})`);
await measure('add() outside a transaction, with its flush', () => db.people.add({ name: 'Ada', age: 36 }));
await measure('get(id)', () => db.people.get(5));
await measure("where('age').between(20, 30).toArray()", () => db.people.where('age').between(20, 30).toArray());
await measure('a second add()', () => db.people.add({ name: 'Bo', age: 7 }));
db.close();
