// api/version.ts: db.version(n).stores({...}).upgrade(fn). How declared
// versions combine into each version's schema, and how opening installs
// them, is db/'s (db/versions.ts, db/open.ts).
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

export function validateVersionNumber(n: unknown): number {
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
    throw new SchemaError(`version(${String(n)}): a version is a positive number`);
  }
  return n;
}
