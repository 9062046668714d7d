// portability/export-json.ts: db.export(): the whole database as a JSON Blob
// in dexie-export-import's shape, read in one read-only transaction (one
// consistent state) in slices of about SLICE_MS, one task apart.
//
// The file, one line per row so import-json.ts can read it a line at a time:
//   {"formatName":"dexie","formatVersion":1,"data":{"databaseName":"app","databaseVersion":2,
//    "tables":[{"name":"people","schema":"++id,name","rowCount":2}],
//    "indexie":{"formatVersion":1},"data":[
//   {"tableName":"people","inbound":true,"rows":[
//   {"id":1,"name":"ann","born":0,"$types":{"born":"date"}},
//   {"id":2,"name":"bob"}
//   ]},
//   {"tableName":"notes","inbound":false,"rows":[
//   {"$wrap":["k1",{"text":"hi"}],"$types":{}}
//   ]}
//   ]}}
// An inbound table's rows are its values; an outbound table's rows are
// [primaryKey, value] pairs. Values are typed JSON (typed-json.ts), with
// `$types` in the row as dexie-export-import's rows have it (its type names
// are typeson's; exotic values are not guaranteed to read in the other
// library).
import { encodeRow } from './typed-json.js';
import { nextSliceSize, nextTask, type PortabilityProgress, type PortableDatabase } from './portable-database.js';

export const EXPORT_FORMAT_VERSION = 1;

export interface ExportOptions {
  /** Only these tables (default: all). */
  tables?: string[];
  /** Called after each slice. */
  onProgress?: (progress: PortabilityProgress) => void;
}

export async function exportDatabase(db: PortableDatabase, options: ExportOptions = {}): Promise<Blob> {
  await db.open();
  const tables = db.tables.filter((table) => !options.tables || options.tables.includes(table.name));
  const names = tables.map((table) => table.name);
  // Each slice's text becomes a Blob at once (UTF-8 encoded within its slice): the final Blob then
  // only references them, instead of encoding the whole export in one long task.
  const parts: Blob[] = [];
  const push = (text: string): void => void parts.push(new Blob([text]));
  await db.transaction('r', names, async (tx) => {
    const counts = await Promise.all(names.map((name) => tx.table(name).count()));
    const totalRows = counts.reduce((a, b) => a + b, 0);
    const header = {
      formatName: 'dexie',
      formatVersion: 1,
      data: {
        databaseName: db.name,
        databaseVersion: db.verno,
        tables: tables.map((table, i) => ({ name: table.name, schema: table.schema.spec, rowCount: counts[i] })),
        indexie: { formatVersion: EXPORT_FORMAT_VERSION },
        data: [],
      },
    };
    const text = JSON.stringify(header);
    push(`${text.slice(0, -3)}\n`); // ends with "data":[
    let completedRows = 0;
    let size = 100;
    for (const [i, name] of names.entries()) {
      const table = tx.table(name);
      const inbound = table.schema.primKey.keyPath !== null;
      push(`${JSON.stringify({ tableName: name, inbound, rows: [] }).slice(0, -2)}\n`);
      let after: { key: unknown } | undefined;
      let done = 0;
      for (;;) {
        const started = performance.now();
        const limit = size;
        const slice = () => (after ? table.where(':id').above(after.key) : table.toCollection()).limit(limit);
        const [keys, values] = await Promise.all([slice().primaryKeys(), slice().toArray()]);
        if (keys.length === 0) break;
        const lines = values.map((value, j) => JSON.stringify(encodeRow(inbound ? value : [keys[j], value])));
        push(`${done > 0 ? ',\n' : ''}${lines.join(',\n')}`);
        done += keys.length;
        completedRows += keys.length;
        after = { key: keys[keys.length - 1] };
        options.onProgress?.({ table: name, done, total: counts[i], completedRows, totalRows });
        size = nextSliceSize(size, keys.length, performance.now() - started);
        await nextTask();
        if (keys.length < limit) break;
      }
      push(`${done > 0 ? '\n' : ''}]}${i < names.length - 1 ? ',' : ''}\n`);
    }
    push(']}}\n');
  });
  return new Blob(parts, { type: 'application/json' });
}
