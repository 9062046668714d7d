// api/table-types.ts: the public type utilities that name Table or
// Transaction, in Dexie 4's shape: typed tables (EntityTable), the tables of
// a typed database (TableNames), transactions that expose them
// (TransactionWithTables), and the arguments of db.transaction(). Types
// only: this file emits no code.
import type { Table, Transaction } from './table.js';
import type { IDType, InsertType } from './types.js';

/**
 * Dexie 4's helper: a table of T whose primary key is the property KeyProp.
 * Its key type is T[KeyProp] and its insert type leaves KeyProp optional (an
 * auto-incremented key): `users: EntityTable<User, 'id'>`.
 */
export type EntityTable<T, KeyProp extends keyof T = never, TInsertType = InsertType<T, KeyProp>> = Table<
  T,
  IDType<T, KeyProp>,
  TInsertType
>;

/** The names of the properties of DB that are tables (`users` of `Indexie & { users: EntityTable<User, 'id'> }`). */
export type TableNames<DB> = {
  [P in keyof DB]-?: DB[P] extends Table<any, any, any> ? P : never;
}[keyof DB] &
  string;

/**
 * The transaction a scope of db.transaction() receives: a Transaction, plus
 * the typed tables of a typed database (tx.users is db.users' type), as
 * indexie defines tx.<table> at runtime.
 */
export type TransactionWithTables<DB> = [TableNames<DB>] extends [never]
  ? Transaction
  : Transaction & { readonly [P in TableNames<DB>]: DB[P] };

/** The mode argument of db.transaction(): 'r' | 'rw' | 'readonly' | 'readwrite', optionally with '!' or '?'. */
export type TransactionModeArgument = `${'r' | 'rw' | 'readonly' | 'readwrite'}${'' | '!' | '?'}`;

/** The tables argument of db.transaction(): names or Table objects, loose or in (nested) arrays. */
export type TableArgument = string | Table<any, any, any> | readonly TableArgument[];

/** The scope of db.transaction(): its result (or what its promise resolves to) is the transaction's result. */
export type TransactionScope<DB, R> = (tx: TransactionWithTables<DB>) => R | PromiseLike<R>;
