// demo.test.mjs: walks through the demo app (demo/) in real Chromium as a
// user would: seed with progress, search as you type, sort, page, filter by
// tag with the average, add (and a duplicate refused), an optimistic edit
// accepted and one refused and rolled back, the all-or-nothing batch edit,
// a second tab updating the first, and a reload keeping everything; then the
// "Bring your data" panels: a Dexie database migrated on first open, an
// export downloaded and imported back, the storage status; and the "Sync from
// Postgres" panel following a real Postgres (started here, as the Electric
// tests do) through the test shape server. Saves a screenshot of each step in
// test-artifacts/ and checks the console stays clean.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { PG_CONTACTS_SQL } from '../electric/fixtures.mjs';
import { startPostgres } from '../electric/postgres.mjs';
import { startShapeServer } from '../electric/shape-server.mjs';
import { screenshotPath, startBrowser } from './harness.mjs';

let browser;
let postgres;
let shapes;
let noPostgres; // why the Postgres panel is not tested, when it is not
before(async () => {
  browser = await startBrowser();
  try {
    postgres = await startPostgres();
    shapes = await startShapeServer({ connection: postgres.connection(), longPollMs: 1000 });
    await shapes.pool.query(PG_CONTACTS_SQL);
  } catch (error) {
    noPostgres = error.message;
    console.log(`# the demo's Postgres panel is not tested: ${noPostgres}`);
  }
});
after(async () => {
  await browser?.close();
  await shapes?.stop();
  await postgres?.stop();
});

async function openDemo() {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1360, height: 1000 });
  // The "Sync from Postgres" panel follows this test's shape server, or is off (no request) without Postgres.
  await page.goto(`${browser.url}?shapes=${encodeURIComponent(shapes?.url ?? 'none')}`);
  await page.locator('#engine-status[data-state="ready"]').waitFor({ timeout: 20000 });
  return page;
}

const column = (page, n) => page.locator(`#contacts tbody tr[data-id] td:nth-child(${n})`).allTextContents();
const summary = (page) => page.locator('#summary').textContent();
/** Waits until the summary (a live query's output) satisfies `test`. */
async function summaryUntil(page, test) {
  for (let i = 0; i < 200; i++) {
    const text = await summary(page);
    if (test(text)) return text;
    await page.waitForTimeout(25);
  }
  throw new Error(`summary never matched: ${await summary(page)}`);
}
/** The count the summary shows, once the live query has answered (a page just opened shows none yet). */
const countOf = async (page) =>
  Number((await summaryUntil(page, (t) => /^[\d,]+ contacts/.test(t))).match(/^([\d,]+) contacts/)[1].replace(/,/g, ''));
const shot = (page, name) => page.screenshot({ path: screenshotPath(`demo-${name}`), fullPage: true });
/** What the database holds, asked through the demo's own module (ES modules are one instance per URL). */
const query = (page, fn, arg) =>
  page.evaluate(
    async ([source, a]) => {
      const { db } = await import('/contacts-db.js');
      return new Function('db', 'arg', `return (${source})(db, arg);`)(db, a); // test-only helper, never in the demo
    },
    [fn.toString(), arg],
  );

