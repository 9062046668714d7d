// sync/outbox/transport.ts: how push and pull reach the server. Either the
// app's own functions (any backend), or HTTP to a server that speaks the
// protocol (protocol.ts) through fetch, with a timeout per request.
//
// Failures become SyncErrors whose `retryable` says whether the same request
// may succeed later: network errors, timeouts, 5xx, 408 and 429 are; other
// 4xx and answers that break the protocol are not (the controller still
// retries those, more slowly: a server fix or new headers may cure them).
import { SyncError } from '../../errors.js';
import {
  checkPullResponse,
  checkPushResponse,
  type PullRequest,
  type PullResponse,
  type PushRequest,
  type PushResponse,
} from './protocol.js';

export type PushFunction = (request: PushRequest) => Promise<PushResponse>;
export type PullFunction = (request: PullRequest) => Promise<PullResponse>;

export interface Transport {
  push(request: PushRequest): Promise<PushResponse>;
  pull(request: PullRequest): Promise<PullResponse>;
}

export interface HttpOptions {
  url: string;
  /** Extra request headers, or a function giving them per request (a fresh auth token). */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  fetch?: typeof fetch;
  timeout: number;
}

export function httpTransport(options: HttpOptions): Transport {
  const base = options.url.replace(/\/+$/, '');
  const request = async (what: string, path: string, init: RequestInit): Promise<unknown> => {
    const doFetch = options.fetch ?? globalThis.fetch;
    const extra = typeof options.headers === 'function' ? await options.headers() : (options.headers ?? {});
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeout);
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        ...init,
        headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...extra },
        signal: controller.signal,
      });
    } catch (error) {
      const timedOut = controller.signal.aborted;
      throw new SyncError(
        timedOut
          ? `${what}: no answer from ${base} within ${options.timeout} ms`
          : `${what}: cannot reach ${base} (${(error as Error)?.message ?? error})`,
        { retryable: true, cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new SyncError(`${what}: the connection to ${base} broke while reading the answer`, { retryable: true, cause: error });
    }
    if (!response.ok) {
      const status = response.status;
      const retryable = status >= 500 || status === 408 || status === 429;
      throw new SyncError(`${what}: the server answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`, { status, retryable });
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new SyncError(`${what}: the server's answer is not JSON`, { status: response.status });
    }
  };
  return {
    push: async (body) =>
      checkPushResponse(
        await request(`pushing ${body.changes.length} changes`, '/push', { method: 'POST', body: JSON.stringify(body) }),
        body,
      ),
    pull: async ({ table, cursor, limit }) => {
      const query = new URLSearchParams({ table, limit: String(limit) });
      if (cursor !== null) query.set('cursor', cursor);
      return checkPullResponse(await request(`pulling table '${table}'`, `/pull?${query}`, { method: 'GET' }));
    },
  };
}

/** The app's own push and pull functions, with their answers checked as the server's would be. */
export function functionTransport(push: PushFunction, pull: PullFunction): Transport {
  return {
    push: async (request) => checkPushResponse(await push(request), request),
    pull: async (request) => checkPullResponse(await pull(request)),
  };
}
