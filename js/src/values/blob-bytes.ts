// values/blob-bytes.ts: the bytes of Blobs (and Files), known ahead of the
// synchronous encoder (value-encoder.ts). A Blob's bytes can only be read
// asynchronously (blob.arrayBuffer()), while a write encodes its values
// synchronously inside its operation. So every write first calls
// readBlobsIn(its values) at its call (it starts reading any Blob not yet
// known) and the write path waits for that promise after the write has taken
// its place in the order of writes (db/write-path.ts): operations still
// apply in call order.
//
// Guarantees: a Blob is immutable, so bytes known for one Blob object stay
// right for it. Known bytes live as long as their Blob object (a WeakMap):
// Blobs the decoder makes (value-decoder.ts) are known from birth, so a
// record read back can be written again synchronously (update(), modify()),
// at the cost of keeping a copy of their bytes while the app holds them.
import { DataCloneError } from '../errors.js';

const bytesOfBlob = new WeakMap<Blob, Uint8Array>();
const BlobClass: typeof Blob | undefined = typeof Blob === 'undefined' ? undefined : Blob;

/** The bytes of `blob`, if known (read by readBlobsIn, or decoded). */
export function knownBlobBytes(blob: Blob): Uint8Array | undefined {
  return bytesOfBlob.get(blob);
}

/** Records the bytes of a Blob made from them (the decoder's). */
export function rememberBlobBytes(blob: Blob, bytes: Uint8Array): void {
  bytesOfBlob.set(blob, bytes);
}

/**
 * Starts reading the bytes of every Blob inside `values` whose bytes are not
 * known yet; resolves once all are (a DataCloneError if one cannot be read).
 * Undefined when there is nothing to read: most writes, which then do not
 * wait at all.
 */
export function readBlobsIn(values: readonly unknown[]): Promise<void> | undefined {
  if (!BlobClass) return undefined;
  const walk = new BlobWalk(BlobClass);
  for (const value of values) {
    if (value === null || typeof value !== 'object') continue;
    walk.budget = TREE_WALK_BUDGET;
    if (!walk.tree(value)) walk.graph(value, new Set());
  }
  const unread = [...walk.unread];
  if (unread.length === 0) return undefined;
  return Promise.all(
    unread.map(async (blob) => {
      try {
        bytesOfBlob.set(blob, new Uint8Array(await blob.arrayBuffer()));
      } catch (error) {
        throw new DataCloneError(`the bytes of a Blob to store could not be read: ${(error as Error)?.message ?? error}`, {
          cause: error,
        });
      }
    }),
  ).then(() => undefined);
}

/** Objects one value may have before its walk remembers every object it met (see BlobWalk). */
const TREE_WALK_BUDGET = 10000;

/**
 * Finds the Blobs in what the encoder walks (arrays, objects, Maps, Sets).
 * This runs on every write, so the usual value (a small tree) is walked
 * without remembering each object: only its ancestors, which stops a cycle.
 * A value that shares objects may then meet one many times (exponentially
 * often, in the worst case), so past a budget of objects the value is walked
 * again, remembering every object met (graph()).
 */
class BlobWalk {
  readonly unread = new Set<Blob>();
  readonly ancestors: object[] = [];
  budget = 0;
  constructor(readonly BlobType: typeof Blob) {}

  /** Walks `value` as a tree; false if the budget ran out (the walk is then incomplete). */
  tree(value: object): boolean {
    if (--this.budget < 0) return false;
    if (this.ancestors.includes(value)) return true; // a cycle
    // Arrays and plain objects (nearly everything) without the allocation of childrenOf.
    const isArray = Array.isArray(value);
    let plain = isArray;
    if (!plain) {
      const proto = Object.getPrototypeOf(value);
      plain = proto === Object.prototype || proto === null;
    }
    const children = plain ? undefined : this.childrenOf(value);
    if (!plain && children === undefined) return true;
    this.ancestors.push(value);
    try {
      if (isArray) {
        const array = value as unknown[];
        for (let i = 0; i < array.length; i++) {
          const child = array[i];
          if (child !== null && typeof child === 'object' && !this.tree(child)) return false;
        }
      } else if (plain) {
        for (const key in value) {
          const child = (value as Record<string, unknown>)[key];
          if (child !== null && typeof child === 'object' && !this.tree(child)) return false;
        }
      } else {
        for (const child of children!) {
          if (child !== null && typeof child === 'object' && !this.tree(child)) return false;
        }
      }
    } finally {
      this.ancestors.pop();
    }
    return true;
  }

  graph(value: object, seen: Set<object>): void {
    if (seen.has(value)) return;
    seen.add(value);
    const children = this.childrenOf(value);
    if (children === undefined) return;
    for (const child of children) if (child !== null && typeof child === 'object') this.graph(child, seen);
  }

  /** What the encoder would walk into (undefined: nothing), noting an unread Blob. */
  childrenOf(value: object): Iterable<unknown> | undefined {
    if (Array.isArray(value)) return value;
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      if (value instanceof this.BlobType) {
        if (!bytesOfBlob.has(value)) this.unread.add(value);
        return undefined;
      }
      if (value instanceof Map) return [...value.keys(), ...value.values()];
      if (value instanceof Set) return value;
      if (value instanceof Date || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined;
    }
    return Object.values(value);
  }
}
