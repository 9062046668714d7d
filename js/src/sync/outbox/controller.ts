// sync/outbox/controller.ts: SyncController, what db.sync() returns: it
// captures writes to the synced tables into the outbox from the moment it is
// made (capture.ts), and runs sync rounds: push the outbox (push.ts), pull
// each table (pull.ts), push again what conflicts re-queued.
//
// When rounds run: at start and on the browser's 'online' event
// (syncOnConnect), every `interval` ms, `pushDelay` ms after the outbox
// grows (a local write, here or in another tab), on syncAll()/syncTable(),
// and after a failure with exponential backoff (retryDelay doubling up to
// maxRetryDelay, with jitter; reset by 'online'). One round at a time per
// page; across tabs, one at a time per database (a Web Lock), so one tab
// pushes while every tab sees the status (pending count and the last push
// and pull times live in the database). A tab closed mid-push loses
// nothing: its entries stay in the outbox, and the next push re-sends them
// under the same ids, which the server applies at most once.
//
// stop() ends rounds and timers, not capture: writes made afterwards still
// enter the outbox, for the next db.sync() (a page that reloads) to push.
import type { SyncHost } from '../../db/sync-host.js';
import { InvalidArgumentError, InvalidTableError, SyncError } from '../../errors.js';
import { inCallerContext, runOutsideContext } from '../../transactions/async-context.js';
import { HybridClock, randomId } from './clock.js';
import type { ConflictEvent } from './reconcile.js';
import { captureTap } from './capture.js';
import { checkOptions, type CheckedOptions, type SyncOptions } from './options.js';
import type { WireChange } from './protocol.js';
import { pullTable } from './pull.js';
import { pushAll, type PushContext } from './push.js';
import { OUTBOX, SYNC_TABLE_SPECS, getMeta } from './tables.js';
import { functionTransport, httpTransport, type Transport } from './transport.js';

export type SyncState = 'starting' | 'idle' | 'syncing' | 'offline' | 'error' | 'paused' | 'stopped';

export interface SyncStatus {
  state: SyncState;
  /** Local changes the server has not acknowledged (outbox entries; coalesced changes count once). */
  pendingChanges: number;
  /** When a push was last acknowledged / a pull last applied (ms since the epoch), by any tab. */
  lastPushedAt: number | null;
  lastPulledAt: number | null;
  lastError: Error | null;
}

export interface SyncEvents {
  status: SyncStatus;
  conflict: ConflictEvent;
  rejected: { change: WireChange; reason: string };
  error: Error;
  pushed: { count: number };
  pulled: { table: string; count: number };
}

type Listener<E extends keyof SyncEvents> = (payload: SyncEvents[E]) => void;

export class SyncController {
  readonly #host: SyncHost;
  readonly #options: CheckedOptions;
  readonly #transport: Transport;
  readonly #clock: HybridClock;
  readonly #clientId = randomId();
  readonly #listeners = new Map<keyof SyncEvents, Set<Listener<any>>>();
  #status: SyncStatus = { state: 'starting', pendingChanges: 0, lastPushedAt: null, lastPulledAt: null, lastError: null };
  /** Settles when the controller has started (tables checked, internal tables made); rejects if a table cannot sync. */
  readonly ready: Promise<void>;
  #queue: Promise<unknown> = Promise.resolve();
  #roundRunning = false;
  #roundWanted = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #interval: ReturnType<typeof setInterval> | undefined;
  #failures = 0;
  #paused = false;
  #stopped = false;
  #refreshing: ReturnType<typeof setTimeout> | undefined;
  #cleanups: Array<() => void> = [];

