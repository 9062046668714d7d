// worker-engine-host.ts: an engine database in a dedicated Worker
// (worker/engine-worker.ts), behind the same seam as the in-process host:
// request batches in, response batches out, as promises that resolve from
// the worker's messages (worker-protocol.ts).
//
// Guarantees:
// - Each execute() posts one message (the batch's parts concatenated into
//   one buffer, transferred) and resolves with the worker's answer to that
//   message (matched by id); answers come in request order.
// - If the worker fails (its script does not load, it throws outside a
//   request, a message cannot be read) or is terminated, every pending
//   promise rejects with DatabaseClosedError, and so does every later call:
//   nothing waits forever.
// - close() lets the requests already sent finish, closes the engine (the
//   worker releases its OPFS files), then terminates the worker.
// - The worker script is found with `new Worker(new URL('./engine-worker.js',
//   import.meta.url), { type: 'module' })`, the pattern bundlers (Vite,
//   webpack) recognise and emit as a worker chunk; in the package this code
//   sits in a bundle at dist/'s top level, beside dist/engine-worker.js
//   (scripts/build-package.mjs). `workerUrl` overrides it (an app serving
//   the worker elsewhere; the unbundled js/build-tsc, where the worker is
//   build-tsc/worker/engine-worker.js).
import { DatabaseClosedError, InvalidArgumentError, UnsupportedError } from '../errors.js';
import type { EngineHost } from './engine-host.js';
import type { EncodedRequest } from './requests.js';
import { rebuiltError, type FileDurability, type WorkerRequest, type WorkerResponse, type WorkerStorage } from './worker-protocol.js';

/** How the error of a worker that failed (its script did not load, or threw) begins. */
const WORKER_FAILED = 'the engine worker failed';

/** SQLite's page cache for a database on OPFS, unless the app chooses: 32 MiB. */
export const DEFAULT_CACHE_KIB = 32 * 1024;

export interface WorkerEngineOptions {
  /** 'opfs': the database file in the Origin Private File System; 'memory': in the worker's memory only. */
  storage: WorkerStorage;
  /** The page cache's bound in KiB (storage 'opfs'); DEFAULT_CACHE_KIB if not given. */
  cacheKiB?: number;
  /** What a commit waits for (storage 'opfs', see FileDurability); 'relaxed' if not given. */
  durability?: FileDurability;
  /** Where the worker script is, if not beside this code (see the header). */
  workerUrl?: string | URL;
}

/** Ids, pending promises and the failure of one worker's message channel. */
class WorkerChannel {
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

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function startWorker(workerUrl: string | URL | undefined): WorkerChannel {
  if (typeof Worker !== 'function') throw new UnsupportedError('there is no Worker here: the engine cannot run in a worker');
  // Written out whole so bundlers see the pattern (see the header).
  const worker =
    workerUrl === undefined
      ? new Worker(new URL('./engine-worker.js', import.meta.url), { type: 'module' })
      : new Worker(workerUrl, { type: 'module' });
  return new WorkerChannel(worker);
}

/** Runs one request on a worker of its own, then stops it. */
async function oneRequest(message: DistributiveOmit<WorkerRequest, 'id'>, workerUrl: string | URL | undefined): Promise<WorkerResponse> {
  const channel = startWorker(workerUrl);
  try {
    return await channel.request(message);
  } finally {
    channel.fail(new DatabaseClosedError('the engine worker was stopped'));
  }
}

/** One engine database running in a dedicated Worker of its own. */
/**
 * One engine session (SQLite connection) of a database running in a
 * dedicated Worker: open() starts the worker with the first session;
 * openSession() adds another on the same worker and file (the
 * committed-state reader). The worker stops when its last session closes.
 */
export class WorkerEngineHost implements EngineHost {
  readonly #channel: WorkerChannel;
  readonly #session: number;
  readonly #open: { name: string; storage: WorkerStorage; cacheKiB: number; durability: FileDurability };
  /** Sessions open on the worker (shared by the hosts of one worker). */
  readonly #sessions: { count: number };
  #closing = false;

  private constructor(
    channel: WorkerChannel,
    session: number,
    open: { name: string; storage: WorkerStorage; cacheKiB: number; durability: FileDurability },
    sessions: { count: number },
  ) {
    this.#channel = channel;
    this.#session = session;
    this.#open = open;
    this.#sessions = sessions;
  }

