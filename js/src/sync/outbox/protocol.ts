// sync/outbox/protocol.ts: the REST sync protocol, version 1, as types, and
// the checks every server answer passes before the client acts on it (an
// answer that breaks the protocol is a SyncError, and changes nothing).
// The protocol's prose (endpoints, status codes, idempotency, cursors,
// versions) is README.md "Sync with a REST server: the protocol";
// sync-server/reference-server.mjs implements it.
import { SyncError } from '../../errors.js';
import type { SyncKey } from './tables.js';

/** One change as pushed (POST <url>/push, body { clientId, changes }). */
export interface WireChange {
  id: string;
  table: string;
  key: SyncKey;
  op: 'put' | 'delete';
  value?: Record<string, unknown>;
  fields: string[];
  baseVersion: number | null;
  /** The device's previous change of this record, sent before: no conflict if it is the server's latest (README). */
  parentId?: string;
  clientTime: string;
}

export interface PushRequest {
  clientId: string;
  changes: WireChange[];
}

/** The server's record as a conflict reports it (or as a pull delivers it). */
export interface ServerRecord {
  version: number | null;
  modifiedAt: string | null;
  deleted: boolean;
  value: Record<string, unknown> | null;
}

export type PushResult =
  | { id: string; status: 'applied' | 'duplicate'; version: number; modifiedAt: string }
  | { id: string; status: 'conflict'; current: ServerRecord }
  | { id: string; status: 'rejected'; reason: string };

export interface PushResponse {
  results: PushResult[];
}

export interface PullRequest {
  table: string;
  /** The cursor the previous pull returned; null for the first pull. */
  cursor: string | null;
  limit: number;
}

export interface PulledChange {
  key: SyncKey;
  value: Record<string, unknown> | null;
  deleted: boolean;
  version: number;
  modifiedAt: string;
  /** The id of the change that wrote this version (a client recognizes its own). */
  changeId?: string;
}

export interface PullResponse {
  changes: PulledChange[];
  cursor: string;
  hasMore: boolean;
}

function broken(what: string): SyncError {
  return new SyncError(`the sync server's answer breaks the protocol: ${what}`);
}

function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Checks a push response against the request: one result per change, each well formed. */
export function checkPushResponse(response: unknown, request: PushRequest): PushResponse {
  if (!isObject(response) || !Array.isArray(response.results)) throw broken('a push response needs a "results" array');
  const sent = new Set(request.changes.map((change) => change.id));
  for (const result of response.results as unknown[]) {
    if (!isObject(result) || typeof result.id !== 'string' || !sent.has(result.id))
      throw broken('a push result names a change that was not sent');
    if (result.status === 'applied' || result.status === 'duplicate') {
      if (!Number.isSafeInteger(result.version)) throw broken(`push result ${result.id}: "version" must be an integer`);
    } else if (result.status === 'conflict') {
      if (!isObject(result.current)) throw broken(`push result ${result.id}: a conflict needs "current"`);
    } else if (result.status !== 'rejected') {
      throw broken(`push result ${result.id}: unknown status ${JSON.stringify(result.status)}`);
    }
  }
  return response as unknown as PushResponse;
}

export function checkPullResponse(response: unknown): PullResponse {
  if (!isObject(response) || !Array.isArray(response.changes)) throw broken('a pull response needs a "changes" array');
  if (typeof response.cursor !== 'string') throw broken('a pull response needs a string "cursor"');
  if (typeof response.hasMore !== 'boolean') throw broken('a pull response needs a boolean "hasMore"');
  for (const change of response.changes as unknown[]) {
    if (!isObject(change) || !Number.isSafeInteger(change.version)) throw broken('a pulled change needs an integer "version"');
    if (!change.deleted && !isObject(change.value)) throw broken('a pulled change that is not deleted needs a "value" object');
  }
  return response as unknown as PullResponse;
}
