// sync/outbox/reconcile.ts: what the server's answers do to the local
// database, inside one silent engine transaction (db/sync-host.ts
// writeSilently: no hook, no outbox entry, live queries notified):
// acknowledgements remove outbox entries, pulled rows are applied, and
// conflicts go through the strategy (conflicts.ts).
//
// Rules, per record:
//   - An entry leaves the outbox only when the server acknowledged it
//     (applied, or a duplicate of an applied change), when a pull shows the
//     server holding it (its change id came back: our own echo), or when a
//     conflict resolution replaces or drops it.
//   - A pulled version at or below the base of the record's pending changes
//     is old news: skipped, the local changes stay.
//   - A pulled version above it, or a push answered 'conflict', is a
//     conflict. A resolution that keeps local content (local-wins, a merge)
//     replaces the record's entries with ONE new entry (a new id) based on
//     the server's version: the old ids may already have been applied by the
//     server (a lost response), and an id is never reused for other content.
import type { Engine } from '../../engine/engine.js';
import { ConstraintError } from '../../errors.js';
import type { HybridClock } from './clock.js';
import { randomId } from './clock.js';
import { resolve, type ConflictStrategy, type Resolution, type Row } from './conflicts.js';
import type { PulledChange, ServerRecord } from './protocol.js';
import { OUTBOX, RECORDS, entriesFor, type OutboxEntry, type RecordState, type SyncKey } from './tables.js';

/** A conflict as the 'conflict' event reports it. */
export interface ConflictEvent {
  table: string;
  key: SyncKey;
  local: Row | null;
  remote: Row | null;
  base: Row | undefined;
  resolution: Resolution['winner'];
  /** Where it was found. */
  during: 'push' | 'pull';
}

export interface ReconcileContext {
  /** The primary key path of a synced table (null: outbound keys). */
  keyPathOf(table: string): string | string[] | null;
  strategy: ConflictStrategy;
  clock: HybridClock;
  conflicts: ConflictEvent[];
}

function stateOf(engine: Engine, table: string, key: SyncKey): RecordState {
  return (engine.get(RECORDS, [table, key]) as RecordState | undefined) ?? { table, key, version: null, modifiedAt: null };
}

function setVersion(engine: Engine, table: string, key: SyncKey, version: number | null, modifiedAt: string | null): RecordState {
  const state = stateOf(engine, table, key);
  if (version !== null && (state.version === null || version >= state.version)) {
    state.version = version;
    state.modifiedAt = modifiedAt;
  }
  engine.write(RECORDS, 'put', [state]);
  return state;
}

/** Writes the server's copy of a record into the user's table (value null: deleted there). */
export function applyServerRow(engine: Engine, context: ReconcileContext, table: string, key: SyncKey, value: Row | null): void {
  if (value === null) {
    engine.delete(table, [key]);
    return;
  }
  const outbound = context.keyPathOf(table) === null;
  const result = engine.write(table, 'put', [value], outbound ? [key] : undefined);
  if (result.failures.length > 0) {
    throw new ConstraintError(`applying the server's record ${JSON.stringify(key)} of '${table}' failed: ${result.failures[0].message}`);
  }
}

/** The server applied `entry` as `version`: it leaves the outbox; later entries of the record are rebased on it. */
export function acknowledge(engine: Engine, entry: OutboxEntry, version: number, modifiedAt: string): void {
  if (engine.get(OUTBOX, entry.seq) === undefined) return; // already settled (a pull saw it, a conflict replaced it)
  engine.delete(OUTBOX, [entry.seq]);
  const later = entriesFor(engine, entry.table, entry.key).filter((other) => other.baseVersion === entry.baseVersion);
  for (const other of later) other.baseVersion = version;
  if (later.length > 0) engine.write(OUTBOX, 'put', later);
  setVersion(engine, entry.table, entry.key, version, modifiedAt);
}

/** The server's record differs from what the pending local changes of (table, key) were based on: the strategy decides. */
export function settleConflict(
  engine: Engine,
  context: ReconcileContext,
  table: string,
  key: SyncKey,
  remote: ServerRecord,
  during: 'push' | 'pull',
): void {
  context.clock.observe(remote.modifiedAt);
  const entries = entriesFor(engine, table, key);
  const remoteValue = remote.deleted ? null : remote.value;
  if (entries.length === 0) {
    applyServerRow(engine, context, table, key, remoteValue);
    setVersion(engine, table, key, remote.version, remote.modifiedAt);
    return;
  }
  const local = (engine.get(table, key) as Row | undefined) ?? null;
  const base = entries[0].base;
  const resolution = resolve(context.strategy, {
    local,
    remote: remoteValue,
    base,
    localTime: entries[entries.length - 1].clientTime,
    remoteTime: remote.modifiedAt,
  });
  context.conflicts.push({ table, key, local, remote: remoteValue, base, resolution: resolution.winner, during });
  engine.delete(
    OUTBOX,
    entries.map((entry) => entry.seq),
  );
  if (resolution.winner === 'remote') {
    applyServerRow(engine, context, table, key, remoteValue);
    setVersion(engine, table, key, remote.version, remote.modifiedAt);
    return;
  }
  const kept = resolution.winner === 'merged' ? resolution.value : local;
  if (resolution.winner === 'merged') applyServerRow(engine, context, table, key, kept);
  const state = setVersion(engine, table, key, remote.version, remote.modifiedAt);
  const entry: OutboxEntry = {
    id: randomId(),
    table,
    key,
    op: kept === null ? 'delete' : 'put',
    value: kept ?? undefined,
    fields: [...new Set(entries.flatMap((e) => e.fields))],
    base,
    baseVersion: remote.version,
    clientTime: context.clock.now(),
    attempts: 0,
  };
  state.pending = engine.write(OUTBOX, 'put', [entry]).keys[0] as number;
  engine.write(RECORDS, 'put', [state]);
}

/** One pulled change of `table`, applied silently (or settled as a conflict with pending local changes). */
export function applyPulled(engine: Engine, context: ReconcileContext, table: string, change: PulledChange): void {
  context.clock.observe(change.modifiedAt);
  const entries = entriesFor(engine, table, change.key);
  const value = change.deleted ? null : change.value;
  if (entries.length === 0) {
    applyServerRow(engine, context, table, change.key, value);
    setVersion(engine, table, change.key, change.version, change.modifiedAt);
    return;
  }
  const echo = change.changeId === undefined ? -1 : entries.findIndex((entry) => entry.id === change.changeId);
  if (echo >= 0) {
    // The server holds our own change (its acknowledgement may have been lost): settled.
    engine.delete(
      OUTBOX,
      entries.slice(0, echo + 1).map((entry) => entry.seq),
    );
    const later = entries.slice(echo + 1);
    for (const entry of later) entry.baseVersion = change.version;
    if (later.length > 0) engine.write(OUTBOX, 'put', later);
    else applyServerRow(engine, context, table, change.key, value);
    setVersion(engine, table, change.key, change.version, change.modifiedAt);
    return;
  }
  const base = entries[0].baseVersion;
  if (base !== null && change.version <= base) return; // already known: the local changes are newer
  settleConflict(engine, context, table, change.key, change, 'pull');
}
