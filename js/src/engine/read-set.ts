// read-set.ts: what a live query's run read (DESIGN §8), in JS: the twin of
// core/include/indexie/read_set.h. The engine records reads in C++ and sends
// them serialized (its kTakeReads answer); the page keeps them here and
// matches them against change sets (change-set.ts) with no wasm module.
//
// Contract (the C++ semantics exactly; tests/node/live-sets-differential
// checks it against the wasm bindings): per table and index ("" = the
// primary key), byte ranges [lo, hi) of the index table's column (hi null:
// unbounded above), of two kinds:
//   values: the run used the records there: any change to a record with a
//           column value, before or after, in a range counts;
//   keys:   the run used only which entries exist there: a change counts
//           only if it adds or removes an entry in a range (the sorted
//           column values inside the ranges differ before and after).
// A change to a table the read set has no ranges of never counts; a whole-
// table change of a table it read, "everything", or an index the change does
// not list always counts. Keys compare as bytes in memcmp order (byte
// strings, byte-string.ts), as std::string does in the C++.
//
// Wire format, byte-identical to ReadSet::Serialize/MergeSerialized: a CBOR
// array [1, [[table: text, [[index: text, [range...], [range...]]...]]...]],
// per index the values ranges then the keys ranges, range = [lo: bytes,
// hi: bytes | null]; tables and indexes in byte order of their names, ranges
// as recorded (or as merged, once a lookup sorted and merged them, as the
// C++ does lazily). addSerialized() checks every byte and on anything
// malformed throws DataError and merges nothing.
import { DataError } from '../errors.js';
import type { ChangeSet } from './change-set.js';
import { Major, SetWriter, StrictReader } from './set-cbor.js';

const FORMAT = 1;
const ABOVE_ANY = '\xff';

export type ReadKind = 'values' | 'keys';

/** lo <= column < hi (byte strings); hi null: unbounded above. Never mutated once made (sets share them). */
export interface ByteRange {
  readonly lo: string;
  readonly hi: string | null;
}

interface Ranges {
  list: ByteRange[];
  sorted: boolean; // sorted by lo and merged; restored lazily before lookups
}

interface IndexReads {
  values: Ranges;
  keys: Ranges;
}

const NONE: readonly string[] = [];

export class ReadSet {
  /** table -> index -> reads (Map order is insertion order: serialize() sorts). */
  readonly #tables = new Map<string, Map<string, IndexReads>>();

  add(table: string, index: string, range: ByteRange, kind: ReadKind): void {
    let indexes = this.#tables.get(table);
    if (!indexes) this.#tables.set(table, (indexes = new Map()));
    let reads = indexes.get(index);
    if (!reads) indexes.set(index, (reads = { values: { list: [], sorted: true }, keys: { list: [], sorted: true } }));
    const target = reads[kind];
    target.list.push(range);
    target.sorted = target.list.length === 1;
  }

  /** A point read of an encoded primary key: [pk, pk + 0xFF), exactly that key (encodings are prefix-free). */
  addPrimaryKey(table: string, encodedPrimaryKey: string): void {
    this.add(table, '', { lo: encodedPrimaryKey, hi: encodedPrimaryKey + ABOVE_ANY }, 'values');
  }

  merge(other: ReadSet): void {
    for (const [table, indexes] of other.#tables) {
      for (const [index, reads] of indexes) {
        for (const range of [...reads.values.list]) this.add(table, index, range, 'values');
        for (const range of [...reads.keys.list]) this.add(table, index, range, 'keys');
      }
    }
  }

  clear(): void {
    this.#tables.clear();
  }

  isEmpty(): boolean {
    return this.#tables.size === 0;
  }

