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
  const unread: Blob[] = [];
  const seen = new Set<object>();
  for (const value of values) collectUnread(value, unread, seen, BlobClass);
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

// Walks what the encoder walks (arrays, objects, Maps, Sets), once per object.
function collectUnread(value: unknown, unread: Blob[], seen: Set<object>, BlobType: typeof Blob): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) collectUnread(value[i], unread, seen, BlobType);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    if (value instanceof BlobType) {
      if (!bytesOfBlob.has(value)) unread.push(value);
      return;
    }
    if (value instanceof Map) {
      for (const [key, item] of value) {
        collectUnread(key, unread, seen, BlobType);
        collectUnread(item, unread, seen, BlobType);
      }
      return;
    }
    if (value instanceof Set) {
      for (const item of value) collectUnread(item, unread, seen, BlobType);
      return;
    }
    if (value instanceof Date || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return;
  }
  for (const key of Object.keys(value)) collectUnread((value as Record<string, unknown>)[key], unread, seen, BlobType);
}
