// transactions/lock-manager.ts: shared/exclusive locks on named resources
// (tables) within one page, granted first come, first served.
//
// A request is granted when it conflicts with no held lock and with no
// earlier request still waiting, so a stream of readers cannot starve a
// writer. Two requests conflict when either is exclusive and they share a
// resource; the resource '*' is shared with every other. A request that
// waits long is reported once on the console with who holds it: the usual
// cause is code inside a transaction that awaited a non-indexie promise and
// then wrote through db.<table> (see Indexie.waitFor).

export type LockMode = 'shared' | 'exclusive';

interface LockRequest {
  mode: LockMode;
  resources: ReadonlySet<string>;
  owner: string;
  grant: (release: () => void) => void;
  fail: (error: unknown) => void;
}

const SLOW_WAIT_MS = 3000;

function conflicts(a: LockRequest, b: LockRequest): boolean {
  if (a.mode === 'shared' && b.mode === 'shared') return false;
  if (a.resources.has('*') || b.resources.has('*')) return true;
  for (const resource of a.resources) if (b.resources.has(resource)) return true;
  return false;
}

export class LockManager {
  readonly #held = new Set<LockRequest>();
  readonly #waiting: LockRequest[] = [];

  /** Resolves with the release function once the lock is held. */
  acquire(mode: LockMode, resources: Iterable<string>, owner: string): Promise<() => void> {
    return new Promise((resolve, reject) => {
      const request: LockRequest = { mode, resources: new Set(resources), owner, grant: resolve, fail: reject };
      this.#waiting.push(request);
      this.#grant();
      if (this.#waiting.includes(request)) this.#warnIfSlow(request);
    });
  }

  /**
   * The lock at once if nothing holds or waits for a conflicting one (its
   * release function), else undefined and nothing queued: for a holder that
   * must never wait (it may be awaited by the holder it would wait for).
   */
  tryAcquire(mode: LockMode, resources: Iterable<string>, owner: string): (() => void) | undefined {
    let release: (() => void) | undefined;
    const request: LockRequest = { mode, resources: new Set(resources), owner, grant: (r) => (release = r), fail: () => undefined };
    if ([...this.#held, ...this.#waiting].some((other) => conflicts(other, request))) return undefined;
    this.#waiting.push(request);
    this.#grant(); // grants it now: nothing conflicts (grant calls back synchronously)
    return release;
  }

  /**
   * Fails every request still waiting with `error` (the database closed):
   * nothing waits for ever behind a holder that never lets go. Held locks
   * stay held until their holders release them.
   */
  failWaiting(error: unknown): void {
    for (const request of this.#waiting.splice(0)) request.fail(error);
  }

  get idle(): boolean {
    return this.#held.size === 0 && this.#waiting.length === 0;
  }

  #grant(): void {
    for (let i = 0; i < this.#waiting.length; i++) {
      const request = this.#waiting[i];
      const blocked =
        [...this.#held].some((held) => conflicts(held, request)) ||
        this.#waiting.slice(0, i).some((earlier) => conflicts(earlier, request));
      if (blocked) continue;
      this.#waiting.splice(i--, 1);
      this.#held.add(request);
      let released = false;
      request.grant(() => {
        if (released) return;
        released = true;
        this.#held.delete(request);
        this.#grant();
      });
    }
  }

  #warnIfSlow(request: LockRequest): void {
    const timer = setTimeout(() => {
      if (!this.#waiting.includes(request)) return;
      const holders = [...this.#held].filter((held) => conflicts(held, request)).map((held) => held.owner);
      console.warn(
        `indexie: ${request.owner} has waited ${SLOW_WAIT_MS / 1000} s for ${holders.join(', ') || 'earlier requests'}. ` +
          "If it was issued inside that transaction after awaiting a promise that is not indexie's, it runs outside the " +
          'transaction and waits for it: use the transaction object (tx.table(name)) or await Indexie.waitFor(promise).',
      );
    }, SLOW_WAIT_MS);
    (timer as { unref?: () => void }).unref?.(); // a warning never keeps a Node process alive
    (timer as { unref?: () => void }).unref?.();
  }
}
