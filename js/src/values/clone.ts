// values/clone.ts: Dexie's object helpers that apps (and Dexie's own tests)
// call as statics: shallowClone and deepClone, with Dexie's semantics.
// deepClone copies arrays and objects recursively, keeping each object's
// prototype and shared or cyclic references, and keeps values of built-in
// types (Date, RegExp, Map, Set, ArrayBuffer, typed arrays, Blob, ...) as
// the same objects.

/** The built-in types deepClone does not descend into (those the runtime has). */
const INTRINSIC_TYPES = new Set<unknown>(
  [
    'BigUint64Array',
    'BigInt64Array',
    'Array',
    'Boolean',
    'String',
    'Date',
    'RegExp',
    'Blob',
    'File',
    'FileList',
    'FileSystemFileHandle',
    'FileSystemDirectoryHandle',
    'ArrayBuffer',
    'DataView',
    'Uint8ClampedArray',
    'ImageBitmap',
    'ImageData',
    'Map',
    'Set',
    'CryptoKey',
    'Int8Array',
    'Uint8Array',
    'Int16Array',
    'Uint16Array',
    'Int32Array',
    'Uint32Array',
    'Float32Array',
    'Float64Array',
  ]
    .map((name) => (globalThis as Record<string, unknown>)[name])
    .filter((type) => type !== undefined),
);

/** A new plain object with `obj`'s own enumerable properties. */
export function shallowClone<T extends object>(obj: T): T {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) copy[key] = (obj as Record<string, unknown>)[key];
  return copy as T;
}

/** A deep copy with Dexie's semantics (see the header). */
export function deepClone<T>(value: T): T {
  return cloneInto(value, new WeakMap()) as T;
}

function cloneInto(value: unknown, seen: WeakMap<object, unknown>): unknown {
  if (!value || typeof value !== 'object') return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(cloneInto(item, seen));
    return copy;
  }
  if (INTRINSIC_TYPES.has((value as { constructor?: unknown }).constructor)) return value;
  const prototype = Object.getPrototypeOf(value) as object | null;
  const copy = (prototype === Object.prototype ? {} : Object.create(prototype)) as Record<string, unknown>;
  seen.set(value, copy);
  for (const key of Object.keys(value)) copy[key] = cloneInto((value as Record<string, unknown>)[key], seen);
  return copy;
}
