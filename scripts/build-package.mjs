// copy-wasm.mjs: puts the engine's build outputs into the package's dist/:
// the Emscripten glue and .wasm (from build/wasm) and the glue's hand-written
// types (tsc does not copy .d.ts sources). Fails loudly if the wasm build is missing.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}js/dist/`;
mkdirSync(dist, { recursive: true });
for (const file of ['indexie-core.js', 'indexie-core.wasm']) {
  const from = `${root}build/wasm/${file}`;
  if (!existsSync(from)) {
    console.error(`copy-wasm: ${from} is missing; build the wasm module first (scripts/build.sh does both).`);
    process.exit(1);
  }
  copyFileSync(from, dist + file);
}
copyFileSync(`${root}js/src/indexie-core.d.ts`, `${dist}indexie-core.d.ts`);
