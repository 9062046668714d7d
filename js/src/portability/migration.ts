// portability/migration.ts: migrating a native IndexedDB database (Dexie's,
// or one made by hand) into a new indexie database, on its first open:
// `new Indexie(name, { migrateFrom: 'indexeddb', deleteSource?, onProgress? })`.
//
// The contract (db/open.ts runs it, under the database's Web Lock):
//   - It runs only when no indexie database `name` is stored yet and a
//     native IndexedDB database `name` exists (indexie keeps its own data in
//     'indexie:<name>', never confused with the source).
//   - The source's stores become tables with the same keys (inbound,
//     outbound, compound, auto-increment) at the source's version (as Dexie
//     counts it); every record is added, in batches, in ONE engine
//     transaction; each auto-increment table's key generator continues where
//     the source's would. Then opening goes on as for an existing database:
//     the declared schema is installed as an upgrade would install it (new
//     tables, new and dropped indexes built from the records, upgrade
//     functions of newer versions), and the first flush writes the whole
//     file in one IndexedDB transaction. That flush is the commit: before it
//     nothing of the migration is stored (a reload starts it again), after
//     it the whole database is.
//   - The source is only read (see idb-source.ts) and is deleted only once
//     the flush committed, and only with `deleteSource: true`.
//   - A record the engine cannot store (a CryptoKey, a key the schema rejects)
//     stops the migration with a MigrationError naming the table and key;
//     nothing is stored and the source is untouched.
import { MigrationError } from '../errors.js';
import type { Engine } from '../engine/engine.js';
import type { IdbImplementation } from '../persistence/idb-page-store.js';
import { readBlobsIn } from '../values/blob-bytes.js';
import { setByKeyPath } from '../values/key-path.js';
import { describeSource, openSource, probeNextKeys, readRecords, sourceExists, type SourceStore } from './idb-source.js';
import { renamedIndexes, schemaDifference, storeSpec, type SchemaDifference } from './source-schema.js';

export interface MigrationProgress {
  table: string;
  /** Records of the table migrated so far, and its total. */
  done: number;
  total: number;
}

export interface MigrationOptions {
  /** Delete the source once the migrated database is stored (default false: it stays as it was). */
  deleteSource?: boolean;
  /** Called after each batch of records. */
  onProgress?: (progress: MigrationProgress) => void;
}

/** What a migration did (the 'migrated' event's argument). */
export interface MigrationReport {
  /** The source's name and version (as Dexie counts it: IndexedDB version / 10, or Dexie's `$meta`). */
  source: string;
  sourceVersion: number;
  /** The source's stores as store specs. */
  sourceSchema: Record<string, string>;
  /** Records migrated per table. */
  records: Record<string, number>;
  /** How the declared schema differs from the source's: handled as an upgrade (see README, "Migrating from Dexie"). */
  difference: SchemaDifference;
  /** Indexes of a hand-made source whose name differs from their key path: indexie names them by key path. */
  renamedIndexes: Array<{ table: string; from: string; to: string }>;
  /** Whether the source was deleted (deleteSource); false while another connection keeps it open (it goes once they close). */
  sourceDeleted: boolean;
  /** Wall time of the whole migration, in ms. */
  ms: number;
}

/** Whether there is a source to migrate from. */
export function hasMigrationSource(idb: IdbImplementation, name: string): Promise<boolean> {
  return sourceExists(idb, name);
}

function describeKey(key: unknown): string {
  try {
    return JSON.stringify(key) ?? String(key);
  } catch {
    return String(key);
  }
}

/**
 * Imports the source into `engine` (a new, empty database) in one engine
 * transaction; `declared` is the schema the app declares (for the report).
 * The caller installs the declared schema next, then flushes; then calls
 * finishMigration().
 */
