// db/open.ts: opening a database, and installing its declared schema.
//
// The declared versions are compared with the installed one (stored inside
// the database itself). A newer declared version is installed in one
// engine transaction: schema changes, then each version's upgrade function
// in order, then the new version number; if anything throws, the transaction
// rolls back and the database keeps its old version and data. As in Dexie, a
// database created from scratch gets the latest schema directly, runs
// on('populate'), and runs no upgrade functions (there is nothing to migrate).
//
// Upgrade functions and populate listeners run in the upgrade transaction's
// context (transactions/async-context.ts): their table calls join it; calls
// from other code wait until the database is open.
//
// A persisted database is loaded from IndexedDB (the truth) into an engine
// file of this open's own, under the database's Web Lock, so no other tab
// commits between loading, upgrading and the first flush.
import { Engine, type EngineInfo } from '../engine/engine.js';
import type { EngineHost } from '../engine/engine-host.js';
import { WorkerEngineHost } from '../engine/worker-engine-host.js';
import { openSharedEngine } from '../tabs/shared-engine.js';
import { WorkerOwner } from '../tabs/worker-owner.js';
import { noteOpfsClosing, opfsClosed } from './opfs-registry.js';
import { closeOnNewerVersion, closeOnOpfsDelete } from './opfs-connection.js';
import { opfsDatabaseExists } from '../worker/opfs-file-backend.js';
import { DatabaseClosedError, IndexieError, NoSuchDatabaseError, UnsupportedError, UpgradeError } from '../errors.js';
import { IdbPageStore, type IdbImplementation } from '../persistence/idb-page-store.js';
import { Persistence } from '../persistence/persistence.js';
import { finishMigration, hasMigrationSource, importSource, type MigrationReport } from '../portability/migration.js';
import type { TransactionBase } from '../transactions/transaction.js';
import { nextEngineFileName, runScope, type DatabaseState } from './state.js';
import { autoStorageOf, webLocks } from './storage.js';
import { askForWriteLock, listenToOtherTabs, tabChannelName } from './tab-sync.js';
import { checkDeclaredName, internalSpecs } from './internal-tables.js';
import { reportDataLoss, watchConnection } from './connection-recovery.js';
import { schemaAt } from './versions.js';

/** Opens the database (once; again after close()). */
export function openDatabase(db: DatabaseState): Promise<void> {
  db.closedByUser = false;
  if (db.engine) return Promise.resolve();
  if (!db.opening) {
    db.opening = openEngine(db).then(
      () => undefined,
      (error) => {
        db.opening = undefined;
        throw error;
      },
    );
  }
  return db.opening;
}

/**
 * The open engine for an operation: at once if the database is open; else
 * after the open under way (db.open() called, even without autoOpen: it
 * includes the ready subscribers), or after opening it if allowed (autoOpen,
 * not closed by the user). An open that close() ended fails the operation
 * with DatabaseClosedError.
 */
export async function engineForOperation(db: DatabaseState): Promise<Engine> {
  if (db.engine) return db.engine;
  if (!db.opening) {
    if (db.closedByUser || !db.options.autoOpen) {
      throw new DatabaseClosedError(`database '${db.name}' is closed: call db.open() first`);
    }
    void openDatabase(db).catch(() => undefined); // its failure reaches us through db.opening
  }
  await db.opening;
  if (!db.engine) throw closedWhileOpening(db);
  return db.engine;
}

/**
 * Decides where an 'auto' database lives, once, at its first open
 * (storage.ts autoStorageOf): a database moved to OPFS drops its IndexedDB.
 * Returns the IndexedDB it had, for openEngine's fall back when this
 * browser's OPFS has no sync access handles; undefined if it stays put.
 */
export async function resolveAutoStorage(db: DatabaseState): Promise<IdbImplementation | undefined> {
  if (!db.options.autoOpfs) return undefined;
  const where = await autoStorageOf(db.name, db.idb, opfsFailedHere ? 'indexeddb' : 'opfs');
  if (!db.options.autoOpfs) return undefined; // another open decided meanwhile
  db.options.autoOpfs = false;
  if (where !== 'opfs') return undefined;
  const idb = db.idb;
  db.options.storage = 'opfs';
  db.idb = undefined;
  return idb;
}

/** Set once OPFS could not hold a new database in this realm: later new 'auto' databases go to IndexedDB. */
let opfsFailedHere = false;

