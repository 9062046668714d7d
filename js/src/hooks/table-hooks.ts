// hooks/table-hooks.ts: the hooks of one table, shared by every Table object
// of it (db.users and tx.users alike).
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
//     hooked-engine.ts runs them record by record.
//   - indexie's asynchronous hooks onAdd / onUpdate / onDelete(change), awaited
//     before the local commit; a rejection aborts it. The table's strategy says
//     whether a write outside a transaction is visible while they run
//     (LOCAL_FIRST: yes, rolled back if one fails) or not (NETWORK_FIRST).
// Writes through table.applyRemote() fire no hook of either family.
//
// At runtime every Table object of the table shares one untyped TableHooks;
// the types subscribers see (HookFunction<T, TKey, TInsertType>,
// CreatingHook, ...) are api/hook-types.ts's.
import type { Change } from '../transactions/transaction.js';

export const Strategy = Object.freeze({ LOCAL_FIRST: 'local-first', NETWORK_FIRST: 'network-first' } as const);
export type StrategyName = (typeof Strategy)[keyof typeof Strategy];

export type AsyncHook = (change: Change) => unknown;

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
  /** The reading hook of Table.mapToClass(), so a second mapping replaces the first. */
  classReader: ((value: any) => any) | undefined;

  /** Whether a write that only adds records needs the hooked engine (creating or onAdd hooks). */
  get interceptsAdds(): boolean {
    return this.creating.size + this.onAdd.size > 0;
  }

  /** Whether writes must go record by record (some write hook listens). */
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
