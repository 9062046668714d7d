// bench-browser.mjs: what every benchmark command needs: the server (bench
// pages at /bench/, node_modules for Dexie) and Debian's headless Chromium,
// both closed afterwards, and a page opened on a bench page once it is ready.
//
// By default pages open in Playwright's own browser contexts, which are
// off-the-record: Chromium keeps their IndexedDB and OPFS in memory (and
// serves OPFS access handles through the browser process). With
// {persistent: true} the pages open in a persistent profile in a temporary
// directory (removed afterwards), so both libraries store on disk as a
// user's browser does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { launchChromium, launchChromiumProfile } from '../scripts/chromium.mjs';
import { ROOT, startServer } from '../scripts/serve.mjs';

/**
 * Calls use({browser, openPage}); openPage(file, context = browser) opens
 * bench/pages/<file> and resolves once its #status says 'ready'. Page errors
 * are collected in page.errors.
 */
export async function withBenchBrowser(use, { persistent = false } = {}) {
  const server = await startServer({
    mounts: [
      { prefix: '/bench/', dir: join(ROOT, 'bench', 'pages') },
      { prefix: '/node_modules/', dir: join(ROOT, 'node_modules') },
    ],
  });
  const profileDir = persistent ? mkdtempSync(join(tmpdir(), 'indexie-bench-')) : undefined;
  const persistentContext = persistent ? await launchChromiumProfile(profileDir) : undefined;
  const browser = persistentContext ? persistentContext.browser() : await launchChromium();
  const openPage = async (file, context = persistentContext ?? browser) => {
    const page = await context.newPage();
    page.errors = [];
    page.on('pageerror', (error) => page.errors.push(error));
    await page.goto(`${server.url}bench/${file}`);
    await page.locator('#status', { hasText: 'ready' }).waitFor();
    return page;
  };
  try {
    return await use({ browser, openPage });
  } finally {
    await (persistentContext ?? browser).close();
    await server.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }
}
