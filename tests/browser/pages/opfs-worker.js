// opfs-worker.js: a module worker for worker-host.test.mjs that drives the
// OPFS file backend (js/build-tsc/worker/opfs-file-backend.js) directly, as
// the file VFS would: the "wasm heap" here is a plain Uint8Array the backend
// reads and writes at pointers, replaced by a bigger one to act out memory
// growth. Each message {id, task, name, ...} is answered {id, ...result} or
// {id, error: {name, message}}.
import { openOpfsFiles } from '/build-tsc/worker/opfs-file-backend.js';

const backends = new Map(); // name -> { backend, heap }

const pattern = (length, seed) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 255);
const equal = (a, b) => a.length === b.length && a.every((byte, i) => byte === b[i]);

const tasks = {
  async open({ name, attempts }) {
    const heap = { HEAPU8: new Uint8Array(1 << 20) };
    const retry = attempts ? { attempts, firstDelayMs: 20 } : undefined;
    const backend = await openOpfsFiles(name, heap, retry);
    backends.set(name, { backend, heap });
    return { fileName: backend.fileName };
  },

  /** Closes the handles; the backend then knows no file and every call fails. */
  release({ name }) {
    const { backend: b } = backends.get(name);
    const id = b.open(b.fileName);
    b.release();
    backends.delete(name);
    return { open: b.open(b.fileName), size: b.size(id), read: b.read(id, 0, 10, 0), write: b.write(id, 0, 10, 0) };
  },

  /** Every call of the backend, at offsets, with a heap that grows on the way. */
  roundTrip({ name }) {
    const { backend: b, heap } = backends.get(name);
    const file = b.fileName;
    const r = {};
    const id = b.open(file);
    const journal = b.open(`${file}-journal`);
    r.ids = [id, journal, b.open(`${file}-wal`), b.open('other')];
    r.emptySize = b.size(id);

    heap.HEAPU8.set(pattern(5000, 7), 100);
    r.write = b.write(id, 100, 5000, 4096);
    r.sizeAfterWrite = b.size(id);
    heap.HEAPU8.fill(0, 20000, 30000);
    r.read = b.read(id, 20000, 5000, 4096);
    r.readEqual = equal(heap.HEAPU8.subarray(20000, 25000), pattern(5000, 7));
    heap.HEAPU8.fill(9, 30000, 40000);
    r.hole = b.read(id, 30000, 4096, 0);
    r.holeIsZero = heap.HEAPU8.subarray(30000, 34096).every((byte) => byte === 0);
    r.shortRead = b.read(id, 40000, 4096, 8192);
    r.pastEnd = b.read(id, 40000, 4096, 1 << 20);

    // Memory growth: the module replaces HEAPU8 with a bigger view; pointers past
    // the old end are valid only in the new one.
    const grown = new Uint8Array(4 << 20);
    grown.set(heap.HEAPU8);
    heap.HEAPU8 = grown;
    grown.set(pattern(3000, 99), 3_000_000);
    r.grownWrite = b.write(id, 3_000_000, 3000, 0);
    r.grownRead = b.read(id, 3_500_000, 3000, 0);
    r.grownEqual = equal(grown.subarray(3_500_000, 3_503_000), pattern(3000, 99));

    r.truncate = b.truncate(id, 4096);
    r.sizeAfterTruncate = b.size(id);
    r.sync = b.sync(id);

    grown.set(pattern(512, 1), 0);
    r.journalWrite = b.write(journal, 0, 512, 0);
    r.journalSize = b.size(journal);
    r.journalTruncate = b.truncate(journal, 0);
    r.journalSizeAfter = b.size(journal);
    r.journalSync = b.sync(journal);

    r.unknownId = [b.size(7), b.read(7, 0, 10, 0), b.write(7, 0, 10, 0), b.truncate(7, 0), b.sync(7)];
    // The VFS closing a file keeps its handle: it may open it again at once.
    b.close(id);
    r.reopenedId = b.open(file);
    r.readAfterClose = b.read(r.reopenedId, 0, 100, 0);
    return r;
  },

  /** What a reopened backend finds (after roundTrip and release). */
  contents({ name }) {
    const { backend: b, heap } = backends.get(name);
    const id = b.open(b.fileName);
    const size = b.size(id);
    const read = b.read(id, 0, 3000, 0);
    return { size, read, same: equal(heap.HEAPU8.subarray(0, 3000), pattern(3000, 99)) };
  },

  /** Writes `chunk` bytes at a time until the backend refuses; then truncates back. */
  fill({ name, chunk, max }) {
    const { backend: b, heap } = backends.get(name);
    if (heap.HEAPU8.length < chunk) heap.HEAPU8 = new Uint8Array(chunk);
    heap.HEAPU8.fill(0xab, 0, chunk);
    const id = b.open(b.fileName);
    let written = 0;
    let code = 0;
    while (written < max) {
      code = b.write(id, 0, chunk, written);
      if (code !== 0) break;
      written += chunk;
    }
    return { code, written, size: b.size(id) };
  },

  /** One more chunk at the end of the file: 0 once there is room again. */
  writeMore({ name, chunk }) {
    const { backend: b } = backends.get(name);
    const id = b.open(b.fileName);
    const code = b.write(id, 0, chunk, b.size(id));
    const truncated = b.truncate(id, 0);
    return { code, truncated, size: b.size(id) };
  },

  /** Whether this worker may compile code from strings (its CSP says 'wasm-unsafe-eval', not 'unsafe-eval'). */
  evalAllowed() {
    try {
      return { allowed: new Function('return 1')() === 1 };
    } catch (error) {
      return { allowed: false, error: error.name };
    }
  },
};

onmessage = async ({ data }) => {
  try {
    postMessage({ id: data.id, ...(await tasks[data.task](data)) });
  } catch (error) {
    postMessage({ id: data.id, error: { name: error.name, message: error.message } });
  }
};
