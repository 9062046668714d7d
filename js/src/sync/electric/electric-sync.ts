// sync/electric/electric-sync.ts: table.syncElectric(): one Electric shape
// kept in one table, and the handle the app holds (status, stop()).
//
// The loop: read the stored position (shape-position-store.ts); request
// from it (offset -1 when there is none or the shape's definition changed);
// after a response, apply what it completed (apply-batch.ts):
//   - a snapshot page (offset 0_k) while first filling the table: applied
//     at once with the new offset, so a reload mid-snapshot resumes at the
//     next page (the first page's transaction clears the table);
//   - changes: buffered until an up-to-date, then applied as ONE transaction
//     with the offset and cursor;
//   - after a 409 must-refetch (or a changed definition): the whole new
//     snapshot is buffered and replaces the table's rows in ONE transaction
//     at its up-to-date, so live queries never see old and new rows mixed.
// After an up-to-date the loop goes live (long-poll, or SSE), the first
// request after a (re)start being non-live, as the protocol asks.
// Failures: network errors, 5xx and 429 are retried with capped exponential
// backoff and full jitter (backoff.ts), status 'offline'; a body cut off
// mid-way applies nothing and is retried from the last applied offset, as is
// a request silent for `timeout` ms (request-watchdog.ts); a 400 "offset out
// of bounds" (the server no longer knows the stored offset) refetches the
// shape as a 409 does;
// other 4xx and protocol errors call onError and set status 'error'; the
// sync stops unless onError returns 'retry' (e.g. after refreshing a
// token the `headers` function hands out). stop(), the `signal`, and
// db.close() abort the request in flight and end the loop.
// One sync per table at a time (a second is an InvalidArgumentError).
// Size: one loop whose state (position, fill mode, buffer, attempt) every
// response branch reads and writes; split up, that state would be passed
// around in pieces.
import type { TableHost } from '../../db/table-host.js';
import { AbortError, ElectricSyncError, InvalidArgumentError } from '../../errors.js';
import { Observable, type Observer, type Subscription } from '../../live-query/observable.js';
import { applyBatch, type ShapeChange } from './apply-batch.js';
import { backoffDelay, pause, platformOnline, retryAfterMs, type BackoffOptions } from './backoff.js';
import { readShapePosition, type ShapePosition } from './shape-position-store.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, readBodyText, RequestWatchdog } from './request-watchdog.js';
import { changeOffset, readShapeHeaders, shapeUrl, type ShapeParams } from './shape-request.js';
import { sseEvents } from './sse-reader.js';
import { rowParser, type ElectricParsers, type ElectricSchema } from './value-parser.js';

export type ElectricSyncStatus = 'initial-sync' | 'up-to-date' | 'live' | 'offline' | 'error';

export interface ElectricSyncOptions {
  /** The shape endpoint, e.g. https://electric.example.com/v1/shape (or a proxy of it). */
  url: string;
  params: ShapeParams;
  /** Headers for every request; a function is called before each request (a fresh token). */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** The fetch to use: the app's own client and its interceptors. Default: globalThis.fetch. */
  fetch?: typeof fetch;
  /** How to follow changes after the first up-to-date: 'long-poll' (default), 'sse', or false (stop there). */
  live?: 'long-poll' | 'sse' | false;
  /** Called with each error; return 'retry' to try again (after backoff), anything else stops the sync. */
  onError?: (error: Error) => 'retry' | void | Promise<'retry' | void>;
  /** Aborting it stops the sync, as stop() does. */
  signal?: AbortSignal;
  /** Per Postgres type: how to parse its text (value-parser.ts has the defaults). */
  parser?: ElectricParsers;
  backoff?: BackoffOptions;
  /** Ms a request may stay silent (no headers, no body bytes) before it is abandoned and retried. Default 45000. */
  timeout?: number;
}

/** What syncElectric() returns. */
export interface ElectricSync {
  readonly status: ElectricSyncStatus;
  /** When the last up-to-date was applied. */
  readonly lastSyncedAt: Date | undefined;
  /** status is 'up-to-date' or 'live'. */
  readonly isUpToDate: boolean;
  /** The last error reported (cleared by the next success). */
  readonly error: Error | undefined;
  /** An Observable of the status: the current one first, then each change. */
  readonly statuses: Observable<ElectricSyncStatus>;
  /** Shorthand for statuses.subscribe(). */
  subscribe(observer: Observer<ElectricSyncStatus> | ((status: ElectricSyncStatus) => void)): Subscription;
  /** Resolves once the table holds the shape as of an up-to-date; rejects if the sync stops first. */
  whenUpToDate(): Promise<void>;
  /** Stops: aborts the request in flight; resolves when nothing more will be written. */
  stop(): Promise<void>;
}

