// harness.mjs: what every browser test needs: Debian's Chromium
// (scripts/chromium.mjs) on a fresh profile per launch, and the demo server
// on a free 127.0.0.1 port.
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromiumProfile } from '../../scripts/chromium.mjs';
import { ROOT, startServer } from '../../scripts/serve.mjs';

/** Mounts for test pages: tests/browser/pages at /test/, node_modules at /node_modules/. */
export const TEST_MOUNTS = [
  { prefix: '/test/', dir: join(ROOT, 'tests', 'browser', 'pages') },
  { prefix: '/node_modules/', dir: join(ROOT, 'node_modules') },
];

export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** Starts the server and a persistent-profile Chromium; returns both plus a cleanup. */
export async function startBrowser({ headers, mounts } = {}) {
  const server = await startServer({ headers, mounts });
  const profile = mkdtempSync(join(tmpdir(), 'indexie-chromium-'));
  const context = await launchChromiumProfile(profile);
  const consoleErrors = [];
  context.on('page', (page) => watchConsole(page, consoleErrors));
  for (const page of context.pages()) watchConsole(page, consoleErrors);
  return {
    url: server.url,
    context,
    consoleErrors,
    /** A new page on a test page (tests/browser/pages/<file>), once it shows 'ready'. */
    async openTestPage(file) {
      const page = await context.newPage();
      await page.goto(`${server.url}test/${file}`);
      await page.locator('#status', { hasText: 'ready' }).waitFor({ timeout: 15000 });
      return page;
    },
    async close() {
      await context.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

function watchConsole(page, sink) {
  page.on('console', (message) => {
    if (message.type() === 'error') sink.push(message.text());
  });
  page.on('pageerror', (error) => sink.push(String(error)));
}

export function screenshotPath(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, `${name}.png`);
}
