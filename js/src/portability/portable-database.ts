// portability/portable-database.ts: the part of the public Indexie API that
// export and import use, as a structural type (api/ is above this layer:
// api/indexie.ts hands itself in). Export and import go through the public
// API on purpose: in transactions, with the tables' hooks, with live
// queries hearing of an import, exactly as an app's own reads and writes.

export interface PortableCollection {
  limit(n: number): PortableCollection;
  toArray(): PromiseLike<unknown[]>;
  primaryKeys(): PromiseLike<unknown[]>;
}

export interface PortableTable {
  readonly name: string;
  readonly schema: { readonly spec: string; readonly primKey: { readonly keyPath: string | string[] | null } };
  toCollection(): PortableCollection;
  where(index: string): { above(key: unknown): PortableCollection };
  count(): PromiseLike<number>;
  clear(): PromiseLike<unknown>;
  bulkPut(values: readonly unknown[], keys?: readonly unknown[]): PromiseLike<unknown>;
}

export interface PortableTransaction {
  table(name: string): PortableTable;
}

export interface PortableDatabase {
  readonly name: string;
  readonly verno: number;
  readonly tables: readonly PortableTable[];
  open(): PromiseLike<unknown>;
  transaction(mode: 'r' | 'rw', tables: string[], scope: (tx: PortableTransaction) => Promise<void>): PromiseLike<unknown>;
}

/** Progress of an export or import: per table, and over all rows. */
export interface PortabilityProgress {
  table: string;
  done: number;
  total: number;
  completedRows: number;
  totalRows: number;
}

/** A new task, so no slice of a long export or import blocks the page for long. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** What one slice aims to take, in ms (well under the 50 ms of a "long task"). */
export const SLICE_MS = 12;

/** The next slice's size at the rate just measured (at most 4x the last, at least 1). */
export function nextSliceSize(size: number, items: number, ms: number): number {
  const perItem = Math.max(ms, 0.01) / Math.max(items, 1);
  return Math.max(1, Math.min(size * 4, Math.floor(SLICE_MS / perItem)));
}
