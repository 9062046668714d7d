// main.js: the demo page. It imports the `indexie` package the way an app
// would (the import map points the bare name at the built package), opens an
// in-memory engine database, seeds a few rows and runs the SQL in the form.
import { SqlDatabase, sqliteVersion } from 'indexie';

const status = document.getElementById('engine-status');
const form = document.getElementById('sql-form');
const input = document.getElementById('sql-input');
const runButton = document.getElementById('sql-run');
const errorBox = document.getElementById('sql-error');
const resultBox = document.getElementById('sql-result');

const SEED = `
  CREATE TABLE tasks(id INTEGER PRIMARY KEY, name TEXT NOT NULL, title TEXT, done INTEGER);
  INSERT INTO tasks(name, title, done) VALUES
    ('Ada', 'Write the key codec', 1), ('Ada', 'Property-test it', 0),
    ('Grace', 'Plan the queries', 1), ('Grace', 'Measure against Dexie', 1),
    ('Linus', 'Persist pages in IndexedDB', 0);
`;

function formatCell(value) {
  if (value === null) return 'NULL';
  if (value instanceof Uint8Array) return `x'${[...value].map((b) => b.toString(16).padStart(2, '0')).join('')}'`;
  return String(value);
}

function renderResult({ columns, rows, changes }) {
  resultBox.replaceChildren();
  if (columns.length === 0) {
    const note = document.createElement('p');
    note.className = 'empty';
    note.textContent = `Done. ${changes} row(s) changed.`;
    resultBox.append(note);
    return;
  }
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const column of columns) head.append(Object.assign(document.createElement('th'), { textContent: column }));
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) tr.insertCell().textContent = formatCell(cell);
  }
  resultBox.append(table);
}

async function start() {
  const db = await SqlDatabase.open(':memory:');
  db.execute(SEED);
  status.textContent = `Engine ready: SQLite ${await sqliteVersion()} in WebAssembly`;
  status.dataset.state = 'ready';

  const run = () => {
    errorBox.hidden = true;
    try {
      renderResult(db.execute(input.value));
    } catch (error) {
      errorBox.textContent = `${error.name}: ${error.message}`;
      errorBox.hidden = false;
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
  runButton.disabled = false;
  run();
}

start().catch((error) => {
  status.textContent = `The engine failed to start: ${error.message}`;
  status.dataset.state = 'failed';
  console.error(error);
});
