// shared-engine.js: what each tab does in the shared-engine tests and the
// tabs-counter benchmark. The engine is js/src/tabs' shared engine (from the
// unbundled build, js/build-tsc, served at /build-tsc/), with the in-process
// wasm host over the memory VFS as the owner's host, driven by the real
// Engine class, so every batch is a real engine request.
import { Engine } from '/build-tsc/engine/engine.js';
import { WasmEngineHost } from '/build-tsc/engine/engine-host.js';
import { openSharedEngine } from '/build-tsc/tabs/shared-engine.js';
import { loadCoreModule } from '/build-tsc/wasm-module.js';
import { SnapshotHost } from './snapshot-host.js';

// Engine merges change sets in this realm's wasm module, whoever runs the engine.
await loadCoreModule();

const SCHEMA = { counters: 'id', notes: '++id, text' };
const wallNow = () => performance.timeOrigin + performance.now();

let shared;
let engine;
const hostsOpened = [];
window.received = [];

/**
 * Joins the shared engine of database `name`; resolves whether this tab owns
 * it. With `snapshot`, the owner's host saves each commit to IndexedDB before
 * answering, and a new owner starts from there (snapshot-host.js).
 */
window.openShared = async (name, { ownerTimeoutMs, snapshot } = {}) => {
  const openOwnHost = async (file) => {
    hostsOpened.push(file);
    return snapshot ? SnapshotHost.open(file) : WasmEngineHost.open(file);
  };
  shared = await openSharedEngine(name, openOwnHost, ownerTimeoutMs ? { ownerTimeoutMs } : {});
  engine = new Engine(await shared.session(name));
  await engine.setSchema(SCHEMA);
  shared.onChanges((bytes) => window.received.push({ at: wallNow(), length: bytes.length, head: Array.from(bytes.slice(0, 64)) }));
  return shared.isOwner;
};

window.isOwner = () => shared.isOwner;
window.hostsOpened = () => hostsOpened.length;
window.closeShared = () => shared.close();

/** The error of a promise as {name, message}, or its value as {value}. */
const outcome = (promise) =>
  promise.then(
    (value) => ({ value }),
    (error) => ({ name: error.name, message: error.message, classes: classesOf(error) }),
  );

/** The error's class names, its own first, up to Error. */
function classesOf(error) {
  const names = [];
  for (let proto = Object.getPrototypeOf(error); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    names.push(proto.constructor.name);
  }
  return names;
}

/** One increment: its own transaction (begin, get, put, commit). */
async function increment() {
  await engine.begin();
  try {
    const counter = await engine.get('counters', 'c');
    await engine.write('counters', 'put', [{ id: 'c', value: (counter?.value ?? 0) + 1 }]);
    await engine.commit();
    const changes = await engine.takeChanges();
    if (broadcasting && changes) shared.broadcastChanges(changes);
  } catch (error) {
    if (engine.isOpen) await engine.rollback().catch(() => undefined);
    throw error;
  }
  engine.checkpoint(); // nothing persists these pages: let the VFS drop its copies
}

let broadcasting = false;
/** Increments for `ms` (with `broadcast`, each commit's change set goes to the other tabs); resolves how many committed. */
window.incrementFor = async (ms, broadcast = false) => {
  broadcasting = broadcast;
  let done = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await increment();
    done++;
  }
  return done;
};

window.counter = async () => (await engine.get('counters', 'c'))?.value ?? 0;

window.addNote = async (text) => {
  const [key] = (await engine.write('notes', 'add', [{ text }])).keys;
  return key;
};
window.notes = async () => (await engine.scan('notes')).map((note) => note.text);

// A transaction left open across page.evaluate calls (test 2).
window.beginAndPut = async (value) => {
  await engine.begin();
  await engine.write('counters', 'put', [{ id: 'c', value }]);
};
window.commit = async () => {
  await engine.commit();
  const changes = await engine.takeChanges();
  if (changes) shared.broadcastChanges(changes);
  return wallNow();
};

// An operation started now and inspected later.
let started;
let settled;
window.startRead = () => {
  settled = undefined;
  started = outcome(engine.get('counters', 'c').then((row) => row?.value));
  started.then((result) => (settled = { ...result, at: wallNow() }));
};
window.startWrite = (text) => {
  settled = undefined;
  started = outcome(engine.write('notes', 'add', [{ text }]).then((result) => result.keys[0]));
  started.then((result) => (settled = { ...result, at: wallNow() }));
};
window.startedSettled = () => settled ?? null;
window.startedResult = () => started;

/** A write outside a transaction whose change set goes to the other tabs; resolves the wall time it resolved. */
window.writeAndBroadcast = async (text) => {
  await engine.write('notes', 'add', [{ text }]);
  const changes = await engine.takeChanges();
  const at = wallNow();
  shared.broadcastChanges(changes);
  return { at, length: changes.length, head: Array.from(changes.slice(0, 64)) };
};

/** Runs `operation` (by name) and reports its outcome instead of throwing. */
window.attempt = (name, ...args) => outcome(Promise.resolve().then(() => window[name](...args)));

document.getElementById('status').textContent = 'ready';
