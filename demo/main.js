// main.js: the demo app: a contacts list whose every view is a live query
// (search, sort, paging, tag filter, an aggregate), optimistic single edits
// checked by a fake server hook, an all-or-nothing batch edit, seeding with
// progress, and an inspector. Open it in two tabs: each shows the other's edits.
// The "Bring your data" panels (migration from Dexie, export/import, storage
// status) are portability.js; the "Sync from Postgres" panel is postgres-sync.js.
import { liveQuery, sqliteVersion } from 'indexie';

import { db, server } from './contacts-db.js';
import { TAGS, seed } from './seed.js';
import { wirePortability } from './portability.js';
import { wirePostgresSync } from './postgres-sync.js';
import { formatCount, log, renderInspector, renderRows, renderRuns, renderSortHeaders, renderTags } from './render.js';

const PAGE_SIZE = 20;
const $ = (selector) => document.querySelector(selector);

const view = { q: '', tag: null, sort: 'name', desc: false, page: 0 };
const rowState = { editing: null, pending: new Set(), failed: new Set() };
let lastRows = [];

// --- Live queries: one subscription per view, replaced when what it depends on changes.
const runs = new Map();
const subscriptions = new Map();
function watch(name, querier, render) {
  subscriptions.get(name)?.unsubscribe();
  if (!runs.has(name)) runs.set(name, 0);
  subscriptions.set(
    name,
    liveQuery(querier, {
      onRun: () => {
        runs.set(name, runs.get(name) + 1);
        renderRuns(runs);
      },
    }).subscribe({ next: render, error: (error) => log(`${name}: ${error.name}: ${error.message}`, 'bad') }),
  );
}

/** The contacts the search and tag filter select (null: all of them). */
function filtered({ q, tag }) {
  if (q) {
    const byName = db.contacts.where('name').startsWithIgnoreCase(q);
    return tag ? byName.and((contact) => contact.tags.includes(tag)) : byName;
  }
  return tag ? db.contacts.where('tags').equals(tag) : null;
}

async function listQuery(v) {
  const started = performance.now();
  const base = filtered(v);
  const offset = v.page * PAGE_SIZE;
  let rows, total, averageAge;
  if (base) {
    rows = await base
      .clone()
      .orderBy(v.desc ? `-${v.sort}` : v.sort)
      .offset(offset)
      .limit(PAGE_SIZE)
      .toArray();
    [total, averageAge] = await Promise.all([base.clone().count(), base.clone().avg('age')]);
  } else {
    const ordered = db.contacts.orderBy(v.sort);
    rows = await (v.desc ? ordered.reverse() : ordered).offset(offset).limit(PAGE_SIZE).toArray();
    [total, averageAge] = await Promise.all([db.contacts.count(), db.contacts.toCollection().avg('age')]);
  }
  return { rows, total, averageAge, ms: performance.now() - started };
}

function showList({ rows, total, averageAge, ms }) {
  lastRows = rows;
  renderRows(rows, rowState);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (view.page >= pages) {
    // the data shrank under this page
    view.page = pages - 1;
    watchList();
    return;
  }
  const filters = [view.q && `name starts with “${view.q}”`, view.tag && `tagged ${view.tag}`].filter(Boolean).join(', ');
  $('#summary').textContent =
    `${formatCount(total)} contacts${filters ? ` (${filters})` : ''}` +
    (averageAge === undefined ? '' : ` · average age ${averageAge.toFixed(1)}`) +
    ` · query ${ms.toFixed(1)} ms`;
  $('#page-info').textContent = `page ${formatCount(view.page + 1)} of ${formatCount(pages)}`;
  $('#prev-page').disabled = view.page === 0;
  $('#next-page').disabled = view.page >= pages - 1;
  $('#batch-edit').disabled = rows.length === 0;
}

const watchList = () => {
  const v = { ...view };
  watch('contacts list', () => listQuery(v), showList);
  renderSortHeaders(view.sort, view.desc);
};

async function tagCounts() {
  const counts = await Promise.all(TAGS.map(async (tag) => [tag, await db.contacts.where('tags').equals(tag).count()]));
  return counts.filter(([, count]) => count > 0);
}

async function inspect() {
  const tables = await Promise.all(db.tables.map(async (table) => [table.name, await table.count()]));
  return { tables, size: await db.fileSize() };
}

// --- Edits.
async function saveEdit(id, row) {
  const changes = {
    name: row.querySelector('[name=name]').value.trim(),
    age: Number(row.querySelector('[name=age]').value),
    city: row.querySelector('[name=city]').value.trim(),
  };
  rowState.editing = null;
  rowState.pending.add(id);
  rowState.failed.delete(id);
  try {
    // LOCAL_FIRST: the list shows the change at once; the onUpdate hook asks the server.
    await db.contacts.update(id, changes);
    log(`saved ${changes.name}: the server accepted`, 'ok');
  } catch (error) {
    rowState.failed.add(id);
    setTimeout(() => {
      rowState.failed.delete(id);
      renderRows(lastRows, rowState);
    }, 2500);
    log(`${error.message}: rolled back`, 'bad');
  } finally {
    rowState.pending.delete(id);
    renderRows(lastRows, rowState);
  }
}

