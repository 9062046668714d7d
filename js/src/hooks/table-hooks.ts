// hooks/table-hooks.ts: the hooks of one table, shared by every Table object of
// it (db.users and tx.users alike).
//
// Two families (DESIGN §9):
//   - Dexie's synchronous CRUD hooks, with Dexie's contract:
//       creating(primKey, obj, tx)        add, and put of a new key; may edit obj;
//                                         a returned value becomes the key when there was none
//       updating(mods, primKey, obj, tx)  put over an existing record, update, modify; obj is the
//                                         stored record, mods the changes; a returned object of
//                                         key paths adds more changes
//       deleting(primKey, obj, tx)        delete, bulkDelete, clear, Collection.delete, modify deleting
//       reading(obj) -> obj               get, bulkGet, collection values
//     `this.onsuccess` / `this.onerror` set inside creating/updating/deleting
//     are called when that record's write succeeds or fails.
//   - indexie's asynchronous hooks onAdd / onUpdate / onDelete(change), awaited
//     before the local commit; a rejection aborts it. The table's strategy says
//     whether a write outside a transaction is visible while they run
//     (LOCAL_FIRST: yes, rolled back if one fails) or not (NETWORK_FIRST).
// Writes through table.applyRemote() fire no hook of either family.
//
// The types (HookFunction<T, TKey, TInsertType>, CreatingHook, ...) give
// subscribers the table's record and key types; at runtime every Table
// object of the table shares one untyped TableHooks.

import type { Transaction } from '../transactions/transaction.js';
import type { UpdateSpec } from '../api/types.js';

export const Strategy = Object.freeze({ LOCAL_FIRST: 'local-first', NETWORK_FIRST: 'network-first' } as const);
export type StrategyName = (typeof Strategy)[keyof typeof Strategy];

/** One record changed by a write; the payload of onAdd / onUpdate / onDelete. */
export interface Change {
  type: 'add' | 'update' | 'delete';
  table: string;
  key: unknown;
  /** The new record (add, update). */
  item?: unknown;
  /** The record before (update, delete). */
  previous?: unknown;
  /** What changed, as key paths (update): Dexie's getObjectDiff of previous and item. */
  changes?: Record<string, unknown>;
}

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

export type AsyncHook = (change: Change) => unknown;
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
 * becomes the record's key when it had none.
 */
export type CreatingHook<T = any, TKey = any> =
  (this: CreatingHookContext<TKey>, primKey: TKey, obj: T, transaction: Transaction) => TKey | void;

/**
 * hook('updating'): before a stored record (obj) changes by `modifications`
 * (key paths to new values). A returned update spec adds more changes.
 */
export type UpdatingHook<T = any, TKey = any, TInsertType = T> =
  (this: UpdatingHookContext<T>, modifications: { [keyPath: string]: unknown }, primKey: TKey, obj: T,
   transaction: Transaction) => UpdateSpec<TInsertType> | void;

/** hook('deleting'): before a stored record (obj) is deleted. */
export type DeletingHook<T = any, TKey = any> =
  (this: DeletingHookContext, primKey: TKey, obj: T, transaction: Transaction) => void;

/** hook('reading'): maps each record read (get, toArray, ...) to what readers receive. */
export type ReadingHook<T = any> = (obj: T) => T;

/** The subscribers of one hook, in subscription order. */
export class HookList<F extends (...args: any[]) => any = (...args: any[]) => any> {
  readonly subscribers: F[] = [];
  subscribe(fn: F): void {
    if (typeof fn !== 'function') throw new TypeError('a hook subscriber must be a function');
    if (!this.subscribers.includes(fn)) this.subscribers.push(fn);
  }
  unsubscribe(fn: F): void {
    const i = this.subscribers.indexOf(fn);
    if (i >= 0) this.subscribers.splice(i, 1);
  }
  get size(): number {
    return this.subscribers.length;
  }
}

export class TableHooks {
  readonly creating = new HookList();
  readonly updating = new HookList();
  readonly deleting = new HookList();
  readonly reading = new HookList<(value: any) => any>();
  readonly onAdd = new HookList<AsyncHook>();
  readonly onUpdate = new HookList<AsyncHook>();
  readonly onDelete = new HookList<AsyncHook>();
  strategy: StrategyName = Strategy.LOCAL_FIRST;

  /** Whether writes must go record by record (some write hook listens). */
  /** Whether a write that only adds records needs the hooked engine (creating or onAdd hooks). */
  get interceptsAdds(): boolean {
    return this.creating.size + this.onAdd.size > 0;
  }

  get intercepting(): boolean {
    return this.creating.size + this.updating.size + this.deleting.size + this.onAdd.size + this.onUpdate.size + this.onDelete.size > 0;
  }

  get hasAsync(): boolean {
    return this.onAdd.size + this.onUpdate.size + this.onDelete.size > 0;
  }

  /** The reading chain as one function, or undefined when nobody listens. */
  get reader(): ((value: unknown) => unknown) | undefined {
    const chain = this.reading.subscribers;
    if (chain.length === 0) return undefined;
    return (value) => chain.reduce((v, fn) => fn(v), value);
  }

  asyncHooksFor(type: Change['type']): readonly AsyncHook[] {
    return (type === 'add' ? this.onAdd : type === 'update' ? this.onUpdate : this.onDelete).subscribers;
  }
}

/**
 * table.hook: hook(name, fn) subscribes; hook(name) or hook.<name> is the
 * HookList; hook.onAdd(fn) etc. Typed by the table's T, TKey and TInsertType.
 */
export interface HookFunction<T = any, TKey = any, TInsertType = T> {
  (name: 'creating', subscriber?: CreatingHook<T, TKey>): HookList<CreatingHook<T, TKey>>;
  (name: 'updating', subscriber?: UpdatingHook<T, TKey, TInsertType>): HookList<UpdatingHook<T, TKey, TInsertType>>;
  (name: 'deleting', subscriber?: DeletingHook<T, TKey>): HookList<DeletingHook<T, TKey>>;
  (name: 'reading', subscriber?: ReadingHook<T>): HookList<ReadingHook<T>>;
  readonly creating: HookList<CreatingHook<T, TKey>>;
  readonly updating: HookList<UpdatingHook<T, TKey, TInsertType>>;
  readonly deleting: HookList<DeletingHook<T, TKey>>;
  readonly reading: HookList<ReadingHook<T>>;
  /** Subscribes an async hook; returns the function that unsubscribes it. */
  onAdd(fn: (change: AddChange<T, TKey>) => unknown): () => void;
  onUpdate(fn: (change: UpdateChange<T, TKey>) => unknown): () => void;
  onDelete(fn: (change: DeleteChange<T, TKey>) => unknown): () => void;
}

export function hookFunction(hooks: TableHooks): HookFunction {
  const hook = ((name: HookName, subscriber?: (...args: any[]) => any) => {
    const list = hooks[name];
    if (!(list instanceof HookList) || !['creating', 'updating', 'deleting', 'reading'].includes(name)) {
      throw new TypeError(`unknown hook '${String(name)}': use 'creating', 'updating', 'deleting' or 'reading'`);
    }
    if (subscriber) list.subscribe(subscriber);
    return list;
  }) as HookFunction;
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