test('the demo app, step by step', async () => {
  const page = await openDemo();
  assert.match(await page.locator('#engine-status').textContent(), /SQLite 3\.\d+\.\d+ in WebAssembly/);

  // Seed 10,000 with a progress bar and the time it took.
  await page.click('#seed-10k');
  await page.locator('#seed-status', { hasText: 'Seeded 10,000 contacts' }).waitFor({ timeout: 60000 });
  assert.match(await page.locator('#seed-status').textContent(), /in \d+\.\d\d s/);
  assert.equal(await page.locator('#seed-bar').evaluate((bar) => bar.style.width), '100%');
  await summaryUntil(page, (t) => t.startsWith('10,000 contacts'));
  assert.equal(await page.locator('#contacts tbody tr[data-id]').count(), 20);
  await shot(page, '1-seeded');

  // Search as you type: an index startsWith, ignoring case.
  await page.fill('#search', 'gr');
  const searched = await summaryUntil(page, (t) => t.includes('name starts with “gr”'));
  const names = await column(page, 1);
  assert.ok(names.length > 0 && names.every((n) => n.toLowerCase().startsWith('gr')), names.join());
  const grCount = await query(page, (db) => db.contacts.where('name').startsWithIgnoreCase('gr').count());
  assert.ok(searched.startsWith(`${grCount.toLocaleString('en-US')} contacts`), searched);
  await shot(page, '2-search');
  await page.fill('#search', '');
  await summaryUntil(page, (t) => t.startsWith('10,000 contacts ·'));

  // Sort by a column, both ways.
  await page.click('th[data-sort="age"]');
  await page.locator('th[data-sort="age"][data-dir="asc"]').waitFor();
  await page.waitForFunction(() => document.querySelector('#contacts tbody tr[data-id] td:nth-child(3)')?.textContent === '18');
  let ages = (await column(page, 3)).map(Number);
  assert.deepEqual(
    ages,
    [...ages].sort((a, b) => a - b),
  );
  await page.click('th[data-sort="age"]');
  await page.waitForFunction(() => document.querySelector('#contacts tbody tr[data-id] td:nth-child(3)')?.textContent === '87');
  ages = (await column(page, 3)).map(Number);
  assert.deepEqual(
    ages,
    [...ages].sort((a, b) => b - a),
  );
  await shot(page, '3-sorted');

  // Paging.
  const firstPage = await column(page, 2);
  await page.click('#next-page');
  await page.locator('#page-info', { hasText: 'page 2 of 500' }).waitFor();
  await page.waitForFunction(
    (emails) => document.querySelector('#contacts tbody tr[data-id] td:nth-child(2)')?.textContent !== emails[0],
    firstPage,
  );
  const secondPage = await column(page, 2);
  assert.equal(secondPage.filter((email) => firstPage.includes(email)).length, 0, 'page 2 shows other contacts');
  await shot(page, '4-page-2');

  // Filter by a tag (multi-entry index), with the average age of the filter.
  await page.click('#tags [data-tag="vip"]');
  const tagged = await summaryUntil(page, (t) => t.includes('tagged vip'));
  for (const tags of await page.locator('#contacts tbody tr[data-id] td:nth-child(5)').allTextContents()) assert.match(tags, /vip/);
  const expected = await query(page, async (db) => {
    const vips = await db.contacts.where('tags').equals('vip').toArray();
    return { count: vips.length, avg: vips.reduce((sum, c) => sum + c.age, 0) / vips.length };
  });
  assert.ok(tagged.startsWith(`${expected.count.toLocaleString('en-US')} contacts`), tagged);
  assert.ok(tagged.includes(`average age ${expected.avg.toFixed(1)}`), `${tagged} vs ${expected.avg}`);
  await shot(page, '5-tag-filter');
  await page.click('#tags [data-tag="vip"]');
  await page.click('th[data-sort="name"]');
  await summaryUntil(page, (t) => t.startsWith('10,000 contacts ·'));

  // Add a contact; a duplicate email is refused with a named error.
  await page.fill('#add-form [name=name]', 'Aaron Aardvark');
  await page.fill('#add-form [name=email]', 'aaron@example.com');
  await page.fill('#add-form [name=age]', '33');
  await page.fill('#add-form [name=city]', 'Utrecht');
  await page.fill('#add-form [name=tags]', 'friend, vip');
  await page.click('#add-form button');
  await summaryUntil(page, (t) => t.startsWith('10,001 contacts'));
  assert.equal((await column(page, 1))[0], 'Aaron Aardvark', 'first by name');
  await page.fill('#add-form [name=name]', 'Copy Cat');
  await page.fill('#add-form [name=email]', 'aaron@example.com');
  await page.fill('#add-form [name=age]', '40');
  await page.click('#add-form button');
  await page.locator('#add-error', { hasText: 'ConstraintError' }).waitFor();
  assert.match(await page.locator('#add-error').textContent(), /unique index 'email'.*aaron@example\.com/);
  await shot(page, '6-added');

  // An optimistic edit the server accepts: visible at once, "saving…" until the hook resolves.
  await page.selectOption('#fail-rate', '0');
  const firstRow = page.locator('#contacts tbody tr[data-id]').first();
  const aaronId = Number(await firstRow.getAttribute('data-id'));
  await firstRow.locator('[data-action=edit]').click();
  await page.fill(`#contacts tr[data-id="${aaronId}"] [name=name]`, 'Aaron Accepted');
  await page.click(`#contacts tr[data-id="${aaronId}"] [data-action=save]`);
  await page.locator(`#contacts tr[data-id="${aaronId}"][data-state="pending"]`, { hasText: 'Aaron Accepted' }).waitFor({ timeout: 500 });
  await page.locator('#log li.ok', { hasText: 'the server accepted' }).waitFor();
  assert.equal((await query(page, (db, id) => db.contacts.get(id), aaronId)).name, 'Aaron Accepted');

  // One the server refuses: visible at once, then rolled back.
  await page.selectOption('#fail-rate', '1');
  await page.locator(`#contacts tr[data-id="${aaronId}"] [data-action=edit]`).click();
  await page.fill(`#contacts tr[data-id="${aaronId}"] [name=name]`, 'Aaron Refused');
  await page.click(`#contacts tr[data-id="${aaronId}"] [data-action=save]`);
  await page.locator(`#contacts tr[data-id="${aaronId}"]`, { hasText: 'Aaron Refused' }).waitFor({ timeout: 500 });
  await shot(page, '7-optimistic-pending');
  await page.locator(`#contacts tr[data-id="${aaronId}"][data-state="failed"]`, { hasText: 'Aaron Accepted' }).waitFor();
  await page.locator('#log li.bad', { hasText: 'rolled back' }).waitFor();
  assert.equal((await query(page, (db, id) => db.contacts.get(id), aaronId)).name, 'Aaron Accepted');
  await shot(page, '8-optimistic-rolled-back');

  // The standard batch edit: refused -> nothing changes; accepted -> every age on the page +1.
  const agesBefore = (await column(page, 3)).map(Number);
  await page.click('#batch-edit');
  await page.locator('#log li.bad', { hasText: 'nothing of the batch was applied' }).waitFor();
  assert.deepEqual((await column(page, 3)).map(Number), agesBefore);
  await page.selectOption('#fail-rate', '0');
  await page.click('#batch-edit');
  await page.locator('#log li.ok', { hasText: 'batch committed' }).waitFor();
  await page.waitForFunction(
    (before) =>
      [...document.querySelectorAll('#contacts tbody tr[data-id] td:nth-child(3)')]
        .map((td) => Number(td.textContent))
        .every((age, i) => age === before[i] + 1),
    agesBefore,
  );
  await shot(page, '9-batch');

  // A second tab: its edits show up in the first one.
  const other = await openDemo();
  await summaryUntil(other, (t) => t.startsWith('10,001 contacts'));
  await other.selectOption('#fail-rate', '0');
  const listRunsBefore = Number((await page.locator('[data-query="contacts list"]').textContent()).match(/\d+/)[0]);
  await other.locator(`#contacts tr[data-id="${aaronId}"] [data-action=edit]`).click();
  await other.fill(`#contacts tr[data-id="${aaronId}"] [name=name]`, 'Aaron From Tab Two');
  await other.click(`#contacts tr[data-id="${aaronId}"] [data-action=save]`);
  await page.locator(`#contacts tr[data-id="${aaronId}"]`, { hasText: 'Aaron From Tab Two' }).waitFor({ timeout: 3000 });
  const listRunsAfter = Number((await page.locator('[data-query="contacts list"]').textContent()).match(/\d+/)[0]);
  assert.ok(listRunsAfter > listRunsBefore, "the first tab's list re-ran");
  await other.fill('#add-form [name=name]', 'Tabitha Two');
  await other.fill('#add-form [name=email]', 'tabitha@example.com');
  await other.fill('#add-form [name=age]', '22');
  await other.click('#add-form button');
  await summaryUntil(page, (t) => t.startsWith('10,002 contacts'));
  await shot(page, '10-second-tab');
  await other.close();

  // Inspector: the table, its count and the file size.
  assert.match(await page.locator('#inspector-tables').textContent(), /table contacts\s*10,002 records/);
  assert.match(await page.locator('#db-size').textContent(), /\d+(\.\d)? MB/);

  // Reload: everything is still there.
  await page.reload();
  await page.locator('#engine-status[data-state="ready"]').waitFor({ timeout: 20000 });
  await summaryUntil(page, (t) => t.startsWith('10,002 contacts'));
  assert.equal(await countOf(page), 10002);
  await page.locator(`#contacts tr[data-id="${aaronId}"]`, { hasText: 'Aaron From Tab Two' }).waitFor();
  await shot(page, '11-after-reload');

  assert.deepEqual(browser.consoleErrors, []);
  await page.close();
});

