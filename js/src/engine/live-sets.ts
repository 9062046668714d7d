// live-sets.ts: the engine module's live-query objects (read sets, change
// sets: core/include/indexie/read_set.h, change_set.h), made here so that
// live-query/ needs nothing else of the wasm module.
import type { NativeChangeSet, NativeReadSet } from '../indexie-core.js';
import { requestBuffer } from './requests.js';
import { loadedCore } from '../wasm-module.js';

/** An empty read set (free it with delete()); the engine module must be loaded. */
export function newReadSet(): NativeReadSet {
  return new (loadedCore().ReadSet)();
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
