// tab-protocol.ts: the messages tabs exchange about one shared database
// engine (shared-engine.ts), the names of their channels and Web Locks, and
// the few byte-level facts both sides need (a batch as one Uint8Array;
// whether a 'begin' batch opened its transaction; errors across tabs).
//
// Addressing: every tab has an inbox, a BroadcastChannel named after the
// database and the tab's random id, for answers; the owner's engine has one
// more, for requests (ownerInboxName), which its Worker may listen on. A
// BroadcastChannel delivers to every object of its name, so a name only one
// context listens on is a point-to-point link: requests reach the owner
// alone, answers their client alone, and a big batch is cloned once, not
// once per tab. (MessagePorts cannot travel
// over BroadcastChannel; brokering a MessageChannel would need a
// SharedWorker or a service worker, a second script to ship, for no gain
// over this.) Announcements everyone needs (who owns the engine, change
// sets) go over the database's control channel.
//
// Order: messages from one channel object to another arrive in the order
// they were posted, so a client's batches reach the owner in call order.
import { ConnectionLostError, DatabaseClosedError, IndexieError, QuotaExceededError, engineError } from '../errors.js';
import type { TransactionSpan } from '../engine/engine-host.js';
import { responseResults, type EncodedRequest } from '../engine/requests.js';

/** Held by the owner for as long as it runs the engine (its tab's open database). */
export const ownerLockName = (name: string): string => `indexie-owner:${name}`;
/** Held by every tab using the shared engine for as long as it does: the owner probes it to learn a tab is gone. */
export const clientLockName = (name: string, client: string): string => `indexie-client:${name}:${client}`;
/** Ownership announcements and change sets, heard by every tab of the database. */
export const controlChannelName = (name: string): string => `indexie-tabs:${name}`;
/** One tab's inbox: the owner's answers to its requests. */
export const inboxChannelName = (name: string, tab: string): string => `indexie-tabs:${name}:${tab}`;
/**
 * The engine's inbox while `tab` owns it: every client's requests. Whoever
 * runs the owner listens on it: the tab itself, or the engine's Worker
 * (worker/owner-in-worker.ts), so that other tabs' requests reach the engine
 * without a hop through the owner tab's main thread. It stays open
 * OWNER_INBOX_LINGER_MS after the owner closed, answering late requests
 * 'notrun' (their clients resend them to the next owner).
 */
export const ownerInboxName = (name: string, tab: string): string => `indexie-tabs:${name}:${tab}:engine`;

/** How long a closed owner's engine inbox keeps answering late requests 'notrun'. */
export const OWNER_INBOX_LINGER_MS = 2000;

/** Client -> owner, on the owner's engine inbox. */
export type ToOwner =
  | {
      t: 'req';
      from: string;
      session: number;
      file: string;
      /** The session's slot among the client's open sessions of `file` (engine-owner.ts: lanes). */
      slot: number;
      id: number;
      span: TransactionSpan | undefined;
      operations: number;
      bytes: Uint8Array;
      /** A batch marked 'begin' the client answered itself, to run first (request-router.ts: begins travel with the next batch). */
      begin?: { bytes: Uint8Array; operations: number };
    }
  | { t: 'close'; from: string; session: number }
  | { t: 'ping'; from: string };

/** Owner -> client, on the client's inbox. */
export type ToClient =
  | { t: 'res'; owner: string; id: number; bytes: Uint8Array }
  | { t: 'err'; owner: string; id: number; name: string; message: string }
  | { t: 'pong'; owner: string }
  /** The owner was closing and never ran request `id`: the client sends it to the next owner. */
  | { t: 'notrun'; owner: string; id: number };

/** On the control channel. */
export type Announcement =
  /** `owner` runs the engine from now on; epochs only grow (a stale announcement is ignored). */
  | { t: 'owner'; owner: string; epoch: number }
  /** A tab that just opened asks the owner to announce itself again. */
  | { t: 'who'; from: string }
  /** The owner closed; it never started these requests ([client, id]): their clients send them to the next owner. */
  | { t: 'bye'; owner: string; notRun: Array<[string, number]> }
  /** A change set (change_set.h wire format) that `from` committed. */
  | { t: 'changes'; from: string; bytes: Uint8Array }
  /** `from` upgraded the database's schema to `version`. */
  | { t: 'version'; from: string; version: number };

/** A random id for a tab (crypto.randomUUID where there is one). */
export function randomTabId(): string {
  const crypto = globalThis.crypto as Crypto | undefined;
  if (crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

/** The batch's bytes as one array (a copy: the caller reuses its parts). */
export function concatRequest(request: EncodedRequest): Uint8Array {
  const bytes = new Uint8Array(request.length);
  let offset = 0;
  for (const part of request.parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

/** A batch received as one array, in the shape hosts take. */
export function requestOf(bytes: Uint8Array, operations: number): EncodedRequest {
  return { parts: [bytes], length: bytes.length, operations };
}

/**
 * Whether a batch's last operation succeeded. For a batch marked 'begin':
 * whether it opened its transaction (its last operation is the begin:
 * engine.ts sends deferred operations in front of it; a failed begin leaves
 * no transaction, so no batch marked 'end' will follow).
 */
export function lastOperationSucceeded(response: Uint8Array, operations: number): boolean {
  try {
    const results = responseResults({ parts: [], length: 0, operations }, response);
    const last = results[results.length - 1] as unknown[] | undefined;
    return Array.isArray(last) && last[0] === true;
  } catch {
    return false;
  }
}

/**
 * An answer of `operations` successes without values ([true, null] each):
 * what a client answers a batch marked 'begin' with before sending it
 * (engine.ts reads only the begin's result, and only whether it failed).
 */
export function successes(operations: number): Uint8Array {
  const head = operations < 24 ? [0x80 | operations] : operations < 256 ? [0x98, operations] : [0x99, operations >> 8, operations & 0xff];
  const bytes = new Uint8Array(head.length + operations * 3);
  bytes.set(head);
  for (let i = 0; i < operations; i++) bytes.set([0x82, 0xf5, 0xf6], head.length + i * 3);
  return bytes;
}

/** The message a request's lost answer rejects with. */
export function lostAnswerMessage(what: string): string {
  return `the tab running this database's engine ${what} before answering: the operation may or may not have been applied`;
}

/** An owner's host failure, as the client rethrows it (same class where the name is known). */
export function errorFromOwner(name: string, message: string): IndexieError {
  const text = `in the tab running this database's engine: ${message}`;
  switch (name) {
    case 'ConnectionLostError':
      return new ConnectionLostError(text);
    case 'DatabaseClosedError':
      return new DatabaseClosedError(text);
    case 'QuotaExceededError':
      return new QuotaExceededError(text);
    default:
      return engineError(name, text); // the engine's codes keep their class; anything else is an InternalError
  }
}

/** What crosses to the client for a failure: its name and message. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'InternalError', message: String(error) };
}
