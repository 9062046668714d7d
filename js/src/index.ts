// index.ts: the public entry of the `indexie` package. Only exports.
export { Indexie, UpgradeTransaction, type IndexieOptions, type IndexieEventName } from './indexie.js';
export { Transaction, type TransactionMode, type TransactionState, type TransactionOptions } from './transaction.js';
export { Strategy, HookList, type StrategyName, type Change, type AsyncHook, type HookFunction } from './table-hooks.js';
export { Table, type RemoteChange, type StartTransactionOptions, type BulkOptions, type Changes, type ModifyContext, type UpdateFunction } from './table.js';
export { TableSchema, type IndexSpec } from './table-schema.js';
export { Collection, type CursorInfo } from './collection.js';
export { WhereClause } from './where-clause.js';
export { liveQuery, type LiveQueryOptions } from './live-query.js';
export { Observable, type Observer, type Subscription } from './observable.js';
export { cmp } from './key-compare.js';
export { Version, type StoresSpec, type UpgradeFunction } from './version.js';
export { SqlDatabase, sqliteVersion, type SqlResult } from './sql-database.js';
export { encodeValue, decodeValue } from './value-codec.js';
export {
  IndexieError,
  BulkError,
  ModifyError,
  InvalidArgumentError,
  ConstraintError,
  DataError,
  DataCloneError,
  NotFoundError,
  InvalidTableError,
  NoSuchDatabaseError,
  SchemaError,
  UpgradeError,
  VersionError,
  ReadOnlyError,
  DatabaseClosedError,
  QuotaExceededError,
  AbortError,
  TransactionInactiveError,
  SubTransactionError,
  CorruptionError,
  SqlError,
  InternalError,
} from './errors.js';
