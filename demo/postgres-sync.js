// postgres-sync.js: the demo's "Sync from Postgres" panel: when the test
// shape server runs (scripts/demo.sh starts it with a Postgres cluster when
// Debian's postgresql is installed; ?shapes=<shape url> points elsewhere),
// the Postgres table `pg_contacts` is kept in the table `pg_contacts` of a
// database of its own (`indexie-demo-postgres`, so the contacts database,
// its export and import stay as they are) with table.syncElectric(): the
// panel shows the sync's status, when it last was up to date, and the rows,
// through a live query. Without a server it says so and the rest of the demo
// is unaffected; "Connect" tries again. ?shapes=none leaves the panel off
// (no request at all).
import { Indexie, liveQuery } from 'indexie';

const params = new URLSearchParams(location.search);
/** The shape endpoint scripts/demo.sh starts (ELECTRIC_PORT, default 8788), or ?shapes=<url>. */
const SHAPES = params.get('shapes') ?? `${location.protocol}//${location.hostname}:8788/v1/shape`;
const SHOWN = 8;
const $ = (selector) => document.querySelector(selector);

let db;
let sync;

/** True when the shape server answers its health check. */
async function serverUp() {
  try {
    const response = await fetch(new URL('health', SHAPES.replace(/\/shape\/?$/, '/')), { cache: 'no-store' });
    return response.ok;
  } catch {
    return false;
  }
}

function showStatus(state, text) {
  const status = $('#pg-status');
  status.dataset.state = state;
  status.textContent = text;
}

/** The sync's status and when it was last up to date (refreshed by each status change and each applied batch). */
function showSync() {
  if (!sync) return;
  const when = sync.lastSyncedAt ? `, up to date at ${sync.lastSyncedAt.toLocaleTimeString()}` : '';
  showStatus(sync.status, `${sync.status}${when}`);
  $('#pg-connect').disabled = sync.status !== 'error';
}

function renderRows(rows) {
  showSync();
  $('#pg-count').textContent = `${rows.length} ${rows.length === 1 ? 'row' : 'rows'} in pg_contacts`;
  $('#pg-rows').replaceChildren(
    ...rows.slice(0, SHOWN).map((row) => {
      const tr = document.createElement('tr');
      tr.dataset.id = String(row.id);
      for (const text of [row.name, row.city ?? '']) tr.append(Object.assign(document.createElement('td'), { textContent: text }));
      return tr;
    }),
  );
}

async function connect() {
  if (SHAPES === 'none') {
    showStatus('off', 'off');
    $('#pg-hint').textContent = 'Turned off by ?shapes=none.';
    return;
  }
  $('#pg-connect').disabled = true;
  showStatus('loading', 'looking for the shape server…');
  if (!(await serverUp())) {
    showStatus('off', 'no shape server');
    $('#pg-hint').textContent =
      `Nothing answers at ${SHAPES}. scripts/demo.sh starts Postgres and the shape server when Debian's postgresql is installed (scripts/setup.sh).`;
    $('#pg-connect').disabled = false;
    return;
  }
  if (!db) {
    db = new Indexie('indexie-demo-postgres');
    db.version(1).stores({ pg_contacts: 'id, name' });
    liveQuery(() => db.pg_contacts.orderBy('name').toArray()).subscribe(renderRows);
  }
  sync = db.pg_contacts.syncElectric({ url: SHAPES, params: { table: 'pg_contacts' } });
  $('#pg-hint').textContent = `Following ${SHAPES}?table=pg_contacts (long-poll). Change the table with SQL and the rows follow.`;
  sync.subscribe(showSync);
}

export function wirePostgresSync() {
  $('#pg-connect').addEventListener('click', () => void connect());
  void connect();
}
