// worker-engine-host.ts: an engine database in a dedicated Worker
// (worker/engine-worker.ts), behind the same seam as the in-process host:
// request batches in, response batches out, as promises that resolve from
// the worker's messages (worker-protocol.ts).
//
// Guarantees:
// - Each execute() posts one message (the batch's parts concatenated into
//   one buffer, transferred) and resolves with the worker's answer to that
//   message (matched by id); answers come in request order.
// - A worker that fails or is terminated rejects every pending and later
//   call with DatabaseClosedError (worker-channel.ts); one whose script
//   never ran fails open() with UnsupportedError, naming what to serve.
// - close() lets the requests already sent finish, closes the engine (the
//   worker releases its OPFS files), and keeps the worker idle for the
//   next open in this realm (worker-channel.ts), which then skips the
//   worker's start and the module's compilation (most of an OPFS open's
//   time). exists/delete run on the idle worker too.
import { DatabaseClosedError, InvalidArgumentError } from '../errors.js';
import type { EngineHost } from './engine-host.js';
import type { EncodedRequest } from './requests.js';
import { oneRequest, openingError, parkWorker, takeWorker, type WorkerChannel } from './worker-channel.js';
import type { FileDurability, WorkerResponse, WorkerStorage } from './worker-protocol.js';

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
  /** Sessions open on the worker (shared by the hosts of one worker), and the worker's script. */
  readonly #sessions: { count: number; workerUrl: string | URL | undefined };
  #closing = false;

  private constructor(
    channel: WorkerChannel,
    session: number,
    open: { name: string; storage: WorkerStorage; cacheKiB: number; durability: FileDurability },
    sessions: { count: number; workerUrl: string | URL | undefined },
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
    const channel = takeWorker(options.workerUrl);
    const open = { name, storage: options.storage, cacheKiB, durability };
    let session: number;
    try {
      session = sessionOf(await channel.request({ op: 'open', ...open }));
    } catch (error) {
      channel.fail(new DatabaseClosedError('the database did not open'));
      throw openingError(error);
    }
    return new WorkerEngineHost(channel, session, open, { count: 1, workerUrl: options.workerUrl });
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

  /**
   * Closes this session after the requests already sent. The last session's
   * close releases the database's files (the worker answers once they are
   * released); the worker then stays idle for the next open (IDLE_WORKER_MS),
   * or stops if closing failed.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    const last = --this.#sessions.count === 0;
    let closed = false;
    try {
      if (!this.#channel.failed) await this.#channel.request({ op: 'close', session: this.#session });
      closed = true;
    } finally {
      if (last && closed) parkWorker(this.#channel, this.#sessions.workerUrl);
      else if (last) this.#channel.fail(new DatabaseClosedError('the database is closed'));
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
