// api/hook-types.ts: the typed face of a table's hooks (hooks/table-hooks.ts
// has their contract and the untyped registry): the subscriber signatures
// Dexie documents, the async hooks' payloads typed by the table's T and
// TKey, and hookFunction(), which builds table.hook over a TableHooks.
//
// The signatures that receive the transaction are generic here in its type
// (Tx); api/table.ts instantiates them with Transaction as the public
// CreatingHook, UpdatingHook, DeletingHook and HookFunction. Transaction and
// Table name each other, and Table names HookFunction, so naming Transaction
// here would close a cycle of imports.
import { HookList, type AsyncHook, type TableHooks } from '../hooks/table-hooks.js';
import type { UpdateSpec } from './types.js';

/** The payload of onAdd: a record added (by add, bulkAdd, or put of a new key). */
export interface AddChange<T = unknown, TKey = unknown> {
  type: 'add';
  table: string;
  key: TKey;
  item: T;
}

/** The payload of onUpdate: a record changed (by put over it, update, modify, ...). */
export interface UpdateChange<T = unknown, TKey = unknown> {
  type: 'update';
  table: string;
  key: TKey;
  item: T;
  previous: T;
  /** What changed, as key paths (undefined = removed). */
  changes: { [keyPath: string]: unknown };
}

/** The payload of onDelete: a record deleted. */
export interface DeleteChange<T = unknown, TKey = unknown> {
  type: 'delete';
  table: string;
  key: TKey;
  previous: T;
}

type HookName = 'creating' | 'updating' | 'deleting' | 'reading';

/** `this` in a creating hook: onsuccess gets the record's primary key once it is written. */
export interface CreatingHookContext<TKey = any> {
  onsuccess?: (primKey: TKey) => void;
  onerror?: (error: unknown) => void;
}

/** `this` in an updating hook: onsuccess gets the updated record once it is written. */
export interface UpdatingHookContext<T = any> {
  onsuccess?: (updated: T) => void;
  onerror?: (error: unknown) => void;
}

/** `this` in a deleting hook. */
export interface DeletingHookContext {
  onsuccess?: () => void;
  onerror?: (error: unknown) => void;
}

/**
 * hook('creating'): before a record is added. May edit obj; a returned key
 * becomes the record's key when it had none. (Public as CreatingHook.)
 */
export type CreatingHookOf<T, TKey, Tx> = (this: CreatingHookContext<TKey>, primKey: TKey, obj: T, transaction: Tx) => TKey | void;

/**
 * hook('updating'): before a stored record (obj) changes by `modifications`
 * (key paths to new values). A returned update spec adds more changes.
 * (Public as UpdatingHook.)
 */
export type UpdatingHookOf<T, TKey, TInsertType, Tx> = (
  this: UpdatingHookContext<T>,
  modifications: { [keyPath: string]: unknown },
  primKey: TKey,
  obj: T,
  transaction: Tx,
) => UpdateSpec<TInsertType> | void;

/** hook('deleting'): before a stored record (obj) is deleted. (Public as DeletingHook.) */
export type DeletingHookOf<T, TKey, Tx> = (this: DeletingHookContext, primKey: TKey, obj: T, transaction: Tx) => void;

/** hook('reading'): maps each record read (get, toArray, ...) to what readers receive. */
export type ReadingHook<T = any> = (obj: T) => T;

/**
 * table.hook: hook(name, fn) subscribes; hook(name) or hook.<name> is the
 * HookList; hook.onAdd(fn) etc. Typed by the table's T, TKey and TInsertType.
 * (Public as HookFunction.)
 */
export interface HookFunctionOf<T, TKey, TInsertType, Tx> {
  (name: 'creating', subscriber?: CreatingHookOf<T, TKey, Tx>): HookList<CreatingHookOf<T, TKey, Tx>>;
  (name: 'updating', subscriber?: UpdatingHookOf<T, TKey, TInsertType, Tx>): HookList<UpdatingHookOf<T, TKey, TInsertType, Tx>>;
  (name: 'deleting', subscriber?: DeletingHookOf<T, TKey, Tx>): HookList<DeletingHookOf<T, TKey, Tx>>;
  (name: 'reading', subscriber?: ReadingHook<T>): HookList<ReadingHook<T>>;
  readonly creating: HookList<CreatingHookOf<T, TKey, Tx>>;
  readonly updating: HookList<UpdatingHookOf<T, TKey, TInsertType, Tx>>;
  readonly deleting: HookList<DeletingHookOf<T, TKey, Tx>>;
  readonly reading: HookList<ReadingHook<T>>;
  /** Subscribes an async hook; returns the function that unsubscribes it. */
  onAdd(fn: (change: AddChange<T, TKey>) => unknown): () => void;
  onUpdate(fn: (change: UpdateChange<T, TKey>) => unknown): () => void;
  onDelete(fn: (change: DeleteChange<T, TKey>) => unknown): () => void;
}

export function hookFunction(hooks: TableHooks): HookFunctionOf<any, any, any, any> {
  const hook = ((name: HookName, subscriber?: (...args: any[]) => any) => {
    const list = hooks[name];
    if (!(list instanceof HookList) || !['creating', 'updating', 'deleting', 'reading'].includes(name)) {
      throw new TypeError(`unknown hook '${String(name)}': use 'creating', 'updating', 'deleting' or 'reading'`);
    }
    if (subscriber) list.subscribe(subscriber);
    return list;
  }) as HookFunctionOf<any, any, any, any>;
  for (const name of ['creating', 'updating', 'deleting', 'reading'] as const) {
    Object.defineProperty(hook, name, { value: hooks[name], enumerable: true });
  }
  // Each list receives only changes of its type (asyncHooksFor), so a subscriber typed for one type fits.
  const asyncSubscriber = (list: HookList<AsyncHook>) => (fn: (change: any) => unknown) => {
    list.subscribe(fn);
    return () => list.unsubscribe(fn);
  };
  hook.onAdd = asyncSubscriber(hooks.onAdd);
  hook.onUpdate = asyncSubscriber(hooks.onUpdate);
  hook.onDelete = asyncSubscriber(hooks.onDelete);
  return hook;
}
