// portability/database-file.ts: the database as the SQLite file it is.
// db.exportFile() returns the engine's file (a plain SQLite 3 database; its
// layout is in README.md, "The database file"), read page by page in a
// read-only transaction, so it is one committed state. importDatabaseFile()
// makes a new database from such a file: checked first (SQLite header,
// page size, indexie's schema table, SQLite's integrity check), then stored
// in IndexedDB in ONE transaction, so it exists whole or not at all.
import { Engine } from '../engine/engine.js';
import { CorruptionError, InvalidArgumentError, MigrationError } from '../errors.js';
import { IdbPageStore, type IdbImplementation } from '../persistence/idb-page-store.js';
import { PAGE_SIZE } from '../persistence/page-file-format.js';
import { importOpfsDatabase } from '../worker/opfs-file-backend.js';
import { nextTask, type PortableDatabase } from './portable-database.js';

/** Pages read per task (1 MiB). */
const PAGES_PER_TASK = 256;
const SQLITE_HEADER = 'SQLite format 3\u0000';

export async function exportDatabaseFile(db: PortableDatabase, engine: () => Promise<Engine>): Promise<Blob> {
  await db.open();
  const parts: Uint8Array<ArrayBuffer>[] = [];
  const read = async (): Promise<void> => {
    const live = await engine();
    const pages = Number((await live.executeSql('PRAGMA page_count')).rows[0][0]);
    for (let first = 0; first < pages; first += PAGES_PER_TASK) {
      parts.push((await live.readPages(first, Math.min(PAGES_PER_TASK, pages - first))) as Uint8Array<ArrayBuffer>);
      await nextTask();
    }
  };
  // The read-only transaction holds off writes: every page is of one committed state.
  const tables = db.tables.map((table) => table.name);
  if (tables.length > 0) await db.transaction('r', tables, read);
  else await read();
  return new Blob(parts, { type: 'application/vnd.sqlite3' });
}

/** Checks that `bytes` are an indexie database file: throws a named error saying what is wrong. */
async function checkFile(bytes: Uint8Array): Promise<void> {
  const header = new TextDecoder('latin1').decode(bytes.subarray(0, 16));
  if (bytes.length < 100 || header !== SQLITE_HEADER) throw new MigrationError('the file is not an SQLite database (no SQLite header)');
  const pageSize = (bytes[16] << 8) | bytes[17];
  if (pageSize !== PAGE_SIZE || bytes.length % PAGE_SIZE !== 0) {
    throw new MigrationError(`the file's page size is ${pageSize === 1 ? 65536 : pageSize} bytes; indexie databases use ${PAGE_SIZE}`);
  }
  const name = `\u0002import-check-${Math.random().toString(36).slice(2)}`;
  await Engine.loadFile(name, bytes.length, pagesOf(bytes));
  let engine: Engine | undefined;
  try {
    engine = await Engine.open(name);
    const tables = (await engine.executeSql("SELECT count(*) FROM sqlite_schema WHERE name = '_indexie_meta'")).rows[0][0];
    if (Number(tables) !== 1)
      throw new MigrationError('the file is an SQLite database, but not an indexie one (it has no _indexie_meta table)');
    await engine.info(); // reads the stored schema: a CorruptionError if it is not indexie's
    const problems = (await engine.executeSql('PRAGMA integrity_check')).rows.map((row) => String(row[0]));
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new CorruptionError(`the database file fails SQLite's integrity check: ${problems.slice(0, 5).join('; ')}`);
    }
  } finally {
    await engine?.close();
    await Engine.deleteFile(name);
  }
}

function pagesOf(bytes: Uint8Array): Map<number, Uint8Array> {
  const pages = new Map<number, Uint8Array>();
  for (let page = 0; page * PAGE_SIZE < bytes.length; page++) pages.set(page, bytes.subarray(page * PAGE_SIZE, (page + 1) * PAGE_SIZE));
  return pages;
}

/**
 * Stores `file` as the new database `name` (in OPFS when `toOpfs`, in
 * IndexedDB when `idb` is given, else in memory). An existing database of that name is an
 * InvalidArgumentError: nothing is overwritten.
 */
export async function importDatabaseFile(
  name: string,
  file: Blob | ArrayBuffer | Uint8Array,
  idb: IdbImplementation | undefined,
  toOpfs = false,
): Promise<void> {
  const bytes =
    file instanceof Uint8Array ? file : file instanceof ArrayBuffer ? new Uint8Array(file) : new Uint8Array(await file.arrayBuffer());
  await checkFile(bytes);
  if (toOpfs) {
    await importOpfsDatabase(name, bytes);
    return;
  }
  if (!idb) {
    if (await Engine.exists(name))
      throw new InvalidArgumentError(`database '${name}' already exists: delete it first, nothing was imported`);
    await Engine.loadFile(name, bytes.length, pagesOf(bytes));
    return;
  }
  const { store, created } = await IdbPageStore.open(idb, name, 'strict');
  try {
    if (!created) throw new InvalidArgumentError(`database '${name}' already exists: delete it first, nothing was imported`);
    const pageCount = bytes.length / PAGE_SIZE;
    const source = {
      readPages: (first: number, count: number) => {
        const out = new Uint8Array(count * PAGE_SIZE);
        out.set(bytes.subarray(first * PAGE_SIZE, Math.min(bytes.length, (first + count) * PAGE_SIZE)));
        return Promise.resolve(out);
      },
      pageDiffs: () => Promise.resolve(undefined),
    };
    await store.write(
      bytes.length,
      Array.from({ length: pageCount }, (_, page) => page),
      source,
      `importing the database file as '${name}'`,
    );
  } finally {
    store.close();
  }
}
