// engine-arbiter.ts: the owner's one queue in front of the engine: every
// client's batches (the owner tab's own included) run through it, so the
// engine sees one client's transaction at a time.
//
// Rules:
//   - A batch marked 'begin' gives its client exclusive use of the engine
//     until that client's batch marked 'end' (of every session that began
//     one) has been answered. Meanwhile other clients' batches, reads
//     included, wait in arrival order (as IndexedDB makes overlapping
//     transactions wait). The holder's own batches, on any of its sessions,
//     go ahead of them: a tab's committed-state reader reads while its main
//     session holds a transaction, as it does in a single tab.
//   - Without a holder, batches run in arrival order.
//   - Batches on different lanes (a lane is one host: an engine connection,
//     which several clients' sessions may share) never overlap: a batch on
//     another lane starts once every batch in flight has been answered.
//     Batches on one lane are pipelined (a host runs them in call order).
//   - A 'begin' whose answer shows the transaction did not open (its begin
//     failed), and an 'end' that fails, release as an answered 'end' does.
// The arbiter knows nothing of tabs: a client, a session and a lane are strings.
import { DatabaseClosedError } from '../errors.js';
import type { TransactionSpan } from '../engine/engine-host.js';
import type { EncodedRequest } from '../engine/requests.js';
import { concatRequest, requestOf, lastOperationSucceeded } from './tab-protocol.js';

/** Runs one batch on the session's host. Called synchronously when the batch need not wait. */
export type BatchRunner = (request: EncodedRequest) => Promise<Uint8Array>;

/** A batch that has not started; `tag` is the submitter's (the owner keeps its client's request id there). */
export interface WaitingBatch {
  readonly client: string;
  readonly session: string;
  readonly lane: string;
  readonly tag: unknown;
  reject(error: unknown): void;
}

export interface SubmitOptions {
  /** The submitter's (see WaitingBatch). */
  tag?: unknown;
  /** For a batch marked 'begin': its runner rejects when the transaction did not open (the answer is not a begin's). */
  beginChecked?: boolean;
}

interface Entry extends WaitingBatch {
  readonly span: TransactionSpan | undefined;
  readonly beginChecked: boolean;
  request: EncodedRequest;
  readonly run: BatchRunner;
  resolve(response: Uint8Array): void;
}

export class EngineArbiter {
  #queue: Entry[] = [];
  /** The client holding the engine, and its sessions with an open transaction. */
  #holder: string | undefined;
  readonly #open = new Set<string>();
  #inFlight = 0;
  #inFlightLane: string | undefined;
  #idle: Array<() => void> = [];
  #stopped = false;

  /** The client that holds the engine (a transaction is open), if any. */
  get holder(): string | undefined {
    return this.#holder;
  }

  /** Whether `session` has a transaction open (its client holds the engine). */
  inTransaction(session: string): boolean {
    return this.#open.has(session);
  }

  /**
   * Runs `request` of `client`'s `session` on `lane` when the rules allow;
   * resolves with the answer. `request` is read before this returns (copied
   * if the batch has to wait).
   */
  submit(
    client: string,
    session: string,
    lane: string,
    span: TransactionSpan | undefined,
    request: EncodedRequest,
    run: BatchRunner,
    options: SubmitOptions = {},
  ): Promise<Uint8Array> {
    const { tag, beginChecked = false } = options;
    if (this.#stopped) return Promise.reject(new DatabaseClosedError('the database engine of this tab is closing'));
    return new Promise<Uint8Array>((resolve, reject) => {
      const entry: Entry = { client, session, lane, span, request, run, tag, beginChecked, resolve, reject };
      this.#queue.push(entry);
      this.#pump();
      if (this.#queue.includes(entry)) entry.request = requestOf(concatRequest(request), request.operations); // it waits: keep its own copy
    });
  }

  /** Removes `client`'s waiting batches (its tab is gone) and returns them (not rejected). */
  discard(client: string): WaitingBatch[] {
    const dropped = this.#queue.filter((entry) => entry.client === client);
    this.#queue = this.#queue.filter((entry) => entry.client !== client);
    this.#pump();
    return dropped;
  }

  /**
   * Stops taking batches: returns those that never started (not rejected:
   * the caller knows where they go) and resolves once those in flight are answered.
   */
  async stop(): Promise<WaitingBatch[]> {
    this.#stopped = true;
    const waiting = this.#queue;
    this.#queue = [];
    if (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    return waiting;
  }

  #pump(): void {
    for (;;) {
      const index = this.#nextRunnable();
      if (index < 0) return;
      const [entry] = this.#queue.splice(index, 1);
      this.#dispatch(entry);
    }
  }

  #nextRunnable(): number {
    const queue = this.#queue;
    const index = this.#holder === undefined ? (queue.length > 0 ? 0 : -1) : queue.findIndex((entry) => entry.client === this.#holder);
    if (index < 0) return -1;
    if (this.#inFlight > 0 && this.#inFlightLane !== queue[index].lane) return -1;
    return index;
  }

  #dispatch(entry: Entry): void {
    if (entry.span === 'begin') {
      this.#holder = entry.client;
      this.#open.add(entry.session);
    }
    this.#inFlight++;
    this.#inFlightLane = entry.lane;
    let running: Promise<Uint8Array>;
    try {
      running = entry.run(entry.request);
    } catch (error) {
      running = Promise.reject(error);
    }
    running
      .then(
        (response) => {
          const opened = entry.beginChecked || lastOperationSucceeded(response, entry.request.operations);
          if (entry.span === 'end' || (entry.span === 'begin' && !opened)) {
            this.#release(entry.session);
          }
          entry.resolve(response);
        },
        (error: unknown) => {
          if (entry.span !== undefined) this.#release(entry.session);
          entry.reject(error);
        },
      )
      .finally(() => {
        if (--this.#inFlight === 0) {
          this.#inFlightLane = undefined;
          for (const resolve of this.#idle.splice(0)) resolve();
        }
        this.#pump();
      });
  }

  /** `session`'s transaction is over: the holder lets go once none of its sessions has one open. */
  #release(session: string): void {
    if (!this.#open.delete(session)) return;
    if (this.#open.size === 0) this.#holder = undefined;
  }
}
