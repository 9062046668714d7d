// transactions/async-context.ts: which transaction the running code belongs to,
// across `await`s, without patching Promise.
//
// Browsers have no async context yet (AsyncContext is a TC39 proposal), and
// native `await` continuations carry none. Dexie re-creates one by patching
// the global Promise and "echoing" zones across microtasks, which leaks into
// unrelated code and breaks when a scope awaits anything else. indexie uses
// one fact instead: at the start of a task the microtask queue is empty, so
// every microtask that runs until the queue drains again descends from that
// task's own code.
//
// The contract:
//   - runInContext(ctx, fn) runs fn in a fresh task with `ctx` current, and ctx
//     stays current for the microtasks that follow (the "window": up to
//     WINDOW_HOPS microtask generations after the last settle in it).
//   - callInContext(ctx, fn): library promises settle through this. If ctx is
//     already current, fn runs now (and the window is extended); otherwise fn
//     runs in a fresh task of its own with ctx current. So the code after
//     `await <library promise>` always runs in the context the call was made in.
//   - Between tasks the context is always null: code started by anything else
//     (events, timers, other awaits) never sees a transaction.
//   - Promises the public API returns are IndexiePromises: their then()
//     callbacks run in the context of the code that called then() (for
//     `await p`, the awaiting code), not of the code that created them. So a
//     promise made inside a transaction scope and awaited outside it resumes
//     its awaiter outside.
// The limit: after awaiting a promise that is not indexie's (fetch, a timer),
// the continuation runs in another task with no context; Indexie.waitFor()
// brings the context back.

import { TimeoutError } from '../errors.js';

export type Context = object | null;

/** Microtask generations a context stays current after its last settle. */
const WINDOW_HOPS = 100;

let current: Context = null;
let hopsLeft = 0;
let hopping = false;

export function currentContext(): Context {
  return current;
}

function hop(): void {
  if (--hopsLeft > 0) {
    queueMicrotask(hop);
    return;
  }
  hopping = false;
  current = null;
}

function openWindow(ctx: Context): void {
  current = ctx;
  if (ctx === null) return;
  hopsLeft = WINDOW_HOPS;
  if (!hopping) {
    hopping = true;
    queueMicrotask(hop);
  }
}

/** Runs fn as a new task: the microtask queue is empty when it starts. */
export const postTask: (fn: () => void) => void = (() => {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === 'function')
    return (fn) => {
      g.setImmediate!(fn);
    };
  if (typeof MessageChannel === 'function') {
    const channel = new MessageChannel();
    const queue: Array<() => void> = [];
    channel.port1.onmessage = () => queue.shift()!();
    return (fn) => {
      queue.push(fn);
      channel.port2.postMessage(null);
    };
  }
  return (fn) => {
    setTimeout(fn, 0);
  };
})();

/** Pending callbacks per context, so one task runs all of a context's settles. */
const batches = new Map<Context, Array<() => void>>();

