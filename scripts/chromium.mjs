// chromium.mjs: Debian's Chromium, driven by playwright-core, the one way
// tests and benchmarks start a browser: headless, with the flags this
// machine needs (DESIGN.md, toolchain facts). Playwright never downloads a browser.
// launchBrowserProcess() is the one that can be hard-killed (SIGKILL of the
// whole process group), for the crash and sync soaks.
import { spawn } from 'node:child_process';

import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--no-sandbox', // running as root in CI
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking', // no outside network here: its connection attempts only fail
  '--disable-component-update',
  '--disable-sync',
];

/** A headless browser with a throwaway profile. */
export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}

/** A headless browser context on a persistent profile directory (IndexedDB survives page reloads). */
export function launchChromiumProfile(profileDir) {
  return chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}

/** Starts Chromium as a process of its own (its own process group, so a kill takes all of it) on `profileDir`. */
export async function launchBrowserProcess(profileDir) {
  const child = spawn(
    CHROMIUM_PATH,
    [...CHROMIUM_FLAGS, '--headless', `--user-data-dir=${profileDir}`, '--remote-debugging-port=0', 'about:blank'],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const endpoint = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start: ${text.slice(-500)}`)), 30000);
    child.stderr.on('data', (chunk) => {
      text += chunk;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`Chromium exited (${code}) at start: ${text.slice(-500)}`)));
  });
  child.stderr.resume();
  const browser = await chromium.connectOverCDP(endpoint);
  return {
    browser,
    context: browser.contexts()[0],
    /** SIGKILL to the whole process group: no unload, no flush, nothing graceful. */
    async kill() {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await exited;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await this.kill();
    },
  };
}

/** Runs the soak; resolves its numbers and `violations` (empty when every check held). */
