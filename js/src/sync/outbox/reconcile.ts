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
import { OUTBOX, RECORDS, entriesFor, entriesForKeys, type OutboxEntry, type RecordState, type SyncKey } from './tables.js';

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

async function stateOf(engine: Engine, table: string, key: SyncKey): Promise<RecordState> {
  return ((await engine.get(RECORDS, [table, key])) as RecordState | undefined) ?? { table, key, version: null, modifiedAt: null };
}

async function setVersion(
  engine: Engine,
  table: string,
  key: SyncKey,
  version: number | null,
  modifiedAt: string | null,
): Promise<RecordState> {
  const state = await stateOf(engine, table, key);
  if (version !== null && (state.version === null || version >= state.version)) {
    state.version = version;
    state.modifiedAt = modifiedAt;
  }
  await engine.write(RECORDS, 'put', [state]);
  return state;
}

/** Writes the server's copy of a record into the user's table (value null: deleted there). */
export async function applyServerRow(
  engine: Engine,
  context: ReconcileContext,
  table: string,
  key: SyncKey,
  value: Row | null,
): Promise<void> {
  if (value === null) {
    await engine.delete(table, [key]);
    return;
  }
  const outbound = context.keyPathOf(table) === null;
  const result = await engine.write(table, 'put', [value], outbound ? [key] : undefined);
  if (result.failures.length > 0) {
    throw new ConstraintError(`applying the server's record ${JSON.stringify(key)} of '${table}' failed: ${result.failures[0].message}`);
  }
}

/** An acknowledgement: the server applied (or had applied) `entry` as `version`. */
export interface Acknowledgement {
  entry: OutboxEntry;
  version: number;
  modifiedAt: string;
}

/**
 * The server applied these entries (in their order; a push batch's answer):
 * each leaves the outbox, later entries of its record are rebased on its
 * version, the record's version moves. A handful of engine calls in all.
 */
export async function acknowledgeAll(engine: Engine, acks: readonly Acknowledgement[]): Promise<void> {
  if (acks.length === 0) return;
  const present = await engine.bulkGet(
    OUTBOX,
    acks.map((ack) => ack.entry.seq),
  );
  const live = acks.filter((_, i) => present[i] !== undefined); // others already settled (a pull saw them, a conflict replaced them)
  if (live.length === 0) return;
  await engine.delete(
    OUTBOX,
    live.map((ack) => ack.entry.seq),
  );
  const rebased = new Map<number, OutboxEntry>();
  const states = new Map<string, RecordState>();
  const byTable = new Map<string, Acknowledgement[]>();
  for (const ack of live) byTable.set(ack.entry.table, [...(byTable.get(ack.entry.table) ?? []), ack]);
  for (const [table, tableAcks] of byTable) {
    const found = (await engine.bulkGet(
      RECORDS,
      tableAcks.map((ack) => [table, ack.entry.key]),
    )) as Array<RecordState | undefined>;
    // A record's entries are made in seq order and its state names the latest: if that is the acknowledged one, none is left to rebase.
    const remaining = await entriesForKeys(
      engine,
      table,
      tableAcks.filter((ack, i) => found[i]?.pending !== undefined && found[i]?.pending !== ack.entry.seq).map((ack) => ack.entry.key),
    );
    tableAcks.forEach((ack, i) => {
      const id = JSON.stringify(ack.entry.key);
      for (const other of remaining.get(id) ?? []) {
        if (other.baseVersion !== ack.entry.baseVersion) continue;
        other.baseVersion = ack.version;
        rebased.set(other.seq!, other);
      }
      const stateId = `${table}\u0000${id}`;
      const state = states.get(stateId) ?? found[i] ?? { table, key: ack.entry.key, version: null, modifiedAt: null };
      if (state.version === null || ack.version >= state.version) {
        state.version = ack.version;
        state.modifiedAt = ack.modifiedAt;
      }
      states.set(stateId, state);
    });
  }
  if (rebased.size > 0) await engine.write(OUTBOX, 'put', [...rebased.values()]);
  await engine.write(RECORDS, 'put', [...states.values()]);
}

