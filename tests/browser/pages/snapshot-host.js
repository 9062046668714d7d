// snapshot-host.js: an owner host for the shared-engine tests and benchmark
// that is durable the simple way: the in-process engine over the memory VFS,
// whose commits are saved to IndexedDB (the changed pages, in one IndexedDB
// transaction) before the batch that committed them is answered; a new
// owner loads the saved pages before opening. It stands in for a durable
// host (OPFS in a Worker) so a handover can show that no acknowledged write
// is lost. Batches run one at a time, each with its save.
import { Engine } from '/build-tsc/engine/engine.js';
import { WasmEngineHost } from '/build-tsc/engine/engine-host.js';
import { Op, RequestBuilder, responseResults, resultValue } from '/build-tsc/engine/requests.js';
import { concatRequest, lastOperationSucceeded } from '/build-tsc/tabs/tab-protocol.js';

const idbRequest = (request) =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

function openStore(file) {
  const request = indexedDB.open(`snapshot:${file}`, 1);
  request.onupgradeneeded = () => request.result.createObjectStore('pages');
  return idbRequest(request);
}

/** Runs a batch of `ops` (each a function adding one operation) on `host`; their values. */
async function call(host, ...ops) {
  const builder = new RequestBuilder().reset();
  for (const op of ops) op(builder);
  const request = builder.finish();
  return responseResults(request, await host.execute(request)).map(resultValue);
}

export class SnapshotHost {
  #inner;
  #idb;
  #chain = Promise.resolve();
  #inTransaction = false;

  constructor(inner, idb) {
    this.#inner = inner;
    this.#idb = idb;
  }

  static async open(file) {
    const idb = await openStore(file);
    if (!(await Engine.exists(file))) {
      const keys = await idbRequest(idb.transaction('pages').objectStore('pages').getAllKeys());
      const values = await idbRequest(idb.transaction('pages').objectStore('pages').getAll());
      const saved = new Map(keys.map((key, i) => [key, values[i]]));
      if (saved.has('size')) {
        const size = saved.get('size');
        saved.delete('size');
        await Engine.loadFile(file, size, saved);
      }
    }
    return new SnapshotHost(await WasmEngineHost.open(file), idb);
  }

  get isOpen() {
    return this.#inner.isOpen;
  }

  setReadRecorder(readSet) {
    this.#inner.setReadRecorder(readSet);
  }

  execute(request, span) {
    const copy = { parts: [concatRequest(request)], length: request.length, operations: request.operations };
    const run = this.#chain.then(async () => {
      const response = await this.#inner.execute(copy, span);
      if (span === 'begin') this.#inTransaction = lastOperationSucceeded(response, copy.operations);
      if (span === 'end') this.#inTransaction = false;
      if (!this.#inTransaction) await this.#save();
      return response;
    });
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Saves the pages changed since the last save, then checkpoints. */
  async #save() {
    const [[fileSize, pages]] = await call(this.#inner, (r) => r.op(Op.pageChanges));
    if (pages.length === 0) return;
    const bytes = await call(this.#inner, ...[...pages].map((page) => (r) => r.op(Op.readPages, 2).uint(page).uint(1)));
    const transaction = this.#idb.transaction('pages', 'readwrite');
    const store = transaction.objectStore('pages');
    pages.forEach((page, i) => store.put(bytes[i], page));
    store.put(fileSize, 'size');
    await new Promise((resolve, reject) => {
      transaction.oncomplete = resolve;
      transaction.onabort = transaction.onerror = () => reject(transaction.error);
    });
    await call(this.#inner, (r) => r.op(Op.checkpoint));
  }

  close() {
    return this.#chain.then(() => this.#inner.close());
  }
}