  /** Whether `changes` could alter what was read. */
  intersects(changes: ChangeSet): boolean {
    if (this.#tables.size === 0 || changes.isEmpty()) return false;
    if (changes.everything) return true;
    // In name order, as the C++ walks its std::map: which sets get normalized before an early
    // return then matches too (visible only in serialize()).
    const names = this.#tables.size === 1 ? this.#tables.keys() : [...this.#tables.keys()].sort();
    for (const table of names) {
      const changed = changes.tables.get(table);
      if (!changed) continue;
      if (changed.wholeTable) return true;
      const indexes = this.#tables.get(table)!;
      for (const reads of indexes.values()) {
        normalize(reads.values);
        normalize(reads.keys);
      }
      for (const record of changed.records) {
        for (const [index, reads] of indexes) {
          if (index === '') {
            const before = record.existedBefore ? [record.primaryKey] : NONE;
            const after = record.existsAfter ? [record.primaryKey] : NONE;
            if (indexAffected(reads, before, after)) return true;
            continue;
          }
          const entry = record.indexes.find((change) => change.index === index);
          // An index the change does not list (it did not exist then): treat as changed.
          if (!entry) return true;
          if (indexAffected(reads, entry.before, entry.after)) return true;
        }
      }
    }
    return false;
  }

  serialize(): Uint8Array {
    const out = new SetWriter();
    out.header(Major.array, 2).header(Major.unsigned, FORMAT).header(Major.array, this.#tables.size);
    for (const table of [...this.#tables.keys()].sort()) {
      const indexes = this.#tables.get(table)!;
      out.header(Major.array, 2).string(Major.text, table).header(Major.array, indexes.size);
      for (const index of [...indexes.keys()].sort()) {
        const reads = indexes.get(index)!;
        out.header(Major.array, 3).string(Major.text, index);
        writeRanges(out, reads.values.list);
        writeRanges(out, reads.keys.list);
      }
    }
    return out.finish();
  }

  /** Adds what a serialized read set holds; DataError, and nothing merged, if it is malformed. */
  addSerialized(bytes: Uint8Array): void {
    const malformed = (): DataError => new DataError('malformed read set');
    const reader = new StrictReader(bytes);
    if (reader.array() !== 2) throw malformed();
    const format = reader.unsigned();
    if (format === undefined) throw malformed();
    if (format !== FORMAT) throw new DataError(`read set format ${format} is unknown`);
    const tables = reader.array();
    if (tables === undefined) throw malformed();
    // Parsed whole before anything is added: malformed input merges nothing.
    const parsed = new ReadSet();
    for (let t = 0; t < tables; t++) {
      if (reader.array() !== 2) throw malformed();
      const table = reader.string(Major.text);
      const indexes = reader.array();
      if (table === undefined || indexes === undefined) throw malformed();
      for (let i = 0; i < indexes; i++) {
        if (reader.array() !== 3) throw malformed();
        const index = reader.string(Major.text);
        if (index === undefined) throw malformed();
        const values = readRanges(reader);
        if (!values) throw malformed();
        const keys = readRanges(reader);
        if (!keys) throw malformed();
        for (const range of values) parsed.add(table, index, range, 'values');
        for (const range of keys) parsed.add(table, index, range, 'keys');
      }
    }
    if (!reader.atEnd()) throw malformed();
    this.merge(parsed);
  }
}

/** Sorts by lo and merges overlapping or touching ranges (read_set.cc Normalize). */
function normalize(ranges: Ranges): void {
  if (ranges.sorted) return;
  // A stable sort: ties in lo keep their recorded order (std::sort may order them otherwise, which
  // changes only how an inverted range, hi < lo, that nothing can be in, is listed; never a lookup).
  const list = ranges.list.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const merged: ByteRange[] = [];
  for (const range of list) {
    const last = merged.length - 1;
    if (last >= 0) {
      const previous = merged[last];
      if (previous.hi === null) continue; // unbounded above: covers the rest
      if (range.lo <= previous.hi) {
        if (range.hi === null || range.hi > previous.hi) merged[last] = { lo: previous.lo, hi: range.hi };
        continue;
      }
    }
    merged.push(range);
  }
  ranges.list = merged;
  ranges.sorted = true;
}

/** Whether a normalized range list holds `column`. */
function contains(ranges: readonly ByteRange[], column: string): boolean {
  // The last range starting at or below `column` is the only one that can hold it.
  let low = 0;
  let high = ranges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (column < ranges[middle].lo) high = middle;
    else low = middle + 1;
  }
  if (low === 0) return false;
  const range = ranges[low - 1];
  return column >= range.lo && (range.hi === null || column < range.hi);
}

function indexAffected(reads: IndexReads, before: readonly string[], after: readonly string[]): boolean {
  const values = reads.values.list;
  if (values.length > 0) {
    for (const column of before) if (contains(values, column)) return true;
    for (const column of after) if (contains(values, column)) return true;
  }
  const keys = reads.keys.list;
  if (keys.length > 0) {
    const inBefore = before.filter((column) => contains(keys, column)).sort();
    const inAfter = after.filter((column) => contains(keys, column)).sort();
    if (inBefore.length !== inAfter.length) return true;
    for (let i = 0; i < inBefore.length; i++) if (inBefore[i] !== inAfter[i]) return true;
  }
  return false;
}

function writeRanges(out: SetWriter, ranges: readonly ByteRange[]): void {
  out.header(Major.array, ranges.length);
  for (const range of ranges) {
    out.header(Major.array, 2).string(Major.bytes, range.lo);
    if (range.hi === null) out.null();
    else out.string(Major.bytes, range.hi);
  }
}

function readRanges(reader: StrictReader): ByteRange[] | undefined {
  const count = reader.array();
  if (count === undefined) return undefined;
  const ranges: ByteRange[] = [];
  for (let i = 0; i < count; i++) {
    if (reader.array() !== 2) return undefined;
    const lo = reader.string(Major.bytes);
    if (lo === undefined) return undefined;
    if (reader.null()) {
      ranges.push({ lo, hi: null });
      continue;
    }
    const hi = reader.string(Major.bytes);
    if (hi === undefined) return undefined;
    ranges.push({ lo, hi });
  }
  return ranges;
}
