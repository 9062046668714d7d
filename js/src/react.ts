// react.ts: the `indexie/react` entry: useLiveQuery and useObservable with
// the signatures and semantics of dexie-react-hooks. React is a peer
// dependency (any React with hooks, 16.8 or later).
//
// Semantics (as dexie-react-hooks):
//   - useLiveQuery(querier, deps = [], defaultResult) subscribes to
//     liveQuery(querier) while the component is mounted and re-renders it
//     with each new result; it returns defaultResult until the first one.
//   - When `deps` change, the querier is subscribed anew; until the new
//     subscription's first result, the previous result stays (no flicker
//     back to the default).
//   - A querier error is thrown during render, so an error boundary can
//     catch it; a later successful result clears it.
import { useEffect, useMemo, useReducer, useRef } from 'react';

import { liveQuery } from './live-query/live-query.js';
import type { Observable } from './live-query/observable.js';

interface HookState<T> {
  hasResult: boolean;
  result: T | undefined;
  error: unknown;
  failed: boolean;
}

/**
 * What useObservable subscribes to: indexie's Observable, an RxJS observable
 * or subject, or anything with subscribe({next, error}) returning a
 * subscription or an unsubscribe function. One with getValue() (an RxJS
 * BehaviorSubject) gives its current value at the first render.
 */
export interface InteropObservable<T> {
  subscribe(observer: { next: (value: T) => void; error: (error: unknown) => void }): { unsubscribe(): void } | (() => void);
  getValue?(): T;
}

/**
 * useObservable(observable, defaultResult?), or useObservable(factory, deps,
 * defaultResult?) whose observable is made anew when `deps` change: the
 * latest value, re-rendering on each new one (dexie-react-hooks).
 */
export function useObservable<T>(observable: InteropObservable<T>): T | undefined;
export function useObservable<T, TDefault>(observable: InteropObservable<T>, defaultResult: TDefault): T | TDefault;
export function useObservable<T>(factory: () => InteropObservable<T> | Observable<T>, deps?: unknown[]): T | undefined;
export function useObservable<T, TDefault>(
  factory: () => InteropObservable<T> | Observable<T>,
  deps: unknown[],
  defaultResult: TDefault,
): T | TDefault;
export function useObservable<T, TDefault>(
  factoryOrObservable: (() => InteropObservable<T> | Observable<T>) | InteropObservable<T>,
  depsOrDefault?: unknown,
  defaultResult?: TDefault,
): T | TDefault | undefined {
  const isFactory = typeof factoryOrObservable === 'function';
  const deps = isFactory ? ((depsOrDefault as unknown[] | undefined) ?? []) : [factoryOrObservable];
  const fallback = (isFactory ? defaultResult : depsOrDefault) as TDefault | undefined;
  const state = useRef<HookState<T>>({ hasResult: false, result: undefined, error: undefined, failed: false });
  const [, render] = useReducer((n: number) => n + 1, 0);
  const observable = useMemo<InteropObservable<T>>(
    () => (typeof factoryOrObservable === 'function' ? factoryOrObservable() : factoryOrObservable),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's deps decide, as in useEffect
    deps,
  );
  // A subject with a current value (RxJS BehaviorSubject) shows it at once.
  if (!state.current.hasResult && typeof observable.getValue === 'function') {
    state.current = { hasResult: true, result: observable.getValue(), error: undefined, failed: false };
  }
  useEffect(() => {
    const subscription = observable.subscribe({
      next: (result) => {
        const current = state.current;
        if (current.hasResult && !current.failed && Object.is(current.result, result)) return;
        state.current = { hasResult: true, result, error: undefined, failed: false };
        render();
      },
      error: (error) => {
        state.current = { ...state.current, error, failed: true };
        render();
      },
    });
    return typeof subscription === 'function' ? subscription : () => subscription.unsubscribe();
  }, [observable]);
  if (state.current.failed) throw state.current.error;
  return state.current.hasResult ? state.current.result : fallback;
}

/** The querier's result, kept current by a live query (dexie-react-hooks' useLiveQuery). */
export function useLiveQuery<T>(querier: () => T | Promise<T>, deps?: unknown[]): T | undefined;
export function useLiveQuery<T, TDefault>(querier: () => T | Promise<T>, deps: unknown[], defaultResult: TDefault): T | TDefault;
export function useLiveQuery<T, TDefault>(
  querier: () => T | Promise<T>,
  deps: unknown[] = [],
  defaultResult?: TDefault,
): T | TDefault | undefined {
  return useObservable<T, TDefault | undefined>(() => liveQuery(querier), deps, defaultResult);
}
