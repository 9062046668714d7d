// engine-host.ts: where an engine database runs. The rest of the package
// reaches it through this one interface of three operations, with plain
// bytes in and out (requests.ts builds and reads them), so a host in a
// Worker can post the same bytes that the in-process host hands to wasm.
// The interface is asynchronous for that reason; the in-process host
// answers at once (its promise is already resolved).
import { DatabaseClosedError } from '../errors.js';
import type { CoreModule, NativeEngineDatabase } from '../indexie-core.js';
import { loadCoreModule } from '../wasm-module.js';
import { decodeResult, requestBuffer, type EncodedRequest } from './requests.js';

/**
 * How a batch relates to engine transactions: 'begin' opens one that stays
 * open across the batches after it, until the batch marked 'end' (which
 * commits or rolls it back). A host several clients share (other tabs)
 * keeps their batches out in between; a host of one client may ignore it.
 */
export type TransactionSpan = 'begin' | 'end';

export interface EngineHost {
  /**
   * Runs one request batch; resolves with the encoded response batch
   * (engine_requests.h). Reads `request.parts` before it returns (the
   * caller reuses them); batches run in the order execute() was called.
   */
  execute(request: EncodedRequest, span?: TransactionSpan): Promise<Uint8Array>;
  close(): Promise<void>;
  /**
   * Another host on the same database file: a second SQLite connection,
   * which reads the committed state while this one holds an open
   * transaction (db/write-path.ts committedView).
   */
  openSession(): Promise<EngineHost>;
  readonly isOpen: boolean;
}

/** The engine in this JS realm's wasm module (wasm/engine_handle.cc): one call per batch. */
export class WasmEngineHost implements EngineHost {
  #native: NativeEngineDatabase | undefined;
  readonly #core: CoreModule;

  readonly #name: string;

  private constructor(core: CoreModule, native: NativeEngineDatabase, name: string) {
    this.#core = core;
    this.#native = native;
    this.#name = name;
  }

  static async open(name: string): Promise<WasmEngineHost> {
    const core = await loadCoreModule();
    const native = new core.EngineDatabase();
    try {
      decodeResult(native.open(name));
    } catch (error) {
      native.delete();
      throw error;
    }
    return new WasmEngineHost(core, native, name);
  }

  openSession(): Promise<EngineHost> {
    return WasmEngineHost.open(this.#name);
  }

  get isOpen(): boolean {
    return this.#native !== undefined;
  }

  execute(request: EncodedRequest): Promise<Uint8Array> {
    const native = this.#native;
    if (!native) return Promise.reject(new DatabaseClosedError('the database is closed'));
    const at = requestBuffer(this.#core, request.length);
    const heap = this.#core.HEAPU8; // read after requestBuffer, which may grow memory
    let offset = at;
    for (const part of request.parts) {
      heap.set(part, offset);
      offset += part.length;
    }
    return Promise.resolve(native.execute(request.length));
  }

  close(): Promise<void> {
    const native = this.#native;
    this.#native = undefined;
    native?.close();
    native?.delete();
    return Promise.resolve();
  }
}
