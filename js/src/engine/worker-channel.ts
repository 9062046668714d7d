// worker-channel.ts: the page's end of the engine's dedicated Worker
// (worker/engine-worker.ts): starting it, one message channel per worker
// (ids, pending promises, failure), and this realm's idle worker.
//
// Guarantees:
// - Every request is answered once, matched by id: resolved with the
//   worker's answer or rejected with its error (rebuilt as its class).
// - If the worker fails (its script does not load, it throws outside a
//   request, a message cannot be read) or is terminated, every pending
//   promise rejects with DatabaseClosedError, and so does every later call:
//   nothing waits forever. Such an error's message begins with WORKER_FAILED
//   when the worker never ran (callers map that to UnsupportedError).
// - At most one idle worker per realm and script URL: one that holds no
//   database (its last one closed, or it only answered exists/delete).
//   takeWorker() hands it out (else starts a worker), so a reopen skips the
//   worker's start and the module's compilation; an idle worker is stopped
//   after IDLE_WORKER_MS. A worker whose database grew its wasm memory
//   renews its module instance when the database closes
//   (worker/worker-database.ts), so a kept worker starts small.
// - The worker script is found with `new Worker(new URL('./engine-worker.js',
//   import.meta.url), { type: 'module' })`, the pattern bundlers (Vite,
//   webpack) recognise and emit as a worker chunk; in the package this code
//   sits in a bundle at dist/'s top level, beside dist/engine-worker.js
//   (scripts/build-package.mjs). `workerUrl` overrides it (an app serving
//   the worker elsewhere; the unbundled js/build-tsc, where the worker is
//   build-tsc/worker/engine-worker.js).
import { DatabaseClosedError, UnsupportedError } from '../errors.js';
import { rebuiltError, type WorkerRequest, type WorkerResponse } from './worker-protocol.js';

/** How the error of a worker that failed (its script did not load, or threw) begins. */
export const WORKER_FAILED = 'the engine worker failed';

/**
 * `error` as an opening reports it: a worker that never ran (its script is
 * not served beside the package, or a CSP forbids it) is an
 * UnsupportedError saying what to serve (db/open.ts then falls back for a
 * new 'auto' database); anything else as it is.
 */
export function openingError(error: unknown): unknown {
  if (error instanceof DatabaseClosedError && error.message.startsWith(WORKER_FAILED)) {
    return new UnsupportedError(
      `${error.message}; serve engine-worker.js, indexie-core.js and indexie-core.wasm beside the module that imports indexie, or pass workerUrl`,
      { cause: error },
    );
  }
  return error;
}

/** Ids, pending promises and the failure of one worker's message channel. */
export class WorkerChannel {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(response: WorkerResponse): void; reject(error: Error): void }>();
  #nextId = 1;
  #failure: Error | undefined;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.onmessage = ({ data }: MessageEvent<WorkerResponse>) => {
      const waiting = this.#pending.get(data.id);
      if (!waiting) return;
      this.#pending.delete(data.id);
      if ('error' in data) waiting.reject(rebuiltError(data.error));
      else waiting.resolve(data);
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault?.();
      const what = event.message ? `: ${event.message}` : ' (its script did not load or threw)';
      this.fail(new DatabaseClosedError(`${WORKER_FAILED}${what}`));
    };
    worker.onmessageerror = () => this.fail(new DatabaseClosedError('the engine worker sent a message that could not be read'));
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /** Posts a request (given its id here) and resolves with the answer; rejects with its error. */
  request(message: DistributiveOmit<WorkerRequest, 'id'>, transfer: Transferable[] = []): Promise<WorkerResponse> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Stops the worker; every pending and later request rejects with `error`. */
  fail(error: Error): void {
    this.#failure ??= error;
    this.#worker.terminate();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const waiting of pending) waiting.reject(this.#failure);
  }
}

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function startWorker(workerUrl: string | URL | undefined): WorkerChannel {
  if (typeof Worker !== 'function') throw new UnsupportedError('there is no Worker here: the engine cannot run in a worker');
  // Written out whole so bundlers see the pattern (see the header).
  const worker =
    workerUrl === undefined
      ? new Worker(new URL('./engine-worker.js', import.meta.url), { type: 'module' })
      : new Worker(workerUrl, { type: 'module' });
  return new WorkerChannel(worker);
}

/**
 * How long an idle worker stays, ready for the next open in this realm
 * (close() then open(), an upgrade, a delete then open): starting a worker
 * and compiling the module are most of an OPFS open's time. After this it
 * is stopped.
 */
export const IDLE_WORKER_MS = 5000;

/** The realm's idle worker (see the header), keyed by the worker script's URL. */
let idle: { channel: WorkerChannel; script: string; timer: ReturnType<typeof setTimeout> } | undefined;

const scriptOf = (workerUrl: string | URL | undefined): string => (workerUrl === undefined ? '' : String(workerUrl));

/** The idle worker, if it runs this script and has not failed. */
const idleFor = (workerUrl: string | URL | undefined): typeof idle =>
  idle && idle.script === scriptOf(workerUrl) && !idle.channel.failed ? idle : undefined;

const stopWorker = (channel: WorkerChannel): void => channel.fail(new DatabaseClosedError('the engine worker was stopped'));

/** The idle worker for this script if there is one (it is no longer idle), else a new worker. */
export function takeWorker(workerUrl: string | URL | undefined): WorkerChannel {
  const parked = idleFor(workerUrl);
  if (!parked) return startWorker(workerUrl);
  clearTimeout(parked.timer);
  idle = undefined;
  return parked.channel;
}

/** Keeps `channel`, a worker that holds no database, idle for the next open (stopping an older idle one); a failed one is dropped. */
export function parkWorker(channel: WorkerChannel, workerUrl: string | URL | undefined): void {
  if (channel.failed) return;
  if (idle) {
    clearTimeout(idle.timer);
    stopWorker(idle.channel);
  }
  const timer = setTimeout(() => {
    if (idle?.channel !== channel) return;
    idle = undefined;
    stopWorker(channel);
  }, IDLE_WORKER_MS);
  idle = { channel, script: scriptOf(workerUrl), timer };
}

/**
 * Starts this realm's idle worker now, if there is none, and has it compile
 * the engine module ('warm'): the first open that follows (a database made
 * with `new Indexie()` at module load, opened at the first query) then finds
 * the worker started and the module compiled. Unused, it stops after
 * IDLE_WORKER_MS. Where no worker can start, nothing happens (the open
 * reports it).
 */
export function prewarmWorker(workerUrl: string | URL | undefined): void {
  if (idleFor(workerUrl)) return;
  let channel: WorkerChannel;
  try {
    channel = startWorker(workerUrl);
  } catch {
    return;
  }
  channel.request({ op: 'warm' }).catch(() => stopWorker(channel));
  parkWorker(channel, workerUrl);
}

/** Runs one request that opens no database on an idle worker (or a new one), which stays idle after it. */
export async function oneRequest(
  message: DistributiveOmit<WorkerRequest, 'id'>,
  workerUrl: string | URL | undefined,
): Promise<WorkerResponse> {
  const channel = takeWorker(workerUrl);
  try {
    return await channel.request(message);
  } finally {
    parkWorker(channel, workerUrl);
  }
}
