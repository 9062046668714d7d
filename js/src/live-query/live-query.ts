// live-query/live-query.ts: liveQuery(querier), an Observable of the querier's
// result that re-runs it exactly when something it read changed (DESIGN §8).
//
// How:
//   - Each run of the querier happens in a LiveQueryRun context
//     (transactions/async-context.ts). Every engine read made in it records into the
//     run's read set for that database (read_set.h: per table and index,
//     key ranges and primary keys: engine/read-set.ts).
//   - Databases report every visible change here with notifyChanges(): local
//     commits, optimistic writes as they happen and again when rolled back,
//     other tabs' commits, silent remote writes (change_set.h bytes; null
//     for "everything"), and they are matched at once.
//   - A subscription re-runs only if its last read set intersects a change.
//     The re-run starts in a later task, and changes that arrive before it
//     starts are covered by it, so many changes in one tick or one
//     transaction cause at most one re-run.
//     Changes that arrive while a run is in flight are matched against the
//     run's read set once it ends (a change to what it read re-runs it again).
//   - Reads made outside any context while runs are in flight (after a
//     querier awaited something that is not indexie's, which loses the
//     context) are added to those runs too: an over-approximation that may
//     cause a needless re-run, never a missed one.
//   - A result equal to the last one emitted, as that one was when emitted (its
//     stored bytes; deep-equal.ts for results the codec cannot store), is not emitted.
// The first run starts in a task after subscribe(), so the first value
// always arrives asynchronously, and every value is delivered outside any
// context (code resumed by an observer is not part of the live query). A
// querier must not write (ReadOnlyError).
import { exitContext, runInContext } from '../transactions/async-context.js';
import { deepEqual } from './deep-equal.js';
import { encodeValue } from '../values/value-encoder.js';
import { changeSetOf, newReadSet, type ChangeSet, type ReadSet } from '../engine/engine.js';
import { Observable, type Observer } from './observable.js';

/** The context a querier runs in: what it read, per database name. */
export class LiveQueryRun {
  readonly readSets = new Map<string, ReadSet>();

  readSetFor(database: string): ReadSet {
    let set = this.readSets.get(database);
    if (!set) this.readSets.set(database, (set = newReadSet()));
    return set;
  }

  dispose(): void {
    this.readSets.clear();
  }
}

type ChangeParts = Array<Uint8Array | null>;

const subscriptions = new Set<LiveSubscription<unknown>>();
const runsInFlight = new Set<LiveQueryRun>();
/** Reads made outside any context while runs were in flight, per database. */
const orphanReads = new Map<string, ReadSet>();

/**
 * Where a read on `database` made in `context` records what it read: the
 * live query run's read set, the shared set for reads outside any context
 * while runs are in flight, or nowhere.
 */
export function readRecorderFor(database: string, context: object | null): ReadSet | undefined {
  if (context instanceof LiveQueryRun) return context.readSetFor(database);
  if (context !== null || runsInFlight.size === 0) return undefined;
  let set = orphanReads.get(database);
  if (!set) orphanReads.set(database, (set = newReadSet()));
  return set;
}

/** Whether any live query is subscribed (databases skip change bookkeeping otherwise). */
export function liveQueriesActive(): boolean {
  return subscriptions.size > 0;
}

/**
 * A change became visible in `database`: serialized change sets, `null` for
 * "anything may have changed". Runs no querier itself (re-runs start in later tasks).
 */
export function notifyChanges(database: string, ...changes: Array<Uint8Array | null | undefined>): void {
  if (subscriptions.size === 0) return;
  const parts = changes.filter((part): part is Uint8Array | null => part !== undefined);
  if (parts.length === 0) return;
  const changeSet = changeSetOf(parts);
  for (const subscription of [...subscriptions]) subscription.changed(database, parts, changeSet);
}

function runEnded(run: LiveQueryRun): void {
  runsInFlight.delete(run);
  for (const [database, reads] of orphanReads) run.readSetFor(database).merge(reads);
  if (runsInFlight.size === 0) orphanReads.clear();
}

