// package-node.test.mjs: the packed tarball (tests/package/pack.mjs) in
// Node 20: installed with npm into a fresh project outside the repository
// and imported by name (`import ... from 'indexie'`), it opens a database in
// memory and one persisted in an IndexedDB passed in (fake-indexeddb, as
// Dexie accepts it), writes, queries, watches a live query and reads back.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { packTarball } from '../package/pack.mjs';
import { problems } from '../package/workload.js';

const run = promisify(execFile);
const PACKAGE_TESTS = fileURLToPath(new URL('../package/', import.meta.url));

let pack;
before(async () => {
  pack = await packTarball();
});
after(() => pack?.cleanup());

test('the tarball holds the built package only: dist/ (the bundled JS, types, the glue and .wasm) and package.json', () => {
  for (const file of [
    'package.json',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/react.js',
    'dist/react.d.ts',
    'dist/indexie-core.js',
    'dist/indexie-core.wasm',
    'dist/engine-worker.js',
  ]) {
    assert.ok(pack.files.includes(file), `${file} is in the tarball`);
  }
  // JS only at dist/'s top level: the two bundled entries, their shared
  // chunks (chunk-<hash>.js), the engine's worker and the Emscripten glue; types in folders as tsc
  // lays them out; no source maps (see scripts/build-package.mjs).
  const unexpected = pack.files.filter(
    (file) =>
      !/^dist\/(index|react|chunk-[A-Z0-9]+|engine-worker|indexie-core)\.js$/.test(file) &&
      !/^dist\/([\w-]+\/)*[\w.-]+\.d\.ts$/.test(file) &&
      file !== 'dist/indexie-core.wasm' &&
      !/^(package\.json|README[\w.]*|LICENSE[\w.]*)$/i.test(file),
  );
  assert.deepEqual(unexpected, []);
});

test('npm installs the tarball into a fresh Node project, and `indexie` works there in memory and on a passed-in IndexedDB', async () => {
  const app = join(pack.dir, 'node-app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'node-app', private: true, type: 'module' }));
  // The package has no dependencies, so the install needs no registry.
  await run('npm', ['install', pack.tarball, '--offline', '--no-audit', '--no-fund', '--silent'], { cwd: app });
  copyFileSync(join(PACKAGE_TESTS, 'node-consumer.mjs'), join(app, 'main.mjs'));

  const { stdout } = await run(
    process.execPath,
    [join(app, 'main.mjs'), import.meta.resolve('fake-indexeddb'), new URL('../package/workload.js', import.meta.url).href],
    { cwd: app },
  );
  const out = JSON.parse(stdout.trim().split('\n').at(-1));

  assert.equal(out.resolved, new URL('node_modules/indexie/dist/index.js', `file://${app}/`).href, 'resolved from the installed tarball');
  assert.equal(out.hasGlobalIndexedDB, false);
  assert.deepEqual(problems(out.memory, false), []);
  assert.deepEqual(problems(out.idb, true, 'in-fake-idb', out.idbReadBack), []);
  assert.deepEqual(out.idbDatabases, ['indexie:in-fake-idb']);
  console.log(
    `# Node ${process.version}: the in-memory workload (open, 501 writes, a live query, queries) took ${out.memoryMs.toFixed(0)} ms`,
  );
});
