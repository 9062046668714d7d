// errors.ts: every error indexie throws, and the one place where an engine
// failure (a status code name and message: engine/requests.ts) becomes a JS
// error.
//
// Names follow Dexie (ConstraintError, DataError, ...) so code written for
// Dexie that checks `err.name` keeps working. Every class is exported, and
// `instanceof` works for each and for the common base IndexieError.

export class IndexieError extends Error {
  override name = 'IndexieError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /** Dexie's name for the error this one wraps (the standard `cause`). */
  get inner(): unknown {
    return this.cause;
  }
}

export class InvalidArgumentError extends IndexieError {
  override name = 'InvalidArgumentError';
}
export class ConstraintError extends IndexieError {
  override name = 'ConstraintError';
}
export class DataError extends IndexieError {
  override name = 'DataError';
}
export class NotFoundError extends IndexieError {
  override name = 'NotFoundError';
}
export class InvalidTableError extends IndexieError {
  override name = 'InvalidTableError';
}
export class NoSuchDatabaseError extends IndexieError {
  override name = 'NoSuchDatabaseError';
}
export class DataCloneError extends IndexieError {
  override name = 'DataCloneError';
}
export class SchemaError extends IndexieError {
  override name = 'SchemaError';
}
export class UpgradeError extends IndexieError {
  override name = 'UpgradeError';
}
export class VersionError extends IndexieError {
  override name = 'VersionError';
}
export class ReadOnlyError extends IndexieError {
  override name = 'ReadOnlyError';
}
export class DatabaseClosedError extends IndexieError {
  override name = 'DatabaseClosedError';
}
/**
 * The browser closed the database's IndexedDB connection (its storage was
 * cleared, or the browser force-closed it) while a commit was being saved:
 * that commit may not have been saved, and the write rejects with this (never
 * a silent loss). The database reconnects by itself for the next operation.
 * `wiped` is set when, on reconnecting, IndexedDB no longer held what this
 * page had saved (the stored commit counter went back or vanished): the
 * database then reopens with what is stored and fires 'dataloss'. A
 * DatabaseClosedError, so code catching that catches this too.
 * Also rejected with: an operation a tab sent to the tab that runs the
 * database's engine (js/src/tabs/), when that tab closed before answering
 * (the operation may or may not have been applied), or one inside a
 * transaction that was open there.
 */
