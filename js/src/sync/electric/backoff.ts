// sync/electric/backoff.ts: how long to wait before retrying a failed
// request, and an abortable wait that ends early when the browser comes
// back online.
//
// Capped exponential backoff with full jitter (as @electric-sql/client):
// attempt n (from 0) waits random(0, min(maxMs, initialMs * 2^n)), never
// less than the server's Retry-After. Attempts are counted by the caller and
// reset after a success.

export interface BackoffOptions {
  /** First delay cap (ms). Default 1000. */
  initialMs?: number;
  /** Largest delay cap (ms). Default 32000. */
  maxMs?: number;
}

/** The delay before retry `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, retryAfterMs = 0): number {
  const initial = options.initialMs ?? 1000;
  const max = options.maxMs ?? 32_000;
  const cap = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.max(retryAfterMs, Math.random() * cap);
}

/** Retry-After as milliseconds (seconds or an HTTP date), capped at an hour; 0 when absent. */
export function retryAfterMs(header: string | null): number {
  if (!header) return 0;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 3_600_000) : 0;
}

/**
 * Resolves after `ms`, or as soon as `signal` aborts or the global `online`
 * event fires (where there is one: page and Worker), whichever is first.
 */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const target = globalThis as unknown as Partial<EventTarget>;
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      target.removeEventListener?.('online', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
    target.addEventListener?.('online', done);
  });
}

/** False only where the platform says it is offline (navigator.onLine in pages and Workers). */
export function platformOnline(): boolean {
  const nav = (globalThis as { navigator?: { onLine?: boolean } }).navigator;
  return nav?.onLine !== false;
}
