// portability/source-schema.ts: a native IndexedDB database's stores as
// indexie store specs (the syntax of db.version(n).stores()), and how they
// differ from the schema an app declares: what a migration reports.
//
// Indexes are named by their key path in indexie (and in Dexie): an index a
// hand-made database named otherwise ('by_email' over 'email') becomes
// 'email', and the report says so.
import { MigrationError } from '../errors.js';
import type { SourceStore } from './idb-source.js';

function keyPathSpec(keyPath: string | string[], store: string): string {
  if (Array.isArray(keyPath)) return `[${keyPath.join('+')}]`;
  if (keyPath === '') {
    throw new MigrationError(
      `object store '${store}' uses the empty key path (each value is its own key), which indexie tables cannot express; nothing was migrated`,
    );
  }
  return keyPath;
}

/** The store spec of a source store: '++id, &email, *tags, [a+b]', ', name' for outbound keys. */
export function storeSpec(store: SourceStore): string {
  const primary = (store.autoIncrement ? '++' : '') + (store.keyPath === null ? '' : keyPathSpec(store.keyPath, store.name));
  const indexes = store.indexes.map(
    (index) => (index.unique ? '&' : '') + (index.multiEntry ? '*' : '') + keyPathSpec(index.keyPath, store.name),
  );
  return [primary, ...indexes].join(',');
}

/** Indexes whose name is not their key path's spec (hand-made databases): renamed by the migration. */
export function renamedIndexes(store: SourceStore): Array<{ table: string; from: string; to: string }> {
  return store.indexes
    .map((index) => ({ table: store.name, from: index.name, to: keyPathSpec(index.keyPath, store.name) }))
    .filter(({ from, to }) => from !== to);
}

/** How the source's tables differ from the declared ones (specs compared after normalizing spaces). */
export interface SchemaDifference {
  /** Tables the source has and the app does not declare. */
  onlyInSource: string[];
  /** Tables the app declares and the source lacks (created empty). */
  onlyDeclared: string[];
  /** Tables in both whose specs differ. */
  changed: Array<{ table: string; source: string; declared: string }>;
}

/** A spec without spaces, its indexes sorted (their order does not matter). */
const normalize = (spec: string): string => {
  const [primary, ...indexes] = spec.split(',').map((part) => part.trim());
  return [primary, ...indexes.filter((index) => index !== '').sort()].join(',');
};

export function schemaDifference(source: Record<string, string>, declared: Record<string, string>): SchemaDifference {
  const sourceNames = Object.keys(source);
  const declaredNames = Object.keys(declared);
  return {
    onlyInSource: sourceNames.filter((name) => !(name in declared)),
    onlyDeclared: declaredNames.filter((name) => !(name in source)),
    changed: sourceNames
      .filter((name) => name in declared && normalize(source[name]) !== normalize(declared[name]))
      .map((table) => ({ table, source: source[table], declared: declared[table] })),
  };
}