test('bring your data: migrate a Dexie database, export to a file and import it back, storage status', async () => {
  const page = await openDemo();
  const total = await countOf(page);
  assert.ok(total > 0, 'the first test left contacts');

  // Dexie 4 seeds its own database in the page; indexie migrates it on first open and reports it.
  await page.click('#migrate-dexie');
  await page.locator('#migrate-status', { hasText: 'Migrated 2,000 records' }).waitFor({ timeout: 60000 });
  assert.match(await page.locator('#migrate-status').textContent(), /from Dexie's 'dexie-contacts' \(version 1\) in \d+ ms/);
  const report = await page.locator('#migrate-report').textContent();
  assert.match(report, /records\s*contacts 2,000/);
  assert.match(report, /schema\s*as declared/);
  const [dexieCount, ourCount] = report.match(/count \(Dexie \/ indexie\)([\d,]+) \/ ([\d,]+)/).slice(1);
  assert.equal(ourCount, dexieCount);
  const [dexieVip, ourVip] = report.match(/tagged vip \(Dexie \/ indexie\)([\d,]+) \/ ([\d,]+)/).slice(1);
  assert.equal(ourVip, dexieVip);
  assert.equal(await page.locator('#migrate-bar').evaluate((bar) => bar.style.width), '100%');
  await page.locator('#log li.ok', { hasText: 'Dexie and indexie agree' }).waitFor();
  await page.locator('.port').scrollIntoViewIfNeeded();
  await shot(page, '12-migrated-from-dexie');

  // Export: a download of the whole database as JSON, with progress.
  const downloading = page.waitForEvent('download');
  await page.click('#export-json');
  const download = await downloading;
  assert.equal(download.suggestedFilename(), 'indexie-demo.json');
  const file = screenshotPath('demo-export').replace(/\.png$/, '.json');
  await download.saveAs(file);
  const exported = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(exported.formatName, 'dexie');
  assert.deepEqual(
    exported.data.tables.map((t) => [t.name, t.rowCount]),
    [['contacts', total]],
  );
  await page.locator('#port-status', { hasText: 'Exported in' }).waitFor();
  assert.equal(await page.locator('#port-bar').evaluate((bar) => bar.style.width), '100%');
  assert.match(await page.locator('#export-link').textContent(), /indexie-demo\.json \(\d+(\.\d)? (KB|MB)\)/);
  await shot(page, '13-exported');

  // Change the data, then import the file: it replaces the contacts, all of them, in one transaction.
  await query(page, (db) => db.contacts.where('age').below(40).delete());
  const fewer = await countOf(page);
  await summaryUntil(page, (t) => !t.startsWith(`${total.toLocaleString('en-US')} contacts`));
  await page.setInputFiles('#import-file', file);
  await page.click('#import-json');
  await page
    .locator('#port-status', { hasText: `Imported ${total.toLocaleString('en-US')} rows from demo-export.json` })
    .waitFor({ timeout: 60000 });
  await summaryUntil(page, (t) => t.startsWith(`${total.toLocaleString('en-US')} contacts`));
  assert.ok(fewer <= total);
  assert.equal(await query(page, (db) => db.contacts.count()), total);
  await page.locator('#log li.ok', { hasText: `imported ${total.toLocaleString('en-US')} contacts` }).waitFor();
  await shot(page, '14-imported');

  // Storage: persisted or not, usage of the quota, persist() answered, the integrity check.
  assert.match(await page.locator('#storage-persisted').textContent(), /^(yes|no) \(/);
  assert.match(await page.locator('#storage-usage').textContent(), /\d+(\.\d)? (KB|MB) of \d+(\.\d)? (KB|MB|GB)/);
  if (!(await page.locator('#persist').isDisabled())) {
    await page.click('#persist');
    await page.locator('#log li', { hasText: /persist\(\)/ }).waitFor();
  }
  await page.click('#check-integrity');
  await page.locator('#integrity', { hasText: 'ok: SQLite finds the database sound' }).waitFor();
  await shot(page, '15-storage');
  assert.equal(await page.locator('#dataloss').isHidden(), true);
  assert.deepEqual(browser.consoleErrors, []);
  await page.close();
});

test('the demo seeds 100,000 contacts with progress and stays responsive', async () => {
  const page = await openDemo();
  await page.click('#clear-all');
  await summaryUntil(page, (t) => t.startsWith('0 contacts'));
  await page.click('#seed-100k');
  await page.locator('#seed-status', { hasText: 'Seeding…' }).waitFor();
  const midway = await page.locator('#seed-bar').evaluate((bar) => parseFloat(bar.style.width));
  await page.locator('#seed-status', { hasText: 'Seeded 100,000 contacts' }).waitFor({ timeout: 120000 });
  assert.ok(midway < 100, `the bar moved in steps (saw ${midway}%)`);
  await summaryUntil(page, (t) => t.startsWith('100,000 contacts'));
  const seeded = await page.locator('#seed-status').textContent();
  console.log(`# demo: ${seeded}`);
  await page.fill('#search', 'ada');
  const text = await summaryUntil(page, (t) => t.includes('name starts with “ada”'));
  console.log(`# demo search over 100,000: ${text}`);
  await shot(page, '16-100k');
  assert.deepEqual(browser.consoleErrors, []);
  await page.close();
});

test('sync from Postgres: the panel follows pg_contacts live through the shape server', async (t) => {
  if (noPostgres) return t.skip(`Postgres did not start: ${noPostgres}`);
  const page = await openDemo();
  await page.locator('#pg-status[data-state="live"]').waitFor({ timeout: 15000 });
  assert.match(await page.locator('#pg-status').textContent(), /^live, up to date at /);
  assert.equal(await page.locator('#pg-count').textContent(), '25 rows in pg_contacts');
  assert.equal(await page.locator('#pg-rows tr').count(), 8);
  // A change made with SQL in Postgres shows up: a new first row by name, and a moved contact.
  await shapes.sql(`INSERT INTO pg_contacts (id, name, city) VALUES (26, 'Aaron from SQL', 'Porto')`);
  await shapes.sql(`UPDATE pg_contacts SET city = 'Reykjavik' WHERE id = 8`); // 'Ada 8'
  await page.locator('#pg-count', { hasText: '26 rows in pg_contacts' }).waitFor({ timeout: 10000 });
  await page.locator('#pg-rows tr[data-id="8"] td', { hasText: 'Reykjavik' }).waitFor({ timeout: 10000 });
  assert.deepEqual(await page.locator('#pg-rows tr:first-child td').allTextContents(), ['Aaron from SQL', 'Porto']);
  await page.locator('.pg-sync').screenshot({ path: screenshotPath('demo-17-postgres-panel') });
  await shot(page, '17-postgres');
  assert.deepEqual(browser.consoleErrors, []);
  await page.close();
});
