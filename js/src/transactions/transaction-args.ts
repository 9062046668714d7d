// transactions/transaction-args.ts: reads the arguments of db.transaction(mode,
// tables..., scope, options?) as Dexie accepts them: mode 'r' | 'rw' |
// 'readonly' | 'readwrite' with an optional '!' (always a new top-level
// transaction) or '?' (reuse the parent only if compatible) suffix; tables as
// names or Table objects, loose or in (nested) arrays; then the scope function;
// then indexie's options ({optimistic}).
import { InvalidArgumentError } from '../errors.js';
import type { TransactionMode, TransactionOptions } from './transaction.js';

export interface TransactionRequest {
  mode: TransactionMode;
  /** '' reuse a compatible parent or fail, '!' never reuse, '?' reuse only if compatible. */
  nesting: '' | '!' | '?';
  tables: string[];
  scope: (tx: any) => unknown;
  options: TransactionOptions;
}

const MODES: Record<string, TransactionMode> = { r: 'readonly', readonly: 'readonly', rw: 'readwrite', readwrite: 'readwrite' };

export function parseTransactionArgs(args: readonly unknown[]): TransactionRequest {
  const [modeArg, ...rest] = args;
  if (typeof modeArg !== 'string')
    throw new InvalidArgumentError(`db.transaction(): the first argument is the mode ('r' or 'rw'), got ${typeof modeArg}`);
  const nesting = modeArg.endsWith('!') || modeArg.endsWith('?') ? (modeArg.slice(-1) as '!' | '?') : '';
  const mode = MODES[nesting ? modeArg.slice(0, -1) : modeArg];
  if (!mode)
    throw new InvalidArgumentError(
      `db.transaction(): unknown mode '${modeArg}': use 'r', 'rw', 'readonly' or 'readwrite' (optionally with '!' or '?')`,
    );

  let options: TransactionOptions = {};
  let scopeAt = rest.length - 1;
  if (scopeAt >= 0 && typeof rest[scopeAt] !== 'function' && typeof rest[scopeAt - 1] === 'function') {
    options = rest[scopeAt] ?? {};
    scopeAt--;
  }
  const scope = rest[scopeAt];
  if (typeof scope !== 'function') throw new InvalidArgumentError('db.transaction(): the last argument must be the scope function');

  const tables: string[] = [];
  const add = (item: unknown): void => {
    if (Array.isArray(item)) item.forEach(add);
    else if (typeof item === 'string') tables.push(item);
    else if (item !== null && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string')
      tables.push((item as { name: string }).name);
    else throw new InvalidArgumentError(`db.transaction(): tables are names or Table objects, got ${String(item)}`);
  };
  rest.slice(0, scopeAt).forEach(add);
  if (tables.length === 0) throw new InvalidArgumentError('db.transaction(): name at least one table');
  return { mode, nesting, tables: [...new Set(tables)], scope: scope as (tx: unknown) => unknown, options };
}
