// live-query/observable.ts: the Observable that liveQuery() returns, in the
// shape of the TC39 Observable proposal that RxJS, Svelte and Dexie agree on.
//
// Guarantees:
//   - subscribe(observer) or subscribe(next, error, complete) returns a
//     Subscription with unsubscribe() and `closed`;
//   - after unsubscribe() (or complete) no callback is called again;
//   - [Symbol.observable]() (and '@@observable' where the symbol does not
//     exist) returns the observable itself, so RxJS's from() accepts it;
//   - the subscribe method also satisfies Svelte's store contract (a
//     function called with `next`, returning something with unsubscribe()).
// Errors do not end a live query: it keeps running, and a later success
// calls next again (Dexie's liveQuery behaves the same way).
// Types: Symbol.observable is declared globally exactly as RxJS and Dexie
// declare it, so TypeScript accepts `from(liveQuery(...))` too.

declare global {
  interface SymbolConstructor {
    /** The interop symbol of observables, where a library (RxJS, symbol-observable) installs it. */
    readonly observable: symbol;
  }
}

export interface Observer<T> {
  next?(value: T): void;
  error?(error: unknown): void;
  complete?(): void;
}

export interface Subscription {
  unsubscribe(): void;
  readonly closed: boolean;
}

/** The producer: starts producing for `sink`, returns what stops it. */
export type Producer<T> = (sink: Required<Observer<T>>) => () => void;

/** Symbol.observable where some library has installed it; RxJS also reads '@@observable'. */
const observableSymbol: symbol | string =
  (typeof Symbol === 'function' && (Symbol as { observable?: symbol }).observable) || '@@observable';

/** The interop method (defined on the prototype below): returns the observable itself. */
export interface Observable<T> {
  [Symbol.observable](): Observable<T>;
}

export class Observable<T> {
  readonly #produce: Producer<T>;

  constructor(produce: Producer<T>) {
    this.#produce = produce;
  }

  subscribe(
    observerOrNext?: Observer<T> | ((value: T) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    const observer: Observer<T> =
      typeof observerOrNext === 'function' || observerOrNext == null
        ? { next: observerOrNext ?? undefined, error: error ?? undefined, complete: complete ?? undefined }
        : observerOrNext;
    let closed = false;
    // Not const: a producer that completes synchronously calls unsubscribe() before stop is assigned.
    // eslint-disable-next-line prefer-const
    let stop: (() => void) | undefined;
    const subscription: Subscription = {
      unsubscribe() {
        if (closed) return;
        closed = true;
        stop?.();
      },
      get closed() {
        return closed;
      },
    };
    const report = (what: () => void): void => {
      try {
        what();
      } catch (thrown) {
        // An observer that throws must not break the producer: report it as uncaught.
        queueMicrotask(() => {
          throw thrown;
        });
      }
    };
    stop = this.#produce({
      next: (value) => {
        if (!closed) report(() => observer.next?.(value));
      },
      error: (failure) => {
        if (closed) return;
        if (observer.error) report(() => observer.error!(failure));
        else
          queueMicrotask(() => {
            throw failure;
          }); // nobody listens: an uncaught error, as in RxJS
      },
      complete: () => {
        if (closed) return;
        subscription.unsubscribe();
        report(() => observer.complete?.());
      },
    });
    if (closed) stop();
    return subscription;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'Observable {}';
  }
}

Object.defineProperty(Observable.prototype, observableSymbol, {
  value: function (this: Observable<unknown>) {
    return this;
  },
  configurable: true,
  writable: true,
});
if (observableSymbol !== '@@observable') {
  Object.defineProperty(Observable.prototype, '@@observable', {
    value: function (this: Observable<unknown>) {
      return this;
    },
    configurable: true,
    writable: true,
  });
}
