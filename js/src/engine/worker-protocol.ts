// worker-protocol.ts: the messages between a page's WorkerEngineHost
// (worker-engine-host.ts) and the engine's Worker (worker/engine-worker.ts),
// and how an error crosses between them.
//
// Every request carries an `id`; the worker answers each request exactly
// once, with the same id, in the order the requests arrived. A request
// batch and its response travel as transferred ArrayBuffers (no copy by
// postMessage): the engine's bytes are the same bytes WasmEngineHost hands
// to wasm in process (requests.ts).
//
// An error crosses as its class name and message, and is rebuilt on the
// other side as the class of that name from errors.ts (so `instanceof
// ConstraintError` and `err.name` hold across the boundary); a name that is
// not indexie's (TypeError, a DOMException's name) becomes a plain Error
// with that name and message.
import * as errors from '../errors.js';
import { IndexieError } from '../errors.js';

/** Where the worker keeps the database: OPFS files, or wasm memory only. */
export type WorkerStorage = 'opfs' | 'memory';

/**
 * What an OPFS commit waits for (the database option `durability`):
 * 'relaxed' = handed to the OS (SQLite synchronous=NORMAL), 'strict' =
 * flushed to the disk (synchronous=FULL). Every session of a worker uses
 * the setting of the 'open' that started it.
 */
export type FileDurability = 'relaxed' | 'strict';

export type WorkerRequest =
  /**
   * Opens an engine session on database `name` (its answer's value: the
   * session's number). A worker holds one database; more sessions on it are
   * more SQLite connections to the same file (the committed-state reader).
   */
  | { id: number; op: 'open'; name: string; storage: WorkerStorage; cacheKiB: number; durability: FileDurability }
  /** `bytes`: the whole request batch, transferred. */
  | { id: number; op: 'execute'; session: number; bytes: ArrayBuffer }
  /** Closes a session; the last one's close releases the database's files. */
  | { id: number; op: 'close'; session: number }
  /** Whether the OPFS database file `name` exists. */
  | { id: number; op: 'exists'; name: string }
  /** Removes the OPFS database `name` (its file, its WAL and its journal); no error if there is none. */
  | { id: number; op: 'delete'; name: string }
  /** Compiles and instantiates the engine module now, for an open to come (answered with null). */
  | { id: number; op: 'warm' }
  | OwnerRequest;

/**
 * The tabs' engine owner run in the worker (tabs/worker-owner.ts is the
 * owner tab's end, worker/owner-in-worker.ts the worker's). 'own' starts it
 * for tab `self` (answered once it listens on the engine inbox, so the tab
 * may announce itself); the others are EngineOwner's calls for the owner
 * tab's own sessions, answered when they settle (not in arrival order).
 * Every host the owner opens is a session on database `name`.
 */
export type OwnerRequest =
  | { id: number; op: 'own'; name: string; self: string; storage: WorkerStorage; cacheKiB: number; durability: FileDurability }
  | { id: number; op: 'own-open'; client: string; session: number; file: string; slot: number }
  | {
      id: number;
      op: 'own-run';
      client: string;
      session: number;
      file: string;
      slot: number;
      span: 'begin' | 'end' | undefined;
      operations: number;
      bytes: ArrayBuffer;
    }
  | { id: number; op: 'own-close-session'; client: string; session: number }
  /** Stops the owner; answered with the other tabs' requests it never started ([client, id]), once its hosts closed. */
  | { id: number; op: 'own-close' };

export interface CrossingError {
  name: string;
  message: string;
}

export type WorkerResponse =
  /** The answer to 'execute': the response batch, transferred. */
  | { id: number; bytes: ArrayBuffer }
  /** The answer to 'open' (the session's number), 'close', 'exists' (a boolean), 'delete' and 'warm' (null), 'own-close' (the requests not run). */
  | { id: number; value: number | boolean | null | Array<[string, number]> }
  | { id: number; error: CrossingError };

/** What of `error` crosses the boundary. */
export function crossingError(error: unknown): CrossingError {
  if (typeof error === 'object' && error !== null && 'name' in error && 'message' in error) {
    return { name: String(error.name), message: String(error.message) };
  }
  return { name: 'Error', message: String(error) };
}

type ErrorClass = new (message: string) => Error;

/**
 * errors.ts's classes by name, those constructed from a message alone
 * (BulkError and ModifyError carry per-operation failures the engine never
 * produces, so they never cross).
 */
const ERROR_CLASSES: ReadonlyMap<string, ErrorClass> = new Map(
  (Object.values(errors) as unknown[])
    .filter(
      (value): value is ErrorClass =>
        typeof value === 'function' &&
        (value === IndexieError || value.prototype instanceof IndexieError) &&
        value !== errors.BulkError &&
        value !== errors.ModifyError,
    )
    .map((ErrorClass) => [new ErrorClass('').name, ErrorClass]),
);

/** The error `crossed` was: the errors.ts class of its name, else an Error with its name. */
export function rebuiltError(crossed: CrossingError): Error {
  const ErrorClass = ERROR_CLASSES.get(crossed.name);
  if (ErrorClass) return new ErrorClass(crossed.message);
  const error = new Error(crossed.message);
  error.name = crossed.name;
  return error;
}
