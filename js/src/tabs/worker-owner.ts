// worker-owner.ts: the owner tab's end of the tabs' engine owner run in the
// engine's Worker (worker/owner-in-worker.ts). The tab that wins the
// election starts it (shared-engine.ts, with the `startOwner` option) and
// uses it for its own sessions as it would an EngineOwner of its own; the
// other tabs reach the worker directly, on the engine inbox it listens on.
//
// Guarantees:
// - `ready` resolves once the worker listens on the engine inbox; it
//   rejects if the worker cannot run the owner.
// - run() copies the batch before it returns (transferred to the worker).
// - Errors cross as their classes (worker-protocol.ts); a worker that never
//   ran makes openSession() an UnsupportedError naming what to serve.
// - close() stops the owner in the worker (its hosts close, releasing the
//   files), resolves the other tabs' requests it never started, and leaves
//   the worker idle for the next open (worker-channel.ts).
// - The tab's event loop need not take turns for other tabs (wantsTurn is
//   always false): their requests do not pass through this tab.
import type { TransactionSpan } from '../engine/engine-host.js';
import type { EncodedRequest } from '../engine/requests.js';
import { openingError, parkWorker, takeWorker, type DistributiveOmit, type WorkerChannel } from '../engine/worker-channel.js';
import type { FileDurability, OwnerRequest, WorkerResponse } from '../engine/worker-protocol.js';
import { DatabaseClosedError } from '../errors.js';
import type { LocalOwner } from './engine-owner.js';
import { concatRequest } from './tab-protocol.js';

export interface WorkerOwnerOptions {
  /** The page cache's bound in KiB. */
  cacheKiB: number;
  durability: FileDurability;
  /** Where the worker script is, if not beside this code. */
  workerUrl?: string | URL;
}

export class WorkerOwner implements LocalOwner {
  readonly ready: Promise<void>;
  /** The worker; undefined if none could start here (`#failure` says why: there is no Worker). */
  readonly #channel: WorkerChannel | undefined;
  readonly #failure: unknown;
  readonly #workerUrl: string | URL | undefined;
  #closing: Promise<Array<[string, number]>> | undefined;

  /** Starts the owner of OPFS database `name` for tab `self` in an idle (or new) engine worker. */
  constructor(name: string, self: string, options: WorkerOwnerOptions) {
    this.#workerUrl = options.workerUrl;
    try {
      this.#channel = takeWorker(options.workerUrl);
    } catch (error) {
      this.#failure = error; // every call rejects with it (openSession first: the open fails at once)
    }
    const { cacheKiB, durability } = options;
    this.ready = this.#request({ op: 'own', name, self, storage: 'opfs', cacheKiB, durability }).then(() => undefined);
    this.ready.catch(() => undefined); // reported by the calls that need the owner
  }

  async openSession(client: string, session: number, file: string, slot: number): Promise<void> {
    try {
      await this.#request({ op: 'own-open', client, session, file, slot });
    } catch (error) {
      throw openingError(error);
    }
  }

  async run(
    client: string,
    session: number,
    file: string,
    slot: number,
    span: TransactionSpan | undefined,
    request: EncodedRequest,
  ): Promise<Uint8Array> {
    const bytes = concatRequest(request);
    const answer = await this.#request(
      { op: 'own-run', client, session, file, slot, span, operations: request.operations, bytes: bytes.buffer as ArrayBuffer },
      [bytes.buffer],
    );
    if (!('bytes' in answer)) throw new DatabaseClosedError('the engine worker answered a request batch without a response batch');
    return new Uint8Array(answer.bytes);
  }

  async closeSession(client: string, session: number): Promise<void> {
    if (!this.#channel || this.#channel.failed) return; // the worker, and every session in it, is gone
    await this.#request({ op: 'own-close-session', client, session });
  }

  wantsTurn(): boolean {
    return false;
  }

  tookTurn(): void {}

  close(): Promise<Array<[string, number]>> {
    this.#closing ??= (async () => {
      try {
        const answer = await this.#request({ op: 'own-close' });
        return 'value' in answer && Array.isArray(answer.value) ? answer.value : [];
      } catch {
        return []; // the worker failed: nothing it held can be run elsewhere by its list
      } finally {
        if (this.#channel) parkWorker(this.#channel, this.#workerUrl);
      }
    })();
    return this.#closing;
  }

  #request(message: DistributiveOmit<OwnerRequest, 'id'>, transfer: Transferable[] = []): Promise<WorkerResponse> {
    if (!this.#channel) return Promise.reject(this.#failure);
    if (this.#closing && message.op !== 'own-close') return Promise.reject(new DatabaseClosedError('the database is closed'));
    return this.#channel.request(message, transfer);
  }
}
