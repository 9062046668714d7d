// portability.js: the demo's "Bring your data" panels: a Dexie 4 database
// seeded in this page and migrated on first open (`migrateFrom:
// 'indexeddb'`, with progress and the migration report, checked against
// Dexie's own answers), export to a downloaded JSON file and import of one
// (both with progress), and the origin's storage status (persisted, usage,
// a persist() button, the integrity check). Dexie is loaded only when the
// migration is started (a chunk of its own).
import { Indexie } from 'indexie';

import { db } from './contacts-db.js';
import { formatBytes, formatCount, log } from './render.js';
import { makeContact, random } from './seed.js';

const $ = (selector) => document.querySelector(selector);
const DEXIE_NAME = 'dexie-contacts';
const DEXIE_RECORDS = 2000;
const SCHEMA = { contacts: '++id, name, &email, age, city, *tags' };

function setBar(selector, fraction) {
  $(selector).style.width = `${Math.round(100 * Math.min(1, fraction))}%`;
}

function busy(selectors, on) {
  for (const selector of selectors) $(selector).disabled = on;
}

/** Seeds a Dexie database in this page, then opens it with indexie, which migrates it on first open. */
async function migrateFromDexie() {
  busy(['#migrate-dexie'], true);
  const status = $('#migrate-status');
  setBar('#migrate-bar', 0);
  try {
    const { default: Dexie } = await import('dexie');
    // Start over each time: no indexie database of the name, a fresh Dexie one.
    await Indexie.delete(DEXIE_NAME);
    await Dexie.delete(DEXIE_NAME);
    status.textContent = `Dexie ${Dexie.semVer} is writing ${formatCount(DEXIE_RECORDS)} contacts…`;
    const dexie = new Dexie(DEXIE_NAME);
    dexie.version(1).stores(SCHEMA);
    const next = random(DEXIE_RECORDS);
    await dexie.table('contacts').bulkAdd(Array.from({ length: DEXIE_RECORDS }, (_, i) => makeContact(next, i, 'dexie')));
    const theirs = { count: await dexie.table('contacts').count(), vip: await dexie.table('contacts').where('tags').equals('vip').count() };
    dexie.close();

    status.textContent = 'indexie is opening it with migrateFrom: "indexeddb"…';
    const migrated = new Indexie(DEXIE_NAME, {
      migrateFrom: 'indexeddb',
      onProgress: ({ table, done, total }) => {
        setBar('#migrate-bar', done / total);
        status.textContent = `Migrating ${table}: ${formatCount(done)} of ${formatCount(total)}`;
      },
    });
    migrated.version(1).stores(SCHEMA);
    let report;
    migrated.on('migrated', (r) => {
      report = r;
    });
    await migrated.open();
    const ours = {
      count: await migrated.table('contacts').count(),
      vip: await migrated.table('contacts').where('tags').equals('vip').count(),
    };
    migrated.close();
    setBar('#migrate-bar', 1);
    renderReport(report, theirs, ours);
    const agree = theirs.count === ours.count && theirs.vip === ours.vip;
    log(
      `migrated Dexie's '${DEXIE_NAME}': ${formatCount(ours.count)} records${agree ? ', Dexie and indexie agree' : ', ANSWERS DIFFER'}`,
      agree ? 'ok' : 'bad',
    );
  } catch (error) {
    status.textContent = `Migration failed: ${error.name}: ${error.message}`;
  } finally {
    busy(['#migrate-dexie'], false);
  }
}

function renderReport(report, theirs, ours) {
  const records = Object.entries(report.records)
    .map(([table, count]) => `${table} ${formatCount(count)}`)
    .join(', ');
  const { onlyInSource, onlyDeclared, changed } = report.difference;
  const same = onlyInSource.length + onlyDeclared.length + changed.length === 0;
  $('#migrate-status').textContent =
    `Migrated ${formatCount(Object.values(report.records).reduce((a, b) => a + b, 0))} records from Dexie's ` +
    `'${report.source}' (version ${report.sourceVersion}) in ${report.ms.toFixed(0)} ms, in one atomic commit.`;
  const rows = [
    ['records', records],
    ['schema', same ? 'as declared' : `differs: ${JSON.stringify(report.difference)}`],
    ['source kept', report.sourceDeleted ? 'no (deleteSource)' : 'yes, untouched'],
    ['count (Dexie / indexie)', `${formatCount(theirs.count)} / ${formatCount(ours.count)}`],
    ['tagged vip (Dexie / indexie)', `${formatCount(theirs.vip)} / ${formatCount(ours.vip)}`],
  ];
  $('#migrate-report').replaceChildren(
    ...rows.map(([key, value]) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      const td = document.createElement('td');
      th.textContent = key;
      td.textContent = value;
      tr.append(th, td);
      return tr;
    }),
  );
  $('#migrate-report').closest('table').hidden = false;
}

