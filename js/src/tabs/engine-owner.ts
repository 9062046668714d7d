// engine-owner.ts: what the tab that won the election does: it opens the
// real hosts (through openOwnHost), runs every client's batches through one
// EngineArbiter, answers each client on its inbox, and notices clients
// whose tab is gone.
//
// Lanes: a client's sessions on a file are numbered by slot (its first open
// session is slot 0: the main engine; the next, slot 1: the committed-state
// reader). All clients' sessions of one file and slot share one host, a
// lane: every tab's writes go through one engine connection, as they must
// (a connection keeps the schema and key generators it read: two writing
// connections on one file would disagree), and the arbiter keeps their
// transactions apart. A lane's host opens with its first session and closes
// with its last.
//
// Guarantees:
//   - an answer is posted only once the host resolved the batch (the host
//     decides when a write is durable: nothing is acknowledged early);
//   - a session that closes, or whose tab is gone (its client Web Lock,
//     which the owner asks for, is granted), while its transaction is open
//     is rolled back (rollback batches until none is open) and the engine
//     released; a gone tab's waiting batches are dropped;
//   - close() starts nothing new, lets the batches in flight finish and be
//     answered, closes every host, and returns the requests it never
//     started, for the 'bye' announcement (their clients resend them).
import { ConnectionLostError, DatabaseClosedError } from '../errors.js';
import type { EngineHost, TransactionSpan } from '../engine/engine-host.js';
import { Op, RequestBuilder, responseResults, resultValue, type EncodedRequest } from '../engine/requests.js';
import { EngineArbiter } from './engine-arbiter.js';
import {
  clientLockName,
  concatRequest,
  describeError,
  inboxChannelName,
  requestOf,
  lastOperationSucceeded,
  type ToClient,
  type ToOwner,
} from './tab-protocol.js';

export type OpenOwnHost = (file: string) => Promise<EngineHost>;

/**
 * The engine owner as the tab that owns the engine uses it for its own
 * sessions: an EngineOwner in the tab, or the tab's end of one run in the
 * engine's Worker (worker-owner.ts). `client` is the tab's own id.
 */
export interface LocalOwner {
  /** Opens the host of a session now (so opening errors surface at session()). */
  openSession(client: string, session: number, file: string, slot: number): Promise<void>;
  /** Runs one batch of the session through the arbiter; `request` is read before this returns. */
  run(
    client: string,
    session: number,
    file: string,
    slot: number,
    span: TransactionSpan | undefined,
    request: EncodedRequest,
  ): Promise<Uint8Array>;
  /** Closes the session after its batches (a transaction it left open is rolled back). */
  closeSession(client: string, session: number): Promise<void>;
  /** Whether the tab's event loop should take a turn before this batch (see EngineOwner.wantsTurn). */
  wantsTurn(span: TransactionSpan | undefined): boolean;
  /** The tab's event loop took a turn. */
  tookTurn(): void;
  /** Stops; resolves the other tabs' requests never started, as [client, id]. */
  close(): Promise<Array<[string, number]>>;
}

const NO_ANSWER = new Uint8Array(0);
const NOTHING: EncodedRequest = { parts: [], length: 0, operations: 0 };
/** The longest run of the owner tab's own batches before other tabs' requests get a turn (see wantsTurn). */
const TURN_MS = 8;
/** Savepoint levels a closing session's transaction is rolled back through, at most. */
const MAX_ROLLBACKS = 64;

interface Lane {
  host: EngineHost | Promise<EngineHost>;
  /** The session keys using it. */
  readonly users: Set<string>;
}

export class EngineOwner implements LocalOwner {
  readonly #name: string;
  readonly #self: string;
  readonly #openOwnHost: OpenOwnHost;
  readonly #locks: LockManager;
  readonly #arbiter = new EngineArbiter();
  /** Lanes by key (`slot:file`). */
  readonly #lanes = new Map<string, Lane>();
  /** Each session's lane key, by session key (`client/session`). */
  readonly #laneOf = new Map<string, string>();
  /** Each client's session keys. */
  readonly #sessionsOf = new Map<string, Set<string>>();
  /** Posting ends of the clients' inboxes. */
  readonly #inboxes = new Map<string, BroadcastChannel>();
  readonly #watching = new AbortController();
  #closed = false;
  #lastTurn = 0;

  constructor(name: string, self: string, openOwnHost: OpenOwnHost, locks: LockManager) {
    this.#name = name;
    this.#self = self;
    this.#openOwnHost = openOwnHost;
    this.#locks = locks;
  }

  /** Opens the host of one of the owner tab's own sessions now (so opening errors surface at session()). */
  async openSession(client: string, session: number, file: string, slot: number): Promise<void> {
    await this.#hostOf(this.#join(client, session, file, slot), file);
  }