export async function importSource(
  engine: Engine,
  idb: IdbImplementation,
  name: string,
  declared: Record<string, string>,
  options: MigrationOptions,
): Promise<MigrationReport> {
  const started = performance.now();
  const source = await openSource(idb, name);
  try {
    const description = await describeSource(source);
    const stores = new Map(description.stores.map((store) => [store.name, store]));
    const sourceSchema = Object.fromEntries(description.stores.map((store) => [store.name, storeSpec(store)]));
    const nextKeys = await probeNextKeys(source, description.stores);
    const records: Record<string, number> = Object.fromEntries(description.stores.map((store) => [store.name, 0]));
    await engine.begin();
    try {
      await engine.setSchema(sourceSchema);
      await engine.setVersion(description.version);
      // Batches are written in order; one holding Blobs waits for their bytes (readable only
      // asynchronously, so not inside the source's IndexedDB transaction, which reads on).
      let writes = Promise.resolve();
      await readRecords(source, [...stores.keys()], idb.IDBKeyRange, (batch) => {
        const store = stores.get(batch.store)!;
        const blobs = readBlobsIn(batch.values);
        const writeIt = async (): Promise<void> => {
          await writeBatch(engine, store, batch.keys, batch.values);
          records[batch.store] = batch.done;
          options.onProgress?.({ table: batch.store, done: batch.done, total: batch.total });
        };
        writes = writes.then(blobs ? () => blobs.then(writeIt) : writeIt);
        writes.catch(() => undefined); // awaited below, once the source is read: not an unhandled rejection meanwhile
      });
      await writes;
      for (const [table, next] of nextKeys) await continueKeyGenerator(engine, stores.get(table)!, next);
      await engine.commit();
    } catch (error) {
      if (engine.isOpen) await engine.rollback();
      throw error instanceof MigrationError
        ? error
        : new MigrationError(`migrating from the IndexedDB database '${name}' failed: ${(error as Error).message ?? String(error)}`, {
            cause: error,
          });
    }
    return {
      source: name,
      sourceVersion: description.version,
      sourceSchema,
      records,
      difference: schemaDifference(sourceSchema, declared),
      renamedIndexes: description.stores.flatMap(renamedIndexes),
      sourceDeleted: false,
      ms: performance.now() - started,
    };
  } finally {
    source.close();
  }
}

async function writeBatch(engine: Engine, store: SourceStore, keys: readonly IDBValidKey[], values: readonly unknown[]): Promise<void> {
  let result;
  try {
    result = await engine.write(store.name, 'add', values, store.keyPath === null ? keys : undefined);
  } catch (error) {
    // Encoding failed (a CryptoKey, a function): find which record, to name it.
    const at = /item (\d+)/.exec((error as Error).message ?? '');
    const key = at ? ` (the record with key ${describeKey(keys[Number(at[1])])})` : '';
    throw new MigrationError(`table '${store.name}'${key}: ${(error as Error).message}; nothing was migrated`, { cause: error });
  }
  const failure = result.failures[0];
  if (failure) {
    throw new MigrationError(
      `table '${store.name}', the record with key ${describeKey(keys[failure.position])}: ${failure.code}: ${failure.message}; nothing was migrated`,
    );
  }
}

/**
 * Makes the table's key generator continue at `next` (what the source's
 * would generate next, also past deleted records): a record with key
 * next - 1 is put and deleted again, which advances the generator as
 * IndexedDB's does, and leaves no record.
 */
async function continueKeyGenerator(engine: Engine, store: SourceStore, next: number): Promise<void> {
  const key = next - 1;
  if (key < 1 || (await engine.get(store.name, key)) !== undefined) return;
  if (store.keyPath === null) {
    await engine.write(store.name, 'put', [0], [key]);
  } else {
    const value = {};
    setByKeyPath(value, store.keyPath, key);
    await engine.write(store.name, 'put', [value]);
  }
  await engine.delete(store.name, [key]);
}

/** After the migrated database is stored: deletes the source if asked. */
export async function finishMigration(idb: IdbImplementation, report: MigrationReport, options: MigrationOptions): Promise<void> {
  if (!options.deleteSource) return;
  report.sourceDeleted = await new Promise<boolean>((resolve) => {
    const deletion = idb.indexedDB.deleteDatabase(report.source);
    deletion.onsuccess = () => resolve(true);
    deletion.onerror = () => resolve(false);
    deletion.onblocked = () => resolve(false); // the deletion stays queued until the other connections close
  });
}