const running = new WeakMap<object, ElectricSync>();

/** Starts syncing `table` (of `host`) from the shape `options` describe. */
export function startElectricSync(table: string, host: TableHost, options: ElectricSyncOptions): ElectricSync {
  if (!options || typeof options.url !== 'string') throw new InvalidArgumentError('syncElectric() needs { url, params: { table } }');
  if (!options.params || typeof options.params.table !== 'string' || options.params.table === '') {
    throw new InvalidArgumentError('syncElectric() needs params.table: the Postgres table of the shape');
  }
  if (options.live !== undefined && options.live !== false && options.live !== 'sse' && options.live !== 'long-poll') {
    throw new InvalidArgumentError(`syncElectric(): live must be 'long-poll', 'sse' or false, not ${String(options.live)}`);
  }
  if (options.timeout !== undefined && !(typeof options.timeout === 'number' && options.timeout > 0)) {
    throw new InvalidArgumentError(`syncElectric(): timeout must be a positive number of ms, not ${String(options.timeout)}`);
  }
  if (running.has(host.hooks)) {
    throw new InvalidArgumentError(`table '${table}' is already synced by a shape: stop() it first (one shape per table; see README)`);
  }
  const sync = new ShapeSync(table, host, options);
  return sync;
}

class ShapeSync implements ElectricSync {
  #status: ElectricSyncStatus = 'initial-sync';
  #lastSyncedAt: Date | undefined;
  #error: Error | undefined;
  readonly #listeners = new Set<(status: ElectricSyncStatus) => void>();
  readonly #aborter = new AbortController();
  #watchdog: RequestWatchdog | undefined; // the request in flight's
  readonly #upToDate: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void };
  readonly statuses: Observable<ElectricSyncStatus>;
  readonly done: Promise<void>;

  constructor(
    readonly table: string,
    readonly host: TableHost,
    readonly options: ElectricSyncOptions,
  ) {
    let resolve!: () => void, reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => {}); // nobody need ask
    this.#upToDate = { promise, resolve, reject };
    this.statuses = new Observable((sink) => {
      sink.next(this.#status);
      this.#listeners.add(sink.next);
      return () => this.#listeners.delete(sink.next);
    });
    const stopOnAbort = (): void => void this.stop();
    options.signal?.addEventListener('abort', stopOnAbort);
    const stopOnClose = host.onClose(stopOnAbort);
    this.done = this.#run()
      .catch((error: unknown) => {
        if (!this.#aborter.signal.aborted) this.#fail(error as Error);
      })
      .finally(() => {
        this.#watchdog?.done();
        running.delete(host.hooks); // before whenUpToDate() rejects: a caller may start another at once
        stopOnClose();
        options.signal?.removeEventListener('abort', stopOnAbort);
        this.#upToDate.reject(this.#error ?? new AbortError(`syncElectric() on '${this.table}' stopped before it was up to date`));
      });
    running.set(host.hooks, this);
    if (options.signal?.aborted) stopOnAbort();
  }

  get status(): ElectricSyncStatus {
    return this.#status;
  }
  get lastSyncedAt(): Date | undefined {
    return this.#lastSyncedAt;
  }
  get isUpToDate(): boolean {
    return this.#status === 'up-to-date' || this.#status === 'live';
  }
  get error(): Error | undefined {
    return this.#error;
  }
  subscribe(observer: Observer<ElectricSyncStatus> | ((status: ElectricSyncStatus) => void)): Subscription {
    return this.statuses.subscribe(observer);
  }
  whenUpToDate(): Promise<void> {
    return this.#upToDate.promise;
  }
  async stop(): Promise<void> {
    this.#aborter.abort();
    await this.done;
  }

  #setStatus(status: ElectricSyncStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of [...this.#listeners]) listener(status);
  }