  /** Starts a worker and opens database `name` in it; the worker is stopped again if opening fails. */
  static async open(name: string, options: WorkerEngineOptions): Promise<WorkerEngineHost> {
    const cacheKiB = options.cacheKiB ?? DEFAULT_CACHE_KIB;
    if (!Number.isSafeInteger(cacheKiB) || cacheKiB <= 0) {
      throw new InvalidArgumentError(`cacheKiB must be a positive whole number of KiB, not ${String(options.cacheKiB)}`);
    }
    const durability = options.durability ?? 'relaxed';
    if (durability !== 'relaxed' && durability !== 'strict') {
      throw new InvalidArgumentError(`durability must be 'relaxed' or 'strict', not '${String(options.durability)}'`);
    }
    const channel = startWorker(options.workerUrl);
    const open = { name, storage: options.storage, cacheKiB, durability };
    let session: number;
    try {
      session = sessionOf(await channel.request({ op: 'open', ...open }));
    } catch (error) {
      channel.fail(new DatabaseClosedError('the database did not open'));
      // The worker never ran (its script is not served beside the package, or a CSP forbids it):
      // this page cannot run the engine there (db/open.ts falls back for a new 'auto' database).
      if (error instanceof DatabaseClosedError && error.message.startsWith(WORKER_FAILED)) {
        throw new UnsupportedError(
          `${error.message}; serve engine-worker.js, indexie-core.js and indexie-core.wasm beside the module that imports indexie, or pass workerUrl`,
          { cause: error },
        );
      }
      throw error;
    }
    return new WorkerEngineHost(channel, session, open, { count: 1 });
  }

  /** Another session on this host's worker and database. */
  async openSession(): Promise<WorkerEngineHost> {
    if (!this.isOpen) throw new DatabaseClosedError('the database is closed');
    this.#sessions.count++;
    try {
      const session = sessionOf(await this.#channel.request({ op: 'open', ...this.#open }));
      return new WorkerEngineHost(this.#channel, session, this.#open, this.#sessions);
    } catch (error) {
      this.#sessions.count--;
      throw error;
    }
  }

  /** Whether database `name` has a file in the Origin Private File System (asked in a short-lived worker). */
  static async existsInOpfs(name: string, options: { workerUrl?: string | URL } = {}): Promise<boolean> {
    const answer = await oneRequest({ op: 'exists', name }, options.workerUrl);
    return 'value' in answer && answer.value === true;
  }

  /** Removes database `name`'s OPFS files; DatabaseInUseError while a tab or worker has it open. */
  static async deleteFromOpfs(name: string, options: { workerUrl?: string | URL } = {}): Promise<void> {
    await oneRequest({ op: 'delete', name }, options.workerUrl);
  }

  get isOpen(): boolean {
    return !this.#closing && !this.#channel.failed;
  }

  async execute(request: EncodedRequest): Promise<Uint8Array> {
    if (!this.isOpen) throw new DatabaseClosedError('the database is closed');
    const bytes = new Uint8Array(request.length);
    let offset = 0;
    for (const part of request.parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    const answer = await this.#channel.request({ op: 'execute', session: this.#session, bytes: bytes.buffer }, [bytes.buffer]);
    if (!('bytes' in answer)) throw new DatabaseClosedError('the engine worker answered a request batch without a response batch');
    return new Uint8Array(answer.bytes);
  }

  /** Closes this session after the requests already sent; the last session's close stops the worker. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const last = --this.#sessions.count === 0;
    try {
      if (!this.#channel.failed) await this.#channel.request({ op: 'close', session: this.#session });
    } finally {
      if (last) this.#channel.fail(new DatabaseClosedError('the database is closed'));
    }
  }

  /**
   * Stops the worker at once, without closing the engine (as a crash or a
   * closed tab would): pending requests of every session reject with DatabaseClosedError.
   */
  terminate(): void {
    this.#closing = true;
    this.#channel.fail(new DatabaseClosedError('the engine worker was terminated'));
  }
}

function sessionOf(answer: WorkerResponse): number {
  if (!('value' in answer) || typeof answer.value !== 'number') throw new DatabaseClosedError('the engine worker did not open a session');
  return answer.value;
}
