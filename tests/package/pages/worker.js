// worker.js: a module worker using the unpacked package, imported by URL
// path. Tasks: 'run' (the workload) and 'readBack'; it posts the result, and
// whether this really is a worker (no window, no document).
import * as indexie from '/unpacked/indexie/dist/index.js';

import { readBack, workload } from '../workload.js';

self.onmessage = async ({ data: { task, name } }) => {
  try {
    const result = task === 'run' ? await workload(indexie, name) : await readBack(indexie, name);
    self.postMessage({
      result,
      context: {
        window: typeof window,
        document: typeof document,
        worker: typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope,
      },
    });
  } catch (error) {
    self.postMessage({ error: `${error?.name}: ${error?.message}\n${error?.stack}` });
  }
};
