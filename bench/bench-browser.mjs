// bench-browser.mjs: what every benchmark command needs: the server (bench
// pages at /bench/, node_modules for Dexie) and Debian's headless Chromium,
// both closed afterwards, and a page opened on a bench page once it is ready.
import { join } from 'node:path';

import { launchChromium } from '../scripts/chromium.mjs';
import { ROOT, startServer } from '../scripts/serve.mjs';

/**
 * Calls use({browser, openPage}); openPage(file, context = browser) opens
 * bench/pages/<file> and resolves once its #status says 'ready'. Page errors
 * are collected in page.errors.
 */
export async function withBenchBrowser(use) {
  const server = await startServer({
    mounts: [
      { prefix: '/bench/', dir: join(ROOT, 'bench', 'pages') },
      { prefix: '/node_modules/', dir: join(ROOT, 'node_modules') },
    ],
  });
  const browser = await launchChromium();
  const openPage = async (file, context = browser) => {
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
    await browser.close();
    await server.close();
  }
}