/** The server's record differs from what the pending local changes of (table, key) were based on: the strategy decides. */
export async function settleConflict(
  engine: Engine,
  context: ReconcileContext,
  table: string,
  key: SyncKey,
  remote: ServerRecord,
  during: 'push' | 'pull',
): Promise<void> {
  context.clock.observe(remote.modifiedAt);
  const entries = await entriesFor(engine, table, key);
  const remoteValue = remote.deleted ? null : remote.value;
  if (entries.length === 0) {
    await applyServerRow(engine, context, table, key, remoteValue);
    await setVersion(engine, table, key, remote.version, remote.modifiedAt);
    return;
  }
  const local = ((await engine.get(table, key)) as Row | undefined) ?? null;
  const base = entries[0].base;
  const resolution = resolve(context.strategy, {
    local,
    remote: remoteValue,
    base,
    localTime: entries[entries.length - 1].clientTime,
    remoteTime: remote.modifiedAt,
  });
  context.conflicts.push({ table, key, local, remote: remoteValue, base, resolution: resolution.winner, during });
  await engine.delete(
    OUTBOX,
    entries.map((entry) => entry.seq),
  );
  if (resolution.winner === 'remote') {
    await applyServerRow(engine, context, table, key, remoteValue);
    await setVersion(engine, table, key, remote.version, remote.modifiedAt);
    return;
  }
  const kept = resolution.winner === 'merged' ? resolution.value : local;
  if (resolution.winner === 'merged') await applyServerRow(engine, context, table, key, kept);
  const state = await setVersion(engine, table, key, remote.version, remote.modifiedAt);
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
  state.pending = (await engine.write(OUTBOX, 'put', [entry])).keys[0] as number;
  await engine.write(RECORDS, 'put', [state]);
}

/**
 * A page of pulled changes of `table` (each key at most once, as a pull
 * gives them), applied silently in a few engine calls: records with no
 * pending local change are written (or deleted) together with their
 * versions; the others go through applyPulled one by one.
 */
export async function applyPulledPage(
  engine: Engine,
  context: ReconcileContext,
  table: string,
  changes: readonly PulledChange[],
): Promise<void> {
  if (changes.length === 0) return;
  const states = (await engine.bulkGet(
    RECORDS,
    changes.map((change) => [table, change.key]),
  )) as Array<RecordState | undefined>;
  // Only a record that ever had an outbox entry (its state names one: capture and conflicts set `pending`) can have one now.
  const pending = await entriesForKeys(
    engine,
    table,
    changes.filter((_, i) => states[i]?.pending !== undefined).map((change) => change.key),
  );
  const outbound = context.keyPathOf(table) === null;
  const rows: Row[] = [];
  const rowKeys: SyncKey[] = [];
  const deleted: SyncKey[] = [];
  const newStates: RecordState[] = [];
  for (const [i, change] of changes.entries()) {
    if (pending.has(JSON.stringify(change.key))) {
      await applyPulled(engine, context, table, change);
      continue;
    }
    context.clock.observe(change.modifiedAt);
    if (change.deleted || change.value === null) deleted.push(change.key);
    else {
      rows.push(change.value);
      rowKeys.push(change.key);
    }
    const state = states[i] ?? { table, key: change.key, version: null, modifiedAt: null };
    if (state.version === null || change.version >= state.version) {
      state.version = change.version;
      state.modifiedAt = change.modifiedAt;
    }
    newStates.push(state);
  }
  if (deleted.length > 0) await engine.delete(table, deleted);
  if (rows.length > 0) {
    const result = await engine.write(table, 'put', rows, outbound ? rowKeys : undefined);
    if (result.failures.length > 0) {
      const failure = result.failures[0];
      throw new ConstraintError(
        `applying the server's record ${JSON.stringify(rowKeys[failure.position])} of '${table}' failed: ${failure.message}`,
      );
    }
  }
  if (newStates.length > 0) await engine.write(RECORDS, 'put', newStates);
}

/** One pulled change of `table`, applied silently (or settled as a conflict with pending local changes). */
export async function applyPulled(engine: Engine, context: ReconcileContext, table: string, change: PulledChange): Promise<void> {
  context.clock.observe(change.modifiedAt);
  const entries = await entriesFor(engine, table, change.key);
  const value = change.deleted ? null : change.value;
  if (entries.length === 0) {
    await applyServerRow(engine, context, table, change.key, value);
    await setVersion(engine, table, change.key, change.version, change.modifiedAt);
    return;
  }
  const echo = change.changeId === undefined ? -1 : entries.findIndex((entry) => entry.id === change.changeId);
  if (echo >= 0) {
    // The server holds our own change (its acknowledgement may have been lost): settled.
    await engine.delete(
      OUTBOX,
      entries.slice(0, echo + 1).map((entry) => entry.seq),
    );
    const later = entries.slice(echo + 1);
    for (const entry of later) entry.baseVersion = change.version;
    if (later.length > 0) await engine.write(OUTBOX, 'put', later);
    else await applyServerRow(engine, context, table, change.key, value);
    await setVersion(engine, table, change.key, change.version, change.modifiedAt);
    return;
  }
  const base = entries[0].baseVersion;
  if (base !== null && change.version <= base) return; // already known: the local changes are newer
  await settleConflict(engine, context, table, change.key, change, 'pull');
}
