// request-router.ts: where this tab's session batches go: to the engine
// owner of this tab (a LocalOwner: EngineOwner in the tab, or in the
// engine's Worker), to the owner's engine inbox, or, while no owner is
// known, into a queue that the next owner receives in order.
//
// Size: ~430 lines: one class, because where a batch is (queued, sent and
// pending, in limbo across a handover, resent) must change in one place for
// the order and the exactly-once answers below to hold.
//
// Guarantees:
//   - a session's batches reach the engine in call order (one queue, and
//     one ordered channel per owner);
//   - a batch sent to an owner that goes away before answering rejects with
//     ConnectionLostError (it may or may not have been applied) unless its
//     answer, or the owner's 'bye' listing it as never started (it then goes
//     to the next owner, as do batches not sent yet), arrives within
//     HANDOVER_GRACE_MS of the new owner; meanwhile later batches wait, so
//     a resent batch keeps its place in the order;
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
  /** The id it had when first sent, if it is being sent again (it never ran there). */
  firstSentId?: number;
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
  /** Ids of batches sent to a previous owner, neither answered nor listed in its 'bye' yet (see ownerChanged). */
  readonly #limbo = new Set<number>();
  #limboTimer: ReturnType<typeof setTimeout> | undefined;
  /** An owner that answered 'notrun' (it is closing): nothing more is sent to it. */
  #closingOwner: string | undefined;

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
    // Batches sent to the previous owner wait a little longer: a graceful owner answered each one
    // it ran, and lists in its 'bye' those it never started, but those messages travel on other
    // channels than the news of the new owner, and may come after it (see HANDOVER_GRACE_MS).
    for (const [id, outgoing] of this.#pending) {
      if (outgoing.sentTo !== owner) this.#limbo.add(id);
    }
    if (this.#limbo.size > 0) this.#armLimbo();
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
    this.#routeUnsent();
  }

  /** `owner` closed and never started `notRun` (ids of this tab's requests): they wait for the next owner. */
  ownerLeft(owner: string, notRun: number[]): void {
    this.#requeue(notRun.filter((id) => this.#pending.get(id)?.sentTo === owner));
    if (this.#owner === owner) {
      this.#ownerInbox?.close();
      this.#ownerInbox = undefined;
      this.#owner = undefined;
      this.#local = undefined;
    }
    this.#startTimer();
    this.#limboSettled();
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
    if (message.t === 'notrun') {
      // Its owner is closing: this waits for the next one (ownerChanged), not to be sent back there.
      this.#closingOwner = message.owner;
      this.#requeue([message.id]);
      this.#limboSettled();
      return;
    }
    this.#pending.delete(message.id);
    if (message.t === 'res') this.#answered(outgoing, message.bytes);
    else outgoing.reject(errorFromOwner(message.name, message.message));
    if (this.#limbo.delete(message.id)) this.#limboSettled();
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
    this.#limbo.clear();
    clearTimeout(this.#limboTimer);
    this.#limboTimer = undefined;
  }

  /**
   * Batches `ids` (pending) never ran at their owner: they go out again, in
   * front of the batches never sent, in the order they were first sent.
   */
  #requeue(ids: number[]): void {
    const requeued: Outgoing[] = [];
    for (const id of ids) {
      const outgoing = this.#pending.get(id);
      if (!outgoing) continue;
      this.#pending.delete(id);
      this.#limbo.delete(id);
      outgoing.sentTo = undefined;
      outgoing.firstSentId ??= id;
      if (outgoing.begin) outgoing.session.transactionOn = undefined; // the transaction it began never started there
      requeued.push(outgoing);
    }
    const before = (outgoing: Outgoing): number => outgoing.firstSentId ?? Infinity;
    const resent = [...requeued, ...this.#unsent.filter((outgoing) => outgoing.firstSentId !== undefined)].sort(
      (a, b) => before(a) - before(b),
    );
    this.#unsent = [...resent, ...this.#unsent.filter((outgoing) => outgoing.firstSentId === undefined)];
  }

  /** Gives the batches still in limbo up once HANDOVER_GRACE_MS passed: their owner went away without a word. */
  #armLimbo(): void {
    if (this.#limboTimer !== undefined) return;
    this.#limboTimer = setTimeout(() => {
      this.#limboTimer = undefined;
      for (const id of this.#limbo) {
        const outgoing = this.#pending.get(id);
        this.#pending.delete(id);
        outgoing?.reject(new ConnectionLostError(lostAnswerMessage('went away')));
      }
      this.#limbo.clear();
      this.#limboSettled();
    }, HANDOVER_GRACE_MS);
    (this.#limboTimer as { unref?: () => void }).unref?.();
  }

  /** Once no batch is in limbo, what waited behind it goes out, in order. */
  #limboSettled(): void {
    if (this.#limbo.size > 0 || this.#stopped) return;
    clearTimeout(this.#limboTimer);
    this.#limboTimer = undefined;
    if (this.#owner !== undefined) this.#routeUnsent();
  }

  /** Routes again what waited unsent, in order (`turnTaken`: the event loop just took a turn). */
  #routeUnsent(turnTaken = false): void {
    const unsent = this.#unsent;
    this.#unsent = [];
    for (const outgoing of unsent) this.#route(outgoing, turnTaken);
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
    // Behind batches whose fate at the previous owner is not known yet (they may be run again here),
    // and not to an owner that said it is closing.
    if (this.#limbo.size > 0 || owner === this.#closingOwner) {
      this.#unsent.push(outgoing);
      this.#startTimer(); // bounded by timeoutMs, as any batch waiting for an owner
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
      this.#routeUnsent(true);
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

/**
 * How long a batch sent to an owner that was replaced waits for its answer
 * or for the old owner's 'bye' (which lists it if it never started, so it
 * goes to the new owner) before it rejects with ConnectionLostError. A
 * graceful owner's answers and 'bye' are posted before it lets go of the
 * engine, but on channels of their own, so the new owner's announcement
 * (or this tab's own election) can overtake them by a few milliseconds; an
 * owner whose tab was killed sends neither.
 */
const HANDOVER_GRACE_MS = 1000;
