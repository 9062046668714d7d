// transactions/async-dispose.ts: Symbol.asyncDispose for `await using tx =
// db.users.startTransaction()`, declared so that the package's types also
// compile in a project without TypeScript's esnext lib (lib ES2020 + DOM).
declare global {
  interface SymbolConstructor {
    /**
     * Declared here as well as in TypeScript's esnext lib, so the package's
     * types compile in a project without that lib (e.g. lib ES2020 + DOM).
     */
    readonly asyncDispose: unique symbol;
  }
}

/** Symbol.asyncDispose where the runtime has it (else a registered stand-in). */
export const asyncDispose: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose);
