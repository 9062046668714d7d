// engine/intercepted-engine.ts: an Engine whose writes go through functions
// of the caller's (the hooks layer, sync's outbox capture) while every other
// method is the engine's own. Interceptors usually handle one table and pass
// others on to the engine; clearing a table becomes deleting each of its
// records (allPrimaryKeys), so per-record interceptors see each one.
import type { Engine, EngineWriteResult } from './engine.js';

export interface WriteInterceptors {
  write: (table: string, mode: 'add' | 'put', values: readonly unknown[], keys?: readonly unknown[]) => Promise<EngineWriteResult>;
  delete: (table: string, keys: readonly unknown[]) => Promise<number>;
  clear: (table: string) => Promise<void>;
}

/** `engine` with its write, delete and clear replaced by `interceptors`'. */
export function interceptWrites(engine: Engine, interceptors: WriteInterceptors): Engine {
  return new Proxy(engine, {
    get(target, property) {
      if (property === 'write') return interceptors.write;
      if (property === 'delete') return interceptors.delete;
      if (property === 'clear') return interceptors.clear;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Every primary key of `table`, in order. */
export function allPrimaryKeys(engine: Engine, table: string): Promise<unknown[]> {
  const description = { table, index: '', reverse: false, distinct: false, unique: false, offset: 0, limit: -1, orderBy: [] };
  return engine.query(description, null, 'primaryKeys');
}
