// file-backend-wasm.test.mjs: the wasm module's file VFS reaches its files
// through Module.indexieFileBackend (wasm/file_backend_js.cc), exactly as
// the contract in js/src/indexie-core.d.ts (NativeFileBackend) says: pages
// are read on demand (a reopened database answers a get reading a few
// pages), commits go to '<name>-wal' (journal_mode=WAL, synchronous by the
// durability argument) and the close of the database empties it, a full
// storage (write -> -2) is a QuotaExceededError that keeps the previous
// commit, and a backend that throws is an error, not a crashed module. The
// backend here is a plain JS object over Uint8Arrays (the OPFS one lives in
// the Worker); requests are built with the package's own request encoder.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

const dist = new URL('../../js/dist/', import.meta.url);
const { default: createIndexieCore } = await import(new URL('indexie-core.js', dist).href);
const core = await createIndexieCore({ wasmBinary: await readFile(new URL('indexie-core.wasm', dist)) });

/** Files as Uint8Arrays, with the calls counted. */
function memoryBackend() {
  const files = new Map(); // path -> Uint8Array
  const ids = new Map(); // id -> path
  let nextId = 1;
  const backend = {
    files,
    calls: { read: 0, write: 0, sync: 0, truncate: 0 },
    quota: Infinity,
    open(path) {
      if (!files.has(path)) files.set(path, new Uint8Array(0));
      ids.set(nextId, path);
      return nextId++;
    },
    size(id) {
      return files.get(ids.get(id)).length;
    },
    read(id, ptr, length, offset) {
      backend.calls.read++;
      const bytes = files.get(ids.get(id)).subarray(offset, offset + length);
      core.HEAPU8.set(bytes, ptr);
      return bytes.length;
    },
    write(id, ptr, length, offset) {
      backend.calls.write++;
      const path = ids.get(id);
      let bytes = files.get(path);
      if (offset + length > bytes.length) {
        let total = 0;
        for (const file of files.values()) total += file.length;
        if (total + offset + length - bytes.length > backend.quota) return -2;
        const grown = new Uint8Array(offset + length);
        grown.set(bytes);
        bytes = grown;
        files.set(path, bytes);
      }
      bytes.set(core.HEAPU8.subarray(ptr, ptr + length), offset);
      return 0;
    },
    truncate(id, size) {
      backend.calls.truncate++;
      const path = ids.get(id);
      const bytes = new Uint8Array(size);
      bytes.set(files.get(path).subarray(0, size));
      files.set(path, bytes);
      return 0;
    },
    sync() {
      backend.calls.sync++;
      return 0;
    },
    close(id) {
      ids.delete(id);
    },
  };
  return backend;
}

