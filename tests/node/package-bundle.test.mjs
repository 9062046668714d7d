// package-bundle.test.mjs: the shape of the shipped JS in js/dist, as
// scripts/build-package.mjs makes it: the entries index.js and react.js are
// minified esbuild bundles, the code both use sits in shared chunks, the
// engine's Worker is a bundle of its own (engine-worker.js), and the only
// other JS is the Emscripten glue. One copy of each class and of the live
// query machinery in the page's files, so an app importing `indexie` and
// `indexie/react` has one module state (the worker runs in a realm of its
// own and carries its own copy of what it uses) (tests/browser/live-query.test.mjs renders such an
// app, bundled, in Chromium). No internal module is shipped: tests that need
// one import it from the unbundled build in js/build-tsc/.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import * as indexie from 'indexie';
import * as react from 'indexie/react';

const DIST = fileURLToPath(new URL('../../js/dist/', import.meta.url));
const files = readdirSync(DIST, { recursive: true });
const jsFiles = files.filter((file) => file.endsWith('.js')).sort();
const chunks = jsFiles.filter((file) => /^chunk-[A-Z0-9]+\.js$/.test(file));
const ours = jsFiles.filter((file) => file !== 'indexie-core.js');
const WORKER = 'engine-worker.js';
/** What a page loads (the worker's bundle is loaded only by a Worker). */
const pageFiles = ours.filter((file) => file !== WORKER);
const text = (file) => readFileSync(DIST + file, 'utf8');
/** The relative files a bundled file imports (static imports only). */
const importsOf = (file) => [...text(file).matchAll(/(?:from|import)\s*"(\.\/[^"]+)"/g)].map((match) => match[1]).sort();

test('js/dist holds JS only at its top level: index.js, react.js, their shared chunks, the engine worker, and the Emscripten glue; no source maps', () => {
  assert.deepEqual(jsFiles, ['index.js', 'indexie-core.js', 'react.js', WORKER, ...chunks].sort());
  assert.ok(chunks.length >= 1, 'both entries use liveQuery, so esbuild split it into a shared chunk');
  assert.deepEqual(
    files.filter((file) => file.endsWith('.map')),
    [],
  );
});

test('the entries are minified bundles: no module of js/src is imported by its own path', () => {
  for (const file of ours) {
    for (const imported of importsOf(file))
      assert.match(imported, /^\.\/(chunk-[A-Z0-9]+|indexie-core)\.js$/, `${file} imports ${imported}`);
    // Minified: no line of the source's layout survives (a few long lines; line breaks only
    // inside template literals).
    const lines = text(file).split('\n');
    assert.ok(lines.length < 50, `${file} is minified`);
  }
  const shared = chunks.map((chunk) => `./${chunk}`).filter((chunk) => importsOf('index.js').includes(chunk));
  assert.ok(shared.length >= 1, 'index.js imports the shared chunk');
  assert.deepEqual(importsOf('react.js'), shared, 'react.js imports the chunks index.js imports, nothing of its own');
  assert.match(text('react.js'), /from\s*"react"/, 'react stays an import (a peer dependency)');
  assert.doesNotMatch(ours.map(text).join(''), /__CLIENT_INTERNALS|react\.production/, 'React itself is not bundled');
});

test('each class and the live query machinery are defined once across the bundled files a page loads (names kept)', () => {
  const all = pageFiles.map(text).join('\n');
  for (const name of [
    'Indexie',
    'Table',
    'Collection',
    'Transaction',
    'IndexieError',
    'ConstraintError',
    'Observable',
    'LiveQueryRun',
    'liveQuery',
  ]) {
    // keepNames: esbuild names each class and function with a call ending in `"Name")`.
    const definitions = all.split(`"${name}")`).length - 1;
    assert.equal(definitions, 1, `${name} is defined ${definitions} times`);
  }
  assert.equal(indexie.Indexie.name, 'Indexie');
  assert.equal(indexie.ConstraintError.name, 'ConstraintError');
  assert.equal(react.useLiveQuery.name, 'useLiveQuery');
});

test('`indexie` and `indexie/react` share one module instance: liveQuery is the shared chunk’s export', async () => {
  const exported = [];
  for (const chunk of chunks) exported.push(...Object.values(await import(pathToFileURL(DIST + chunk).href)));
  assert.ok(exported.includes(indexie.liveQuery), 'the liveQuery of `indexie` is the one in the chunk react.js imports');
  assert.ok(exported.includes(indexie.Observable) || !('Observable' in indexie));
  assert.equal(typeof react.useLiveQuery, 'function');
  assert.equal(typeof react.useObservable, 'function');
});

test('the engine worker is a bundle of its own: it imports only the glue, shares no chunk, and carries none of the page API', () => {
  assert.deepEqual(importsOf(WORKER), ['./indexie-core.js']);
  for (const name of ['Indexie', 'Table', 'Collection', 'LiveQueryRun', 'liveQuery']) {
    assert.ok(!text(WORKER).includes(`"${name}")`), `the worker bundle defines ${name}`);
  }
  // The page's code starts it from beside itself, as bundlers recognise.
  const starting = pageFiles.filter((file) => text(file).includes('new URL("./engine-worker.js",import.meta.url)'));
  assert.ok(starting.length <= 1, `at most one bundled file starts the worker: ${starting.join()}`);
});

test('the wasm is located next to the bundled file, as a bundler or a browser reads it', () => {
  const located = pageFiles.filter((file) => text(file).includes('new URL("./indexie-core.wasm",import.meta.url)'));
  assert.equal(located.length, 1, `one bundled file a page loads locates the wasm: ${located.join()}`);
  assert.ok(text(WORKER).includes('new URL("./indexie-core.wasm",import.meta.url)'), 'the worker locates the wasm beside itself');
  // The Node-only import of node:fs/promises stays computed at run time, so browser bundlers leave it alone.
  assert.doesNotMatch(ours.map(text).join(''), /import\("node:/);
});
