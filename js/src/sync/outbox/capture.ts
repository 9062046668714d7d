// sync/outbox/capture.ts: the write tap (db/sync-host.ts setWriteTap) that
// records every local write to a synced table in the outbox, in the same
// engine transaction as the write: the write and its outbox entry commit or
// vanish together (if the outbox write fails, the user's write fails too).
//
// Each engine write call becomes one savepoint: the rows, then one outbox
// entry per changed record, the record's state row (RECORDS) and the clock.
// Coalescing: a change to a record whose latest entry was never sent is
// merged into that entry (the latest value or the delete, the union of the
// fields, the earliest base); an entry sent at least once is never changed
// (its id was promised to the server with that content), so the change gets
// an entry of its own, naming the sent one as its parent: the server may
// have applied the parent without the device learning its version (a lost
// answer), and the parent tells it the new change was made on top of it.
import type { Engine, EngineWriteResult } from '../../engine/engine.js';
import { DataError } from '../../errors.js';
import { objectDiff } from '../../hooks/hooked-engine.js';
import { allPrimaryKeys, interceptWrites } from '../../engine/intercepted-engine.js';
import { getByKeyPath } from '../../values/key-path.js';
import { isValidKey } from '../../values/key-compare.js';
import type { HybridClock } from './clock.js';
import { randomId } from './clock.js';
import { checkSyncedValue, isSyncKey } from './json-values.js';
import { META, OUTBOX, RECORDS, ensureSyncTables, type OutboxEntry, type RecordState, type SyncKey } from './tables.js';

export interface CaptureContext {
  table: string;
  /** The table's primary key path (null: outbound keys), read when a write needs it (the schema may change). */
  keyPath(): string | string[] | null;
  clock: HybridClock;
  /** Called after each captured call (the status recounts soon). */
  captured(): void;
}

interface Captured {
  key: SyncKey;
  op: 'put' | 'delete';
  value?: Record<string, unknown>;
  previous?: Record<string, unknown>;
}

const ensured = new WeakSet<Engine>();

/** The engine a write to `context.table` runs on: each change lands in the outbox too. */
export function captureTap(context: CaptureContext): (engine: Engine) => Engine {
  return (engine) => {
    const write = async (
      target: string,
      mode: 'add' | 'put',
      values: readonly unknown[],
      keys?: readonly unknown[],
    ): Promise<EngineWriteResult> => {
      if (target !== context.table) return engine.write(target, mode, values, keys);
      for (const value of values) checkSyncedValue(context.table, value);
      const known = keys ?? values.map((value) => keyOf(context.keyPath(), value));
      return inSavepoint(engine, async () => {
        const previous = mode === 'put' ? await previousValues(engine, context.table, known) : [];
        const result = await engine.write(target, mode, values, keys);
        const written = result.keys.map((key, position) =>
          key === undefined || result.failures.some((f) => f.position === position) ? undefined : key,
        );
        const stored = await engine.bulkGet(
          context.table,
          written.filter((key) => key !== undefined),
        );
        let next = 0;
        const changes: Captured[] = [];
        written.forEach((key, position) => {
          if (key === undefined) return;
          changes.push({
            key: syncKey(context.table, key),
            op: 'put',
            value: stored[next++] as Record<string, unknown>,
            previous: previous[position],
          });
        });
        await record(engine, context, changes);
        return result;
      });
    };
    const remove = async (target: string, keys: readonly unknown[]): Promise<number> => {
      if (target !== context.table) return engine.delete(target, keys);
      return inSavepoint(engine, async () => {
        const previous = await previousValues(engine, context.table, keys);
        const deleted = await engine.delete(target, keys);
        const changes: Captured[] = [];
        keys.forEach((key, position) => {
          if (previous[position] !== undefined)
            changes.push({ key: syncKey(context.table, key), op: 'delete', previous: previous[position] });
        });
        await record(engine, context, changes);
        return deleted;
      });
    };
    const clear = async (target: string): Promise<void> => {
      if (target !== context.table) return engine.clear(target);
      await remove(target, await allPrimaryKeys(engine, target));
    };
    return interceptWrites(engine, { write, delete: remove, clear });
  };

  /** Runs `body` in a savepoint: its rows and outbox entries commit together or not at all. */
  async function inSavepoint<R>(engine: Engine, body: () => Promise<R>): Promise<R> {
    if (!ensured.has(engine)) {
      // Created inside the caller's transaction if missing: only an engine that found them is remembered.
      if (!(await ensureSyncTables(engine))) ensured.add(engine);
    }
    await engine.begin();
    let result: R;
    try {
      result = await body();
    } catch (error) {
      await engine.rollback();
      throw error;
    }
    await engine.commit();
    context.captured();
    return result;
  }
}

