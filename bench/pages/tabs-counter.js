// tabs-counter.js: what each tab does in bench/tabs-counter.mjs: increment
// one counter in read-modify-write transactions, and write or watch for
// notes to time cross-tab visibility; on Dexie, or on js/src/tabs' shared
// engine (unbundled build at /build-tsc/) driven by the real Engine class,
// whose owner host is the in-process engine over the memory VFS ('memory')
// or that engine saving each commit to IndexedDB before answering
// ('durable': tests/browser/pages/snapshot-host.js).
import Dexie, { liveQuery } from 'dexie';
import { Engine } from '/build-tsc/engine/engine.js';
import { WasmEngineHost } from '/build-tsc/engine/engine-host.js';
import { openSharedEngine } from '/build-tsc/tabs/shared-engine.js';
import { loadCoreModule } from '/build-tsc/wasm-module.js';
import { SnapshotHost } from '/test/snapshot-host.js';
import { Indexie, liveQuery as indexieLiveQuery } from '/build-tsc/index.js';

await loadCoreModule(); // Engine merges change sets in this realm's module
const now = () => performance.timeOrigin + performance.now();

let impl;
window.seen = [];

/** The workload on a Dexie-shaped database object (Dexie itself, or indexie's public API), `liveQuery` from its library. */
const apiImpl = async (db, liveQueryOf) => {
  db.version(1).stores({ counters: 'id', notes: '++id' });
  await db.open();
  return {
    increment: () =>
      db.transaction('rw', db.counters, async () => {
        const counter = await db.counters.get('c');
        await db.counters.put({ id: 'c', value: (counter?.value ?? 0) + 1 });
      }),
    counter: async () => (await db.counters.get('c'))?.value ?? 0,
    addNote: async () => {
      await db.notes.add({ at: 0 });
      return now();
    },
    watch: () => liveQueryOf(() => db.notes.count()).subscribe((count) => window.seen.push({ count, at: now() })),
  };
};

const dexieImpl = (name) => apiImpl(new Dexie(name), liveQuery);

const sharedImpl = async (name, host) => {
  const openOwnHost = (file) => (host === 'durable' ? SnapshotHost.open(file) : WasmEngineHost.open(file));
  const shared = await openSharedEngine(name, openOwnHost);
  const engine = new Engine(await shared.session(name));
  await engine.setSchema({ counters: 'id', notes: '++id' });
  const committed = async () => {
    const changes = await engine.takeChanges();
    if (changes) shared.broadcastChanges(changes);
    if (host === 'memory') engine.checkpoint(); // nothing stores the pages: let the VFS drop its copies
  };
  return {
    increment: async () => {
      await engine.begin();
      const counter = await engine.get('counters', 'c');
      await engine.write('counters', 'put', [{ id: 'c', value: (counter?.value ?? 0) + 1 }]);
      await engine.commit();
      await committed();
    },
    counter: async () => (await engine.get('counters', 'c'))?.value ?? 0,
    addNote: async () => {
      await engine.write('notes', 'add', [{ at: 0 }]);
      const at = now();
      await committed();
      return at;
    },
    // A live query's part: on another tab's change set, re-read (the time counted is when the read answered).
    watch: () =>
      shared.onChanges(async () => {
        const heard = now();
        const count = await engine.count('notes');
        window.seen.push({ count, at: now(), heard });
      }),
  };
};

/** The whole public API on OPFS (storage: 'opfs'): the owner tab's engine Worker on OPFS, the others routed to it. */
const opfsImpl = (name) =>
  apiImpl(new Indexie(name, { storage: 'opfs', workerUrl: '/build-tsc/worker/engine-worker.js' }), indexieLiveQuery);

window.setup = async ({ lib, name, host }) => {
  impl = lib === 'dexie' ? await dexieImpl(name) : lib === 'indexie-opfs' ? await opfsImpl(name) : await sharedImpl(name, host);
  return true;
};
window.incrementFor = async (ms) => {
  let done = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await impl.increment();
    done++;
  }
  return done;
};
window.counter = () => impl.counter();
window.addNote = () => impl.addNote();
window.watch = () => {
  impl.watch();
};

document.getElementById('status').textContent = 'ready';
