// persistence/tab-write-lock.ts: the database's writer lock across tabs (a Web
// Lock), kept between this tab's writes until another tab asks for it.
//
// Every commit to a database's IndexedDB happens under its Web Lock, and a
// tab that takes the lock must first apply what other tabs committed since
// it last looked (an IndexedDB read). Taking the lock and catching up cost
// about 1.2 ms in Chromium, more than a small write itself. So a tab keeps
// the lock after a unit ("sticky") while it goes on writing, and while it
// holds the lock nobody else can commit: its next unit needs neither the
// lock request nor the catch-up.
//
// The contract:
//   - acquire() resolves whether the lock was taken fresh (then the caller
//     must catch up with other tabs) or was still held (nothing to catch up);
//   - before requesting the lock, a tab announces it (announceWant, on the
//     database's BroadcastChannel); a holder that hears it releases the lock
//     at the end of its current unit, or at once if idle;
//   - a holder also releases after IDLE_MS without a unit, when its page is
//     hidden (a hidden page may be frozen and stop hearing announcements),
//     and on close. If a page dies, the browser releases its Web Locks.
// Without a channel to announce on, the lock is released after every unit.
// Correctness never depends on the announcement arriving: a commit also
// checks inside its IndexedDB transaction that no other tab committed
// (idb-page-store.ts). Announcements only bound how long others wait.

/** How long a tab keeps the lock after its last unit, with nobody asking. */
const IDLE_MS = 1000;

function pageHidden(): boolean {
  const doc = (globalThis as { document?: { visibilityState?: string } }).document;
  return doc?.visibilityState === 'hidden';
}

export class TabWriteLock {
  readonly #locks: LockManager;
  readonly #name: string;
  readonly #announceWant: (() => void) | undefined;
  #release: (() => void) | undefined;
  #inUnit = false;
  #wantedElsewhere = false;
  #idle: ReturnType<typeof setTimeout> | undefined;
  readonly #onVisibility = () => {
    if (pageHidden() && !this.#inUnit) this.#drop();
  };

  constructor(locks: LockManager, name: string, announceWant: (() => void) | undefined) {
    this.#locks = locks;
    this.#name = name;
    this.#announceWant = announceWant;
    (globalThis as { document?: EventTarget }).document?.addEventListener?.('visibilitychange', this.#onVisibility);
  }

  /** Takes the lock for one unit; resolves true if it was taken fresh (catch up first). */
  async acquire(): Promise<boolean> {
    clearTimeout(this.#idle);
    if (this.#release) {
      this.#inUnit = true;
      return false;
    }
    this.#announceWant?.();
    // Holds the Web Lock until the function it resolves to is called.
    this.#release = await new Promise<() => void>((granted, failed) => {
      this.#locks.request(this.#name, () => new Promise<void>((done) => granted(() => done()))).catch(failed);
    });
    this.#inUnit = true;
    return true;
  }

  /** Ends a unit: keeps the lock unless another tab asked for it or the page is hidden. */
  endUnit(): void {
    this.#inUnit = false;
    if (this.#wantedElsewhere || !this.#announceWant || pageHidden()) {
      this.#drop();
      return;
    }
    this.#idle = setTimeout(() => this.#drop(), IDLE_MS);
    (this.#idle as { unref?: () => void }).unref?.(); // never keeps a Node process alive
  }

  /** The unit failed before or during catching up: give the lock back now. */
  abandonUnit(): void {
    this.#inUnit = false;
    this.#drop();
  }

  /** Another tab announced that it wants the lock. */
  wantedElsewhere(): void {
    this.#wantedElsewhere = true;
    if (this.#release && !this.#inUnit) this.#drop();
  }

  close(): void {
    (globalThis as { document?: EventTarget }).document?.removeEventListener?.('visibilitychange', this.#onVisibility);
    this.#inUnit = false;
    this.#drop();
  }

  #drop(): void {
    clearTimeout(this.#idle);
    this.#wantedElsewhere = false;
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}