async function openEngine(db: DatabaseState): Promise<void> {
  const generation = db.openGeneration; // a close() from here on fails this open
  const movedFrom = await resolveAutoStorage(db);
  try {
    await openEngineOnce(db, generation);
  } catch (error) {
    // 'auto' chose OPFS for a new database, and this page cannot keep it there (no sync access
    // handles in workers, e.g. Safari before 17, or the engine worker's script not served):
    // IndexedDB then; nothing was stored, and the next open finds it in IndexedDB.
    if (!(movedFrom && error instanceof UnsupportedError) || generation !== db.openGeneration) throw error;
    if (!opfsFailedHere)
      console.warn(`indexie: new databases are stored in IndexedDB here, because OPFS cannot hold them: ${error.message}`);
    opfsFailedHere = true;
    db.options.storage = 'indexeddb';
    db.idb = movedFrom;
    await openEngineOnce(db, generation);
  }
}

async function openEngineOnce(db: DatabaseState, generation: number): Promise<void> {
  if (generation !== db.openGeneration) throw closedWhileOpening(db);
  // Loading, upgrading and the first flush happen under the database's Web
  // Lock, so no other tab commits in between.
  const locks = webLocks();
  if (db.idb && locks) {
    // A tab keeping the lock between its writes gives it up when asked (persistence/tab-write-lock.ts).
    askForWriteLock(db.name);
    await locks.request(tabChannelName(db.name), () => openEngineLocked(db, generation));
  } else await openEngineLocked(db, generation);
  // As in Dexie: ready subscribers run before open() resolves and before other operations; one
  // that fails fails the open, and the database closes (a later operation may open it again).
  try {
    await db.ready.fire(db.bindings.db);
  } catch (error) {
    if (generation === db.openGeneration) {
      db.close();
      db.closedByUser = false;
    }
    throw error;
  }
  if (generation !== db.openGeneration) throw closedWhileOpening(db);
}

function closedWhileOpening(db: DatabaseState): DatabaseClosedError {
  return new DatabaseClosedError(`database '${db.name}' was closed while it opened`);
}

async function openEngineLocked(db: DatabaseState, generation: number): Promise<void> {
  const { persistence, migrate } = db.idb ? await loadFromIndexedDb(db) : { persistence: undefined, migrate: false };
  if (!persistence && db.versions.length === 0 && !(await storedElsewhere(db))) throw noSuchDatabase(db);
  // On OPFS, whether this open creates the database: a failed one then leaves no file behind.
  const creates = db.options.storage === 'opfs' && !(await opfsDatabaseExists(db.name));
  let engine: Engine | undefined;
  let flushed = false;
  try {
    engine = await openEngineFile(db);
    // A migration (portability/migration.ts) fills the new database at the source's version; the
    // declared schema then installs over it as an upgrade, and the flush below commits both at once.
    let migrated: MigrationReport | undefined;
    if (migrate) {
      const declared = schemaAt(db.versions, Math.max(0, ...db.versions.map((v) => v.number)));
      migrated = await importSource(engine, db.idb!, db.name, declared, db.options.migration!);
    }
    const installed = await engine.info();
    if (db.versions.length > 0) await installDeclaredSchema(db, engine, installed);
    // Nobody has read this database yet: what installing the schema logged concerns no live query.
    await engine.takeChanges();
    await persistence?.flush(engine, `opening database '${db.name}'`, []);
    flushed = true;
    if (migrated) {
      await finishMigration(db.idb!, migrated, db.options.migration!);
      await db.on('migrated').fire(migrated);
    }
    const info = await engine.info();
    const declared = db.versions.length > 0 ? Math.max(...db.versions.map((v) => v.number)) : info.version;
    if (declared < info.version) {
      // As Dexie 4: code declaring a lower version than installed opens the database as it is
      // (nothing is downgraded or dropped), sees only the tables it declares, and reports its own version.
      const tables = Object.keys(schemaAt(db.versions, declared));
      db.adoptSchema({ ...info, tables: Object.fromEntries(Object.entries(info.tables).filter(([name]) => tables.includes(name))) });
      db.verno = declared;
    } else {
      db.adoptSchema(info);
      db.verno = info.version;
    }
    if (generation !== db.openGeneration) throw closedWhileOpening(db);
    db.engine = engine;
    if (db.options.storage === 'opfs') {
      closeOnOpfsDelete(db);
      closeOnNewerVersion(db, engine, installed.version);
    }
    db.persistence = persistence;
    if (persistence) db.persistenceOf.set(engine, persistence);
    if (persistence) {
      listenToOtherTabs(db);
      watchConnection(db, persistence, openDatabase);
      // Another page deletes or upgrades the IndexedDB database: let it, and close.
      persistence.store.onVersionChange = () => {
        void db
          .on('versionchange')
          .fire({ oldVersion: db.verno, newVersion: null })
          .finally(() => db.bindings.close());
      };
    }
  } catch (error) {
    const engineClosed = engine?.close();
    persistence?.close();
    // A failed open on OPFS lets go of its engine worker (and the files it holds) at once; one
    // that created the database deletes it again, as a failed IndexedDB upgrade leaves none.
    const shared = db.engine ? undefined : db.sharedEngine;
    if (shared) {
      db.sharedEngine = undefined;
      const released = Promise.allSettled([engineClosed]).then(() => shared.close());
      noteOpfsClosing(
        db.name,
        released.catch(() => undefined),
      );
      await released.catch(() => undefined);
      if (creates) await WorkerEngineHost.deleteFromOpfs(db.name, { workerUrl: db.options.workerUrl }).catch(() => undefined);
    }
    // A failed migration leaves no empty indexie database behind (nothing of it was stored). Once
    // flushed, it committed (the source may be gone): a later failure, such as close(), keeps it.
    if (migrate && !flushed) await IdbPageStore.delete(db.idb!, db.name).catch(() => undefined);
    throw error;
  }
}

