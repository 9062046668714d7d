// worker-database.ts: the engine worker's one database and its sessions
// (SQLite connections to the same file), shared by the worker's two ways
// of being used: the page's WorkerEngineHost ('open'/'execute'/'close',
// engine-worker.ts) and the tabs' engine owner run in the worker
// (owner-in-worker.ts).
//
// Guarantees:
// - One database per worker, in one or more sessions. Opening another
//   database on a worker that has one is an error.
// - Storage 'opfs': the files are opened (openOpfsFiles) before the engine,
//   and the engine reaches them through Module.indexieFileBackend (the file
//   VFS's contract). Storage 'memory': the engine's in-memory page store,
//   gone with the last session's close.
// - The last session's close closes the engine, then releases the OPFS
//   handles, so another worker can open the files as soon as it returns.
//   If the database grew the wasm memory, the module is renewed (a fresh
//   instance of the compiled module): a worker kept for the next open
//   starts that open as small as a new one.
// - Opens run one at a time (openSession serialises them): two sessions
//   opening together never race to open the files.
import { decodeResult, requestBuffer } from '../engine/requests.js';
import { DatabaseClosedError, InternalError, InvalidArgumentError } from '../errors.js';
import type { CoreModule, NativeEngineDatabase } from '../indexie-core.js';
import { loadCoreModule, renewCoreModule } from '../wasm-module.js';
import { openOpfsFiles, type OpfsFileBackend } from './opfs-file-backend.js';

/** The worker's database: its storage, its files (OPFS), and its open sessions by number. */
interface OpenDatabase {
  name: string;
  storage: string;
  core: CoreModule;
  files: OpfsFileBackend | undefined;
  sessions: Map<number, NativeEngineDatabase>;
}
let open: OpenDatabase | undefined;
/** The wasm memory of a fresh instance (known once a database opened on one; until then nothing is renewed). */
let freshBytes = Infinity;
let nextSession = 1;
let opening: Promise<unknown> = Promise.resolve();

/** The name of the OPFS database this worker holds open, if any. */
export function openOpfsName(): string | undefined {
  return open?.files?.name;
}

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
  freshBytes = Math.min(freshBytes, core.HEAPU8.byteLength); // no database has run on it yet: its size when fresh
  let files: OpfsFileBackend | undefined;
  if (storage === 'opfs') {
    files = await openOpfsFiles(name, core);
    core.indexieFileBackend = files;
  }
  open = { name, storage, core, files, sessions: new Map() };
  return open;
}

/** Opens one more session (SQLite connection) on the worker's database; resolves its number. */
export function openSession(name: string, storage: string, cacheKiB: number, durability: string): Promise<number> {
  const next = opening.then(() => openSessionNow(name, storage, cacheKiB, durability));
  opening = next.catch(() => undefined);
  return next;
}

async function openSessionNow(name: string, storage: string, cacheKiB: number, durability: string): Promise<number> {
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

/** Runs one request batch (its bytes, `length` long); the response batch is its own ArrayBuffer (the glue copies it out of the heap). */
export function execute(session: number, bytes: Uint8Array): Uint8Array {
  const native = open?.sessions.get(session);
  if (!open || !native) throw new DatabaseClosedError('the database is closed');
  const { core } = open;
  const at = requestBuffer(core, bytes.byteLength);
  core.HEAPU8.set(bytes, at); // HEAPU8 read after requestBuffer, which may grow memory
  return native.execute(bytes.byteLength);
}

/** Closes a session; the last one releases the database's files. */
export function closeSession(session: number): void {
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
export function closeDatabase(): void {
  for (const session of [...(open?.sessions.keys() ?? [])]) closeSession(session);
  releaseDatabase();
}

function releaseDatabase(): void {
  const database = open;
  open = undefined;
  if (!database) return;
  database.files?.release();
  if (database.core.indexieFileBackend === database.files) database.core.indexieFileBackend = undefined;
  // A 'memory' database is gone with its last session, as it was when the worker stopped at close.
  if (database.storage === 'memory') database.core.deleteFile(database.name);
  // The worker may be kept for the next open (engine/worker-channel.ts): if this database grew the
  // wasm memory (its page cache), a fresh instance of the compiled module replaces it now.
  if (database.core.HEAPU8.byteLength > freshBytes) {
    renewCoreModule();
    loadCoreModule().catch(() => undefined); // instantiated now; a failure is the next open's to report
  }
}
