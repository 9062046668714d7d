// main.js: the app's code, bundled by `vite build` with indexie from
// node_modules (the packed tarball, installed by npm). workload.js is copied
// in from tests/package/ by the test. window.run() and window.readBack()
// let the test drive it.
import * as indexie from 'indexie';

import { readBack, workload } from './workload.js';

window.run = () => workload(indexie, 'vite-app');
window.readBack = () => readBack(indexie, 'vite-app');
document.querySelector('#status').textContent = 'ready';