/** Whether the database exists where it lives when not in IndexedDB (OPFS, or this realm's memory). */
function storedElsewhere(db: DatabaseState): Promise<boolean> {
  if (db.options.storage === 'opfs') return opfsDatabaseExists(db.name);
  return Engine.exists(db.name);
}

/**
 * The engine of the database's file: in this realm's wasm module (memory,
 * or the copy loaded from IndexedDB), or in a dedicated Worker over OPFS.
 */
export async function openEngineFile(db: DatabaseState): Promise<Engine> {
  if (db.options.storage !== 'opfs') return Engine.open(db.fileName);
  // durability: what each commit waits for (the OPFS engine's synchronous mode). The tab that owns
  // the engine opens it, so its setting applies to every tab's writes (tabs/README.md).
  const { cacheKiB, workerUrl, durability } = db.options;
  await opfsClosed(db.name); // a close of it in this page still under way: its engine goes first
  // The tab that owns the database (tabs/shared-engine.ts) runs its engine in one Worker: the
  // first session starts it, the next (the committed-state reader) is a session on it.
  let worker: WorkerEngineHost | undefined;
  const openOwnHost = async (): Promise<EngineHost> => {
    if (worker?.isOpen) return worker.openSession();
    worker = await WorkerEngineHost.open(db.name, { storage: 'opfs', cacheKiB, workerUrl, durability });
    return worker;
  };
  // The page loads no wasm module: the engine is the Worker's, and live queries' read and change
  // sets are plain JS (engine/read-set.ts, change-set.ts). When this tab owns the engine, the
  // tabs' owner runs in its Worker (tabs/worker-owner.ts): other tabs' requests go straight there.
  // (openOwnHost serves where there are no tabs to share with: no Web Locks or BroadcastChannel.)
  const shared = await openSharedEngine(db.name, openOwnHost, {
    startOwner: (self) => new WorkerOwner(db.name, self, { cacheKiB, durability, workerUrl }),
  });
  try {
    const engine = new Engine(await shared.session(db.name), /* pageStore */ false);
    db.sharedEngine = shared;
    // Other tabs' commits: live queries here re-run (no pages move between tabs).
    shared.onChanges((changes) => db.changed(changes));
    return engine;
  } catch (error) {
    await shared.close();
    throw error;
  }
}

function noSuchDatabase(db: DatabaseState): NoSuchDatabaseError {
  return new NoSuchDatabaseError(`database '${db.name}' does not exist: declare its schema with db.version(n).stores({...}) to create it`);
}

/**
 * Loads the database file from IndexedDB into the engine's memory; IndexedDB is the truth.
 * `migrate`: nothing is stored yet, and migrateFrom found a source to fill it from.
 */
async function loadFromIndexedDb(db: DatabaseState): Promise<{ persistence: Persistence; migrate: boolean }> {
  const { store, file, created, dataLoss } = await IdbPageStore.open(db.idb!, db.name, db.options.durability, db.options.pagesPerRecord);
  // Never start empty (or behind) silently: the browser discarded or rolled back this origin's IndexedDB data.
  await reportDataLoss(db, dataLoss, file.state.commit);
  const migrate = created && db.options.migration !== undefined && (await hasMigrationSource(db.idb!, db.name));
  if (created && db.versions.length === 0 && !migrate) {
    store.close();
    await IdbPageStore.delete(db.idb!, db.name);
    throw noSuchDatabase(db);
  }
  // A persisted database's engine file is this open's own copy of what IndexedDB holds: two
  // instances of one name in a page (a hot module reload, two libraries) relate as two tabs do
  // (Web Lock, BroadcastChannel, catch-up) and never load over each other's file; nor does a
  // reopen over the file a closed connection's last write is still saving from (see close()).
  db.fileName = nextEngineFileName(db.name);
  if (created) {
    await Engine.deleteFile(db.fileName);
  } else {
    await Engine.loadFile(db.fileName, file.state.fileSize, file.pages);
  }
  return { persistence: new Persistence(store), migrate };
}