class LiveSubscription<T> {
  readonly #querier: () => T | Promise<T>;
  readonly #sink: Required<Observer<T>>;
  readonly #onRun: (() => void) | undefined;
  /** What the last finished run read, per database. */
  #readSets = new Map<string, ReadSet>();
  /** Changes seen while a run was in flight, per database. */
  #missed = new Map<string, ChangeParts>();
  #running = false;
  #scheduled = false;
  #closed = false;
  #hasResult = false;
  #last: T | undefined;
  /**
   * The last emitted result as stored bytes (the value codec), taken when it
   * was emitted: an observer may change the object it got in place (Dexie
   * issue 2309), and then comparing with that object would hide a change.
   * Undefined when the result holds what the codec cannot store (functions).
   */
  #lastBytes: Uint8Array | undefined;

  constructor(querier: () => T | Promise<T>, sink: Required<Observer<T>>, onRun?: () => void) {
    this.#querier = querier;
    this.#sink = sink;
    this.#onRun = onRun;
  }

  start(): void {
    subscriptions.add(this);
    this.#schedule();
  }

  close(): void {
    this.#closed = true;
    subscriptions.delete(this);
    this.#readSets.clear();
  }

  changed(database: string, parts: ChangeParts, changes: ChangeSet): void {
    if (this.#running) {
      let list = this.#missed.get(database);
      if (!list) this.#missed.set(database, (list = []));
      list.push(...parts);
      return;
    }
    if (this.#scheduled) return; // the coming run sees this change anyway
    if (this.#readSets.get(database)?.intersects(changes)) this.#schedule();
  }

  /** Runs the querier in a task of its own, in a new run's context. */
  #schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    const run = new LiveQueryRun();
    runInContext(run, () => {
      this.#scheduled = false;
      void this.#run(run);
    });
  }

  /** Called in `run`'s context, at the start of its task. */
  async #run(run: LiveQueryRun): Promise<void> {
    if (this.#closed || this.#running) {
      run.dispose();
      return;
    }
    this.#running = true;
    runsInFlight.add(run);
    let value: T | undefined;
    let failure: unknown;
    let failed = false;
    try {
      this.#onRun?.();
      value = await this.#querier();
    } catch (error) {
      failed = true;
      failure = error;
    }
    // The observer (and whatever it resumes) must never run as part of the live query.
    exitContext();
    runEnded(run);
    this.#running = false;
    if (this.#closed) {
      run.dispose();
      return;
    }
    this.#readSets = run.readSets;
    const again = this.#matchMissed();
    if (failed) {
      this.#sink.error(failure);
    } else if (!this.#hasResult || !this.#sameAsLast(value)) {
      this.#hasResult = true;
      this.#last = value;
      this.#lastBytes = encodedOrUndefined(value);
      this.#sink.next(value as T);
    }
    if (again) this.#schedule();
  }

  /** Whether `value` equals the last result emitted, as it was when emitted. */
  #sameAsLast(value: unknown): boolean {
    if (this.#lastBytes) {
      const bytes = encodedOrUndefined(value);
      if (bytes) return sameBytes(bytes, this.#lastBytes);
    }
    return deepEqual(value, this.#last);
  }

  /** Whether a change that arrived during the run touched what the run read. */
  #matchMissed(): boolean {
    const missed = this.#missed;
    this.#missed = new Map();
    for (const [database, parts] of missed) {
      const reads = this.#readSets.get(database);
      if (!reads) continue;
      if (reads.intersects(changeSetOf(parts))) return true;
    }
    return false;
  }
}

export interface LiveQueryOptions {
  /** Called each time the querier starts running (for counting re-runs: the demo's inspector, tests). */
  onRun?: () => void;
}

/**
 * An Observable of `querier`'s result, re-run whenever something it read
 * changes (Dexie's liveQuery). Each subscription runs the querier on its own.
 */
export function liveQuery<T>(querier: () => T | Promise<T>, options: LiveQueryOptions = {}): Observable<T> {
  return new Observable<T>((sink) => {
    const subscription = new LiveSubscription(querier, sink, options.onRun);
    subscription.start();
    return () => subscription.close();
  });
}

/** `value` in the value codec's bytes, or undefined if it holds what the codec cannot store. */
function encodedOrUndefined(value: unknown): Uint8Array | undefined {
  try {
    return encodeValue(value);
  } catch {
    return undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
