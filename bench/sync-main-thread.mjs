// bench/sync-main-thread.mjs: push and pull of N changes (default 10,000)
// in real Chromium against the reference sync server running as a separate
// process (sync-server/cli.mjs), so the page's main thread is all the
// client's. Device A (one browser context) writes N contacts and pushes
// them; device B (another context, its own IndexedDB) pulls them. For each
// phase: the time, the long tasks (PerformanceObserver 'longtask': tasks
// over 50 ms) and the longest main-thread gap a heartbeat saw.
//   node bench/sync-main-thread.mjs [N] [batchSize] [pullLimit]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium } from '../scripts/chromium.mjs';
import { startServer } from '../scripts/serve.mjs';
import { TEST_MOUNTS } from '../tests/browser/harness.mjs';

const N = Number(process.argv[2] ?? 10000);
const options = {};
if (process.argv[3]) options.batchSize = Number(process.argv[3]);
if (process.argv[4]) options.pullLimit = Number(process.argv[4]);

/** The reference server in its own process; resolves its URL and a stop(). */
async function startServerProcess() {
  const dir = mkdtempSync(join(tmpdir(), 'indexie-sync-bench-'));
  const cli = fileURLToPath(new URL('../sync-server/cli.mjs', import.meta.url));
  const child = spawn(process.execPath, [cli, '--port', '0', '--file', join(dir, 'sync.db')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const match = /(http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the sync server exited (${code}): ${text}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const syncServer = await startServerProcess();
const web = await startServer({ mounts: TEST_MOUNTS });
const browser = await launchChromium();
try {
  const device = async (name) => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${web.url}test/sync-bench.html`);
    await page.locator('#status', { hasText: 'ready' }).waitFor({ timeout: 20000 });
    await page.evaluate(([db, url, o]) => window.startSync(db, url, o), [name, syncServer.url, options]);
    return page;
  };
  const A = await device('bench-a');
  const B = await device('bench-b');
  const write = await A.evaluate((n) => window.writeContacts(n), N);
  const push = await A.evaluate(() => window.syncAll());
  const pending = await A.evaluate(() => window.pending());
  const pull = await B.evaluate(() => window.syncAll());
  const pulled = await B.evaluate(() => window.count());
  console.log(
    JSON.stringify(
      {
        changes: N,
        options,
        write,
        push: { ...push, perSecond: Math.round(N / (push.ms / 1000)) },
        pull: { ...pull, perSecond: Math.round(N / (pull.ms / 1000)) },
        pendingAfterPush: pending,
        pulled,
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  await web.close();
  await syncServer.stop();
}