  constructor(host: SyncHost, options: SyncOptions) {
    this.#host = host;
    this.#options = checkOptions(options);
    const { url, push, pull, headers, fetch, timeout } = this.#options;
    this.#transport = push && pull ? functionTransport(push, pull) : httpTransport({ url: url!, headers, fetch, timeout });
    this.#clock = new HybridClock(this.#clientId.replace(/-/g, '').slice(0, 12));
    // Capture starts now, before anything awaits: no write made after db.sync() returns escapes the outbox.
    for (const table of this.#options.tables) {
      host.setWriteTap(
        table,
        captureTap({
          table,
          keyPath: () => host.primaryKeyOf(table)?.keyPath ?? null,
          clock: this.#clock,
          captured: () => this.#refreshSoon(),
        }),
      );
    }
    // The controller's work runs outside any transaction; its promises settle in the caller's context.
    this.ready = inCallerContext(runOutsideContext(() => this.#start()));
    this.ready.catch(() => undefined); // reported through status and 'error' as well
  }

  async #start(): Promise<void> {
    try {
      await this.#host.open();
      for (const table of this.#options.tables) {
        const primaryKey = this.#host.primaryKeyOf(table);
        if (!primaryKey) throw new InvalidTableError(`db.sync(): table '${table}' does not exist in database '${this.#host.name}'`);
        if (primaryKey.autoIncrement) {
          throw new InvalidArgumentError(
            `db.sync(): table '${table}' has an auto-incremented primary key, so two devices would create the same keys: ` +
              'give synced records keys unique across devices (crypto.randomUUID(), for instance)',
          );
        }
      }
      await this.#host.ensureInternalTables(SYNC_TABLE_SPECS);
      this.#clock.observe(await this.#host.read(async (engine) => await getMeta(engine, 'clock')));
    } catch (error) {
      for (const table of this.#options.tables) this.#host.setWriteTap(table, undefined);
      this.#fail(error as Error);
      this.#setState('error');
      throw error;
    }
    this.#cleanups.push(this.#host.onChange(() => this.#refreshSoon()));
    const target = globalThis as { addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener };
    if (typeof target.addEventListener === 'function') {
      const online = (): void => {
        this.#failures = 0;
        if (this.#options.syncOnConnect) this.#schedule(0);
      };
      target.addEventListener('online', online);
      this.#cleanups.push(() => target.removeEventListener!('online', online));
    }
    if (this.#options.interval > 0) {
      this.#interval = setInterval(() => this.#schedule(0), this.#options.interval);
      (this.#interval as { unref?: () => void }).unref?.();
    }
    this.#setState(this.#paused ? 'paused' : this.#stopped ? 'stopped' : 'idle');
    await this.#refresh();
    if (this.#options.syncOnConnect) this.#schedule(0);
  }

  /** The status now (synchronous; 'status' events announce each change). */
  status(): SyncStatus {
    return { ...this.#status };
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends keyof SyncEvents>(event: E, listener: Listener<E>): () => void {
    if (typeof listener !== 'function')
      throw new InvalidArgumentError('SyncController.on(event, listener): the listener must be a function');
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Pushes every pending change, then pulls every synced table; rejects with the failure (a retry is scheduled). */
  syncAll(): Promise<void> {
    return inCallerContext(runOutsideContext(() => this.#explicit(this.#options.tables)));
  }

  /** Pushes every pending change (the outbox is pushed in order, whatever the table), then pulls `table`. */
  syncTable(table: string): Promise<void> {
    if (!this.#options.tables.includes(table)) {
      return Promise.reject(
        new InvalidArgumentError(`syncTable('${table}'): the table is not synced (tables: ${this.#options.tables.join(', ')})`),
      );
    }
    return inCallerContext(runOutsideContext(() => this.#explicit([table])));
  }

  /** Stops starting rounds (a running one stops after its current batch); capture goes on. */
  pause(): void {
    if (this.#stopped) return;
    this.#paused = true;
    this.#clearTimer();
    this.#setState('paused');
  }

  resume(): void {
    if (this.#stopped || !this.#paused) return;
    this.#paused = false;
    this.#setState('idle');
    this.#schedule(0);
  }

  /** Ends this controller: no more rounds, timers or events. Writes are still captured (see the header). */
  stop(): void {
    this.#stopped = true;
    this.#clearTimer();
    if (this.#interval) clearInterval(this.#interval);
    clearTimeout(this.#refreshing);
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#setState('stopped');
    this.#listeners.clear();
  }

  // --- Rounds -----------------------------------------------------------------

  async #explicit(tables: string[]): Promise<void> {
    await this.ready;
    if (this.#stopped || this.#paused)
      throw new SyncError(`sync is ${this.#stopped ? 'stopped' : 'paused'}: ${this.#stopped ? 'call db.sync() again' : 'call resume()'}`);
    const round = this.#queue.then(() => this.#round(tables, true));
    this.#queue = round.catch(() => undefined);
    await round;
  }

  /** An automatic round `delay` ms from now (the earliest asked wins). */
  #schedule(delay: number): void {
    if (this.#paused || this.#stopped || this.#status.state === 'starting') return;
    const at = Date.now() + delay;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      if (this.#roundRunning) {
        this.#roundWanted = true;
        return;
      }
      const round = this.#queue.then(() => this.#round(this.#options.tables, false));
      this.#queue = round.catch(() => undefined);
    }, delay);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  /** One round under the database's sync lock. `wait`: wait for the lock (else skip if another tab holds it, and look again soon). */
  async #round(tables: string[], wait: boolean): Promise<void> {
    if (this.#stopped || (this.#paused && !wait)) return;
    this.#roundRunning = true;
    try {
      const locks = this.#host.locks();
      if (!locks) return await this.#roundLocked(tables);
      const ran = await locks.request(`indexie-sync:${this.#host.name}`, { ifAvailable: !wait }, async (lock) => {
        if (!lock) return false;
        await this.#roundLocked(tables);
        return true;
      });
      if (!ran) this.#schedule(250); // another tab is syncing; what it misses, this tab pushes next
    } finally {
      this.#roundRunning = false;
      if (this.#roundWanted) {
        this.#roundWanted = false;
        this.#schedule(0);
      }
    }
  }

  async #roundLocked(tables: string[]): Promise<void> {
    const shouldStop = (): boolean => this.#stopped || this.#paused;
    const context: PushContext & { pullLimit: number } = {
      host: this.#host,
      transport: this.#transport,
      clientId: this.#clientId,
      batchSize: this.#options.batchSize,
      pullLimit: this.#options.pullLimit,
      keyPathOf: (table) => this.#host.primaryKeyOf(table)?.keyPath ?? null,
      strategy: this.#options.conflictResolution,
      clock: this.#clock,
      conflicts: [],
      rejected: [],
      pushedBatch: (count) => {
        this.#emit('pushed', { count });
        void this.#refresh();
      },
    };
    this.#setState('syncing');
    try {
      await pushAll(context, shouldStop);
      for (const table of tables) {
        const count = await pullTable(context, table, shouldStop);
        if (count > 0) this.#emit('pulled', { table, count });
      }
      // Conflicts settled for the local side queued new entries: push them now.
      if (context.conflicts.some((conflict) => conflict.resolution !== 'remote')) await pushAll(context, shouldStop);
      this.#failures = 0;
      this.#status.lastError = null;
      this.#setState(this.#stopped ? 'stopped' : this.#paused ? 'paused' : 'idle');
    } catch (error) {
      this.#fail(error as Error);
      const offline = error instanceof SyncError && error.retryable && error.status === undefined;
      this.#setState(offline ? 'offline' : 'error');
      this.#failures++;
      const delay = Math.min(this.#options.maxRetryDelay, this.#options.retryDelay * 2 ** (this.#failures - 1));
      this.#schedule(Math.round(delay * (0.5 + Math.random() * 0.5)));
      throw error;
    } finally {
      for (const conflict of context.conflicts) this.#emit('conflict', conflict);
      for (const rejected of context.rejected) this.#emit('rejected', rejected);
      await this.#refresh();
    }
  }

  // --- Status and events --------------------------------------------------------

  #fail(error: Error): void {
    this.#status.lastError = error;
    this.#emit('error', error);
  }

  #setState(state: SyncState): void {
    if (this.#status.state === state) return;
    if (this.#status.state === 'stopped') return;
    this.#status.state = state;
    this.#emit('status', this.status());
  }

  #refreshSoon(): void {
    if (this.#refreshing !== undefined || this.#stopped) return;
    this.#refreshing = setTimeout(() => {
      this.#refreshing = undefined;
      void this.#refresh();
    }, 20);
  }

  /** Reads the pending count and the last push/pull times from the database; a grown outbox schedules a push. */
  async #refresh(): Promise<void> {
    if (this.#status.state === 'starting') return;
    let counts: { pending: number; pushed: unknown; pulled: unknown };
    try {
      counts = await this.#host.read(async (engine) => ({
        pending: await engine.count(OUTBOX),
        pushed: await getMeta(engine, 'lastPushedAt'),
        pulled: await getMeta(engine, 'lastPulledAt'),
      }));
    } catch {
      return; // closed meanwhile: the status keeps its last values
    }
    const status = this.#status;
    const grew = counts.pending > status.pendingChanges;
    const changed =
      counts.pending !== status.pendingChanges ||
      counts.pushed !== (status.lastPushedAt ?? undefined) ||
      counts.pulled !== (status.lastPulledAt ?? undefined);
    status.pendingChanges = counts.pending;
    status.lastPushedAt = typeof counts.pushed === 'number' ? counts.pushed : null;
    status.lastPulledAt = typeof counts.pulled === 'number' ? counts.pulled : null;
    if (changed) this.#emit('status', this.status());
    if (grew && this.#options.pushDelay !== false && this.#failures === 0) this.#schedule(this.#options.pushDelay);
  }

  #emit<E extends keyof SyncEvents>(event: E, payload: SyncEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        // A listener's bug must not break sync; it is reported where developers look.
        console.error(`indexie sync: a '${event}' listener threw`, error);
      }
    }
  }
}