export class ConnectionLostError extends DatabaseClosedError {
  override name = 'ConnectionLostError';
  readonly wiped: { expectedCommit: number; foundCommit: number } | undefined;
  constructor(message: string, options: { wiped?: { expectedCommit: number; foundCommit: number }; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.wiped = options.wiped;
  }
}
/**
 * The database's file is held by another tab or worker (an Origin Private
 * File System file allows one open sync access handle at a time): opening
 * it here waited a little and gave up. Close the database there, or let
 * that tab own it.
 */
export class DatabaseInUseError extends IndexieError {
  override name = 'DatabaseInUseError';
}
/**
 * This tab's database engine runs in another tab (js/src/tabs/), and that
 * tab gave no sign of life for the bound (SharedEngineOptions.ownerTimeoutMs,
 * 10 s by default) while an operation waited for it: it is frozen, or stuck
 * in a long synchronous task. The operation may or may not have been
 * applied; later operations try again. A ConnectionLostError (so a
 * DatabaseClosedError), as an owner tab that closed before answering is.
 */
export class OwnerTimeoutError extends ConnectionLostError {
  override name = 'OwnerTimeoutError';
}
export class QuotaExceededError extends IndexieError {
  override name = 'QuotaExceededError';
}
export class AbortError extends IndexieError {
  override name = 'AbortError';
}
export class TransactionInactiveError extends IndexieError {
  override name = 'TransactionInactiveError';
}
export class SubTransactionError extends IndexieError {
  override name = 'SubTransactionError';
}
export class CorruptionError extends IndexieError {
  override name = 'CorruptionError';
}
export class SqlError extends IndexieError {
  override name = 'SqlError';
}
export class InternalError extends IndexieError {
  override name = 'InternalError';
}
/** A Dexie feature indexie does not have (db.use() middleware, addons): named, never silently ignored. */
export class UnsupportedError extends IndexieError {
  override name = 'UnsupportedError';
}
/**
 * Sync with a server failed: the network, the server's answer (`status`, an
 * HTTP status where there was one), or an answer that breaks the protocol.
 * `retryable`: the same request may succeed later (network errors,
 * timeouts, 5xx, 408, 429); the sync controller retries it with backoff.
 */
export class SyncError extends IndexieError {
  override name = 'SyncError';
  readonly status: number | undefined;
  readonly retryable: boolean;
  constructor(message: string, options: { status?: number; retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.retryable = options.retryable ?? false;
  }
}
/**
 * Bringing data in failed (a migration from a native IndexedDB database, an
 * import of an export or of a database file): nothing of it was stored, and
 * the source is as it was. The message names the table and key involved.
 */
export class MigrationError extends IndexieError {
  override name = 'MigrationError';
}
/**
 * table.syncElectric(): the shape server refused a request (a 4xx other than
 * 409, with its HTTP `status`), or answered something that is not the
 * Electric Shape protocol (missing headers, a body that does not parse, a
 * value the shape's schema forbids).
 */
export class ElectricSyncError extends IndexieError {
  override name = 'ElectricSyncError';
  readonly status: number | undefined;
  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    this.status = options?.status;
  }
}
/** Indexie.waitFor(promise, timeout) ran out of time. */
export class TimeoutError extends IndexieError {
  override name = 'TimeoutError';
}

/**
 * Some operations of a bulk call failed. The others were written (outside a
 * transaction, as Dexie does). `failures` lists the errors in input order;
 * `failuresByPos` maps each failed input position to its error.
 */
export class BulkError extends IndexieError {
  override name = 'BulkError';
  readonly failures: Error[];
  readonly failuresByPos: Record<number, Error>;
  constructor(operation: string, total: number, failuresByPos: Record<number, Error>) {
    const failures = Object.values(failuresByPos);
    const first = failures
      .slice(0, 3)
      .map((e) => `${e.name}: ${e.message}`)
      .join('; ');
    super(`${operation}: ${failures.length} of ${total} operations failed. ${first}${failures.length > 3 ? '; ...' : ''}`);
    this.failures = failures;
    this.failuresByPos = failuresByPos;
  }
}

/**
 * Collection.modify() failed for some records; nothing was changed (the
 * modification is all-or-nothing). `failures` are the errors, `failedKeys`
 * the primary keys they happened on, `successCount` how many records had
 * been modified before the rollback.
 */
export class ModifyError extends IndexieError {
  override name = 'ModifyError';
  readonly failures: Error[];
  readonly failedKeys: unknown[];
  readonly successCount: number;
  constructor(failures: Error[], failedKeys: unknown[], successCount: number) {
    const first = failures
      .slice(0, 3)
      .map((e) => `${e.name}: ${e.message}`)
      .join('; ');
    super(`Collection.modify(): ${failures.length} record(s) failed, so none was changed. ${first}`);
    this.failures = failures;
    this.failedKeys = failedKeys;
    this.successCount = successCount;
  }
}

/**
 * Engine status code names -> error classes: exactly the codes of
 * core/include/indexie/status_codes.def, each to the class of that name
 * (tests/node/error-codes.test.mjs fails when they disagree).
 */
export const ENGINE_ERROR_CLASSES: Readonly<Record<string, new (message: string) => IndexieError>> = {
  InvalidArgumentError,
  ConstraintError,
  DataError,
  NotFoundError,
  InvalidTableError,
  SchemaError,
  UpgradeError,
  VersionError,
  ReadOnlyError,
  DatabaseClosedError,
  QuotaExceededError,
  AbortError,
  CorruptionError,
  SqlError,
  InternalError,
};

/** The error for an engine failure code and message. */
export function engineError(code: string, message: string): IndexieError {
  const ErrorClass = Object.hasOwn(ENGINE_ERROR_CLASSES, code) ? ENGINE_ERROR_CLASSES[code] : InternalError;
  return new ErrorClass(message);
}

/**
 * `error` with what failed in front of its message ("Table.get() on 'users':
 * a boolean is not a valid key"), for indexie's own errors that do not say
 * it yet; anything else (a hook's or an app's error) is returned as it is.
 */
export function inOperation(error: unknown, what: string): unknown {
  if (error instanceof IndexieError && !(error instanceof BulkError) && !error.message.startsWith(what)) {
    error.message = `${what}: ${error.message}`;
  }
  return error;
}
