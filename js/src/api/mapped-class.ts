// api/mapped-class.ts: Table.mapToClass() and Table.defineClass(), as in
// Dexie: records read from the table come back as instances of a class (its
// prototype, the record's own properties copied onto a fresh instance; the
// constructor is not called), through a reading hook that a later mapping
// replaces.
import type { TableHooks } from '../hooks/table-hooks.js';

/** A class whose instances a table returns. */
export type MappedClass = abstract new (...args: any[]) => any;

/** Maps the table's records to `constructor`'s instances from now on (replacing an earlier mapping). */
export function mapTableToClass(hooks: TableHooks, constructor: MappedClass): void {
  const prototype = constructor.prototype as object;
  const reader = (record: unknown): unknown => {
    if (!record || typeof record !== 'object') return record;
    const instance = Object.create(prototype) as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      try {
        instance[key] = (record as Record<string, unknown>)[key];
      } catch {
        // a read-only accessor on the prototype keeps its own value, as in Dexie
      }
    }
    return instance;
  };
  if (hooks.classReader) hooks.reading.unsubscribe(hooks.classReader);
  hooks.classReader = reader;
  hooks.reading.subscribe(reader);
}

/** Dexie's defineClass(structure): a plain class whose constructor copies its argument's properties. */
export function definedClass(): new (content?: object) => object {
  return class DefinedClass {
    constructor(content?: object) {
      if (content) Object.assign(this, content);
    }
  };
}
