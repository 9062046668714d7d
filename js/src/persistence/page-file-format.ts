// persistence/page-file-format.ts: indexie's on-disk format in IndexedDB
// (storage format 3), and the pure functions that rebuild a database file from
// its records. idb-page-store.ts does the IndexedDB reads and writes.
//
// IndexedDB layout (on-disk format 3), database `indexie:<name>`, version 1:
//   chunks: key = chunk number n -> Uint8Array of pagesPerChunk pages: file
//           pages [n * pagesPerChunk, (n + 1) * pagesPerChunk), 4096 bytes each.
//           The chunks hold the file exactly as it was at commit `base`.
//   meta:   key 'state' -> { format: 3, pageSize: 4096, pagesPerChunk,
//                            fileSize, commit, base }
//           written by chunk commits (then commit = base) and by the first
//           commit of a format 3 writer to a format 1 or 2 database (always a
//           chunk commit). Since format 3, `commit` and `fileSize` are the
//           latest only when no log entry has a higher key: the latest commit
//           is the highest log key, and its entry holds the file size.
//   log:    key = commit number -> one of
//             a chunk commit  { chunks: [chunk numbers written], fileSize, changes }
//             a diff commit   { diff: the changed byte ranges (below), fileSize, changes }
//             a page commit   { pages: [page numbers], bytes: those pages, concatenated,
//                               fileSize, changes }  (written by format 2; still read)
//           `changes` are the commit's change sets (core/include/indexie/change_set.h),
//           so other tabs re-run only the live queries they touch (an entry
//           without `changes`: anything changed).
//   A diff (idb_bridge page_vfs.h, PageVfsDiff; numbers little-endian): per
//   changed page, u32 page number, u16 range count, then per range u16
//   offset, u16 length and the bytes at that offset after the commit; the
//   rest of the page is as before the commit (zeros if the page was new).
// The file at the latest commit = the chunks, then every log entry after
// `base` applied in commit order, cut at the latest entry's `fileSize`. The
// log keys after `base` are consecutive: a commit adds its entry with
// IndexedDB's add(), which fails if the key exists, so two tabs can never
// both write commit n (that failure is how a commit learns another tab
// wrote first). The writer's rules (idb-page-store.ts):
//   - A small commit (at most 32 pages, the file not shrinking) writes ONE
//     diff record and nothing else: IndexedDB's cost is per transaction and
//     per request, and a diff of an add is a few KiB against 40-60 KiB of pages.
//     A bigger commit (the file growing by at most 32 pages) does the same if
//     its diff fits in what is left of the diff bytes allowed after `base`: a modify() of
//     many records scattered over the file changes a few bytes in thousands
//     of pages (~80 KiB of diff against ~35 MB of chunks at 100k records).
//   - Every other commit, the first of a format 3 writer, and the first
//     after DELTAS_PER_BASE diff commits or DELTA_BYTES_PER_BASE bytes of
//     them, is a chunk commit: it writes every chunk holding a page changed
//     since `base`, moves `base` to itself and writes `meta`. So loading
//     reads a bounded log beyond the chunks.
//   - Only chunk commits trim the log: they keep the last 100 entries
//     (other tabs catch up by reading only what changed).
// Format 1 (no `base`, chunk commits only) is read as format 3 with
// base = commit; format 2 (meta written by every commit, page commits) as
// is. Never renumber or reinterpret a field: stored databases outlive
// versions of this code.
import { VersionError } from '../errors.js';

export const PAGE_SIZE = 4096;
/** The storage format this version writes (and the newest it reads). */
export const FORMAT = 3;

export interface StoredState {
  format: number;
  pageSize: number;
  pagesPerChunk: number;
  fileSize: number;
  commit: number;
  /** The commit the chunks hold the file of (format 1: always `commit`). */
  base: number;
}

export type LogEntry =
  | { chunks: number[]; fileSize: number; changes?: Uint8Array[] }
  | { diff: Uint8Array; fileSize: number; changes?: Uint8Array[] }
  | { pages: number[]; bytes: Uint8Array; fileSize: number; changes?: Uint8Array[] };

/** Page numbers (the engine hands them over as a Uint32Array). */
export type PageNumbers = Uint32Array | readonly number[];

/** A file's pages, as far as a read brought them (page number -> 4096 bytes). */
export type PageMap = Map<number, Uint8Array>;

