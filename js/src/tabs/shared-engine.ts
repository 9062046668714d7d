// shared-engine.ts: one database engine for all the tabs (and workers) of an
// origin that open the same database. openSharedEngine() gives a tab its
// view of it: EngineHosts for its engine sessions, and the change sets other
// tabs committed.
//
// How:
//   - Election: every tab asks for the Web Lock `indexie-owner:<name>` and
//     keeps it until it closes the database; the holder is the owner: it
//     opens the real hosts (openOwnHost: in process, in a Worker, on OPFS;
//     this layer does not care) and announces itself on the control channel.
//     The next tab in the lock's queue takes over when the owner's tab
//     closes or calls close(), and opens the hosts itself.
//   - Every tab holds its own client lock `indexie-client:<name>:<id>`
//     while it uses the engine, so the owner learns when a tab is gone.
//   - A tab's sessions send their batches through its RequestRouter;
//     the owner runs everyone's batches through one EngineArbiter
//     (engine-owner.ts), so a transaction has the engine to itself.
//   - Change sets: a tab that committed calls broadcastChanges(); every
//     other tab's onChanges() listeners get the bytes (change_set.h format)
//     and re-run their live queries. No pages move between tabs.
//   - Schema upgrades: the tab that upgraded calls announceVersion(); the
//     others' onVersion() listeners hear the new version (db/opfs-connection.ts fires
//     'versionchange' and closes a connection that declared less).
//   - Without Web Locks or BroadcastChannel (Node), there is one process
//     and no one to share with: session() is openOwnHost itself.
import type { EngineHost } from '../engine/engine-host.js';
import { EngineOwner, type LocalOwner, type OpenOwnHost } from './engine-owner.js';
import { RequestRouter } from './request-router.js';
import { TabSession } from './tab-session.js';
import {
  clientLockName,
  controlChannelName,
  OWNER_INBOX_LINGER_MS,
  inboxChannelName,
  ownerInboxName,
  ownerLockName,
  randomTabId,
  type Announcement,
  type ToClient,
  type ToOwner,
} from './tab-protocol.js';

export type { OpenOwnHost } from './engine-owner.js';

export interface SharedEngineOptions {
  /**
   * How long (ms) an operation waits for a silent owner tab (no answer, no
   * reply to pings) or for any tab to take over, before it rejects with
   * OwnerTimeoutError. Default DEFAULT_OWNER_TIMEOUT_MS (10 s). An owner
   * that answers pings makes operations wait as long as other tabs'
   * transactions hold the engine, as IndexedDB does.
   */
  ownerTimeoutMs?: number;
  /**
   * Runs the engine owner somewhere other than this tab's main thread when
   * this tab wins the election: the engine's Worker (worker-owner.ts),
   * which listens on the engine inbox itself, so other tabs' requests skip
   * this tab. `ready` resolves once it listens (the tab announces itself
   * then). Without it, the owner is an EngineOwner in this tab over
   * `openOwnHost`.
   */
  startOwner?: (self: string) => LocalOwner & { readonly ready: Promise<void> };
}

export const DEFAULT_OWNER_TIMEOUT_MS = 10_000;

/** A tab's view of the database's engine. */
export interface SharedEngine {
  /** A host for one engine session on the database file `file` (a tab may hold several). */
  session(file: string): Promise<EngineHost>;
  /** Tells every other tab that this tab committed `changes` (change_set.h wire format). */
  broadcastChanges(changes: Uint8Array): void;
  /** Calls `listener` with each change set another tab committed; returns the unsubscribe. */
  onChanges(listener: (changes: Uint8Array) => void): () => void;
  /** Tells every other tab that this tab upgraded the schema to `version`. */
  announceVersion(version: number): void;
  /** Calls `listener` with each schema version another tab upgraded to; returns the unsubscribe. */
  onVersion(listener: (version: number) => void): () => void;
  /** Whether this tab runs the engine now (always, without tabs). */
  readonly isOwner: boolean;
  /** Closes this tab's part: an owner hands the engine to the next tab. */
  close(): Promise<void>;
}

