// change-set.ts: what writes changed, in the terms live queries read in
// (DESIGN §8), in JS: the twin of core/include/indexie/change_set.h (the
// engine builds change sets in C++; the page only merges, forwards and
// matches them, and needs no wasm module for that).
//
// Contract (the C++ semantics exactly; tests/node/live-sets-differential
// checks it against the wasm bindings): per table, the changed records with
// their primary key and, per index, the index columns before and after;
// "the whole table changed"; or "everything changed". Merging keeps at most
// MAX_RECORDS_PER_TABLE records per table, then the table becomes a whole-
// table change; "everything" absorbs all. Keys and names are byte strings
// (byte-string.ts), compared in memcmp order as the C++ does.
//
// Wire format (crosses tabs through IndexedDB; the engine's commit outputs),
// byte-identical to ChangeSet::Serialize/Parse: a CBOR array
//   [1, everything: bool, [[table: text, whole: bool, [record...]]...]]
//   record = [pk: bytes, before: bool, after: bool, [[index: text, [bytes...], [bytes...]]...]]
// tables in byte order of their names. parse() checks every byte and throws
// DataError on anything malformed, or on an unknown format version.
import { DataError } from '../errors.js';
import { Major, SetWriter, StrictReader } from './set-cbor.js';

const FORMAT = 1;

export interface IndexChange {
  readonly index: string;
  /** The index table's column values before and after (byte strings). */
  readonly before: readonly string[];
  readonly after: readonly string[];
}

export interface RecordChange {
  readonly primaryKey: string; // encoded, a byte string
  readonly existedBefore: boolean;
  readonly existsAfter: boolean;
  readonly indexes: readonly IndexChange[]; // every index of the table
}

export interface TableChange {
  wholeTable: boolean; // if set, `records` is empty (unless parsed so)
  records: RecordChange[];
}

export class ChangeSet {
  static readonly MAX_RECORDS_PER_TABLE = 2000;

  #everything = false;
  readonly #tables = new Map<string, TableChange>();

  /** Parses the wire format; DataError if it is malformed (the C++ Parse: nothing is capped or dropped). */
  static parse(bytes: Uint8Array): ChangeSet {
    const malformed = (): DataError => new DataError('malformed change set');
    const reader = new StrictReader(bytes);
    const set = new ChangeSet();
    if (reader.array() !== 3) throw malformed();
    const format = reader.unsigned();
    if (format === undefined) throw malformed();
    if (format !== FORMAT) throw new DataError(`change set format ${format} is unknown`);
    const everything = reader.bool();
    const tables = reader.array();
    if (everything === undefined || tables === undefined) throw malformed();
    set.#everything = everything;
    for (let t = 0; t < tables; t++) {
      if (reader.array() !== 3) throw malformed();
      const name = reader.string(Major.text);
      const wholeTable = reader.bool();
      const count = reader.array();
      if (name === undefined || wholeTable === undefined || count === undefined) throw malformed();
      const records: RecordChange[] = [];
      for (let r = 0; r < count; r++) records.push(parseRecord(reader) ?? throwError(malformed()));
      set.#tables.set(name, { wholeTable, records }); // a repeated table: the last one counts, as in C++
    }
    if (!reader.atEnd()) throw malformed();
    return set;
  }

  /** Merges a serialized change set; DataError (and nothing merged) if it does not parse. */
  add(bytes: Uint8Array): void {
    this.merge(ChangeSet.parse(bytes));
  }

  get everything(): boolean {
    return this.#everything;
  }

  get tables(): ReadonlyMap<string, TableChange> {
    return this.#tables;
  }

  isEmpty(): boolean {
    return !this.#everything && this.#tables.size === 0;
  }

  /** Whether a record change of `table` would still be kept. */
  keepsRecordsOf(table: string): boolean {
    if (this.#everything) return false;
    return !this.#tables.get(table)?.wholeTable;
  }

  addRecord(table: string, change: RecordChange): void {
    if (this.#everything) return;
    const target = this.#table(table);
    if (target.wholeTable) return;
    if (target.records.length >= ChangeSet.MAX_RECORDS_PER_TABLE) {
      this.addWholeTable(table);
      return;
    }
    target.records.push(change);
  }

  addWholeTable(table: string): void {
    if (this.#everything) return;
    const target = this.#table(table);
    target.wholeTable = true;
    target.records = [];
  }

  addEverything(): void {
    this.#everything = true;
    this.#tables.clear();
  }

  merge(other: ChangeSet): void {
    if (other.#everything) this.addEverything();
    for (const [table, change] of other.#tables) {
      if (change.wholeTable) {
        this.addWholeTable(table);
        continue;
      }
      for (const record of change.records) this.addRecord(table, record);
    }
  }

  clear(): void {
    this.#everything = false;
    this.#tables.clear();
  }

  serialize(): Uint8Array {
    const out = new SetWriter();
    out.header(Major.array, 3).header(Major.unsigned, FORMAT).bool(this.#everything);
    out.header(Major.array, this.#tables.size);
    for (const table of [...this.#tables.keys()].sort()) {
      const change = this.#tables.get(table)!;
      out.header(Major.array, 3).string(Major.text, table).bool(change.wholeTable);
      out.header(Major.array, change.records.length);
      for (const record of change.records) {
        out.header(Major.array, 4).string(Major.bytes, record.primaryKey).bool(record.existedBefore).bool(record.existsAfter);
        out.header(Major.array, record.indexes.length);
        for (const index of record.indexes) {
          out.header(Major.array, 3).string(Major.text, index.index);
          writeByteList(out, index.before);
          writeByteList(out, index.after);
        }
      }
    }
    return out.finish();
  }

  #table(name: string): TableChange {
    let table = this.#tables.get(name);
    if (!table) this.#tables.set(name, (table = { wholeTable: false, records: [] }));
    return table;
  }
}

function parseRecord(reader: StrictReader): RecordChange | undefined {
  if (reader.array() !== 4) return undefined;
  const primaryKey = reader.string(Major.bytes);
  const existedBefore = reader.bool();
  const existsAfter = reader.bool();
  const count = reader.array();
  if (primaryKey === undefined || existedBefore === undefined || existsAfter === undefined || count === undefined) return undefined;
  const indexes: IndexChange[] = [];
  for (let i = 0; i < count; i++) {
    if (reader.array() !== 3) return undefined;
    const index = reader.string(Major.text);
    if (index === undefined) return undefined;
    const before = readByteList(reader);
    if (before === undefined) return undefined;
    const after = readByteList(reader);
    if (after === undefined) return undefined;
    indexes.push({ index, before, after });
  }
  return { primaryKey, existedBefore, existsAfter, indexes };
}

function readByteList(reader: StrictReader): string[] | undefined {
  const count = reader.array();
  if (count === undefined) return undefined;
  const items: string[] = [];
  for (let i = 0; i < count; i++) {
    const item = reader.string(Major.bytes);
    if (item === undefined) return undefined;
    items.push(item);
  }
  return items;
}

function writeByteList(out: SetWriter, items: readonly string[]): void {
  out.header(Major.array, items.length);
  for (const item of items) out.string(Major.bytes, item);
}

function throwError(error: Error): never {
  throw error;
}
