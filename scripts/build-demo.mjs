// build-demo.mjs: builds the demo as a real app ships: demo/main.js bundled by
// esbuild, `indexie` resolved by package name through the workspace
// (node_modules/indexie -> js/, so js/dist must be built first), into
// build/demo/ with the page, its CSS and icon, and the engine's .wasm next to
// the bundle (the package finds it with new URL('./indexie-core.wasm',
// import.meta.url), which esbuild keeps as is in ESM output). The page has no
// inline script, so it runs under `script-src 'self' 'wasm-unsafe-eval'`.
// contacts-db.js is a second entry point, split into the same shared chunk:
// the Chromium walkthrough (tests/browser/demo.test.mjs) imports
// /contacts-db.js to check the data through the app's own database instance.
// sync.js is the sync demo's page (sync.html: two devices, db.sync()).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEMO = join(ROOT, 'demo');
const OUT = join(ROOT, 'build', 'demo');

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: [join(DEMO, 'main.js'), join(DEMO, 'contacts-db.js'), join(DEMO, 'sync.js')],
  bundle: true,
  splitting: true,
  format: 'esm',
  target: 'es2022',
  outdir: OUT,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  sourcemap: true,
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css', 'favicon.svg', 'sync.html', 'sync.css']) copyFileSync(join(DEMO, file), join(OUT, file));
// The engine's files beside the bundle, where the package looks for them (new URL(..., import.meta.url)):
// the .wasm, and for the default storage in a browser (OPFS) the engine worker and the glue it imports.
for (const file of ['indexie-core.wasm', 'engine-worker.js', 'indexie-core.js'])
  copyFileSync(join(ROOT, 'node_modules', 'indexie', 'dist', file), join(OUT, file));
