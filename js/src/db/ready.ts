// db/ready.ts: db.on('ready', fn, sticky?) as Dexie 4 has it. Ready
// subscribers run after every successful open, before open() resolves (and
// before the operations waiting for it); what they return is awaited in order.
//
// Who is called when (Dexie's rules):
//   - subscribed before the open: called once at the next open, or at every
//     open (after close() and open() again) if `sticky`;
//   - subscribed while subscribers run (one subscribing another): called in
//     this same round;
//   - subscribed when the database is already open: called at once (in a
//     microtask), and at later opens too if `sticky`.
// Subscribers run outside any transaction (not in the upgrade's, which has
// committed). Operations called before the open completed wait for the
// subscribers too (they wait for the open, which includes them); unlike
// Dexie, operations that other code calls while subscribers run are not held
// back: a subscriber cannot be told apart from other code once it awaited a
// promise that is not indexie's, and holding those back would deadlock it.
// A subscriber that throws fails the open.
import { callInContext } from '../transactions/async-context.js';
import { EventChannel, type Listener } from '../transactions/events.js';

export class ReadyChannel extends EventChannel {
  readonly #isOpen: () => boolean;
  /** Non-sticky subscribers: unsubscribed when called once. */
  readonly #once = new Set<Listener>();
  /** Subscribers added while a round runs (called in that round); undefined when none runs. */
  #lateInRound: Listener[] | undefined;

  /** `isOpen`: whether the database is open and its ready round is over. */
  constructor(isOpen: () => boolean) {
    super();
    this.#isOpen = isOpen;
  }

  override subscribe(listener: Listener, sticky = false): void {
    if (this.#isOpen()) {
      void Promise.resolve().then(() => listener());
      if (sticky) super.subscribe(listener);
      return;
    }
    if (this.#lateInRound) {
      this.#lateInRound.push(listener);
      if (sticky) super.subscribe(listener);
      return;
    }
    super.subscribe(listener);
    if (!sticky) this.#once.add(listener);
  }

  override unsubscribe(listener: Listener): void {
    super.unsubscribe(listener);
    this.#once.delete(listener);
  }

  /** Whether ready subscribers are running now. */
  get running(): boolean {
    return this.#lateInRound !== undefined;
  }

  /** Runs one round: every subscriber in order, then those added meanwhile; the first failure ends it. */
  override fire(...args: unknown[]): Promise<void> {
    this.#lateInRound = [];
    const round = callInContext(null, () => this.#runRound(args));
    return Promise.resolve(round).finally(() => {
      this.#lateInRound = undefined;
    });
  }

  async #runRound(args: unknown[]): Promise<void> {
    const listeners = this.listeners();
    for (const listener of listeners) if (this.#once.has(listener)) this.unsubscribe(listener);
    for (const listener of listeners) await listener(...args);
    while (this.#lateInRound!.length > 0) {
      for (const listener of this.#lateInRound!.splice(0)) await listener(...args);
    }
  }
}