async function installDeclaredSchema(db: DatabaseState, engine: Engine, installed: EngineInfo): Promise<void> {
  const target = Math.max(...db.versions.map((v) => v.number));
  for (const table of Object.keys(schemaAt(db.versions, target))) checkDeclaredName(table);
  if (target < installed.version) {
    console.warn(
      `indexie: database '${db.name}' is at version ${installed.version}, newer than the highest declared version ` +
        `${target}: it opens as it is (nothing is downgraded), with the declared tables`,
    );
    return;
  }
  if (target === installed.version) {
    // Same version: add tables and indexes the code declares but the database lacks, and remove
    // nothing (Dexie's patch mode), with Dexie's SchemaDiff warning.
    const declared = schemaAt(db.versions, target);
    const current = Object.fromEntries(Object.values(installed.tables).map((t) => [t.name, t.spec]));
    const merged = { ...current };
    for (const [table, spec] of Object.entries(declared)) merged[table] = table in current ? extendSpec(current[table], spec) : spec;
    if (JSON.stringify(merged) !== JSON.stringify(current)) {
      const added = Object.keys(merged).filter((table) => merged[table] !== current[table]);
      console.warn(
        `indexie SchemaDiff: database '${db.name}' declares tables or indexes it lacks (in ${added.join(', ')}) without ` +
          `increasing the number passed to db.version() (${target}): they were added. Increase it when the schema changes.`,
      );
      await engine.setSchema(merged);
    }
    return;
  }
  await engine.begin();
  db.upgradeEngine = engine;
  const upgrade = db.newTransaction('readwrite', [], {
    upgrade: true,
    session: { engine: () => engine, beforeCommit: async () => undefined, commit: async () => undefined, rollback: () => undefined },
  });
  try {
    if (installed.version === 0) {
      await engine.setSchema(schemaAt(db.versions, target));
      db.adoptSchema(await engine.info());
      upgrade.exposeTables(db.schemas.keys());
      await runScope(upgrade, () => db.on('populate').fire(upgrade));
    } else {
      await runUpgrades(db, engine, installed.version, upgrade);
    }
    await upgrade.commit();
    await engine.setVersion(target);
    await engine.commit();
  } catch (error) {
    upgrade.abort(error);
    if (engine.isOpen) await engine.rollback();
    db.adoptSchema(await engine.info());
    if (error instanceof IndexieError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new UpgradeError(`upgrading database '${db.name}' failed, so it stays at version ${installed.version}: ${message}`, {
      cause: error,
    });
  } finally {
    db.upgradeEngine = undefined;
  }
}

/**
 * `installed` (a table's store spec) with the indexes of `declared` it lacks
 * added: its primary key and every index it has stay as they are.
 */
function extendSpec(installed: string, declared: string): string {
  const parts = (spec: string): string[] =>
    spec
      .split(',')
      .map((part) => part.trim())
      .filter((part, i) => part !== '' || i === 0);
  const nameOf = (part: string): string => part.replace(/^(\+\+|&|\*)/, '');
  const have = parts(installed);
  const names = new Set(have.slice(1).map(nameOf));
  const more = parts(declared)
    .slice(1)
    .filter((part) => part !== '' && !names.has(nameOf(part)));
  return more.length === 0 ? installed : [...have, ...more].join(', ');
}

async function runUpgrades(db: DatabaseState, engine: Engine, from: number, upgrade: TransactionBase): Promise<void> {
  const steps = [...db.versions].sort((a, b) => a.number - b.number).filter((v) => v.number > from);
  for (const version of steps) {
    const before = Object.fromEntries(Object.values((await engine.info()).tables).map((t) => [t.name, t.spec]));
    const after = schemaAt(db.versions, version.number);
    // Tables this version deletes stay readable while its upgrade function runs; internal tables stay.
    await engine.setSchema({ ...before, ...after });
    db.adoptSchema(await engine.info());
    upgrade.exposeTables(db.schemas.keys());
    const upgradeFunction = version.upgradeFunction;
    if (upgradeFunction) await runScope(upgrade, () => upgradeFunction(upgrade));
    await engine.setSchema({ ...internalSpecs(await engine.info()), ...after });
    db.adoptSchema(await engine.info());
  }
}
