// build-package.mjs: makes the npm package's dist/ after `tsc` has compiled
// js/src into js/build-tsc/ (per-file JS and .d.ts; never shipped).
//
// What js/dist/ holds, and why:
//   - index.js and react.js: the two entries, bundled from js/src by esbuild
//     and minified, ESM. Code both entries use sits in one shared chunk
//     (chunk-<hash>.js), so an app importing `indexie` and `indexie/react`
//     loads one copy of it: one Indexie class, one liveQuery machinery.
//     `react` stays an import (a peer dependency); so does ./indexie-core.js.
//     The entries and chunks sit at dist/'s top level, beside the glue and
//     the .wasm, so `new URL('./indexie-core.wasm', import.meta.url)` in the
//     bundled wasm-module code still names the file next to it.
//   - engine-worker.js: the engine's dedicated Worker (js/src/worker/), a
//     bundle of its own (no shared chunk), imported by nothing: the page's
//     code starts it with new Worker(new URL('./engine-worker.js', import.meta.url)).
//   - indexie-core.js and indexie-core.wasm: the Emscripten glue and engine,
//     copied from build/wasm as they are.
//   - *.d.ts: tsc's declarations (from js/build-tsc/), with the folder layout
//     of js/src, plus the glue's hand-written types.
// No source maps are shipped (see README.md, "Installing and loading").
// js/build-tsc/ also gets the glue and the .wasm, so the unbundled build runs
// as the old dist/ did: tests and benches that need internal modules
// (e.g. persistence/page-file-format.js) import them from there.
// Fails loudly if the wasm build is missing.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const JS = join(ROOT, 'js');
const SRC = join(JS, 'src');
const TSC_OUT = join(JS, 'build-tsc');
const DIST = join(JS, 'dist');

for (const file of ['index.js', 'index.d.ts', 'react.d.ts']) {
  if (!existsSync(join(TSC_OUT, file))) {
    console.error(`build-package: js/build-tsc/${file} is missing; run tsc -p js/tsconfig.json first (npm run build in js/ does).`);
    process.exit(1);
  }
}
rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });

await esbuild.build({
  absWorkingDir: JS,
  entryPoints: { index: join(SRC, 'index.ts'), react: join(SRC, 'react.ts') },
  tsconfig: join(JS, 'tsconfig.json'),
  bundle: true,
  splitting: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  // Class and function names as in the source (Indexie, ConstraintError, ...):
  // what devtools, stack traces and `error.constructor.name` show (2.4 KB gzipped).
  keepNames: true,
  legalComments: 'none',
  // React is the app's (a peer dependency); the glue stays a file of its own,
  // imported by the same relative path.
  external: ['react', './indexie-core.js'],
  outdir: DIST,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
});

// The engine's Worker (js/src/worker/engine-worker.ts): a bundle of its own,
// self-contained (no chunk shared with the page's entries: a worker loads
// only what it runs), at dist/'s top level beside the glue and the .wasm,
// where WorkerEngineHost's `new URL('./engine-worker.js', import.meta.url)`
// and the worker's own `new URL('./indexie-core.wasm', import.meta.url)` find them.
await esbuild.build({
  absWorkingDir: JS,
  entryPoints: { 'engine-worker': join(SRC, 'worker', 'engine-worker.ts') },
  tsconfig: join(JS, 'tsconfig.json'),
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  external: ['./indexie-core.js'],
  outdir: DIST,
  entryNames: '[name]',
  logLevel: 'warning',
});

/** Copies every .d.ts under `from` to the same place under `to`. */
function copyDeclarations(from, to) {
  for (const entry of readdirSync(from, { recursive: true })) {
    if (!entry.endsWith('.d.ts')) continue;
    mkdirSync(dirname(join(to, entry)), { recursive: true });
    copyFileSync(join(from, entry), join(to, entry));
  }
}
copyDeclarations(TSC_OUT, DIST);
// tsc does not copy .d.ts sources: the glue's hand-written types.
copyFileSync(join(SRC, 'indexie-core.d.ts'), join(DIST, 'indexie-core.d.ts'));

for (const file of ['indexie-core.js', 'indexie-core.wasm']) {
  const from = join(ROOT, 'build', 'wasm', file);
  if (!existsSync(from)) {
    console.error(`build-package: ${from} is missing; build the wasm module first (scripts/build.sh does both).`);
    process.exit(1);
  }
  copyFileSync(from, join(DIST, file));
  copyFileSync(from, join(TSC_OUT, file));
}