  /**
   * Runs one batch of `client`'s `session` through the arbiter. `request` is
   * read before this returns. `begin`: a batch marked 'begin' that the
   * client answered itself (request-router.ts) and sends along: it runs
   * first, and if its transaction does not open, `request` does not run and
   * this rejects with the begin's error.
   */
  run(
    client: string,
    session: number,
    file: string,
    slot: number,
    span: TransactionSpan | undefined,
    request: EncodedRequest,
    options: { tag?: unknown; begin?: EncodedRequest } = {},
  ): Promise<Uint8Array> {
    const lane = this.#join(client, session, file, slot);
    const key = `${client}/${session}`;
    const { begin, tag } = options;
    if (!begin) return this.#arbiter.submit(client, key, lane, span, request, (batch) => this.#execute(lane, file, batch, span), { tag });
    // With its begin, the batch opens the transaction (or, marked 'end', is all of it).
    const combined = span === 'end' ? 'end' : 'begin';
    const run = (batch: EncodedRequest): Promise<Uint8Array> => {
      const began = this.#execute(lane, file, begin, 'begin');
      // Marked 'end', the whole transaction is this entry: both go to the host at once (nothing comes between).
      if (span === 'end') return Promise.all([began, this.#execute(lane, file, batch, span)]).then(([, answer]) => answer);
      return began.then((answer) => {
        throwIfLastFailed(begin, answer);
        return this.#execute(lane, file, batch, span);
      });
    };
    return this.#arbiter.submit(client, key, lane, combined, request, run, { tag, beginChecked: true });
  }

  /** Closes `client`'s `session` after its batches: a transaction it left open is rolled back. */
  closeSession(client: string, session: number): Promise<void> {
    const key = `${client}/${session}`;
    const lane = this.#laneOf.get(key);
    this.#sessionsOf.get(client)?.delete(key);
    if (lane === undefined) return Promise.resolve();
    return this.#arbiter.submit(client, key, lane, 'end', NOTHING, () => this.#leave(key, lane)).then(() => undefined);
  }

  /**
   * Whether a batch of the owner tab's own should first let the tab's event
   * loop take a turn: an engine in this tab answers at once, so a loop of
   * awaited operations would never let other tabs' requests (messages) in.
   * It takes a turn before each transaction and after TURN_MS of batches,
   * and only while other tabs use the engine.
   */
  wantsTurn(span: TransactionSpan | undefined): boolean {
    if (this.#inboxes.size === 0) return false;
    return span === 'begin' || performance.now() - this.#lastTurn > TURN_MS;
  }

  /** The tab's event loop took a turn (a task ran). */
  tookTurn(): void {
    this.#lastTurn = performance.now();
  }

  /** A message on the owner's inbox from another tab. */
  handle(message: ToOwner): void {
    this.tookTurn();
    if (this.#closed) {
      // Closed (or closing): a request that arrives now never runs here; its client sends it to
      // the next owner. (Its inbox may be closed already: a channel of its own says so.)
      if (message.t === 'req') {
        const inbox = new BroadcastChannel(inboxChannelName(this.#name, message.from));
        inbox.postMessage({ t: 'notrun', owner: this.#self, id: message.id } satisfies ToClient);
        inbox.close();
      }
      return;
    }
    const client = message.from;
    this.#watch(client);
    switch (message.t) {
      case 'req': {
        const request = requestOf(message.bytes, message.operations);
        const begin = message.begin && requestOf(message.begin.bytes, message.begin.operations);
        this.run(client, message.session, message.file, message.slot, message.span, request, { tag: message.id, begin }).then(
          (bytes) => this.#post(client, { t: 'res', owner: this.#self, id: message.id, bytes }),
          (error: unknown) => this.#post(client, { t: 'err', owner: this.#self, id: message.id, ...describeError(error) }),
        );
        return;
      }
      case 'close':
        void this.closeSession(client, message.session).catch(() => undefined);
        return;
      case 'ping':
        this.#post(client, { t: 'pong', owner: this.#self });
        return;
    }
  }

  /**
   * Stops: waits for the batches in flight, closes every host, and returns
   * the other clients' requests that never started, as [client, id].
   */
  async close(): Promise<Array<[string, number]>> {
    this.#closed = true;
    this.#watching.abort();
    const waiting = await this.#arbiter.stop();
    const notRun: Array<[string, number]> = [];
    for (const batch of waiting) {
      if (batch.client === this.#self || typeof batch.tag !== 'number') {
        batch.reject(new DatabaseClosedError('the database was closed before this operation started'));
      } else {
        notRun.push([batch.client, batch.tag]);
      }
    }
    const lanes = [...this.#lanes.values()];
    this.#lanes.clear();
    await Promise.allSettled(lanes.map(async (lane) => (await lane.host).close()));
    for (const inbox of this.#inboxes.values()) inbox.close();
    this.#inboxes.clear();
    return notRun;
  }

  /** The lane of `client`'s `session` (joining it on first use). */
  #join(client: string, session: number, file: string, slot: number): string {
    const key = `${client}/${session}`;
    const known = this.#laneOf.get(key);
    if (known !== undefined) return known;
    const lane = `${slot}:${file}`;
    this.#laneOf.set(key, lane);
    let sessions = this.#sessionsOf.get(client);
    if (!sessions) this.#sessionsOf.set(client, (sessions = new Set()));
    sessions.add(key);
    const open = this.#lanes.get(lane);
    if (open) open.users.add(key);
    return lane;
  }

  #execute(lane: string, file: string, request: EncodedRequest, span: TransactionSpan | undefined): Promise<Uint8Array> {
    const host = this.#lanes.get(lane)?.host;
    if (host && !(host instanceof Promise)) return host.execute(request, span);
    const copy = requestOf(concatRequest(request), request.operations); // read before the host exists
    return this.#hostOf(lane, file).then((opened) => opened.execute(copy, span));
  }

  /** The lane's host, opened with openOwnHost on first use. */
  #hostOf(lane: string, file: string): Promise<EngineHost> {
    const known = this.#lanes.get(lane);
    if (known) return Promise.resolve(known.host);
    if (this.#closed) return Promise.reject(new DatabaseClosedError('the database is closed'));
    const users = new Set([...this.#laneOf].filter(([, of]) => of === lane).map(([key]) => key));
    const opening = this.#openOwnHost(file);
    const entry: Lane = { host: opening, users };
    this.#lanes.set(lane, entry);
    opening.then(
      (host) => {
        if (this.#lanes.get(lane) === entry) entry.host = host;
        else void host.close(); // the lane closed (or the owner) while it opened
      },
      () => {
        if (this.#lanes.get(lane) === entry) this.#lanes.delete(lane);
      },
    );
    return opening;
  }

  /** Session `key` leaves `lane`: its open transaction is rolled back; the last user closes the host. */
  async #leave(key: string, lane: string): Promise<Uint8Array> {
    this.#laneOf.delete(key);
    const entry = this.#lanes.get(lane);
    if (!entry) return NO_ANSWER;
    const host = await Promise.resolve(entry.host).catch(() => undefined);
    if (!host) return NO_ANSWER; // it never opened
    if (this.#arbiter.inTransaction(key)) await rollBackAll(host);
    entry.users.delete(key);
    if (entry.users.size === 0 && this.#lanes.get(lane) === entry) {
      this.#lanes.delete(lane);
      await host.close();
    }
    return NO_ANSWER;
  }

  /** Asks for `client`'s lock: granted once its tab has closed the database or is gone. */
  #watch(client: string): void {
    if (client === this.#self || this.#inboxes.has(client)) return;
    this.#inboxes.set(client, new BroadcastChannel(inboxChannelName(this.#name, client)));
    this.#locks
      .request(clientLockName(this.#name, client), { signal: this.#watching.signal }, () => this.#clientGone(client))
      .catch(() => undefined); // aborted: this owner closed
  }

  /** `client`'s tab is gone: drop what it waits for, roll back what it holds, leave its lanes. */
  #clientGone(client: string): void {
    if (this.#closed) return;
    for (const batch of this.#arbiter.discard(client)) batch.reject(new ConnectionLostError('the tab that sent this operation closed'));
    for (const key of [...(this.#sessionsOf.get(client) ?? [])]) void this.closeSession(client, Number(key.slice(client.length + 1)));
    this.#sessionsOf.delete(client);
    this.#inboxes.get(client)?.close();
    this.#inboxes.delete(client);
  }

  #post(client: string, message: ToClient): void {
    this.#inboxes.get(client)?.postMessage(message);
  }
}

/** Throws the error of the batch's last operation, if it failed. */
function throwIfLastFailed(request: EncodedRequest, answer: Uint8Array): void {
  const results = responseResults(request, answer);
  resultValue(results[results.length - 1]);
}

/** Rolls back every open level of the host's transaction (one savepoint per rollback; the last one errs "no transaction"). */
async function rollBackAll(host: EngineHost): Promise<void> {
  const rollback = new RequestBuilder().reset().op(Op.rollback).finish();
  for (let level = 0; level < MAX_ROLLBACKS; level++) {
    const response = await host.execute(rollback, 'end').catch(() => undefined);
    if (!response || !lastOperationSucceeded(response, 1)) return;
  }
}