export function runInContext(ctx: Context, fn: () => void): void {
  const batch = batches.get(ctx);
  if (batch) {
    batch.push(fn);
    return;
  }
  batches.set(ctx, [fn]);
  postTask(() => {
    const fns = batches.get(ctx)!;
    batches.delete(ctx);
    // A task never inherits a context: the previous window has closed.
    current = null;
    openWindow(ctx);
    for (const each of fns) {
      try {
        each();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  });
}

/**
 * Ends the current context's window now: the code that follows (and the
 * microtasks it queues) runs outside any context. For code that was started
 * in a context and hands its result to outside code (a live query's observer).
 */
export function exitContext(): void {
  current = null;
}

/**
 * Runs fn now with no context (Dexie.ignoreTransaction): its table calls run
 * on their own, and so does what it awaits; the caller's context is back
 * when fn returns.
 */
export function runOutsideContext<R>(fn: () => R): R {
  const saved = current;
  current = null;
  try {
    return fn();
  } finally {
    current = saved;
  }
}

/**
 * Runs fn now with ctx current, and the caller's context back when fn
 * returns: for synchronous callbacks that belong to a transaction (CRUD
 * hooks). Not for async code: a continuation after its first await runs as a
 * microtask, after the caller's context is back (see runInContext instead).
 */
export function runNowInContext<R>(ctx: Context, fn: () => R): R {
  const saved = current;
  current = ctx;
  try {
    return fn();
  } finally {
    current = saved;
  }
}

/**
 * Calls fn in ctx: now if ctx is current (extending its window), else in a
 * task of ctx, and then the result is a promise of fn's result.
 */
export function callInContext<R>(ctx: Context, fn: () => R): R | Promise<R> {
  if (current === ctx) {
    if (ctx !== null) openWindow(ctx);
    return fn();
  }
  return new Promise<R>((resolve, reject) => {
    runInContext(ctx, () => {
      try {
        resolve(fn());
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** What Dexie's filtered catch takes: an error class, or an error name. */
export type ErrorFilter = (abstract new (...args: any[]) => Error) | string;

/**
 * The type of the promises the public API returns (Dexie's PromiseExtended):
 * a Promise whose catch() also takes an error class or an error name first,
 * handling only the errors that match (IndexiePromise below implements it).
 */
export interface PromiseExtended<T = any> extends Promise<T> {
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): PromiseExtended<R1 | R2>;
  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): PromiseExtended<T | R>;
  catch<R = never>(filter: ErrorFilter, onRejected: (reason: any) => R | PromiseLike<R>): PromiseExtended<T | R>;
  finally(onFinally?: (() => void) | null): PromiseExtended<T>;
}

/** A promise whose callbacks run in the context of whoever subscribed them (see the contract above). */
export class IndexiePromise<T> extends Promise<T> implements PromiseExtended<T> {
  /** Whether anyone subscribed to it (then/catch/finally/await): a rejection nobody observes is "uncaught". */
  observed = false;
  /** A table or collection operation's promise, or one a then() made on such a promise. */
  operation = false;
  /** Made by then() on an operation's promise (not an operation called by the app itself). */
  derived = false;

  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): PromiseExtended<R1 | R2> {
    const ctx = current;
    this.observed = true;
    // A handler that is not a function is ignored, as by native promises.
    const derived = super.then(
      typeof onFulfilled === 'function' ? (value) => callInContext(ctx, () => onFulfilled(value)) as R1 | PromiseLike<R1> : undefined,
      typeof onRejected === 'function' ? (reason) => callInContext(ctx, () => onRejected(reason)) as R2 | PromiseLike<R2> : undefined,
    );
    // The promise a then() makes on a table operation's promise carries its failure on: in a
    // transaction it is one of the transaction's operations too, so a failure that ends a chain
    // unhandled (then(fn) only, a throw in fn, a rethrow in catch) aborts the transaction, as in
    // Dexie. (Only operations' chains: a chain on tx.commit() must not hold up that commit.)
    if (this.operation && ctx !== null && derived instanceof IndexiePromise) {
      derived.operation = true;
      derived.derived = true;
      operationListener?.(ctx, derived as IndexiePromise<unknown>);
    }
    return derived as IndexiePromise<R1 | R2>; // Promise's species: then() on an IndexiePromise makes one
  }

  /**
   * catch(fn), and Dexie's filtered forms: catch(ErrorClass, fn) handles only
   * errors that are instances of ErrorClass, catch('ErrorName', fn) only
   * errors of that name; any other error passes through untouched.
   */
  override catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): PromiseExtended<T | R>;
  override catch<R = never>(filter: ErrorFilter, onRejected: (reason: any) => R | PromiseLike<R>): PromiseExtended<T | R>;
  override catch<R = never>(
    filterOrHandler?: ErrorFilter | ((reason: any) => R | PromiseLike<R>) | null,
    onRejected?: (reason: any) => R | PromiseLike<R>,
  ): PromiseExtended<T | R> {
    if (typeof onRejected !== 'function') return this.then(undefined, filterOrHandler as (reason: any) => R | PromiseLike<R>);
    const matches =
      typeof filterOrHandler === 'string'
        ? (error: unknown) => (error as { name?: unknown } | null)?.name === filterOrHandler
        : (error: unknown) => typeof filterOrHandler === 'function' && error instanceof filterOrHandler;
    return this.then(undefined, (error: unknown) => {
      if (matches(error)) return onRejected(error);
      throw error;
    });
  }

  override finally(onFinally?: (() => void) | null): PromiseExtended<T> {
    return super.finally(onFinally) as IndexiePromise<T>;
  }

  /** `promise` as an IndexiePromise. */
  static of<T>(promise: PromiseLike<T>): IndexiePromise<T> {
    return new IndexiePromise<T>((resolve, reject) => {
      promise.then(resolve, reject);
    });
  }
}

/** Told of every public promise made in a (non-null) context, when it is made; see setOperationListener. */
let operationListener: ((ctx: object, promise: IndexiePromise<unknown>) => void) | undefined;

/** The transaction layer listens here: it waits for its operations and aborts on failures nobody catches (Dexie's rule). */
export function setOperationListener(listener: typeof operationListener): void {
  operationListener = listener;
}

/**
 * Asked before a table or collection operation starts in a (non-null)
 * context: a promise to wait for first (the context's earlier operations,
 * still running), or undefined to start now. So operations in a transaction
 * run in the order they were called, awaited or not, as in IndexedDB.
 */
let operationGate: ((ctx: object) => Promise<unknown> | undefined) | undefined;
/** Operation bodies running their synchronous start now (see contextualAsyncMethods). */
let startingOperations = 0;

export function setOperationGate(gate: typeof operationGate): void {
  operationGate = gate;
}

/**
 * Replaces each async method of `prototype` by one returning an
 * IndexiePromise (the public API's promises). `operations`: they are table
 * or collection operations, whose then() chains a transaction follows.
 */
export function contextualAsyncMethods(prototype: object, options: { operations?: boolean } = {}): void {
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
    const method = descriptor.value;
    if (typeof method !== 'function' || method.constructor?.name !== 'AsyncFunction') continue;
    Object.defineProperty(prototype, name, {
      ...descriptor,
      value: function (this: unknown, ...args: unknown[]) {
        const ctx = current;
        // An operation that another one calls while starting (first() calling toArray()) is part
        // of it: it must not wait for its caller.
        const gated = options.operations === true && ctx !== null && startingOperations === 0;
        const wait = gated ? operationGate?.(ctx) : undefined;
        const start = (): Promise<unknown> => {
          startingOperations++;
          try {
            return method.apply(this, args) as Promise<unknown>;
          } finally {
            startingOperations--;
          }
        };
        const started = wait ? wait.then(() => callInContext(ctx, start)) : start();
        const promise = IndexiePromise.of(started);
        promise.operation = options.operations === true;
        if (ctx !== null) operationListener?.(ctx, promise);
        return promise;
      },
    });
  }
}

/**
 * Dexie's callback arguments ("then-shortcuts"): a method listed with the
 * position of its optional callback, e.g. toArray(cb) or get(key, cb),
 * resolves to cb(result) when that argument is a function. Apply after
 * contextualAsyncMethods, so the callback runs in the caller's context.
 */
export function thenShortcuts(prototype: object, callbackAt: Record<string, number>): void {
  for (const [name, position] of Object.entries(callbackAt)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
    const method = descriptor.value as (...args: unknown[]) => PromiseLike<unknown>;
    Object.defineProperty(prototype, name, {
      ...descriptor,
      value: function (this: unknown, ...args: unknown[]) {
        const callback = args[position];
        if (typeof callback !== 'function') return method.apply(this, args);
        return method.apply(this, args.slice(0, position)).then(callback as (value: unknown) => unknown);
      },
    });
  }
}

/** A promise that settles like `promise`, in the context of the caller. */
export function inCallerContext<T>(promise: Promise<T>): Promise<T> {
  const ctx = current;
  return new Promise<T>((resolve, reject) => {
    promise.then(
      (value) => void callInContext(ctx, () => resolve(value)),
      (error) => void callInContext(ctx, () => reject(error)),
    );
  });
}

/**
 * Awaits `promiseOrFunction` (a promise that is not indexie's) so that the
 * awaiting code resumes in its own context (Indexie.waitFor, tx.waitFor);
 * past `timeoutMs`, a TimeoutError, as in Dexie.
 */
export function waitFor<T>(promiseOrFunction: PromiseLike<T> | (() => PromiseLike<T>), timeoutMs?: number): Promise<T> {
  const promise = Promise.resolve(typeof promiseOrFunction === 'function' ? promiseOrFunction() : promiseOrFunction);
  if (timeoutMs === undefined) return IndexiePromise.of(promise);
  return IndexiePromise.of(
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutError(`waitFor(): not settled within ${timeoutMs} ms`)), timeoutMs);
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    }),
  );
}
