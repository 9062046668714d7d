// request-router.ts: where this tab's session batches go: to the engine
// owner of this tab (a LocalOwner: EngineOwner in the tab, or in the
// engine's Worker), to the owner's engine inbox, or, while no owner is
// known, into a queue that the next owner receives in order.
//
// Guarantees:
//   - a session's batches reach the engine in call order (one queue, and
//     one ordered channel per owner);
//   - a batch sent to an owner that goes away before answering rejects with
//     ConnectionLostError (it may or may not have been applied); one the
//     owner lists as never started ('bye') goes to the next owner instead,
//     as do batches not sent yet;
//   - a session whose transaction was open on an owner that went away has
//     lost it: its next batches reject with ConnectionLostError up to and
//     including the one marked 'end' (the rollback or commit that ends it);
//     a batch marked 'begin' starts afresh;
//   - a batch marked 'begin' bound for another tab is answered here at once
//     and travels with the session's next batch (the owner runs it first and,
//     if the transaction does not open, fails that batch with its error): a
//     transaction holds the engine from its first operation, not from a
//     round trip earlier (engine.ts reads only whether a begin failed);
//   - a batch never waits forever on a silent owner: while an answer is
//     due, the owner is pinged; when nothing at all was heard from it for
//     `timeoutMs` (and a batch queued for want of an owner waited that
//     long), the batch rejects with OwnerTimeoutError. An owner that answers
//     pings keeps a batch waiting as long as other tabs' transactions do.
import { ConnectionLostError, DatabaseClosedError, OwnerTimeoutError } from '../errors.js';
import type { TransactionSpan } from '../engine/engine-host.js';
import type { EncodedRequest } from '../engine/requests.js';
import type { LocalOwner } from './engine-owner.js';
import {
  concatRequest,
  errorFromOwner,
  lostAnswerMessage,
  ownerInboxName,
  requestOf,
  successes,
  lastOperationSucceeded,
  type ToClient,
  type ToOwner,
} from './tab-protocol.js';

/** One engine session of this tab, as the router tracks it. */
export interface SessionState {
  readonly id: number;
  readonly file: string;
  /** Its slot among this tab's open sessions of `file` (engine-owner.ts: lanes). */
  readonly slot: number;
  /** The owner on which this session's transaction is open (a 'begin' was sent and no 'end'). */
  transactionOn: string | undefined;
  /** Its transaction was open on an owner that went away. */
  transactionLost: boolean;
  /** A batch marked 'begin', answered here and not sent yet: it travels with the session's next batch. */
  heldBegin: EncodedRequest | undefined;
}

interface Outgoing {
  readonly session: SessionState;
  readonly close: boolean; // closes the session instead of running a batch
  readonly span: TransactionSpan | undefined;
  readonly request: EncodedRequest; // its own copy once queued or sent
  readonly resolve: (response: Uint8Array) => void;
  readonly reject: (error: unknown) => void;
  readonly queuedAt: number;
  /** The held begin this batch carries (see SessionState.heldBegin). */
  begin?: EncodedRequest;
  /** Set once sent to another tab. */
  sentTo?: string;
  sentAt?: number;
}

export class RequestRouter {
  readonly #name: string;
  readonly #self: string;
  readonly #timeoutMs: number;
  #owner: string | undefined;
  #local: LocalOwner | undefined;
  #ownerInbox: BroadcastChannel | undefined;
  #unsent: Outgoing[] = [];
  readonly #pending = new Map<number, Outgoing>();
  readonly #sessions = new Set<SessionState>();
  #nextId = 0;
  #lastHeard = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;
  #turn: MessageChannel | undefined;

  constructor(name: string, self: string, timeoutMs: number) {
    this.#name = name;
    this.#self = self;
    this.#timeoutMs = timeoutMs;
  }

  /** The owner's tab id, if known. */
  get owner(): string | undefined {
    return this.#owner;
  }

  /** The engine owner in this tab, if this tab owns the engine. */
  get local(): LocalOwner | undefined {
    return this.#local;
  }

  addSession(session: SessionState): void {
    this.#sessions.add(session);
  }