/** The shared engine of database `name` for this tab; `openOwnHost` opens a real host when this tab owns it. */
export async function openSharedEngine(name: string, openOwnHost: OpenOwnHost, options: SharedEngineOptions = {}): Promise<SharedEngine> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (!locks || typeof BroadcastChannel === 'undefined') return singleProcess(openOwnHost);
  const engine = new TabsEngine(name, openOwnHost, locks, options.ownerTimeoutMs ?? DEFAULT_OWNER_TIMEOUT_MS, options.startOwner);
  await engine.start();
  return engine;
}

function singleProcess(openOwnHost: OpenOwnHost): SharedEngine {
  return {
    session: openOwnHost,
    broadcastChanges: () => undefined,
    onChanges: () => () => undefined,
    announceVersion: () => undefined,
    onVersion: () => () => undefined,
    isOwner: true,
    close: () => Promise.resolve(),
  };
}

class TabsEngine implements SharedEngine {
  readonly #name: string;
  readonly #openOwnHost: OpenOwnHost;
  readonly #locks: LockManager;
  readonly #timeoutMs: number;
  readonly #self = randomTabId();
  readonly #router: RequestRouter;
  readonly #control: BroadcastChannel;
  readonly #inbox: BroadcastChannel;
  readonly #listeners = new Set<(changes: Uint8Array) => void>();
  readonly #versionListeners = new Set<(version: number) => void>();
  readonly #election = new AbortController();
  readonly #startOwner: SharedEngineOptions['startOwner'];
  #owner: LocalOwner | undefined;
  /** Whether this tab announced itself as the owner (a 'who' is answered only then). */
  #announced = false;
  /** The engine inbox, when this tab runs the owner on its main thread. */
  #ownerInbox: BroadcastChannel | undefined;
  #epoch = 0;
  #nextSession = 0;
  #closed = false;
  /** Resolves (releasing the client lock and, if held, the owner lock) when this tab closes. */
  #release!: () => void;
  readonly #released = new Promise<void>((resolve) => (this.#release = resolve));
  #ownerKnown!: () => void;
  readonly #ownerIsKnown = new Promise<void>((resolve) => (this.#ownerKnown = resolve));

  constructor(
    name: string,
    openOwnHost: OpenOwnHost,
    locks: LockManager,
    timeoutMs: number,
    startOwner?: SharedEngineOptions['startOwner'],
  ) {
    this.#name = name;
    this.#startOwner = startOwner;
    this.#openOwnHost = openOwnHost;
    this.#locks = locks;
    this.#timeoutMs = timeoutMs;
    this.#router = new RequestRouter(name, this.#self, timeoutMs);
    this.#control = new BroadcastChannel(controlChannelName(name));
    this.#inbox = new BroadcastChannel(inboxChannelName(name, this.#self));
    this.#control.onmessage = (event: MessageEvent<Announcement>) => this.#onAnnouncement(event.data);
    this.#inbox.onmessage = (event: MessageEvent<ToClient>) => this.#onInbox(event.data);
  }

  get isOwner(): boolean {
    return this.#owner !== undefined;
  }

