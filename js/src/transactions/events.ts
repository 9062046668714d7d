// transactions/events.ts: the database's named events, Dexie-style:
// db.on('ready', fn), db.on('ready').unsubscribe(fn),
// db.on('populate').fire(...).
export type Listener = (...args: any[]) => unknown;

export class EventChannel {
  readonly #listeners: Listener[] = [];

  subscribe(listener: Listener): void {
    if (!this.#listeners.includes(listener)) this.#listeners.push(listener);
  }

  unsubscribe(listener: Listener): void {
    const i = this.#listeners.indexOf(listener);
    if (i >= 0) this.#listeners.splice(i, 1);
  }

  /** Calls every listener in order, awaiting each; a rejection stops the chain. */
  async fire(...args: unknown[]): Promise<void> {
    for (const listener of [...this.#listeners]) await listener(...args);
  }

  /** The listeners now, in order. */
  listeners(): Listener[] {
    return [...this.#listeners];
  }

  get size(): number {
    return this.#listeners.length;
  }
}
