// portability.mjs: export -> import of N records (default 100,000) with
// every value type, in headless Chromium: times, file size, the longest
// main-thread task during each, and whether the copy equals the original.
// Usage: node bench/portability.mjs [N] [--storage opfs|indexeddb|memory]
// (default: the library's default, 'auto', which is OPFS in Chromium). The test command runs it at 3,000
// (tests/browser/portability.test.mjs).
//
// The longest task comes from a DevTools trace (every RunTask of the page's
// main thread from a phase's start mark to 100 ms after its end mark, so the
// garbage collection a phase leaves behind counts), not only from the page's
// 'longtask' observer, which does not see tasks that are only GC. Both its
// wall time and the most CPU time one task took are reported: on a machine
// shared with other busy processes a task of 30 ms of CPU can take 200 ms of
// wall time, which says nothing about the code.
import { fileURLToPath } from 'node:url';

import { withBenchBrowser } from './bench-browser.mjs';

const AFTER_MS = 100;

/** Starts tracing the page; stop() resolves, per phase, to the longest task's wall time and the most CPU time of one task (ms). */
async function traceTasks(page) {
  const cdp = await page.context().newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (data) => events.push(...data.value));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  return async function stop(phases) {
    const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await cdp.send('Tracing.end');
    await complete;
    const marks = events.filter((e) => e.name === 'TimeStamp');
    const markAt = (message) => marks.find((e) => e.args?.data?.message === message);
    const thread = markAt(`${phases[0]}-start`)?.tid;
    const tasks = events.filter((e) => e.name === 'RunTask' && e.tid === thread);
    return Object.fromEntries(
      phases.map((phase) => {
        const from = markAt(`${phase}-start`).ts;
        const to = markAt(`${phase}-end`).ts + AFTER_MS * 1000;
        const inPhase = tasks.filter((task) => task.ts + task.dur >= from && task.ts <= to);
        const wall = Math.max(0, ...inPhase.map((task) => task.dur / 1000));
        const cpu = Math.max(0, ...inPhase.map((task) => (task.tdur ?? task.dur) / 1000));
        return [phase, { wall, cpu }];
      }),
    );
  };
}

export async function runPortability(n, storage) {
  return withBenchBrowser(async ({ openPage }) => {
    const page = await openPage('portability.html');
    const stop = await traceTasks(page);
    const result = await page.evaluate((args) => window.roundTrip(...args), [n, storage]);
    const longest = await stop(['export', 'import']);
    if (page.errors.length > 0) throw page.errors[0];
    return { ...result, exportTask: longest.export, importTask: longest.import };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flag = args.indexOf('--storage');
  const storage = flag >= 0 ? args.splice(flag, 2)[1] : undefined;
  const n = Number(args[0] ?? 100000);
  const r = await runPortability(n, storage);
  const tasks = (task) => `longest task ${task.wall.toFixed(0)} ms wall, most CPU in one task ${task.cpu.toFixed(0)} ms`;
  console.log(
    `export -> import of ${r.n} records on ${storage ?? 'the default storage'} (${(r.bytes / 1e6).toFixed(1)} MB of JSON): ` +
      `export ${r.exportMs.toFixed(0)} ms (${tasks(r.exportTask)}), import ${r.importMs.toFixed(0)} ms (${tasks(r.importTask)}); ` +
      `copy equal: ${r.equal && r.indexEqual}`,
  );
}
