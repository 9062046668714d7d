// Types of the Emscripten glue (build output indexie-core.js), i.e. of the
// embind facade in wasm/bindings.cc. Keep in step with that file.
import type { EngineResult } from './errors.js';

export interface SqlResultValue {
  columns: string[];
  rows: Array<Array<null | number | bigint | string | Uint8Array>>;
  changes: number | bigint;
}

export interface NativeSqlDatabase {
  open(name: string): EngineResult<undefined>;
  execute(sql: string): EngineResult<SqlResultValue>;
  close(): void;
  delete(): void;
}

export interface CoreModule {
  SqlDatabase: new () => NativeSqlDatabase;
  sqliteVersion(): string;
}

export interface CoreModuleOptions {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, prefix: string) => string;
}

declare function createIndexieCore(options?: CoreModuleOptions): Promise<CoreModule>;
export default createIndexieCore;
