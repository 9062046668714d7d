// plain.js: times `import('indexie')` through the page's import map up to an
// open empty database (window.importToOpenMs; window.importMs: the module
// graph alone, the wasm loads on open), then offers the shared
// workload to the test: window.run(name) and window.readBack(name).
import { readBack, workload } from '../workload.js';

const name = new URLSearchParams(location.search).get('db') ?? 'plain';
const started = performance.now();
const indexie = await import('indexie');
window.importMs = performance.now() - started;
const db = new indexie.Indexie(`${name}-timing`);
db.version(1).stores({ things: '++id' });
await db.open();
window.importToOpenMs = performance.now() - started;
db.close();

window.run = () => workload(indexie, name);
window.readBack = () => readBack(indexie, name);
document.querySelector('#status').textContent = 'ready';
