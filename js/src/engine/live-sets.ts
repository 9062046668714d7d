// live-sets.ts: the engine module's live-query objects (read sets, change
// sets: core/include/indexie/read_set.h, change_set.h), made here so that
// live-query/ needs nothing else of the wasm module.
import type { NativeChangeSet, NativeReadSet } from '../indexie-core.js';
import { InternalError } from '../errors.js';
import { requestBuffer } from './requests.js';
import { loadedCore } from '../wasm-module.js';

/** An empty read set (free it with delete()); the engine module must be loaded. */
export function newReadSet(): NativeReadSet {
  return new (loadedCore().ReadSet)();
}

/** Merges `bytes` (an engine's kTakeReads answer, read_set.h wire format) into `readSet`. */
export function addReads(readSet: NativeReadSet, bytes: Uint8Array): void {
  if (bytes.length === 0) return;
  const core = loadedCore();
  core.HEAPU8.set(bytes, requestBuffer(core, bytes.length));
  if (!readSet.addSerialized(bytes.length)) throw new InternalError('the engine answered a read set that does not parse');
}

/** A change set built from serialized ones (free it with delete()). `null` stands for "everything changed". */
export function changeSetOf(parts: ReadonlyArray<Uint8Array | null>): NativeChangeSet {
  const core = loadedCore();
  const set = new core.ChangeSet();
  for (const bytes of parts) {
    if (bytes === null) {
      set.addEverything();
      continue;
    }
    core.HEAPU8.set(bytes, requestBuffer(core, bytes.length));
    // A part that does not parse (a newer format from another tab) counts as "everything".
    if (!set.add(bytes.length)) set.addEverything();
  }
  return set;
}