/** A page commit (format 2: whole pages). */
export function isPageCommit(entry: LogEntry): entry is Extract<LogEntry, { pages: number[] }> {
  return 'pages' in entry;
}

/** A diff commit (format 3: changed byte ranges). */
export function isDiffCommit(entry: LogEntry): entry is Extract<LogEntry, { diff: Uint8Array }> {
  return 'diff' in entry;
}

/** The page numbers a diff changes, in its order (ascending). */
export function pagesOfDiff(diff: Uint8Array): number[] {
  const view = new DataView(diff.buffer, diff.byteOffset, diff.byteLength);
  const pages: number[] = [];
  for (let at = 0; at < diff.length;) {
    pages.push(view.getUint32(at, true));
    const ranges = view.getUint16(at + 4, true);
    at += 6;
    for (let r = 0; r < ranges; r++) at += 4 + view.getUint16(at + 2, true);
  }
  return pages;
}

/** The pages a delta entry (diff or page commit) changes. */
export function pagesOfDelta(entry: LogEntry): readonly number[] {
  return isDiffCommit(entry) ? pagesOfDiff(entry.diff) : isPageCommit(entry) ? entry.pages : [];
}

/** The bytes a delta entry adds to what loading reads. */
export function deltaBytes(entry: LogEntry): number {
  return isDiffCommit(entry) ? entry.diff.length : isPageCommit(entry) ? entry.bytes.length : 0;
}

/** Reads a stored `meta` state, upgrading format 1's in memory; rejects formats this version cannot read. */
export function readState(stored: (Omit<StoredState, 'base'> & { base?: number }) | undefined, name: string): StoredState | undefined {
  if (!stored) return undefined;
  if (stored.format > FORMAT) {
    throw new VersionError(
      `database '${name}' was stored by a newer indexie (storage format ${stored.format}; this version reads formats 1 to ${FORMAT}): upgrade indexie to open it`,
    );
  }
  return { ...stored, base: stored.base ?? stored.commit };
}

/** Splits chunks into pages, dropping pages at or past `fileSize`. */
export function pagesOfChunks(chunks: Iterable<[number, Uint8Array]>, pagesPerChunk: number, fileSize: number, into: PageMap): void {
  for (const [chunk, bytes] of chunks) {
    for (let i = 0; i < pagesPerChunk; i++) {
      const page = chunk * pagesPerChunk + i;
      if (page * PAGE_SIZE >= fileSize) break;
      into.set(page, bytes.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE));
    }
  }
}

/**
 * Applies delta entries (in commit order) over `into`; later entries win. A
 * diff changes a page of `into` in place, or, if `into` lacks it, a
 * writable copy of `pageBefore(page)`: the page as it was before these
 * entries (zeros where the file did not reach).
 */
export function applyDeltas(entries: readonly LogEntry[], into: PageMap, pageBefore: (page: number) => Uint8Array): void {
  for (const entry of entries) {
    if (isPageCommit(entry)) {
      entry.pages.forEach((page, i) => into.set(page, entry.bytes.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE)));
    } else if (isDiffCommit(entry)) {
      const diff = entry.diff;
      const view = new DataView(diff.buffer, diff.byteOffset, diff.byteLength);
      for (let at = 0; at < diff.length;) {
        const page = view.getUint32(at, true);
        const ranges = view.getUint16(at + 4, true);
        at += 6;
        let bytes = into.get(page);
        if (!bytes) into.set(page, (bytes = pageBefore(page)));
        for (let r = 0; r < ranges; r++) {
          const offset = view.getUint16(at, true);
          const length = view.getUint16(at + 2, true);
          if (offset + length > PAGE_SIZE) throw new Error(`corrupt diff record: a range ends past its page (${offset} + ${length})`);
          bytes.set(diff.subarray(at + 4, at + 4 + length), offset);
          at += 4 + length;
        }
      }
    }
  }
}

/** pageBefore for applyDeltas when only the stored records count: a page the chunks did not hold was zeros. */
export const zeroPage = (): Uint8Array => new Uint8Array(PAGE_SIZE);

export function dropPagesFrom(pages: PageMap, fileSize: number): void {
  for (const page of pages.keys()) if (page * PAGE_SIZE >= fileSize) pages.delete(page);
}

export function deltaPagesOf(entries: readonly LogEntry[]): number[] {
  return entries.flatMap((entry) => pagesOfDelta(entry));
}
