// index.ts: the public entry of the `indexie` package. Only exports.
export { Indexie, type UpgradeTransaction, type IndexieOptions, type IndexieEventName } from './api/indexie.js';
// As Dexie's default export (import Dexie from 'dexie'): import Indexie from 'indexie'.
export { Indexie as default } from './api/indexie.js';
export {
  Transaction,
  Table,
  type RemoteChange,
  type BulkOptions,
  type Changes,
  type CreatingHook,
  type UpdatingHook,
  type DeletingHook,
  type HookFunction,
} from './api/table.js';
export { type TransactionMode, type TransactionState, type TransactionOptions, type Change } from './transactions/transaction.js';
export { Strategy, HookList, type StrategyName, type AsyncHook } from './hooks/table-hooks.js';
export {
  type AddChange,
  type UpdateChange,
  type DeleteChange,
  type ReadingHook,
  type CreatingHookContext,
  type UpdatingHookContext,
  type DeletingHookContext,
} from './api/hook-types.js';
export type { StartTransactionOptions } from './db/table-host.js';
export type {
  EntityTable,
  TableNames,
  TransactionWithTables,
  TransactionModeArgument,
  TableArgument,
  TransactionScope,
} from './api/table-types.js';
export type {
  InsertType,
  IDType,
  UpdateSpec,
  UpdateFunction,
  ModifyContext,
  KeyPaths,
  KeyPathValue,
  IndexableType,
  IsAny,
} from './api/types.js';
export { TableSchema, type IndexSpec } from './db/table-schema.js';
export { Collection, WhereClause, type CursorInfo } from './api/collection.js';
export { SyncController, type SyncStatus, type SyncState, type SyncEvents } from './sync/outbox/controller.js';
export type { SyncOptions } from './sync/outbox/options.js';
export type { ConflictStrategy, ConflictResolver } from './sync/outbox/conflicts.js';
export type {
  PushRequest,
  PushResponse,
  PushResult,
  PullRequest,
  PullResponse,
  PulledChange,
  WireChange,
  ServerRecord,
} from './sync/outbox/protocol.js';
export type { PushFunction, PullFunction } from './sync/outbox/transport.js';
export type { ConflictEvent } from './sync/outbox/reconcile.js';
export { liveQuery, type LiveQueryOptions } from './live-query/live-query.js';
export { Observable, type Observer, type Subscription } from './live-query/observable.js';
export { cmp } from './values/key-compare.js';
export { Version, type StoresSpec, type UpgradeFunction } from './api/version.js';
export { SqlDatabase, sqliteVersion, type SqlResult } from './engine/sql-database.js';
export { encodeValue } from './values/value-encoder.js';
export { decodeValue } from './values/value-decoder.js';
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
  ConnectionLostError,
  DatabaseInUseError,
  OwnerTimeoutError,
  QuotaExceededError,
  AbortError,
  TransactionInactiveError,
  SubTransactionError,
  CorruptionError,
  SqlError,
  InternalError,
  UnsupportedError,
  TimeoutError,
  SyncError,
  MigrationError,
  ElectricSyncError,
} from './errors.js';
export type { MigrationReport, MigrationProgress } from './portability/migration.js';
export { Entity } from './api/entity.js';
export type { PromiseExtended, ErrorFilter } from './transactions/async-context.js';
export type { ElectricSync, ElectricSyncOptions, ElectricSyncStatus } from './sync/electric/electric-sync.js';
export type { ShapeParams } from './sync/electric/shape-request.js';
export type { ElectricParsers, ElectricSchema, ElectricColumn } from './sync/electric/value-parser.js';
export type { BackoffOptions } from './sync/electric/backoff.js';
export type { DataLossEvent } from './db/connection-recovery.js';
export { PropModification, add, remove, replacePrefix, type PropModSpec } from './values/prop-modification.js';
