// portability/import-json.ts: reading an export (export-json.ts, or a file
// of dexie-export-import's shape) and writing it into a database:
// db.import(blob, options) and the start of Indexie.import(blob).
//
// Guarantees: the whole import is ONE read-write transaction over the
// tables it writes (a failure anywhere leaves the database as it was); rows
// are decoded and written in slices of about SLICE_MS, one task apart. A
// file written by indexie is read 1 MiB at a time and split into lines (a
// row each), each row parsed only when its slice is imported; any other is
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
  /** The rows as parsed JSON, or (`rowsAreText`) each row's JSON text, parsed only when it is imported. */
  rows: unknown[];
  rowsAreText?: boolean;
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

/**
 * Bytes of the file read and decoded per task: reading a 25 MB export with
 * one blob.text() decoded it in one ~40 ms task.
 */
const READ_BYTES = 1 << 20;

/** Reads an export file; rows stay raw (decoded while importing). */
export async function parseExport(blob: Blob): Promise<ParsedExport> {
  const start = await blob.slice(0, READ_BYTES).text();
  const firstLineEnd = start.indexOf('\n');
  const firstLine = firstLineEnd < 0 ? start : start.slice(0, firstLineEnd);
  if (firstLine.includes('"indexie":{"formatVersion":1}') && firstLine.endsWith('"data":[')) return parseLines(blob);
  // Another writer's file: one JSON document, parsed whole.
  const text = await blob.text();
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

/**
 * indexie's own files: the header line, then per table a header line, one
 * line per row, and a closing line. Read READ_BYTES at a time (each piece a
 * task of its own); a row stays text until it is imported.
 */
async function parseLines(blob: Blob): Promise<ParsedExport> {
  let header: ExportHeader | undefined;
  const tables: ExportTable[] = [];
  let table: ExportTable | undefined;
  let lineNumber = 0;
  const take = (line: string): void => {
    lineNumber++;
    if (!header) {
      header = checkHeader(JSON.parse(`${line}]}}`).data);
    } else if (line.startsWith('{"tableName":')) {
      table = JSON.parse(`${line}]}`) as ExportTable;
      table.rowsAreText = true;
      tables.push(table);
    } else if (line.startsWith(']}')) {
      table = undefined;
    } else if (line !== '') {
      if (!table) throw invalid(`line ${lineNumber} is a row outside any table`);
      // Kept as text (a slice of the piece's string): 100,000 parsed rows held until their turn
      // made the heap big enough for 50-100 ms garbage collections during and after the import.
      table.rows.push(line.endsWith(',') ? line.slice(0, -1) : line);
    }
  };
  const decoder = new TextDecoder();
  let carry = '';
  for (let at = 0; at < blob.size; at += READ_BYTES) {
    const bytes = new Uint8Array(await blob.slice(at, at + READ_BYTES).arrayBuffer());
    const text = carry + decoder.decode(bytes, { stream: true });
    let from = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', from)) {
      take(text.slice(from, end));
      from = end + 1;
    }
    carry = text.slice(from);
  }
  const rest = carry + decoder.decode();
  if (rest !== '') take(rest);
  return { header: header!, tables };
}

function parseRow(text: string, table: string, index: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MigrationError(`row ${index} of table '${table}' is not JSON (${(error as Error).message}); nothing was imported`);
  }
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
          const raw = source.rows.slice(from, from + size);
          const rows = (source.rowsAreText ? raw.map((text, i) => parseRow(text as string, source.tableName, from + i)) : raw).map(
            decodeRow,
          );
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