function keyOf(keyPath: string | string[] | null, value: unknown): unknown {
  if (keyPath === null) return undefined;
  if (Array.isArray(keyPath)) {
    const parts = keyPath.map((path) => getByKeyPath(value, path));
    return parts.some((part) => part === undefined) ? undefined : parts;
  }
  return getByKeyPath(value, keyPath);
}

/** The stored values of `keys` by position (undefined where none, or where the key is not valid: the write reports it). */
async function previousValues(
  engine: Engine,
  table: string,
  keys: readonly unknown[],
): Promise<Array<Record<string, unknown> | undefined>> {
  const valid = keys.map((key) => key !== undefined && isValidKey(key));
  const found = await engine.bulkGet(
    table,
    keys.filter((_, i) => valid[i]),
  );
  let next = 0;
  return keys.map((_, i) => (valid[i] ? (found[next++] as Record<string, unknown> | undefined) : undefined));
}

function syncKey(table: string, key: unknown): SyncKey {
  if (!isSyncKey(key)) {
    throw new DataError(
      `table '${table}' syncs with a REST server, where keys travel as JSON: a key must be a string, a finite number or an array of those, not ${String(key)}`,
    );
  }
  return key;
}

/** Adds or coalesces the outbox entries of `changes`, and their records' state rows. */
async function record(engine: Engine, context: CaptureContext, changes: readonly Captured[]): Promise<void> {
  if (changes.length === 0) return;
  const { table } = context;
  const states = (await engine.bulkGet(
    RECORDS,
    changes.map((change) => [table, change.key]),
  )) as Array<RecordState | undefined>;
  const latestSeqs = states.map((state) => state?.pending);
  const latest = (await engine.bulkGet(
    OUTBOX,
    latestSeqs.filter((seq) => seq !== undefined),
  )) as Array<OutboxEntry | undefined>;
  let nextLatest = 0;
  // Entries of this call by key: a key written twice in one call coalesces too.
  const byKey = new Map<string, { entry: OutboxEntry; state: RecordState }>();
  const now = context.clock.now();
  changes.forEach((change, i) => {
    const id = JSON.stringify(change.key);
    const earlier = latestSeqs[i] === undefined ? undefined : latest[nextLatest++];
    const fields = Object.keys(
      change.previous === undefined || change.value === undefined ? (change.value ?? {}) : objectDiff(change.previous, change.value),
    );
    const open = byKey.get(id) ?? (earlier && earlier.attempts === 0 ? { entry: earlier, state: states[i]! } : undefined);
    if (open) {
      open.entry.op = change.op;
      open.entry.value = change.value;
      open.entry.fields = [...new Set([...open.entry.fields, ...fields])];
      open.entry.clientTime = now;
      byKey.set(id, open);
      return;
    }
    const state: RecordState = states[i] ?? { table, key: change.key, version: null, modifiedAt: null };
    const entry: OutboxEntry = {
      id: randomId(),
      table,
      key: change.key,
      op: change.op,
      value: change.value,
      fields,
      base: change.previous,
      baseVersion: state.version,
      clientTime: now,
      attempts: 0,
    };
    // Only an entry still in the outbox can be applied on the server unknown to the device; an unsent one was coalesced above.
    if (earlier !== undefined) entry.parentId = earlier.id;
    byKey.set(id, { entry, state });
  });
  const all = [...byKey.values()];
  const result = await engine.write(
    OUTBOX,
    'put',
    all.map(({ entry }) => entry),
  );
  if (result.failures.length > 0)
    throw new DataError(`recording changes to '${table}' in the outbox failed: ${result.failures[0].message}`);
  all.forEach(({ entry, state }, i) => {
    entry.seq = result.keys[i] as number;
    state.pending = entry.seq;
  });
  await engine.write(
    RECORDS,
    'put',
    all.map(({ state }) => state),
  );
  await engine.write(META, 'put', [{ name: 'clock', value: context.clock.last }]);
}
