// live-query/recording-engine.ts: an engine view whose reads record what they
// read into a live query's read set (live-query.ts, read_set.h).
//
// The engine records while a recorder is set on it; this view sets it for
// the duration of each read call (and of each batch of a cursor opened
// through it) and unsets it afterwards, so reads by other code in between
// are never attributed to the live query.
import type { Engine, EngineCursor, ReadSet } from '../engine/engine.js';

const READS = new Set(['get', 'bulkGet', 'getByIndex', 'count', 'scan', 'query', 'countQuery', 'aggregate']);

/**
 * Runs `read` with the recorder set: a read call sends its request in its
 * synchronous part (engine.ts), so the recorder is unset right after the
 * call returns its promise, before anything else can send a request.
 */
function recording<R>(engine: Engine, readSet: ReadSet, read: () => R): R {
  engine.recordReadsInto(readSet);
  try {
    return read();
  } finally {
    engine.recordReadsInto(null);
  }
}

export function recordingEngine(engine: Engine, readSet: ReadSet): Engine {
  return new Proxy(engine, {
    get(target, property) {
      const member = Reflect.get(target, property, target);
      if (typeof member !== 'function') return member;
      if (typeof property === 'string' && READS.has(property)) {
        return (...args: unknown[]) => recording(target, readSet, () => member.apply(target, args));
      }
      if (property === 'openCursor') {
        return (...args: unknown[]): EngineCursor => {
          const cursor = member.apply(target, args) as EngineCursor; // sends nothing until its first batch
          return {
            next: (max, withValues) => recording(target, readSet, () => cursor.next(max, withValues)),
            nextValues: (max) => recording(target, readSet, () => cursor.nextValues(max)),
            close: () => cursor.close(),
          };
        };
      }
      return member.bind(target);
    },
  });
}
