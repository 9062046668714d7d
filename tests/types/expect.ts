// expect.ts: the assertions of the compile-only type tests. They do nothing
// at runtime (nothing here runs); each is a check tsc makes.

/** Compiles only if `value` is assignable to T (on its own, `any` passes too: pair it with exact/notAny). */
export function expectType<T>(_value: T): void {}

/** true when A and B are the same type; `any` equals only `any`. */
export type Equals<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

/** true when T is `any`. */
export type IsAny<T> = 0 extends 1 & T ? true : false;

/** Compiles only if the type argument is `true`: exact<Equals<typeof x, User[]>>(). */
export function exact<_Check extends true>(): void {}

/** Compiles only if `value`'s type is not `any` (which every other check would let through). */
export function notAny<T>(_value: T, ..._whenAny: IsAny<T> extends true ? [never] : []): void {}