  #fail(error: Error): void {
    this.#error = error;
    this.#setStatus('error');
  }

  /** Reports a non-retryable error: true when onError asks to retry. */
  async #reportError(error: Error): Promise<boolean> {
    this.#fail(error);
    const answer = await this.options.onError?.(error);
    return answer === 'retry' && !this.#aborter.signal.aborted;
  }

  async #run(): Promise<void> {
    const { table, host, options } = this;
    const signal = this.#aborter.signal;
    const definition = JSON.stringify([options.url.split('?')[0], options.params]);
    const stored = await readShapePosition(await host.engine(), table);
    const resumed = stored?.shape === definition ? stored : undefined;
    // Where the next request starts; `applied` is what the database holds.
    let handle = resumed?.handle;
    let offset = resumed?.offset ?? '-1';
    let cursor = resumed?.cursor ?? '';
    let schema: ElectricSchema | undefined = resumed?.schema;
    let snapshotDone = resumed?.live ?? false;
    /** 'page': first fill, pages applied as they come (the first clears); 'swap': buffered, replaces at up-to-date. */
    let fill: 'page' | 'swap' | undefined = resumed ? undefined : stored ? 'swap' : 'page';
    let clearPending = fill !== undefined;
    let buffer: ShapeChange[] = [];
    let applied = { handle, offset, cursor };
    let wentLive = false; // an up-to-date reached in this run: the next request may be live
    let attempt = 0;
    let watchdog: RequestWatchdog | undefined;
    const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);

    const resetTo = (newHandle: string | undefined, mode: 'swap'): void => {
      handle = newHandle;
      offset = '-1';
      cursor = '';
      schema = undefined;
      snapshotDone = false;
      fill = mode;
      clearPending = true;
      buffer = [];
      wentLive = false;
      this.#setStatus('initial-sync');
    };
    const position = (live: boolean): ShapePosition => ({
      shape: definition,
      handle: handle!,
      offset,
      cursor,
      live,
      schema: schema ?? {},
      syncedAt: this.#lastSyncedAt?.getTime(),
    });
    const commit = async (live: boolean): Promise<void> => {
      await applyBatch(host, table, buffer, position(live), clearPending);
      buffer = [];
      clearPending = false;
      applied = { handle, offset, cursor };
    };
    const parse = (message: Record<string, any>): ShapeChange => {
      if (!schema) throw new ElectricSyncError('a shape change arrived before any electric-schema header');
      return {
        operation: message.headers.operation,
        key: String(message.key),
        value: rowParser(schema, options.parser)(message.value ?? {}),
      };
    };
    const reachedUpToDate = async (): Promise<void> => {
      snapshotDone = true;
      this.#lastSyncedAt = new Date();
      await commit(true);
      fill = undefined;
      wentLive = true;
      this.#error = undefined;
      this.#setStatus('up-to-date');
      this.#upToDate.resolve();
    };

    for (; !signal.aborted; watchdog?.done()) {
      const live = wentLive && options.live !== false ? (options.live ?? 'long-poll') : false;
      if (wentLive && options.live === false) return;
      if (!platformOnline()) {
        this.#setStatus('offline');
        await pause(backoffDelay(attempt++, options.backoff), signal);
        continue;
      }
      let response: Response;
      this.#watchdog = watchdog = new RequestWatchdog(signal, options.timeout ?? DEFAULT_REQUEST_TIMEOUT_MS);
      try {
        const headers = typeof options.headers === 'function' ? await options.headers() : (options.headers ?? {});
        const url = shapeUrl(options.url, options.params, { offset, handle, cursor }, live);
        const init = { headers: live === 'sse' ? { ...headers, accept: 'text/event-stream' } : headers, signal: watchdog.signal };
        response = await fetchFn(url, init);
        watchdog.alive();
      } catch (error) {
        if (signal.aborted) return;
        this.#error = watchdog.timedOut ? timeoutError(watchdog.ms) : (error as Error);
        this.#setStatus('offline'); // network failure: retry
        await pause(backoffDelay(attempt++, options.backoff), signal);
        continue;
      }
      if (response.status === 409) {
        await response.body?.cancel().catch(() => {});
        resetTo(response.headers.get('electric-handle') ?? undefined, 'swap');
        continue;
      }
      if (response.status >= 500 || response.status === 429) {
        await response.body?.cancel().catch(() => {});
        this.#error = new ElectricSyncError(`the shape server answered ${response.status}`, { status: response.status });
        this.#setStatus('offline');
        await pause(backoffDelay(attempt++, options.backoff, retryAfterMs(response.headers.get('retry-after'))), signal);
        continue;
      }
      if (response.status >= 400 || response.status < 200) {
        const text = await response.text().catch(() => '');
        if (response.status === 400 && offsetOutOfBounds(text)) {
          // The server no longer knows the stored offset (Electric answers 400 for it): refetch, as after a 409.
          this.#error = new ElectricSyncError(`the shape server no longer knows offset ${offset}: refetching`, { status: 400 });
          resetTo(undefined, 'swap');
          continue;
        }
        const error = new ElectricSyncError(`the shape server refused the request: ${response.status} ${text.slice(0, 200)}`, {
          status: response.status,
        });
        if (!(await this.#reportError(error))) return;
        await pause(backoffDelay(attempt++, options.backoff), signal);
        continue;
      }
      try {
        const meta = readShapeHeaders(response, live !== false);
        if (handle !== undefined && meta.handle !== handle && offset !== '-1') {
          // A response for another handle than asked for (a stale cache): start over on the new one.
          resetTo(meta.handle, 'swap');
          continue;
        }
        handle = meta.handle;
        if (meta.schema) schema = meta.schema;
        if (live === 'sse') {
          this.#setStatus('live'); // the stream is open: changes arrive as they are committed
          await this.#followSse(response, watchdog, {
            onChange: (m) => buffer.push(parse(m)),
            onUpToDate: async (lastChange) => {
              if (lastChange) offset = lastChange;
              if (meta.cursor) cursor = meta.cursor;
              await reachedUpToDate();
              this.#setStatus('live');
              attempt = 0;
            },
          });
        } else {
          const body = await readBodyText(response, watchdog);
          let messages: Array<Record<string, any>>;
          try {
            messages = JSON.parse(body || '[]');
          } catch (error) {
            throw Object.assign(new Error('the response body was cut off or is not JSON'), { retryable: true, cause: error });
          }
          let upToDate = meta.upToDate;
          for (const message of messages) {
            if (message.headers?.control === 'up-to-date') upToDate = true;
            else if (message.headers?.operation) buffer.push(parse(message));
          }
          offset = meta.offset;
          if (meta.cursor !== undefined) cursor = meta.cursor;
          if (upToDate) {
            await reachedUpToDate();
            if (live) this.#setStatus('live');
          } else if (fill === 'page' && !snapshotDone && offset.startsWith('0_')) {
            await commit(false); // a snapshot page, kept at once: a reload resumes after it
          }
        }
        attempt = 0;
        if (this.#status === 'offline' || this.#status === 'error') this.#setStatus(snapshotDone ? 'live' : 'initial-sync');
      } catch (error) {
        if (signal.aborted) return;
        const retryable = (error as { retryable?: boolean }).retryable || error instanceof TypeError;
        if (retryable || (error as Error).name === 'AbortError' || watchdog.timedOut) {
          // Cut off mid-body, or silent too long: drop what was not applied and ask again from there.
          ({ handle, offset, cursor } = { handle: applied.handle ?? handle, offset: applied.offset ?? '-1', cursor: applied.cursor ?? '' });
          if (fill === 'swap') resetTo(handle, 'swap');
          buffer = [];
          this.#error = watchdog.timedOut ? timeoutError(watchdog.ms) : (error as Error);
          this.#setStatus('offline');
          await pause(backoffDelay(attempt++, options.backoff), signal);
          continue;
        }
        if (!(await this.#reportError(error as Error))) return;
        await pause(backoffDelay(attempt++, options.backoff), signal);
      }
    }
  }

  /** Reads an SSE response: changes, and at each up-to-date the offset of the last change (if any). */
  async #followSse(
    response: Response,
    watchdog: RequestWatchdog,
    handlers: { onChange: (message: Record<string, any>) => void; onUpToDate: (lastChange: string | undefined) => Promise<void> },
  ): Promise<void> {
    if (!response.body) return;
    let lastChange: string | undefined;
    for await (const data of sseEvents(response.body, () => watchdog.alive())) {
      let message: Record<string, any>;
      try {
        message = JSON.parse(data);
      } catch (error) {
        throw new ElectricSyncError('an SSE event of the shape stream is not JSON', { cause: error });
      }
      if (message.headers?.control === 'up-to-date') {
        await handlers.onUpToDate(lastChange);
        lastChange = undefined;
      } else if (message.headers?.operation) {
        handlers.onChange(message);
        lastChange = changeOffset(message.headers) ?? lastChange;
      }
    }
  }
}

const timeoutError = (ms: number): ElectricSyncError => new ElectricSyncError(`the shape request was silent for ${ms} ms: retrying`);

/** Electric's answer to an offset past the shape's log: 400 {"errors":{"offset":["out of bounds for this shape"]}}. */
function offsetOutOfBounds(body: string): boolean {
  try {
    const offsetErrors = (JSON.parse(body) as { errors?: { offset?: unknown } }).errors?.offset;
    return Array.isArray(offsetErrors) && offsetErrors.some((e) => /out of bounds/i.test(String(e)));
  } catch {
    return false;
  }
}
