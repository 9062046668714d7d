// wasm-module.ts: loads the engine's WebAssembly module once per JS realm.
//
// The .wasm is located with `new URL('./indexie-core.wasm', import.meta.url)`,
// the pattern bundlers (Vite, webpack, esbuild) recognise and copy, and that a
// plain browser resolves against this file's URL. Node 20 has a global fetch
// that cannot read file URLs, so in Node the bytes are read from disk and
// handed to the glue as `wasmBinary`.
//
// This file stays at the package root, beside the glue and the .wasm, and
// the package's bundle (scripts/build-package.mjs) puts the chunk holding it
// at dist/'s top level too: an app bundled without a bundler that understands
// new URL(..., import.meta.url) (esbuild) finds the .wasm next to its bundle,
// as the README says.
import createIndexieCore, { type CoreModule } from './indexie-core.js';

let loading: Promise<CoreModule> | undefined;
let loaded: CoreModule | undefined;

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

async function readWasmInNode(url: URL): Promise<Uint8Array> {
  // A specifier computed at run time keeps browser bundlers from trying to
  // resolve it. Built by a call, not a constant: the package's own minifier
  // (scripts/build-package.mjs) folds a constant into the import() itself.
  const fsModule = ['node:fs', 'promises'].join('/');
  const fs = (await import(/* @vite-ignore */ fsModule)) as { readFile(path: URL): Promise<Uint8Array> };
  return fs.readFile(url);
}

/** The engine module, instantiated on first use and shared afterwards. */
export function loadCoreModule(): Promise<CoreModule> {
  if (!loading) {
    const wasmUrl = new URL('./indexie-core.wasm', import.meta.url);
    loading = (async () => {
      if (isNode()) return createIndexieCore({ wasmBinary: await readWasmInNode(wasmUrl) });
      // A failure inside instantiateWasm does not reach the glue's promise: it rejects this one.
      let failed!: (error: unknown) => void;
      const failure = new Promise<never>((_, reject) => (failed = reject));
      const core = createIndexieCore({
        locateFile: () => wasmUrl.href,
        // Compiled once per realm; a renewed instance (renewCoreModule) only instantiates.
        instantiateWasm: (imports, receive) => {
          compiledWasm(wasmUrl)
            .then(async (module) => receive(await WebAssembly.instantiate(module, imports), module))
            .catch(failed);
          return {};
        },
      });
      return Promise.race([core, failure]);
    })();
    loading.then(
      (core) => {
        loaded = core;
      },
      () => {
        loading = undefined;
      },
    ); // a failed load may be retried
  }
  return loading;
}

let compiled: Promise<WebAssembly.Module> | undefined;

/** The compiled .wasm (fetched and compiled on first use; a failure may be retried). */
function compiledWasm(url: URL): Promise<WebAssembly.Module> {
  if (!compiled) {
    compiled = (async () => {
      const response = await fetch(url.href);
      if (!response.ok) throw new Error(`could not fetch ${url.href}: HTTP ${response.status}`);
      // Streaming compilation needs the application/wasm type; a server that sends another gets the bytes compiled.
      if (typeof WebAssembly.compileStreaming === 'function' && response.headers.get('Content-Type')?.startsWith('application/wasm')) {
        return WebAssembly.compileStreaming(response);
      }
      return WebAssembly.compile(await response.arrayBuffer());
    })();
    compiled.catch(() => {
      compiled = undefined;
    });
  }
  return compiled;
}

/**
 * Forgets the loaded instance: the next loadCoreModule() makes a new one,
 * with fresh memory, from the module already compiled (a few ms, no fetch
 * and no compilation). For a realm that keeps running after its databases
 * closed (the engine worker kept for the next open): wasm memory grows with
 * the page cache and never shrinks; a new instance starts small, and the
 * old one's memory goes with it once nothing refers to it. Only when no
 * engine object of the old instance is in use.
 */
export function renewCoreModule(): void {
  loading = undefined;
  loaded = undefined;
}

/** The engine module if it has loaded. */
export function coreIfLoaded(): CoreModule | undefined {
  return loaded;
}

/** The engine module once loaded (every engine object implies it is). */
export function loadedCore(): CoreModule {
  if (!loaded) throw new Error('internal: the engine module is not loaded yet');
  return loaded;
}
