// chromium.mjs: Debian's Chromium, driven by playwright-core, the one way
// tests and benchmarks start a browser: headless, with the flags this
// machine needs (DESIGN.md, toolchain facts). Playwright never downloads a browser.
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
