// api/types.ts: the type utilities of the public API over records and keys,
// in the shape Dexie 4 users know (written for indexie, not copied): keys
// (IndexableType), key paths into a record type (KeyPaths, KeyPathValue),
// update specs (UpdateSpec, UpdateFunction), insert types with an optional
// generated key (InsertType, IDType). Those that name Table or Transaction
// (EntityTable, TransactionWithTables, ...) are in table-types.ts. Types
// only: this file emits no code.
import type { PropModification } from '../values/prop-modification.js';

/**
 * A value IndexedDB accepts as a key, and so indexie: a number, a string, a
 * Date, binary data, or an array of keys (compound keys; Indexie.maxKey is
 * `[[]]`). Booleans, null and plain objects are not keys.
 */
export type IndexableType = number | string | Date | ArrayBuffer | ArrayBufferView | readonly IndexableType[];

/** true when T is `any` (which would otherwise be assignable to everything). */
export type IsAny<T> = 0 extends 1 & T ? true : false;

/** Property values key paths stop at: stored whole, never descended into. */
type KeyPathLeaf =
  | Date
  | ArrayBuffer
  | ArrayBufferView
  | RegExp
  | Blob
  | Map<unknown, unknown>
  | Set<unknown>
  | Promise<unknown>
  | ReadonlyMap<unknown, unknown>
  | ReadonlySet<unknown>;

/** How many objects deep key paths go ('a.b.c.d' at most), so recursive types stay finite. */
type MaxKeyPathDepth = 4;

type PathsOf<T, Depth extends unknown[]> = {
  [P in keyof T & string]-?: PathsFrom<P, Exclude<T[P], undefined>, Depth>;
}[keyof T & string];

type PathsFrom<P extends string, V, Depth extends unknown[]> =
  IsAny<V> extends true
    ? P | `${P}.${string}`
    : V extends (...args: never[]) => unknown
      ? never // methods are not data
      : V extends readonly (infer Element)[]
        ? | P
          | `${P}.${number}`
          | ([...Depth, 0]['length'] extends MaxKeyPathDepth
              ? never
              : Exclude<Element, undefined> extends KeyPathLeaf
                ? never
                : Exclude<Element, undefined> extends readonly unknown[]
                  ? `${P}.${number}.${number}`
                  : Exclude<Element, undefined> extends object
                    ? `${P}.${number}.${PathsOf<Exclude<Element, undefined>, [...Depth, 0]>}`
                    : never)
        : V extends KeyPathLeaf
          ? P
          : V extends object
            ? P | ([...Depth, 0]['length'] extends MaxKeyPathDepth ? never : `${P}.${PathsOf<V, [...Depth, 0]>}`)
            : P;

/**
 * Every key path of T, dotted into nested objects and array elements
 * ('name', 'address.city', 'tags.0'), up to four levels deep; methods
 * excluded. `string` for `any`.
 */
export type KeyPaths<T> = IsAny<T> extends true ? string : PathsOf<T, []>;

/** The type of the value at key path P of T (never when T has no such path). */
export type KeyPathValue<T, P extends string> =
  IsAny<T> extends true
    ? any
    : P extends keyof T
      ? T[P]
      : P extends `${infer Head}.${infer Rest}`
        ? Head extends keyof T
          ? KeyPathValue<Exclude<T[Head], undefined>, Rest>
          : T extends readonly (infer Element)[]
            ? Head extends `${number}`
              ? KeyPathValue<Exclude<Element, undefined>, Rest>
              : never
            : never
        : T extends readonly (infer Element)[]
          ? P extends `${number}`
            ? Element
            : never
          : never;

/**
 * The changes of Table.update / upsert / bulkUpdate and Collection.modify:
 * key paths of T (dotted for nested properties) to their new values;
 * `undefined` removes a property. An unknown path or a value of the wrong
 * type does not compile.
 */
/** Changes by key path; a value may be a property modification (add(), remove(), replacePrefix()), as in Dexie 4. */
export type UpdateSpec<T> = { [P in KeyPaths<T>]?: KeyPathValue<T, P> | PropModification };

/** The names of T's methods (an insert type leaves them out). */
type MethodNames<T> = {
  [P in keyof T]-?: IsAny<T[P]> extends true ? never : T[P] extends (...args: never[]) => unknown ? P : never;
}[keyof T];

type Flatten<T> = { [P in keyof T]: T[P] } & {};

/**
 * What Table.add / put / bulkAdd / bulkPut accept for records of T: T with
 * the properties OptionalProps made optional (an auto-incremented primary
 * key, generated when left out) and without methods.
 */
export type InsertType<T, OptionalProps extends keyof T = never> = Flatten<
  Omit<T, OptionalProps | MethodNames<T>> & { [P in OptionalProps]?: T[P] }
>;

/**
 * The primary key type of a table of T whose key is the property
 * KeyProp: T[KeyProp]; any valid key when no property is named (outbound keys).
 */
export type IDType<T, KeyProp extends keyof T> = [KeyProp] extends [never] ? IndexableType : T[KeyProp];

/** The context of an update / modify function: `ctx.value = x` replaces the record, `delete ctx.value` deletes it. */
export interface ModifyContext<T = unknown, TKey = unknown> {
  value?: T;
  primKey: TKey;
}

/** A function form of update / modify: edits `value` in place (or replaces / deletes it through ctx). Its result is ignored. */
export type UpdateFunction<T = unknown, TKey = unknown> = (this: ModifyContext<T, TKey>, value: T, ctx: ModifyContext<T, TKey>) => unknown;