  /** The lowest slot no open session of this tab on `file` uses. */
  freeSlot(file: string): number {
    const used = new Set([...this.#sessions].filter((session) => session.file === file).map((session) => session.slot));
    let slot = 0;
    while (used.has(slot)) slot++;
    return slot;
  }

  /** Runs a batch of `session` wherever the engine is; `request` is read before this returns. */
  dispatch(session: SessionState, request: EncodedRequest, span: TransactionSpan | undefined): Promise<Uint8Array> {
    if (this.#stopped) return Promise.reject(new DatabaseClosedError('the database is closed'));
    return new Promise<Uint8Array>((resolve, reject) => {
      const direct = this.#local !== undefined && this.#unsent.length === 0 && !this.#local.wantsTurn(span);
      // The local owner's arbiter copies a batch that must wait; anything else keeps its own copy now.
      const own = direct ? request : requestOf(concatRequest(request), request.operations);
      this.#route({ session, close: false, span, request: own, resolve, reject, queuedAt: now() });
    });
  }

  /** Closes `session` after its batches (resolves once it is closed here or the close is sent). */
  closeSession(session: SessionState): Promise<void> {
    this.#sessions.delete(session);
    if (this.#stopped) return Promise.resolve();
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#route({ session, close: true, span: undefined, request: requestOf(new Uint8Array(0), 0), resolve, reject, queuedAt: now() });
    }).then(() => undefined);
  }

  /**
   * The engine is `owner`'s from now on (`local`: this tab's own). Batches
   * sent to another owner and not answered reject; transactions open there
   * are lost; batches not sent go to the new owner.
   */
  ownerChanged(owner: string, local?: LocalOwner): void {
    if (owner === this.#owner) return;
    for (const [id, outgoing] of this.#pending) {
      if (outgoing.sentTo === owner) continue;
      this.#pending.delete(id);
      outgoing.reject(new ConnectionLostError(lostAnswerMessage('went away')));
    }
    for (const session of this.#sessions) {
      if (session.transactionOn !== undefined && session.transactionOn !== owner) {
        session.transactionOn = undefined;
        session.transactionLost = true;
      }
    }
    this.#ownerInbox?.close();
    this.#owner = owner;
    this.#local = local;
    this.#ownerInbox = owner === this.#self ? undefined : new BroadcastChannel(ownerInboxName(this.#name, owner));
    this.#lastHeard = now();
    const unsent = this.#unsent;
    this.#unsent = [];
    for (const outgoing of unsent) this.#route(outgoing);
  }

  /** `owner` closed and never started `notRun` (ids of this tab's requests): they wait for the next owner. */
  ownerLeft(owner: string, notRun: number[]): void {
    const requeued: Outgoing[] = [];
    for (const id of notRun.sort((a, b) => a - b)) {
      const outgoing = this.#pending.get(id);
      if (outgoing?.sentTo !== owner) continue;
      this.#pending.delete(id);
      outgoing.sentTo = undefined;
      if (outgoing.begin) outgoing.session.transactionOn = undefined; // the transaction it began never started there
      requeued.push(outgoing);
    }
    this.#unsent = [...requeued, ...this.#unsent];
    if (this.#owner === owner) {
      this.#ownerInbox?.close();
      this.#ownerInbox = undefined;
      this.#owner = undefined;
      this.#local = undefined;
    }
    this.#startTimer();
  }

  /** Something came from `owner` (it is alive). */
  heard(owner: string): void {
    if (owner === this.#owner) this.#lastHeard = now();
  }

  /** An answer on this tab's inbox. */
  answer(message: ToClient): void {
    this.heard(message.owner);
    if (message.t === 'pong') return;
    const outgoing = this.#pending.get(message.id);
    if (!outgoing || outgoing.sentTo !== message.owner) return; // already given up on
    this.#pending.delete(message.id);
    if (message.t === 'res') this.#answered(outgoing, message.bytes);
    else outgoing.reject(errorFromOwner(message.name, message.message));
  }

  /** Rejects everything not answered (the database is closing) and stops. */
  stop(): void {
    this.#stopped = true;
    const error = new DatabaseClosedError('the database was closed before this operation was answered');
    for (const outgoing of [...this.#unsent, ...this.#pending.values()]) outgoing.reject(error);
    this.#unsent = [];
    this.#pending.clear();
    this.#ownerInbox?.close();
    this.#ownerInbox = undefined;
    this.#local = undefined;
    this.#turn?.port1.close();
    this.#turn = undefined;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #route(outgoing: Outgoing, turnTaken = false): void {
    const { session, span } = outgoing;
    if (!outgoing.close && session.transactionLost) {
      if (span !== 'begin') {
        if (span === 'end') session.transactionLost = false;
        outgoing.reject(new ConnectionLostError(lostAnswerMessage('went away') + ' (this transaction was open there and is lost)'));
        return;
      }
      session.transactionLost = false;
    }
    const owner = this.#owner;
    if (owner === undefined) {
      this.#unsent.push(outgoing);
      this.#startTimer();
      return;
    }
    const local = this.#local;
    if (local && !turnTaken && (this.#unsent.length > 0 || local.wantsTurn(span))) {
      this.#unsent.push(outgoing); // behind what already waits; sent after a turn of the event loop
      this.#takeTurn();
      return;
    }
    // A begin for another tab waits for the session's next batch: the engine is not held
    // across a round trip for the begin alone, and the transaction costs one round trip less.
    if (!local && span === 'begin' && !outgoing.close) {
      session.heldBegin = outgoing.request;
      outgoing.resolve(successes(outgoing.request.operations));
      return;
    }
    const begin = outgoing.begin ?? session.heldBegin;
    session.heldBegin = undefined;
    if (begin && !outgoing.close) session.transactionOn = owner;
    if (span === 'begin') session.transactionOn = owner;
    else if (span === 'end' || outgoing.close) session.transactionOn = undefined;
    if (local) {
      if (begin && !outgoing.close)
        void local.run(this.#self, session.id, session.file, session.slot, 'begin', begin).catch(() => undefined);
      const running = outgoing.close
        ? local.closeSession(this.#self, session.id).then(() => new Uint8Array(0))
        : local.run(this.#self, session.id, session.file, session.slot, span, outgoing.request);
      running.then((response) => this.#answered(outgoing, response), outgoing.reject);
      return;
    }
    if (outgoing.close) {
      this.#post({ t: 'close', from: this.#self, session: session.id });
      outgoing.resolve(new Uint8Array(0));
      return;
    }
    const id = ++this.#nextId;
    outgoing.sentTo = owner;
    outgoing.sentAt = now();
    outgoing.begin = begin;
    this.#pending.set(id, outgoing);
    const { slot, file } = session;
    const [bytes = new Uint8Array(0)] = outgoing.request.parts;
    const carried = begin && { bytes: begin.parts[0], operations: begin.operations };
    this.#post({
      t: 'req',
      from: this.#self,
      session: session.id,
      file,
      slot,
      id,
      span,
      operations: outgoing.request.operations,
      bytes,
      begin: carried,
    });
    this.#startTimer();
  }

  /** Routes the local backlog after other tasks (other tabs' requests) had their turn. */
  #takeTurn(): void {
    if (this.#turn) return;
    this.#turn = new MessageChannel();
    this.#turn.port1.onmessage = () => {
      this.#turn?.port1.close();
      this.#turn = undefined;
      this.#local?.tookTurn();
      const backlog = this.#unsent;
      this.#unsent = [];
      for (const outgoing of backlog) this.#route(outgoing, true);
    };
    this.#turn.port2.postMessage(null);
  }

  #answered(outgoing: Outgoing, response: Uint8Array): void {
    const session = outgoing.session;
    if (outgoing.span === 'begin' && !lastOperationSucceeded(response, outgoing.request.operations)) session.transactionOn = undefined;
    outgoing.resolve(response);
  }

  #post(message: ToOwner): void {
    this.#ownerInbox?.postMessage(message);
  }

  #startTimer(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#timer = setInterval(() => this.#tick(), Math.max(20, this.#timeoutMs / 4));
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Pings a silent owner, and rejects what waited longer than the bound without a sign of life. */
  #tick(): void {
    const at = now();
    const bound = this.#timeoutMs;
    if (this.#pending.size > 0 && at - this.#lastHeard >= bound / 4) this.#post({ t: 'ping', from: this.#self });
    for (const [id, outgoing] of this.#pending) {
      if (at - Math.max(outgoing.sentAt ?? 0, this.#lastHeard) < bound) continue;
      this.#pending.delete(id);
      outgoing.reject(
        new OwnerTimeoutError(
          `the tab running this database's engine did not answer for ${bound} ms (frozen or busy): the operation may or may not have been applied`,
        ),
      );
    }
    const expired = this.#unsent.filter((outgoing) => at - outgoing.queuedAt >= bound);
    if (expired.length > 0) {
      this.#unsent = this.#unsent.filter((outgoing) => at - outgoing.queuedAt < bound);
      for (const outgoing of expired) {
        outgoing.reject(new OwnerTimeoutError(`no tab took over this database's engine within ${bound} ms: the operation was not sent`));
      }
    }
    if (this.#pending.size === 0 && this.#unsent.length === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

const now = (): number => performance.now();
