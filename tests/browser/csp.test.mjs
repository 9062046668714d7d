// csp.test.mjs: the demo as built (build/demo: bundled, no inline script)
// served with `Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'`
// (no 'unsafe-eval', no 'unsafe-inline': the engine needs neither eval nor
// new Function) in Chromium: it loads the engine, seeds 10,000 contacts
// through the UI, searches, and keeps them over a reload, without a single
// CSP violation (securitypolicyviolation events) or console error. A control
// shows the policy is in force: an inline script on the same page is refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startBrowser } from './harness.mjs';

const CSP = "script-src 'self' 'wasm-unsafe-eval'";

let browser;
before(async () => {
  browser = await startBrowser({ headers: { 'Content-Security-Policy': CSP } });
  // Injected by the browser driver (outside the page's CSP), before any page script.
  await browser.context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.cspViolations.push(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
});
after(async () => {
  await browser?.close();
});

const summary = (page) => page.locator('#summary').textContent();
async function summaryUntil(page, check) {
  for (let i = 0; i < 400; i++) {
    const text = await summary(page);
    if (check(text)) return text;
    await page.waitForTimeout(25);
  }
  throw new Error(`summary never matched: ${await summary(page)}`);
}

test("the demo runs under script-src 'self' 'wasm-unsafe-eval': seed 10,000, search, reload, no violation", async () => {
  const page = await browser.context.newPage();
  // ?shapes=none: no Postgres shape server here, and the panel's probe of one would log a failed request.
  const response = await page.goto(`${browser.url}?shapes=none`);
  assert.equal(response.headers()['content-security-policy'], CSP);
  await page.locator('#engine-status[data-state="ready"]').waitFor({ timeout: 20000 });
  assert.match(await page.locator('#engine-status').textContent(), /SQLite 3\.\d+\.\d+ in WebAssembly/);

  await page.click('#seed-10k');
  await page.locator('#seed-status', { hasText: 'Seeded 10,000 contacts' }).waitFor({ timeout: 60000 });
  await summaryUntil(page, (t) => t.startsWith('10,000 contacts'));

  await page.fill('#search', 'gr');
  const searched = await summaryUntil(page, (t) => t.includes('name starts with “gr”'));
  const names = await page.locator('#contacts tbody tr[data-id] td:nth-child(1)').allTextContents();
  assert.ok(names.length > 0 && names.every((n) => n.toLowerCase().startsWith('gr')), names.join());
  // The same count through the app's own database instance (a same-origin module, allowed by 'self').
  const grCount = await page.evaluate(async () => {
    const { db } = await import('/contacts-db.js');
    return db.contacts.where('name').startsWithIgnoreCase('gr').count();
  });
  assert.ok(grCount > 0 && searched.startsWith(`${grCount.toLocaleString('en-US')} contacts`), `${searched} vs ${grCount}`);

  await page.reload();
  await page.locator('#engine-status[data-state="ready"]').waitFor({ timeout: 20000 });
  await summaryUntil(page, (t) => t.startsWith('10,000 contacts'));

  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assert.deepEqual(browser.consoleErrors, []);

  // Control: the policy is in force and the listener hears it.
  await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.inlineRan = true;';
    document.head.append(script);
  });
  await page.waitForFunction(() => window.cspViolations.length > 0);
  assert.equal(await page.evaluate(() => window.inlineRan), undefined);
  assert.match((await page.evaluate(() => window.cspViolations))[0], /^script-src(-elem)? blocked inline/);
  await page.close();
});
