// engine-worker.ts: the entry of the engine's dedicated Worker (shipped as
// dist/engine-worker.js, a bundle of its own beside the glue and the .wasm).
// It loads the wasm module here, holds one engine database
// (worker-database.ts) and answers the page by the messages of
// engine/worker-protocol.ts, used two ways:
//   - by a WorkerEngineHost (engine/worker-engine-host.ts): 'open',
//     'execute', 'close' of sessions, plus 'exists', 'delete' and 'warm'
//     (compile the module ahead of an open: engine/worker-channel.ts);
//   - by the tab that owns a database shared between tabs
//     (tabs/worker-owner.ts): 'own' runs the tabs' engine owner here
//     (owner-in-worker.ts), which other tabs reach directly.
//
// Guarantees:
// - Every request is answered exactly once with its id. The session and
//   file requests are handled one at a time in arrival order (an 'execute'
//   that arrives while 'open' is still loading the module waits for it).
//   The owner's requests start as they arrive (its arbiter orders them;
//   one waiting for another tab's transaction must not hold up the rest)
//   and are answered when they settle.
// - Nothing the engine or the storage throws escapes: it is answered as the
//   request's error (worker-protocol.ts crossingError).
import { crossingError, type OwnerRequest, type WorkerRequest, type WorkerResponse } from '../engine/worker-protocol.js';
import { InternalError } from '../errors.js';
import { coreIfLoaded, loadCoreModule } from '../wasm-module.js';
import { deleteOpfsDatabase, opfsDatabaseExists } from './opfs-file-backend.js';
import { handleOwnerRequest } from './owner-in-worker.js';
import { closeDatabase, closeSession, execute, openOpfsName, openSession } from './worker-database.js';

/** The dedicated worker's global scope, as far as used here (TypeScript's webworker lib is not in this build). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerResponse, transfer?: Transferable[]): void;
}
const scope = globalThis as unknown as WorkerScope;

/** Posts `response` (the glue returns a fresh Uint8Array over a buffer of its own: transferred whole when it is). */
function answerBytes(id: number, response: Uint8Array): void {
  const buffer = response.buffer as ArrayBuffer;
  if (response.byteOffset === 0 && response.byteLength === buffer.byteLength) scope.postMessage({ id, bytes: buffer }, [buffer]);
  else scope.postMessage({ id, bytes: response.slice().buffer });
}

async function handle(request: WorkerRequest): Promise<void> {
  const { id } = request;
  try {
    switch (request.op) {
      case 'open':
        scope.postMessage({ id, value: await openSession(request.name, request.storage, request.cacheKiB, request.durability) });
        return;
      case 'execute':
        answerBytes(id, execute(request.session, new Uint8Array(request.bytes)));
        return;
      case 'close':
        closeSession(request.session);
        scope.postMessage({ id, value: null });
        return;
      case 'exists':
        scope.postMessage({ id, value: await opfsDatabaseExists(request.name) });
        return;
      case 'warm':
        await loadCoreModule();
        scope.postMessage({ id, value: null });
        return;
      case 'delete':
        if (openOpfsName() === request.name) closeDatabase();
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

async function handleOwner(request: OwnerRequest): Promise<void> {
  const { id } = request;
  try {
    const answer = await handleOwnerRequest(request);
    if ('bytes' in answer) answerBytes(id, answer.bytes);
    else scope.postMessage({ id, value: answer.value as Array<[string, number]> | null });
  } catch (error) {
    scope.postMessage({ id, error: crossingError(error) });
  }
}

const OWNER_OPS = new Set<string>(['own', 'own-open', 'own-run', 'own-close-session', 'own-close']);

/**
 * Diagnostics: bytes of wasm memory this worker's engine holds (0 before the
 * module loads), callable in the worker's DevTools console or by a DevTools
 * client (bench/worker-memory.mjs). The page cannot read a worker's memory
 * otherwise: it is not in the worker's JS heap figures.
 */
(globalThis as { indexieEngineMemoryBytes?: () => number }).indexieEngineMemoryBytes = () => coreIfLoaded()?.HEAPU8.byteLength ?? 0;

// Session and file requests one at a time, in arrival order; the owner's as they arrive.
let queue: Promise<void> = Promise.resolve();
scope.onmessage = ({ data }) => {
  if (OWNER_OPS.has(data.op)) void handleOwner(data as OwnerRequest);
  else queue = queue.then(() => handle(data));
};
