// transactions/generators.ts: Dexie.async() and Dexie.spawn(), which run a
// generator function as an async function: each yielded value (an array: all of
// its items) is awaited and sent
// back into the generator (its errors thrown into it), and the result is a
// promise of what the generator returns. Older Dexie code (and Dexie's own
// tests) write transaction scopes this way: a scope that returns a generator
// is driven the same way (db/state.ts runScope).
import { IndexiePromise } from './async-context.js';

type GeneratorFunction<A extends unknown[], R> = (...args: A) => Generator<unknown, R, any>;

/** Whether `value` is a generator object (what a generator function returns). */
export function isGenerator(value: unknown): value is Generator<unknown, unknown, any> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Generator).next === 'function' &&
    typeof (value as Generator).throw === 'function' &&
    Object.prototype.toString.call(value) === '[object Generator]'
  );
}

/** Drives `iterator` to its end, awaiting every value it yields. */
export function drive<R>(iterator: Generator<unknown, R, any>): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const step = (advance: () => IteratorResult<unknown, R>): void => {
      let result: IteratorResult<unknown, R>;
      try {
        result = advance();
      } catch (error) {
        reject(error);
        return;
      }
      if (result.done) {
        resolve(result.value);
        return;
      }
      // As Dexie: a yielded array is awaited as a whole (Promise.all), values and thenables mixed.
      const awaited = Array.isArray(result.value) ? Promise.all(result.value) : Promise.resolve(result.value);
      awaited.then(
        (value) => step(() => iterator.next(value)),
        (error: unknown) => step(() => iterator.throw(error)),
      );
    };
    step(() => iterator.next());
  });
}

/** Dexie.async(generatorFunction): an async function that runs it (see the header). */
export function asyncFunction<A extends unknown[], R>(generatorFunction: GeneratorFunction<A, R>): (...args: A) => Promise<R> {
  return function (this: unknown, ...args: A): Promise<R> {
    try {
      return IndexiePromise.of(drive(generatorFunction.apply(this, args)));
    } catch (error) {
      return IndexiePromise.of(Promise.reject(error));
    }
  };
}

/** Dexie.spawn(generatorFunction, args?, thisArg?): runs it now; a promise of its result. */
export function spawn<A extends unknown[], R>(generatorFunction: GeneratorFunction<A, R>, args?: A, thisArg?: unknown): Promise<R> {
  return asyncFunction(generatorFunction).apply(thisArg, (args ?? []) as A);
}
