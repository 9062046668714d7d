// worker-page.js: window.inWorker(task, name) runs a task of worker.js in a
// fresh module worker and resolves to what it posts back;
// window.readBackHere(name) reads the same database from the page.
import * as indexie from 'indexie';

import { readBack } from '../workload.js';

window.inWorker = (task, name) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => {
      worker.terminate();
      data.error ? reject(new Error(data.error)) : resolve(data);
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`worker: ${event.message}`));
    };
    worker.postMessage({ task, name });
  });
window.readBackHere = (name) => readBack(indexie, name);
document.querySelector('#status').textContent = 'ready';
