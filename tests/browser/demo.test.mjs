// demo.test.mjs: the demo page, served on 127.0.0.1, loads the wasm module
// through the package (new URL(..., import.meta.url)), runs SQL in the engine
// in real Chromium and shows the answer; errors show as named errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { screenshotPath, startBrowser } from './harness.mjs';

let browser;
before(async () => { browser = await startBrowser(); });
after(async () => { await browser?.close(); });

test('the demo loads the engine and shows the answer to its query', async () => {
  const page = await browser.context.newPage();
  await page.goto(browser.url);
  await page.locator('#engine-status[data-state="ready"]').waitFor({ timeout: 15000 });
  assert.match(await page.locator('#engine-status').textContent(), /SQLite 3\.53\.\d+ in WebAssembly/);

  const cells = await page.locator('#sql-result tbody tr').evaluateAll((rows) =>
    rows.map((row) => [...row.cells].map((cell) => cell.textContent)));
  assert.deepEqual(cells, [['Ada', '2', '1'], ['Grace', '2', '2'], ['Linus', '1', '0']]);
  await page.screenshot({ path: screenshotPath('demo-ready'), fullPage: true });
  assert.deepEqual(browser.consoleErrors, []);
  await page.close();
});

test('SQL typed into the demo runs in the engine; a bad statement shows its SqlError', async () => {
  const page = await browser.context.newPage();
  await page.goto(browser.url);
  await page.locator('#sql-run:not([disabled])').waitFor({ timeout: 15000 });

  await page.fill('#sql-input', "SELECT upper('wasm') AS shout, 40 + 2 AS answer");
  await page.click('#sql-run');
  await page.locator('#sql-result td', { hasText: 'WASM' }).waitFor();
  const row = await page.locator('#sql-result tbody tr').first().evaluate((tr) => [...tr.cells].map((c) => c.textContent));
  assert.deepEqual(row, ['WASM', '42']);

  await page.fill('#sql-input', 'SELEKT 1');
  await page.click('#sql-run');
  await page.locator('#sql-error:not([hidden])').waitFor();
  assert.match(await page.locator('#sql-error').textContent(), /^SqlError: near "SELEKT": syntax error/);
  await page.close();
});
