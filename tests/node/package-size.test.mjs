// package-size.test.mjs: the download budget of the built package (js/dist):
// the wasm module at most 1,200,000 bytes raw, and everything a page
// downloads (the wasm, the Emscripten glue, our JS, the engine worker's
// bundle) at most 510,000 bytes gzipped. Each file is gzipped on its own
// (level 9), as a server sends it. (The budget was 500,000 until the
// worker also carried the tabs' engine owner, ~3.5 KB gzipped.)
// A budget, not a timing: the numbers only change when the build changes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const DIST = fileURLToPath(new URL('../../js/dist/', import.meta.url));
const WASM_RAW_MAX = 1_200_000;
const TOTAL_GZIP_MAX = 510_000;

function measure(file) {
  const bytes = readFileSync(DIST + file);
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

test('the package stays within its size budget (wasm <= 1,200,000 B raw; wasm + glue + JS <= 510,000 B gzipped)', () => {
  const wasm = measure('indexie-core.wasm');
  const glue = measure('indexie-core.js');
  // Our JS: the bundled entries and their shared chunks (scripts/build-package.mjs).
  const ours = readdirSync(DIST, { recursive: true })
    .filter((file) => file.endsWith('.js') && file !== 'indexie-core.js')
    .sort()
    .map(measure);
  assert.ok(ours.length > 0, 'js/dist holds our JS (run scripts/build.sh)');
  const sum = (files, key) => files.reduce((total, file) => total + file[key], 0);
  const total = wasm.gzip + glue.gzip + sum(ours, 'gzip');

  const row = (what, raw, gzip) =>
    `  ${what.padEnd(34)} ${raw.toLocaleString('en-US').padStart(10)} B raw ${gzip.toLocaleString('en-US').padStart(9)} B gzip -9`;
  console.log(
    [
      'package size (js/dist):',
      row('indexie-core.wasm', wasm.raw, wasm.gzip),
      row('indexie-core.js (Emscripten glue)', glue.raw, glue.gzip),
      row(`our JS (${ours.length} files)`, sum(ours, 'raw'), sum(ours, 'gzip')),
      row('total download', wasm.raw + glue.raw + sum(ours, 'raw'), total),
    ].join('\n'),
  );

  assert.ok(wasm.raw <= WASM_RAW_MAX, `indexie-core.wasm is ${wasm.raw} bytes raw, over the budget of ${WASM_RAW_MAX}`);
  assert.ok(total <= TOTAL_GZIP_MAX, `the download is ${total} bytes gzipped, over the budget of ${TOTAL_GZIP_MAX}`);
});