async function batchEdit() {
  const ids = lastRows.map((contact) => contact.id);
  $('#batch-edit').disabled = true;
  log(`batch: +1 year for ${ids.length} contacts, sent as one request…`);
  try {
    // A standard transaction: nobody sees the new ages until the server accepted all of them.
    await server.batch(`batch of ${ids.length} updates`, () =>
      db.transaction('rw', db.contacts, () =>
        db.contacts
          .where(':id')
          .anyOf(ids)
          .modify((contact) => {
            contact.age += 1;
          }),
      ),
    );
    log(`batch committed: ${ids.length} contacts are a year older`, 'ok');
  } catch (error) {
    log(`${error.message}: nothing of the batch was applied`, 'bad');
  } finally {
    $('#batch-edit').disabled = lastRows.length === 0;
  }
}

async function addContact(form) {
  const data = new FormData(form);
  const contact = {
    name: String(data.get('name')).trim(),
    email: String(data.get('email')).trim(),
    age: Number(data.get('age')),
    city: String(data.get('city')).trim(),
    tags: String(data.get('tags'))
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  };
  const error = $('#add-error');
  try {
    const id = await db.contacts.add(contact);
    error.hidden = true;
    form.reset();
    log(`added ${contact.name} (id ${id})`, 'ok');
  } catch (failure) {
    error.textContent = `${failure.name}: ${failure.message}`;
    error.hidden = false;
  }
}

async function seedContacts(count) {
  const buttons = ['#seed-10k', '#seed-100k', '#clear-all'].map((s) => $(s));
  buttons.forEach((b) => {
    b.disabled = true;
  });
  const bar = $('#seed-bar');
  try {
    const ms = await seed(db, count, (done, total) => {
      bar.style.width = `${(100 * done) / total}%`;
      $('#seed-status').textContent = `Seeding… ${formatCount(done)} of ${formatCount(total)}`;
    });
    $('#seed-status').textContent =
      `Seeded ${formatCount(count)} contacts in ${(ms / 1000).toFixed(2)} s (${formatCount(Math.round(count / (ms / 1000)))} records/s, durable on disk).`;
    log(`seeded ${formatCount(count)} contacts in ${(ms / 1000).toFixed(2)} s`, 'ok');
  } catch (error) {
    $('#seed-status').textContent = `Seeding failed: ${error.name}: ${error.message}`;
  } finally {
    buttons.forEach((b) => {
      b.disabled = false;
    });
  }
}

// --- Wiring.
function wire() {
  $('#seed-10k').addEventListener('click', () => seedContacts(10000));
  $('#seed-100k').addEventListener('click', () => seedContacts(100000));
  $('#clear-all').addEventListener('click', async () => {
    await db.contacts.clear();
    $('#seed-bar').style.width = '0%';
    log('deleted all contacts');
  });
  $('#add-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void addContact(event.currentTarget);
  });
  $('#search').addEventListener('input', (event) => {
    view.q = event.target.value.trim();
    view.page = 0;
    watchList();
  });
  $('#tags').addEventListener('click', (event) => {
    const tag = event.target.closest('[data-tag]')?.dataset.tag;
    if (!tag) return;
    view.tag = view.tag === tag ? null : tag;
    view.page = 0;
    watchList();
    watch('tag counts', tagCounts, (counts) => renderTags(counts, view.tag));
  });
  $('#contacts thead').addEventListener('click', (event) => {
    const sort = event.target.closest('[data-sort]')?.dataset.sort;
    if (!sort) return;
    view.desc = view.sort === sort ? !view.desc : false;
    view.sort = sort;
    view.page = 0;
    watchList();
  });
  $('#prev-page').addEventListener('click', () => {
    view.page--;
    watchList();
  });
  $('#next-page').addEventListener('click', () => {
    view.page++;
    watchList();
  });
  $('#contacts tbody').addEventListener('click', (event) => {
    const button = event.target.closest('[data-action]');
    if (!button) return;
    const id = Number(button.dataset.id);
    if (button.dataset.action === 'edit') rowState.editing = id;
    if (button.dataset.action === 'cancel') rowState.editing = null;
    if (button.dataset.action === 'save') void saveEdit(id, button.closest('tr'));
    renderRows(lastRows, rowState);
  });
  $('#fail-rate').addEventListener('change', (event) => {
    server.failRate = Number(event.target.value);
  });
  server.failRate = Number($('#fail-rate').value);
  $('#batch-edit').addEventListener('click', () => void batchEdit());
}

async function start() {
  const status = $('#engine-status');
  const started = performance.now();
  try {
    await db.open();
  } catch (error) {
    status.dataset.state = 'error';
    status.textContent = `Could not open the database: ${error.name}: ${error.message}`;
    return;
  }
  const count = await db.contacts.count();
  const openedMs = performance.now() - started;
  const version = await sqliteVersion();
  // 'ready' is said last, once every control is wired and enabled: a user (or a
  // test) acting on it finds the page working, never half started.
  wire();
  wirePortability();
  wirePostgresSync();
  for (const selector of ['#seed-10k', '#seed-100k', '#clear-all', '#search', '#add-form button']) $(selector).disabled = false;
  if (count === 0) $('#seed-status').textContent = 'The database is empty: seed some contacts, or add one.';
  watchList();
  watch('tag counts', tagCounts, (counts) => renderTags(counts, view.tag));
  watch('inspector', inspect, (info) => renderInspector(info, runs));
  status.textContent = `Ready · SQLite ${version} in WebAssembly · opened in ${openedMs.toFixed(0)} ms`;
  status.dataset.state = 'ready';
}

void start();
