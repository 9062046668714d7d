// engine-worker.ts: the entry of the engine's dedicated Worker (shipped as
// dist/engine-worker.js, a bundle of its own beside the glue and the .wasm).
// It loads the wasm module here, opens one engine database and answers the
// page's WorkerEngineHost (engine/worker-engine-host.ts) by the messages of
// engine/worker-protocol.ts.
//
// Guarantees:
// - Requests are handled one at a time in arrival order, each answered
//   exactly once with its id (an 'execute' that arrives while 'open' is
//   still loading the module waits for it).
// - One database per worker: 'open' on a worker that has one is an error.
//   'close' closes the engine, then releases the OPFS handles, so another
//   worker can open the files as soon as the answer arrives.
// - Storage 'opfs': the files are opened (openOpfsFiles) before the engine,
//   and the engine reaches them through Module.indexieFileBackend (the file
//   VFS's contract). Storage 'memory': the engine's in-memory page store,
//   gone with the worker.
// - Nothing the engine or the storage throws escapes: it is answered as the
//   request's error (worker-protocol.ts crossingError).
import { decodeResult, requestBuffer } from '../engine/requests.js';
import { crossingError, type WorkerRequest, type WorkerResponse } from '../engine/worker-protocol.js';
import { DatabaseClosedError, InternalError, InvalidArgumentError } from '../errors.js';
import type { CoreModule, NativeEngineDatabase } from '../indexie-core.js';
import { loadCoreModule } from '../wasm-module.js';
import { deleteOpfsDatabase, openOpfsFiles, opfsDatabaseExists, type OpfsFileBackend } from './opfs-file-backend.js';

/** The dedicated worker's global scope, as far as used here (TypeScript's webworker lib is not in this build). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerResponse, transfer?: Transferable[]): void;
}
const scope = globalThis as unknown as WorkerScope;

interface OpenDatabase {
  core: CoreModule;
  native: NativeEngineDatabase;
  files: OpfsFileBackend | undefined;
}
let open: OpenDatabase | undefined;

async function openDatabase(name: string, storage: string, cacheKiB: number): Promise<void> {
  if (open) throw new InternalError('this engine worker already has a database open');
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('a database name must be a non-empty string');
  const core = await loadCoreModule();
  const native = new core.EngineDatabase();
  let files: OpfsFileBackend | undefined;
  try {
    if (storage === 'memory') {
      decodeResult(native.open(name));
    } else if (storage === 'opfs') {
      if (!Number.isSafeInteger(cacheKiB) || cacheKiB <= 0)
        throw new InvalidArgumentError(`the page cache must be a positive number of KiB, not ${cacheKiB}`);
      files = await openOpfsFiles(name, core);
      core.indexieFileBackend = files;
      decodeResult(native.openFile(files.fileName, cacheKiB));
    } else {
      throw new InvalidArgumentError(`unknown worker storage '${storage}' (expected 'opfs' or 'memory')`);
    }
  } catch (error) {
    native.delete();
    files?.release();
    if (core.indexieFileBackend === files) core.indexieFileBackend = undefined;
    throw error;
  }
  open = { core, native, files };
}

/** Runs one request batch; the response batch is its own ArrayBuffer (the glue copies it out of the heap). */
function execute(bytes: ArrayBuffer): Uint8Array {
  if (!open) throw new DatabaseClosedError('the database is closed');
  const { core, native } = open;
  const at = requestBuffer(core, bytes.byteLength);
  core.HEAPU8.set(new Uint8Array(bytes), at); // HEAPU8 read after requestBuffer, which may grow memory
  return native.execute(bytes.byteLength);
}

function closeDatabase(): void {
  const database = open;
  open = undefined;
  if (!database) return;
  try {
    database.native.close();
    database.native.delete();
  } finally {
    database.files?.release();
    if (database.core.indexieFileBackend === database.files) database.core.indexieFileBackend = undefined;
  }
}

async function handle(request: WorkerRequest): Promise<void> {
  const { id } = request;
  try {
    switch (request.op) {
      case 'open':
        await openDatabase(request.name, request.storage, request.cacheKiB);
        scope.postMessage({ id, value: null });
        return;
      case 'execute': {
        const response = execute(request.bytes);
        const buffer = response.buffer as ArrayBuffer;
        // The glue returns a fresh Uint8Array over a buffer of its own: transfer it whole.
        if (response.byteOffset === 0 && response.byteLength === buffer.byteLength) scope.postMessage({ id, bytes: buffer }, [buffer]);
        else scope.postMessage({ id, bytes: response.slice().buffer });
        return;
      }
      case 'close':
        closeDatabase();
        scope.postMessage({ id, value: null });
        return;
      case 'exists':
        scope.postMessage({ id, value: await opfsDatabaseExists(request.name) });
        return;
      case 'delete':
        if (open?.files?.name === request.name) closeDatabase();
        await deleteOpfsDatabase(request.name);
        scope.postMessage({ id, value: null });
        return;
      default:
        throw new InternalError(`unknown engine worker request '${String((request as { op: unknown }).op)}'`);
    }
  } catch (error) {
    scope.postMessage({ id, error: crossingError(error) });
  }
}

// One request at a time, in arrival order.
let queue: Promise<void> = Promise.resolve();
scope.onmessage = ({ data }) => {
  queue = queue.then(() => handle(data));
};