  /** Holds this tab's client lock, joins the election, and waits (up to the bound) to know who owns the engine. */
  async start(): Promise<void> {
    await new Promise<void>((granted, failed) => {
      this.#locks
        .request(clientLockName(this.#name, this.#self), () => {
          granted();
          return this.#released;
        })
        .catch(failed);
    });
    this.#locks
      .request(ownerLockName(this.#name), { signal: this.#election.signal }, async () => {
        if (this.#closed) return;
        this.#becomeOwner();
        await this.#released;
      })
      .catch(() => undefined); // aborted: this tab closed before its turn
    this.#control.postMessage({ t: 'who', from: this.#self } satisfies Announcement);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#ownerIsKnown, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#timeoutMs)))]);
    clearTimeout(timer);
  }

  async session(file: string): Promise<EngineHost> {
    const id = ++this.#nextSession;
    const session = new TabSession(this.#router, id, file, () => this.session(file));
    const local = this.#router.local;
    if (local) {
      try {
        await local.openSession(this.#self, id, file, session.slot);
      } catch (error) {
        await session.close().catch(() => undefined); // the opening error is the one to report
        throw error;
      }
    }
    return session;
  }

  broadcastChanges(changes: Uint8Array): void {
    if (!this.#closed) this.#control.postMessage({ t: 'changes', from: this.#self, bytes: changes } satisfies Announcement);
  }

  onChanges(listener: (changes: Uint8Array) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  announceVersion(version: number): void {
    if (!this.#closed) this.#control.postMessage({ t: 'version', from: this.#self, version } satisfies Announcement);
  }

  onVersion(listener: (version: number) => void): () => void {
    this.#versionListeners.add(listener);
    return () => this.#versionListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#election.abort();
    this.#router.stop();
    const owner = this.#owner;
    this.#owner = undefined;
    if (owner) {
      const notRun = await owner.close();
      // Late requests are still answered 'notrun' for a while (tab-protocol.ts ownerInboxName).
      const inbox = this.#ownerInbox;
      this.#ownerInbox = undefined;
      if (inbox) setTimeout(() => inbox.close(), OWNER_INBOX_LINGER_MS);
      this.#control.postMessage({ t: 'bye', owner: this.#self, notRun } satisfies Announcement);
    }
    this.#control.close();
    this.#inbox.close();
    this.#release(); // frees the owner lock (the next tab takes over) and the client lock
  }

  #becomeOwner(): void {
    this.#epoch = Math.max(Date.now(), this.#epoch + 1);
    const elsewhere = this.#startOwner?.(this.#self);
    if (elsewhere) {
      // This tab's batches go to it at once (they queue there); other tabs hear of it once it
      // listens on the engine inbox, so none of their requests is posted to no one.
      this.#owner = elsewhere;
      this.#router.ownerChanged(this.#self, elsewhere);
      elsewhere.ready
        .then(
          () => {
            if (!this.#closed && this.#owner === elsewhere) this.#announceOwner();
          },
          () => undefined, // this tab's own calls report it; the tab closes, and the next takes over
        )
        .finally(() => this.#ownerKnown());
      return;
    }
    const owner = new EngineOwner(this.#name, this.#self, this.#openOwnHost, this.#locks);
    this.#owner = owner;
    this.#ownerInbox = new BroadcastChannel(ownerInboxName(this.#name, this.#self));
    this.#ownerInbox.onmessage = (event: MessageEvent<ToOwner>) => owner.handle(event.data); // closed, it answers 'notrun'
    this.#announceOwner();
    this.#router.ownerChanged(this.#self, owner);
    this.#ownerKnown();
  }

  #announceOwner(): void {
    this.#announced = true;
    this.#control.postMessage({ t: 'owner', owner: this.#self, epoch: this.#epoch } satisfies Announcement);
  }

  #onAnnouncement(message: Announcement): void {
    if (this.#closed) return;
    switch (message.t) {
      case 'owner':
        if (message.epoch < this.#epoch || this.#owner) return; // stale, or this tab holds the lock
        this.#epoch = message.epoch;
        this.#router.ownerChanged(message.owner);
        this.#router.heard(message.owner);
        this.#ownerKnown();
        return;
      case 'who':
        if (this.#owner && this.#announced) this.#announceOwner();
        return;
      case 'bye': {
        const mine = message.notRun.filter(([client]) => client === this.#self).map(([, id]) => id);
        this.#router.ownerLeft(message.owner, mine);
        return;
      }
      case 'changes':
        if (message.from === this.#self) return;
        for (const listener of this.#listeners) listener(message.bytes);
        return;
      case 'version':
        if (message.from === this.#self) return;
        for (const listener of this.#versionListeners) listener(message.version);
        return;
    }
  }

  #onInbox(message: ToClient): void {
    if (!this.#closed) this.#router.answer(message);
  }
}
