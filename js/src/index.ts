// index.ts: the public entry of the `indexie` package. Only exports.
export { SqlDatabase, sqliteVersion, type SqlResult } from './sql-database.js';
export {
  IndexieError,
  InvalidArgumentError,
  ConstraintError,
  DataError,
  NotFoundError,
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
} from './errors.js';
