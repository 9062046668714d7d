// live-sets.ts: the read sets and change sets live-query/ keeps, made from
// what the engine answers. They are plain JS (read-set.ts, change-set.ts,
// with the C++ wire formats), so a page whose engine runs elsewhere (OPFS:
// a dedicated Worker) needs no wasm module for live queries.
import { DataError, InternalError } from '../errors.js';
import { ChangeSet } from './change-set.js';
import { ReadSet } from './read-set.js';

export { ChangeSet } from './change-set.js';
export { ReadSet } from './read-set.js';

/** An empty read set. */
export function newReadSet(): ReadSet {
  return new ReadSet();
}

/** Merges `bytes` (an engine's kTakeReads answer, read_set.h wire format) into `readSet`. */
export function addReads(readSet: ReadSet, bytes: Uint8Array): void {
  if (bytes.length === 0) return;
  try {
    readSet.addSerialized(bytes);
  } catch (error) {
    throw new InternalError(`the engine answered a read set that does not parse: ${(error as Error).message}`);
  }
}

/** A change set built from serialized ones. `null` stands for "everything changed". */
export function changeSetOf(parts: ReadonlyArray<Uint8Array | null>): ChangeSet {
  const set = new ChangeSet();
  for (const bytes of parts) {
    if (bytes === null) {
      set.addEverything();
      continue;
    }
    try {
      set.add(bytes);
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      // A part that does not parse (a newer format from another tab) counts as "everything".
      set.addEverything();
    }
  }
  return set;
}
