// api/mapped-class.ts: Table.mapToClass() and Table.defineClass(), as in
// Dexie: records read from the table come back as instances of a class (its
// prototype, the record's own properties copied onto a fresh instance; the
// constructor is not called), through a reading hook that a later mapping
// replaces. Entity subclasses (api/entity.ts) get their database and table.
import type { TableHooks } from '../hooks/table-hooks.js';
import { Entity } from './entity.js';

/** A class whose instances a table returns. */
export type MappedClass = abstract new (...args: any[]) => any;

/**
 * Maps the table's records to `constructor`'s instances from now on
 * (replacing an earlier mapping) and returns the class records get. As in
 * Dexie, a record's property never shadows one the class or its prototypes
 * define (methods, accessors); and a subclass of Entity gets a subclass
 * whose `db` is the database and whose table() names the table.
 */
export function mapTableToClass<C extends MappedClass>(hooks: TableHooks, constructor: C, db: object, table: string): C {
  let mapped: MappedClass = constructor;
  if (constructor.prototype instanceof Entity) {
    mapped = class extends (constructor as unknown as new () => Entity) {
      override get db(): any {
        return db;
      }
      override table(): string {
        return table;
      }
    };
  }
  const prototype = mapped.prototype as object;
  const inherited = new Set<string>();
  for (let proto: object | null = prototype; proto; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) inherited.add(name);
  }
  const reader = (record: unknown): unknown => {
    if (!record || typeof record !== 'object') return record;
    const instance = Object.create(prototype) as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (inherited.has(key)) continue;
      try {
        instance[key] = (record as Record<string, unknown>)[key];
      } catch {
        // a read-only property keeps its own value, as in Dexie
      }
    }
    return instance;
  };
  if (hooks.classReader) hooks.reading.unsubscribe(hooks.classReader);
  hooks.classReader = reader;
  hooks.reading.subscribe(reader);
  return mapped as C;
}

/** Dexie's defineClass(structure): a plain class whose constructor copies its argument's properties. */
export function definedClass(): new (content?: object) => object {
  return class DefinedClass {
    constructor(content?: object) {
      if (content) Object.assign(this, content);
    }
  };
}
