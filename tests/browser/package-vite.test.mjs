// package-vite.test.mjs: the packed tarball (tests/package/pack.mjs) in a
// fresh Vite 7 app: tests/package/vite-app (package.json with vite pinned,
// its package-lock.json, index.html, main.js) is copied to a temp dir
// outside the repository, installed with `npm ci` (from npm's cache when it
// can, else the registry), the tarball added with `npm install --no-save`,
// built with `vite build`, and dist/ served and run in Chromium: the app
// opens a database, writes, queries, watches a live query, and reads it all
// back after a reload. Vite must have emitted the .wasm as an asset of its own,
// and, once the package's code starts the engine's Worker (WorkerEngineHost's
// `new Worker(new URL('./engine-worker.js', import.meta.url))`), the worker
// as a chunk of its own that loads that same .wasm.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify, stripVTControlCharacters } from 'node:util';

import { ROOT } from '../../scripts/serve.mjs';
import { packTarball } from '../package/pack.mjs';
import { EXPECTED, problems } from '../package/workload.js';
import { startBrowser } from './harness.mjs';

const run = promisify(execFile);
const TEMPLATE = join(ROOT, 'tests', 'package', 'vite-app');
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

let pack;
let app;
let buildOutput;
let browser;
const requested = [];

/**
 * Whether the packed bundle starts the engine's Worker: true once an entry
 * the app imports reaches WorkerEngineHost (the integrator's wiring of issue
 * 22); until then nothing references dist/engine-worker.js and Vite rightly
 * emits no worker.
 */
function packageStartsWorker(packageDir) {
  const dist = join(packageDir, 'dist');
  return readdirSync(dist)
    .filter((file) => file.endsWith('.js') && file !== 'engine-worker.js')
    .some((file) => readFileSync(join(dist, file), 'utf8').includes('new URL("./engine-worker.js",import.meta.url)'));
}
let startsWorker = false;

before(async () => {
  pack = await packTarball();
  startsWorker = packageStartsWorker(pack.packageDir);
  app = join(pack.dir, 'vite-app');
  mkdirSync(app);
  for (const file of ['package.json', 'package-lock.json', 'index.html', 'main.js']) copyFileSync(join(TEMPLATE, file), join(app, file));
  copyFileSync(join(ROOT, 'tests', 'package', 'workload.js'), join(app, 'workload.js'));
  await run('npm', ['ci', '--prefer-offline', ...NPM_QUIET], { cwd: app, timeout: 120000 });
  await run('npm', ['install', '--no-save', '--offline', ...NPM_QUIET, pack.tarball], { cwd: app, timeout: 60000 });
  // Vite colours its output when CI or FORCE_COLOR is set, whatever the
  // terminal: ask for none, and strip any that comes anyway.
  const env = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const built = await run(process.execPath, [join(app, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
    cwd: app,
    timeout: 60000,
    env,
  });
  buildOutput = stripVTControlCharacters(built.stdout + built.stderr);
  browser = await startBrowser({ mounts: [{ prefix: '/', dir: join(app, 'dist') }] });
  browser.context.on('request', (request) => requested.push(new URL(request.url()).pathname));
});
after(async () => {
  await browser?.close();
  pack?.cleanup();
});

test('vite build bundles the installed tarball and emits its .wasm as an asset', () => {
  assert.match(buildOutput, /vite v7\.\d+\.\d+ building/);
  assert.doesNotMatch(buildOutput, /\(!\)|\bwarn(ing)?\b|\berror\b/i, buildOutput);
  const assets = readdirSync(join(app, 'dist', 'assets'));
  assert.equal(assets.filter((file) => /^indexie-core-[\w-]+\.wasm$/.test(file)).length, 1, assets.join());
  assert.equal(assets.filter((file) => file.endsWith('.js')).length, startsWorker ? 2 : 1, assets.join());
});

test("vite build emits the engine's Worker as a chunk of its own, which loads the app's one .wasm", () => {
  // index.js reaches WorkerEngineHost (storage: 'opfs'), so the package starts its worker by the bundler-visible pattern.
  assert.ok(startsWorker, 'dist/index.js contains new URL("./engine-worker.js", import.meta.url)');
  const assets = readdirSync(join(app, 'dist', 'assets'));
  const workers = assets.filter((file) => /^engine-worker-[\w-]+\.js$/.test(file));
  assert.equal(workers.length, 1, assets.join());
  const [wasm] = assets.filter((file) => file.endsWith('.wasm'));
  const [main] = assets.filter((file) => file.endsWith('.js') && !workers.includes(file));
  // The page's chunk starts the emitted worker; the worker finds the emitted .wasm.
  assert.ok(readFileSync(join(app, 'dist', 'assets', main), 'utf8').includes(`new URL("/assets/${workers[0]}"`), main);
  assert.ok(readFileSync(join(app, 'dist', 'assets', workers[0]), 'utf8').includes(`/assets/${wasm}`), workers[0]);
});

test('the built Vite app opens a database, writes, queries, and reads back after a reload', async () => {
  const page = await browser.context.newPage();
  await page.goto(browser.url);
  await page.locator('#status', { hasText: 'ready' }).waitFor({ timeout: 15000 });
  assert.deepEqual(problems(await page.evaluate(() => window.run()), true), []);
  await page.reload();
  await page.locator('#status', { hasText: 'ready' }).waitFor();
  assert.deepEqual(await page.evaluate(() => window.readBack()), EXPECTED.readBack('vite-app'));
  await page.close();
  assert.ok(
    requested.some((path) => /^\/assets\/indexie-core-[\w-]+\.wasm$/.test(path)),
    requested.join(),
  );
  assert.deepEqual(browser.consoleErrors, []);
});
