// sync/outbox/conflicts.ts: the conflict strategies. A conflict is a record
// with local changes the server has not acknowledged, when the server's copy
// changed since the version those changes were made on (found by a push
// answered 'conflict', or by a pull delivering a newer version).
//
//   'remote-wins'  the server's copy is kept: it replaces the local record,
//                  and the record's pending local changes are dropped.
//   'local-wins'   the local record is kept and pushed again over the
//                  server's version (its base becomes that version).
//   'newest-wins'  the side whose last change has the later hybrid-clock
//                  stamp wins (local: the latest pending change's clientTime;
//                  server: the record's modifiedAt; see clock.ts for what that
//                  assumes about clocks). A tie cannot happen across devices (the
//                  stamp ends with the device's node id).
//   (local, remote, base) => merged
//                  the app decides: `local` is the local record now, `remote`
//                  the server's (null: deleted there), `base` the record as it was
//                  before the local changes (undefined: it did not exist). It
//                  returns the record to keep (pushed over the server's version),
//                  or null to delete it. It runs inside the engine transaction
//                  that applies it, so it must be synchronous.
import { InvalidArgumentError } from '../../errors.js';

export type Row = Record<string, unknown>;
export type ConflictResolver = (local: Row | null, remote: Row | null, base: Row | undefined) => Row | null;
export type ConflictStrategy = 'remote-wins' | 'local-wins' | 'newest-wins' | ConflictResolver;

/** What resolving one conflict decided. */
export type Resolution = { winner: 'remote' } | { winner: 'local' } | { winner: 'merged'; value: Row | null };

export interface ConflictFacts {
  local: Row | null;
  remote: Row | null;
  base: Row | undefined;
  localTime: string;
  remoteTime: string | null;
}

export function checkStrategy(strategy: unknown): ConflictStrategy {
  if (strategy === undefined) return 'remote-wins';
  if (strategy === 'remote-wins' || strategy === 'local-wins' || strategy === 'newest-wins' || typeof strategy === 'function') {
    return strategy as ConflictStrategy;
  }
  throw new InvalidArgumentError(
    `conflictResolution must be 'remote-wins', 'local-wins', 'newest-wins' or a function (local, remote, base) => merged, not ${JSON.stringify(strategy)}`,
  );
}

export function resolve(strategy: ConflictStrategy, facts: ConflictFacts): Resolution {
  if (strategy === 'remote-wins') return { winner: 'remote' };
  if (strategy === 'local-wins') return { winner: 'local' };
  if (strategy === 'newest-wins') {
    return facts.remoteTime !== null && facts.remoteTime > facts.localTime ? { winner: 'remote' } : { winner: 'local' };
  }
  const merged = strategy(facts.local, facts.remote, facts.base);
  if (merged !== null && (typeof merged !== 'object' || Array.isArray(merged))) {
    throw new InvalidArgumentError('a conflictResolution function must return the record to keep (an object) or null to delete it');
  }
  return { winner: 'merged', value: merged };
}
