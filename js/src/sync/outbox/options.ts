// sync/outbox/options.ts: db.sync()'s options, checked: a wrong option is an
// InvalidArgumentError naming it, before anything starts.
import { InvalidArgumentError } from '../../errors.js';
import { checkStrategy, type ConflictStrategy } from './conflicts.js';
import type { PullFunction, PushFunction } from './transport.js';

export interface SyncOptions {
  /** The base URL of a server speaking the protocol (README "Sync with a REST server"): <url>/push, <url>/pull. */
  url?: string;
  /** Instead of `url`: the app's own functions for any other backend (both, or neither). */
  push?: PushFunction;
  pull?: PullFunction;
  /** The tables to sync (each must exist, with a primary key that is not auto-incremented). */
  tables: string[];
  /** What to do when both sides changed a record; default 'remote-wins'. */
  conflictResolution?: ConflictStrategy;
  /** Sync at start and whenever the browser comes back online; default true. */
  syncOnConnect?: boolean;
  /** Sync every `interval` ms (0: only on demand, on connect and after local writes); default 30000. */
  interval?: number;
  /** Push soon after each local write (debounced by this many ms; false: not at all); default 50. */
  pushDelay?: number | false;
  /** Request headers (or a function giving them per request). */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** The fetch to use (default: globalThis.fetch). */
  fetch?: typeof fetch;
  /** Changes per push request; default 100. */
  batchSize?: number;
  /** Changes per pull page; default 200. */
  pullLimit?: number;
  /** Per-request timeout in ms; default 30000. */
  timeout?: number;
  /** Backoff after a failure: the first delay and the cap, in ms; default 1000 and 60000. */
  retryDelay?: number;
  maxRetryDelay?: number;
}

export interface CheckedOptions {
  url?: string;
  push?: PushFunction;
  pull?: PullFunction;
  tables: string[];
  conflictResolution: ConflictStrategy;
  syncOnConnect: boolean;
  interval: number;
  pushDelay: number | false;
  headers?: SyncOptions['headers'];
  fetch?: typeof fetch;
  batchSize: number;
  pullLimit: number;
  timeout: number;
  retryDelay: number;
  maxRetryDelay: number;
}

function count(name: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`db.sync(): ${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkOptions(options: SyncOptions): CheckedOptions {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('db.sync() takes an options object');
  const functions = options.push !== undefined || options.pull !== undefined;
  if (functions && (typeof options.push !== 'function' || typeof options.pull !== 'function')) {
    throw new InvalidArgumentError('db.sync(): give both push and pull functions, or a url');
  }
  if (!functions && (typeof options.url !== 'string' || options.url.length === 0)) {
    throw new InvalidArgumentError("db.sync(): give the server's url, or push and pull functions");
  }
  if (functions && options.url !== undefined) throw new InvalidArgumentError('db.sync(): give a url or push/pull functions, not both');
  if (!Array.isArray(options.tables) || options.tables.length === 0 || !options.tables.every((t) => typeof t === 'string')) {
    throw new InvalidArgumentError('db.sync(): tables must be a non-empty array of table names');
  }
  if (options.pushDelay !== undefined && options.pushDelay !== false) count('pushDelay', options.pushDelay, 0, 0);
  return {
    url: options.url,
    push: options.push,
    pull: options.pull,
    tables: [...new Set(options.tables)],
    conflictResolution: checkStrategy(options.conflictResolution),
    syncOnConnect: options.syncOnConnect ?? true,
    interval: count('interval', options.interval, 30000, 0),
    pushDelay: options.pushDelay ?? 50,
    headers: options.headers,
    fetch: options.fetch,
    batchSize: count('batchSize', options.batchSize, 100, 1, 1000),
    pullLimit: count('pullLimit', options.pullLimit, 200, 1, 5000),
    timeout: count('timeout', options.timeout, 30000, 1),
    retryDelay: count('retryDelay', options.retryDelay, 1000, 1),
    maxRetryDelay: count('maxRetryDelay', options.maxRetryDelay, 60000, 1),
  };
}
