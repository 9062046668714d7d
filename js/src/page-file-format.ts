// page-file-format.ts: indexie's on-disk format in IndexedDB (storage
// format 2), and the pure functions that rebuild a database file from its
// records. idb-page-store.ts does the IndexedDB reads and writes.
//
// IndexedDB layout (on-disk format 2), database `indexie:<name>`, version 1:
//   chunks: key = chunk number n -> Uint8Array of pagesPerChunk pages: file
//           pages [n * pagesPerChunk, (n + 1) * pagesPerChunk), 4096 bytes each.
//           The chunks hold the file exactly as it was at commit `base`.
//   meta:   key 'state' -> { format: 2, pageSize: 4096, pagesPerChunk,
//                            fileSize, commit, base }
//   log:    key = commit number -> one of
//             a chunk commit  { chunks: [chunk numbers written], fileSize, changes }
//             a delta commit  { pages: [page numbers], bytes: those pages, concatenated,
//                               fileSize, changes }
//           `changes` are the commit's change sets (core/include/indexie/change_set.h),
//           so other tabs re-run only the live queries they touch (an entry
//           without `changes`: anything changed).
// The file at commit `commit` = the chunks, then every delta commit after
// `base` applied in commit order, cut at `fileSize`. The writer's rules
// (idb-page-store.ts):
//   - A small commit (at most 32 pages, the file not shrinking) writes ONE
//     log record and no chunk: IndexedDB's cost is per transaction and per
//     record, not per byte, and a single add changes ~8-15 pages scattered
//     over as many chunks.
//   - Every other commit, and the first after 64 delta commits, is a chunk
//     commit: it writes every chunk holding a page changed since `base` and
//     moves `base` to itself. So loading reads at most 64 log records beyond
//     the chunks.
//   - The log keeps the last 100 entries (other tabs catch up by reading
//     only what changed) and never drops an entry after `base`.
// Format 1 (no `base`, chunk commits only) is read as format 2 with
// base = commit. Never renumber or reinterpret a field: stored databases
// outlive versions of this code.
import { VersionError } from './errors.js';

export const PAGE_SIZE = 4096;
/** The storage format this version writes (and the newest it reads). */
export const FORMAT = 2;

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
  | { pages: number[]; bytes: Uint8Array; fileSize: number; changes?: Uint8Array[] };

/** Page numbers (the engine hands them over as a Uint32Array). */
export type PageNumbers = Uint32Array | readonly number[];

/** A file's pages, as far as a read brought them (page number -> 4096 bytes). */
export type PageMap = Map<number, Uint8Array>;

export function isDelta(entry: LogEntry): entry is Extract<LogEntry, { pages: number[] }> {
  return 'pages' in entry;
}

/** Reads a stored state, upgrading format 1's in memory; rejects formats this version cannot read. */
export function readState(stored: (Omit<StoredState, 'base'> & { base?: number }) | undefined, name: string): StoredState | undefined {
  if (!stored) return undefined;
  if (stored.format > FORMAT) {
    throw new VersionError(`database '${name}' was stored by a newer indexie (storage format ${stored.format}; this version reads formats 1 to ${FORMAT}): upgrade indexie to open it`);
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

/** Applies delta entries (in commit order) over `into`; later entries win. */
export function applyDeltas(entries: readonly LogEntry[], into: PageMap): void {
  for (const entry of entries) {
    if (!isDelta(entry)) continue;
    entry.pages.forEach((page, i) => into.set(page, entry.bytes.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE)));
  }
}

export function dropPagesFrom(pages: PageMap, fileSize: number): void {
  for (const page of pages.keys()) if (page * PAGE_SIZE >= fileSize) pages.delete(page);
}

export function deltaPagesOf(entries: readonly LogEntry[]): number[] {
  return entries.flatMap((entry) => (isDelta(entry) ? entry.pages : []));
}

