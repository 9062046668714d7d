// portability/import-json.ts: reading an export (export-json.ts, or a file
// of dexie-export-import's shape) and writing it into a database:
// db.import(blob, options) and the start of Indexie.import(blob).
//
// Guarantees: the whole import is ONE read-write transaction over the
// tables it writes (a failure anywhere leaves the database as it was); rows
// are decoded and written in slices of about SLICE_MS, one task apart. A
// file written by indexie is parsed a line (a row) at a time; any other is
// parsed whole first (one JSON.parse). A table the database lacks is an
// InvalidTableError unless `acceptMissingTables` (then it is skipped); a
// file that is not an export is a MigrationError, naming what is wrong.
import { InvalidTableError, MigrationError } from '../errors.js';
import { decodeRow } from './typed-json.js';
import { nextSliceSize, nextTask, type PortabilityProgress, type PortableDatabase } from './portable-database.js';

export interface ImportOptions {
  /** Empty each imported table first (default false: rows are put over what is there). */
  clearTablesBeforeImport?: boolean;
  /** Skip tables of the file the database does not have (default false: InvalidTableError). */
  acceptMissingTables?: boolean;
  /** Called after each slice. */
  onProgress?: (progress: PortabilityProgress) => void;
}

export interface ExportHeader {
  databaseName: string;
  databaseVersion: number;
  tables: Array<{ name: string; schema: string; rowCount: number }>;
}

interface ExportTable {
  tableName: string;
  inbound: boolean;
  rows: unknown[];
}

/** A parsed export: its header, and its tables' raw rows (still typed JSON). */
export interface ParsedExport {
  header: ExportHeader;
  tables: ExportTable[];
}

function invalid(why: string): MigrationError {
  return new MigrationError(`the file is not a database export: ${why}; nothing was imported`);
}

function checkHeader(data: unknown): ExportHeader {
  const header = data as ExportHeader;
  if (!header || typeof header.databaseName !== 'string' || typeof header.databaseVersion !== 'number' || !Array.isArray(header.tables)) {
    throw invalid('it lacks databaseName, databaseVersion or tables');
  }
  return header;
}

/** Reads an export file; rows stay raw (decoded while importing). */
export async function parseExport(blob: Blob): Promise<ParsedExport> {
  const text = await blob.text();
  const firstLineEnd = text.indexOf('\n');
  const firstLine = firstLineEnd < 0 ? text : text.slice(0, firstLineEnd);
  if (firstLine.includes('"indexie":{"formatVersion":1}') && firstLine.endsWith('"data":[')) return parseLines(text, firstLine);
  let parsed: { formatName?: string; data?: { data?: ExportTable[] } };
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(`it is not JSON (${(error as Error).message})`);
  }
  if (parsed?.formatName !== 'dexie') throw invalid(`its formatName is ${JSON.stringify(parsed?.formatName)}, not "dexie"`);
  const header = checkHeader(parsed.data);
  return { header, tables: parsed.data?.data ?? [] };
}

/** indexie's own files: the header line, then per table a header line, one line per row, and a closing line. */
async function parseLines(text: string, firstLine: string): Promise<ParsedExport> {
  const header = checkHeader(JSON.parse(`${firstLine}]}}`).data);
  const tables: ExportTable[] = [];
  let at = firstLine.length + 1;
  let table: ExportTable | undefined;
  let started = performance.now();
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const line = text.slice(at, end);
    at = end + 1;
    if (line.startsWith('{"tableName":')) {
      table = JSON.parse(`${line}]}`) as ExportTable;
      tables.push(table);
    } else if (line.startsWith(']}')) {
      table = undefined;
    } else if (line !== '') {
      if (!table) throw invalid(`a row outside any table near character ${at}`);
      table.rows.push(JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line));
    }
    if (performance.now() - started > 12) {
      await nextTask();
      started = performance.now();
    }
  }
  return { header, tables };
}

/** Writes a parsed export into `db`, in one read-write transaction. */
export async function importInto(db: PortableDatabase, parsed: ParsedExport, options: ImportOptions = {}): Promise<void> {
  await db.open();
  const existing = new Set(db.tables.map((table) => table.name));
  const missing = parsed.tables.filter((table) => !existing.has(table.tableName)).map((table) => table.tableName);
  if (missing.length > 0 && !options.acceptMissingTables) {
    throw new InvalidTableError(
      `importing into '${db.name}': the file has table(s) ${missing.join(', ')}, which the database lacks (pass acceptMissingTables to skip them); nothing was imported`,
    );
  }
  const tables = parsed.tables.filter((table) => existing.has(table.tableName));
  const totalRows = tables.reduce((sum, table) => sum + table.rows.length, 0);
  let completedRows = 0;
  if (tables.length === 0) return;
  await db.transaction(
    'rw',
    tables.map((table) => table.tableName),
    async (tx) => {
      for (const source of tables) {
        const table = tx.table(source.tableName);
        if (options.clearTablesBeforeImport) await table.clear();
        const inbound = table.schema.primKey.keyPath !== null;
        if (inbound !== source.inbound) {
          throw new MigrationError(
            `table '${source.tableName}' has ${inbound ? 'inbound' : 'outbound'} keys, the file's ${source.inbound ? 'inbound' : 'outbound'} ones; nothing was imported`,
          );
        }
        let size = 100;
        for (let from = 0; from < source.rows.length;) {
          const started = performance.now();
          const rows = source.rows.slice(from, from + size).map(decodeRow);
          if (inbound) await table.bulkPut(rows);
          else {
            const pairs = rows as Array<[unknown, unknown]>;
            await table.bulkPut(
              pairs.map((pair) => pair[1]),
              pairs.map((pair) => pair[0]),
            );
          }
          from += rows.length;
          completedRows += rows.length;
          options.onProgress?.({ table: source.tableName, done: from, total: source.rows.length, completedRows, totalRows });
          size = nextSliceSize(size, rows.length, performance.now() - started);
          await nextTask();
        }
      }
    },
  );
}