// A minimal CBOR writer for the few request shapes used here (engine_requests.h).
function cbor(value) {
  const out = [];
  const head = (major, n) => {
    if (n < 24) out.push((major << 5) | n);
    else if (n < 256) out.push((major << 5) | 24, n);
    else if (n < 65536) out.push((major << 5) | 25, n >> 8, n & 255);
    else out.push((major << 5) | 26, (n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255);
  };
  const write = (v) => {
    if (v === null) out.push(0xf6);
    else if (v === true) out.push(0xf5);
    else if (v === false) out.push(0xf4);
    else if (typeof v === 'number') head(0, v);
    else if (typeof v === 'string') {
      const bytes = new TextEncoder().encode(v);
      head(3, bytes.length);
      out.push(...bytes);
    } else if (Array.isArray(v)) {
      head(4, v.length);
      v.forEach(write);
    } else {
      const entries = Object.entries(v);
      head(5, entries.length);
      for (const [k, item] of entries) {
        write(k);
        write(item);
      }
    }
  };
  write(value);
  return new Uint8Array(out);
}

// Opcodes (engine_requests.h EngineOp).
const SET_SCHEMA = 5;
const BEGIN = 1;
const COMMIT = 2;
const WRITE = 6;
const GET = 7;
const COUNT = 12;

function execute(db, ops) {
  const bytes = cbor(ops);
  core.HEAPU8.set(bytes, core.requestBuffer(bytes.length));
  return db.execute(bytes.length);
}

/** Whether every result of a response batch succeeded ([true, ...] each). */
function failedCodes(response) {
  const text = new TextDecoder().decode(response);
  return [...text.matchAll(/[A-Z][a-zA-Z]+Error/g)].map((m) => m[0]);
}

function openFile(name, backend, cacheKiB = 0, durability = 'relaxed') {
  core.indexieFileBackend = backend;
  const db = new core.EngineDatabase();
  const opened = db.openFile(name, cacheKiB, durability);
  assert.deepEqual([...opened], [0x82, 0xf5, 0xf6], 'openFile answers [true, null]');
  return db;
}

const person = (id) => ({ id, name: `n${id}`, bio: 'x'.repeat(200) });

test('openFile reads and writes the file through Module.indexieFileBackend, pages on demand', () => {
  const backend = memoryBackend();
  let db = openFile('people', backend);
  assert.deepEqual(failedCodes(execute(db, [[SET_SCHEMA, { people: 'id, name' }]])), []);
  const ops = [[BEGIN]];
  for (let first = 1; first <= 5000; first += 500) {
    ops.push([WRITE, 'people', false, Array.from({ length: 500 }, (_, i) => person(first + i)), null]);
  }
  ops.push([COMMIT]);
  assert.deepEqual(failedCodes(execute(db, ops)), []);
  assert.ok(backend.files.get('people-wal').length > 1_000_000, 'the commit is in the WAL');
  db.close();
  db.delete();
  assert.ok(backend.files.get('people').length > 1_000_000, 'the close checkpointed the WAL into the database');
  assert.equal(backend.files.get('people-wal').length, 0, 'the WAL is empty after the close');
  assert.equal(backend.files.get('people-journal')?.length ?? 0, 0, 'no journal');
  assert.ok(backend.calls.sync >= 2, 'the checkpoint syncs');

  backend.calls.read = 0;
  db = openFile('people', backend, 1024);
  const response = execute(db, [[GET, 'people', 4321]]);
  assert.deepEqual(failedCodes(response), []);
  assert.ok(new TextDecoder().decode(response).includes('n4321'));
  const pages = backend.files.get('people').length / 4096;
  assert.ok(pages > 300);
  assert.ok(backend.calls.read <= 15, `${backend.calls.read} reads of ${pages} pages for open and a get`);
  db.close();
  db.delete();
});

test("durability 'relaxed' hands commits to the OS (synchronous NORMAL), 'strict' flushes each (FULL)", () => {
  for (const [durability, syncsPerCommit] of [
    ['relaxed', 0],
    ['strict', 1],
  ]) {
    const backend = memoryBackend();
    const db = openFile(`durability-${durability}`, backend, 0, durability);
    assert.deepEqual(
      failedCodes(
        execute(db, [
          [SET_SCHEMA, { people: 'id' }],
          [WRITE, 'people', false, [person(1)], null],
        ]),
      ),
      [],
    );
    backend.calls.sync = 0;
    backend.calls.write = 0;
    for (let id = 2; id <= 11; id++) assert.deepEqual(failedCodes(execute(db, [[WRITE, 'people', false, [person(id)], null]])), []);
    assert.equal(backend.calls.sync, 10 * syncsPerCommit, `${durability}: syncs for 10 commits`);
    assert.equal(backend.calls.write, 10, `${durability}: one combined write per commit`);
    db.close();
    db.delete();
  }
});

test('a full storage is a QuotaExceededError that keeps the previous commit', () => {
  const backend = memoryBackend();
  const db = openFile('full', backend);
  assert.deepEqual(
    failedCodes(
      execute(db, [
        [SET_SCHEMA, { people: 'id' }],
        [WRITE, 'people', false, [person(1)], null],
      ]),
    ),
    [],
  );
  let total = 0;
  for (const file of backend.files.values()) total += file.length;
  backend.quota = total + 16 * 1024;
  const big = Array.from({ length: 400 }, (_, i) => person(100 + i));
  const response = execute(db, [[BEGIN], [WRITE, 'people', false, big, null], [COMMIT], [COUNT, 'people']]);
  assert.deepEqual(failedCodes(response), ['QuotaExceededError']);
  assert.equal(response.at(-1), 1, 'the count after the failed commit is 1');
  db.close();
  db.delete();
});

test('a backend that throws is an error result, and the module keeps working', () => {
  const backend = memoryBackend();
  const db = openFile('throws', backend);
  assert.deepEqual(failedCodes(execute(db, [[SET_SCHEMA, { people: 'id' }]])), []);
  backend.write = () => {
    throw new Error('the handle was closed');
  };
  const response = execute(db, [[WRITE, 'people', false, [person(1)], null]]);
  assert.equal(failedCodes(response).length, 1, 'the write failed');
  db.close();
  db.delete();
  core.indexieFileBackend = undefined;
  const missing = new core.EngineDatabase();
  const refused = new TextDecoder().decode(missing.openFile('nobackend', 0, 'relaxed'));
  assert.match(refused, /InvalidArgumentError/);
  assert.match(refused, /Module\.indexieFileBackend is not set/);
  missing.delete();
  const memory = new core.EngineDatabase();
  assert.deepEqual([...memory.open('memory')], [0x82, 0xf5, 0xf6]);
  memory.close();
  memory.delete();
});
