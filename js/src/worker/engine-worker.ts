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
// - One database per worker, in one or more sessions (SQLite connections
//   to the same file: the page's engine, and its committed-state reader
//   while a standard transaction is open). 'open' of another database on a
//   worker that has one is an error. The last session's 'close' closes the
//   engine, then releases the OPFS handles, so another worker can open the
//   files as soon as the answer arrives.
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

/** The worker's database: its storage, its files (OPFS), and its open sessions by number. */
interface OpenDatabase {
  name: string;
  storage: string;
  core: CoreModule;
  files: OpfsFileBackend | undefined;
  sessions: Map<number, NativeEngineDatabase>;
}
let open: OpenDatabase | undefined;
let nextSession = 1;

/** The database `name` (opening its files on first use), for one more session. */
async function databaseFor(name: string, storage: string): Promise<OpenDatabase> {
  if (open) {
    if (open.name !== name || open.storage !== storage) throw new InternalError('this engine worker already has another database open');
    return open;
  }
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('a database name must be a non-empty string');
  if (storage !== 'opfs' && storage !== 'memory') {
    throw new InvalidArgumentError(`unknown worker storage '${storage}' (expected 'opfs' or 'memory')`);
  }
  const core = await loadCoreModule();
  let files: OpfsFileBackend | undefined;
  if (storage === 'opfs') {
    files = await openOpfsFiles(name, core);
    core.indexieFileBackend = files;
  }
  open = { name, storage, core, files, sessions: new Map() };
  return open;
}

/** Opens one more session (SQLite connection) on the worker's database; resolves its number. */
async function openSession(name: string, storage: string, cacheKiB: number, durability: string): Promise<number> {
  if (storage === 'opfs' && (!Number.isSafeInteger(cacheKiB) || cacheKiB <= 0))
    throw new InvalidArgumentError(`the page cache must be a positive number of KiB, not ${cacheKiB}`);
  if (storage === 'opfs' && durability !== 'relaxed' && durability !== 'strict')
    throw new InvalidArgumentError(`durability must be 'relaxed' or 'strict', not '${String(durability)}'`);
  const database = await databaseFor(name, storage);
  const native = new database.core.EngineDatabase();
  try {
    if (database.files) decodeResult(native.openFile(database.files.fileName, cacheKiB, durability as 'relaxed' | 'strict'));
    else decodeResult(native.open(name));
  } catch (error) {
    native.delete();
    if (database.sessions.size === 0) releaseDatabase();
    throw error;
  }
  const session = nextSession++;
  database.sessions.set(session, native);
  return session;
}

/** Runs one request batch; the response batch is its own ArrayBuffer (the glue copies it out of the heap). */
function execute(session: number, bytes: ArrayBuffer): Uint8Array {
  const native = open?.sessions.get(session);
  if (!open || !native) throw new DatabaseClosedError('the database is closed');
  const { core } = open;
  const at = requestBuffer(core, bytes.byteLength);
  core.HEAPU8.set(new Uint8Array(bytes), at); // HEAPU8 read after requestBuffer, which may grow memory
  return native.execute(bytes.byteLength);
}

/** Closes a session; the last one releases the database's files. */
function closeSession(session: number): void {
  const native = open?.sessions.get(session);
  if (!open || !native) return;
  open.sessions.delete(session);
  try {
    native.close();
    native.delete();
  } finally {
    if (open.sessions.size === 0) releaseDatabase();
  }
}

/** Closes every session, then releases the files. */
function closeDatabase(): void {
  for (const session of [...(open?.sessions.keys() ?? [])]) closeSession(session);
  releaseDatabase();
}

function releaseDatabase(): void {
  const database = open;
  open = undefined;
  if (!database) return;
  database.files?.release();
  if (database.core.indexieFileBackend === database.files) database.core.indexieFileBackend = undefined;
}

async function handle(request: WorkerRequest): Promise<void> {
  const { id } = request;
  try {
    switch (request.op) {
      case 'open':
        scope.postMessage({ id, value: await openSession(request.name, request.storage, request.cacheKiB, request.durability) });
        return;
      case 'execute': {
        const response = execute(request.session, request.bytes);
        const buffer = response.buffer as ArrayBuffer;
        // The glue returns a fresh Uint8Array over a buffer of its own: transfer it whole.
        if (response.byteOffset === 0 && response.byteLength === buffer.byteLength) scope.postMessage({ id, bytes: buffer }, [buffer]);
        else scope.postMessage({ id, bytes: response.slice().buffer });
        return;
      }
      case 'close':
        closeSession(request.session);
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
