// db/table-schema.ts: the parsed schema of a table as the public API shows it
// (Dexie's TableSchema / IndexSpec shape). Parsing happens in the engine
// (core/src/schema.cc); this only presents its answer.
import type { NativeIndexSpec, NativeTableSchema } from '../indexie-core.js';

export type IndexSpec = NativeIndexSpec;

export class TableSchema {
  readonly name: string;
  readonly primKey: IndexSpec;
  readonly indexes: IndexSpec[];
  readonly idxByName: Record<string, IndexSpec>;
  /** The canonical store spec ("++id,&email,*tags"). */
  readonly spec: string;

  constructor(native: NativeTableSchema) {
    this.name = native.name;
    this.primKey = { ...native.primKey, unique: true }; // a primary key is unique (Dexie says so too)
    this.indexes = native.indexes;
    this.spec = native.spec;
    this.idxByName = Object.fromEntries(native.indexes.map((index) => [index.name, index]));
  }

  /** The key path of inbound primary keys, or null for outbound keys. */
  get primaryKeyPath(): string | string[] | null {
    return this.primKey.keyPath;
  }
}