/** db.export() with progress, handed to the browser as a download. */
async function exportContacts() {
  busy(['#export-json', '#import-json'], true);
  setBar('#port-bar', 0);
  const status = $('#port-status');
  const started = performance.now();
  try {
    const blob = await db.export({
      onProgress: ({ completedRows, totalRows }) => {
        setBar('#port-bar', totalRows ? completedRows / totalRows : 1);
        status.textContent = `Exporting… ${formatCount(completedRows)} of ${formatCount(totalRows)} rows`;
      },
    });
    setBar('#port-bar', 1);
    const link = $('#export-link');
    URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(blob);
    link.download = `${db.name}.json`;
    link.textContent = `${db.name}.json (${formatBytes(blob.size)})`;
    link.hidden = false;
    link.click();
    status.textContent = `Exported in ${((performance.now() - started) / 1000).toFixed(2)} s: one read-only transaction, read in slices.`;
  } catch (error) {
    status.textContent = `Export failed: ${error.name}: ${error.message}`;
  } finally {
    busy(['#export-json', '#import-json'], false);
  }
}

/** db.import() of the chosen file, replacing the contacts, in one transaction, with progress. */
async function importContacts() {
  const file = $('#import-file').files[0];
  const status = $('#port-status');
  if (!file) {
    status.textContent = 'Choose an exported .json file first.';
    return;
  }
  busy(['#export-json', '#import-json'], true);
  setBar('#port-bar', 0);
  const started = performance.now();
  try {
    let rows = 0;
    await db.import(file, {
      clearTablesBeforeImport: true,
      onProgress: ({ completedRows, totalRows }) => {
        rows = totalRows;
        setBar('#port-bar', totalRows ? completedRows / totalRows : 1);
        status.textContent = `Importing… ${formatCount(completedRows)} of ${formatCount(totalRows)} rows`;
      },
    });
    setBar('#port-bar', 1);
    status.textContent = `Imported ${formatCount(rows)} rows from ${file.name} in ${((performance.now() - started) / 1000).toFixed(2)} s (all or nothing: one transaction).`;
    log(`imported ${formatCount(rows)} contacts from ${file.name}`, 'ok');
  } catch (error) {
    status.textContent = `Import failed, nothing changed: ${error.name}: ${error.message}`;
  } finally {
    busy(['#export-json', '#import-json'], false);
  }
}

async function showStorage() {
  const { persisted, usage, quota } = await db.storage.status();
  $('#storage-persisted').textContent = persisted ? 'yes (kept under storage pressure)' : 'no (best effort)';
  $('#storage-usage').textContent = usage === undefined ? 'unknown' : `${formatBytes(usage)} of ${formatBytes(quota)}`;
  $('#persist').disabled = persisted;
}

async function askToPersist() {
  const granted = await db.storage.persist();
  log(
    granted ? 'the browser will keep this data (persist() granted)' : 'the browser declined persist(): storage stays best effort',
    granted ? 'ok' : '',
  );
  await showStorage();
}

async function checkIntegrity() {
  const problems = await db.checkIntegrity();
  $('#integrity').textContent = problems.length === 0 ? 'ok: SQLite finds the database sound' : problems.join('; ');
}

/** Wires the panels (after the database opened). */
export function wirePortability() {
  $('#migrate-dexie').addEventListener('click', () => void migrateFromDexie());
  $('#export-json').addEventListener('click', () => void exportContacts());
  $('#import-json').addEventListener('click', () => void importContacts());
  $('#persist').addEventListener('click', () => void askToPersist());
  $('#check-integrity').addEventListener('click', () => void checkIntegrity());
  for (const selector of ['#migrate-dexie', '#export-json', '#import-json', '#check-integrity']) $(selector).disabled = false;
  void showStorage();
}

// Never an empty database presented as if nothing happened: if the browser lost the stored data
// (it fires while the database opens, so this listens from the start), the page says so.
db.on('dataloss', (event) => {
  const banner = $('#dataloss');
  banner.textContent = `Data loss: ${event.message}`;
  banner.hidden = false;
  log(`dataloss: ${event.message}`, 'bad');
});
