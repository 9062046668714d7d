// api/version.ts: db.version(n).stores({...}).upgrade(fn), and how declared
// versions combine into the schema of each version (Dexie's rules: a table
// left out of a later version keeps its earlier spec; null deletes it).
import { SchemaError } from '../errors.js';
import type { Transaction } from './table.js';

export type StoresSpec = Record<string, string | null>;
/** An upgrade function: gets the upgrade transaction (tx.table(name) reaches every table); may return a promise. */
export type UpgradeFunction = (tx: Transaction) => unknown;

export class Version {
  readonly number: number;
  readonly storesSource: StoresSpec = {};
  upgradeFunction: UpgradeFunction | undefined;
  readonly #onChange: () => void;

  constructor(number: number, onChange: () => void) {
    this.number = number;
    this.#onChange = onChange;
  }

  stores(specs: StoresSpec): this {
    if (specs === null || typeof specs !== 'object') {
      throw new SchemaError(`version(${this.number}).stores() takes an object of table specs`);
    }
    for (const [table, spec] of Object.entries(specs)) {
      if (spec !== null && typeof spec !== 'string') {
        throw new SchemaError(`version(${this.number}).stores(): the spec of table '${table}' must be a string or null`);
      }
      this.storesSource[table] = spec;
    }
    this.#onChange();
    return this;
  }

  upgrade(fn: UpgradeFunction): this {
    if (typeof fn !== 'function') throw new SchemaError(`version(${this.number}).upgrade() takes a function`);
    this.upgradeFunction = fn;
    return this;
  }
}

/** The tables (name -> spec) of `upTo`, combining every version at or below it. */
export function schemaAt(versions: readonly Version[], upTo: number): Record<string, string> {
  const tables: Record<string, string> = {};
  for (const version of [...versions].sort((a, b) => a.number - b.number)) {
    if (version.number > upTo) break;
    for (const [table, spec] of Object.entries(version.storesSource)) {
      if (spec === null) delete tables[table];
      else tables[table] = spec;
    }
  }
  return tables;
}

export function validateVersionNumber(n: unknown): number {
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
    throw new SchemaError(`version(${String(n)}): a version is a positive number`);
  }
  return n;
}
