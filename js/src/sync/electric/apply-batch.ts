// sync/electric/apply-batch.ts: writes one batch of shape changes into the
// table, silently, together with the shape's new position, as ONE engine
// transaction: live queries see all of it or none of it, a reload finds the
// rows and the position that describes them, and no hook of the table runs
// (TableHost.write with `silent`, the path of Table.applyRemote()).
//
// Applying is idempotent, because a resumed or re-sent log may repeat a
// change: an insert is a put (an upsert), an update merges the columns it
// carries into the stored row (a missing row gets the partial row, as the
// official client's Shape does), a delete of a missing row does nothing.
//
// Keys: a table with an inbound primary key (`id`, `[a+b]`, dotted paths)
// takes the key from the parsed row, so the table's key path must name the
// Postgres primary key column(s); a table with outbound keys stores each
// row under Electric's `key` string ("public"."items"/"42").
import type { TableHost } from '../../db/table-host.js';
import type { Engine } from '../../engine/engine.js';
import { engineError } from '../../errors.js';
import { getByKeyPath } from '../../values/key-path.js';
import { writeShapePosition, type ShapePosition } from './shape-position-store.js';

/** One change message, its values parsed. */
export interface ShapeChange {
  operation: 'insert' | 'update' | 'delete';
  /** Electric's key string. */
  key: string;
  value: Record<string, unknown>;
}

/**
 * Applies `changes` (in order) and stores `position`, in one silent write;
 * `replace` first deletes every row of the table (a refetched shape
 * replaces what the old one left).
 */
export function applyBatch(
  host: TableHost,
  table: string,
  changes: readonly ShapeChange[],
  position: ShapePosition,
  replace: boolean,
): Promise<void> {
  return host.write(
    async (engine) => {
      const keyPath = host.schemaOf(table).primKey.keyPath;
      await engine.begin();
      try {
        if (replace) await engine.clear(table);
        await writeChanges(engine, table, keyPath, changes);
        await writeShapePosition(engine, table, position);
      } catch (error) {
        await engine.rollback();
        throw error;
      }
      await engine.commit();
    },
    `syncElectric() on '${table}'`,
    { silent: true },
  );
}

async function writeChanges(
  engine: Engine,
  table: string,
  keyPath: string | string[] | null,
  changes: readonly ShapeChange[],
): Promise<void> {
  const keyOf = (change: ShapeChange): unknown => (keyPath === null ? change.key : getByKeyPath(change.value, keyPath));
  // Consecutive inserts go to the engine as one call; anything else flushes them first (it may read them).
  let values: unknown[] = [];
  let keys: unknown[] = [];
  const flush = async (): Promise<void> => {
    if (values.length === 0) return;
    const result = await engine.write(table, 'put', values, keyPath === null ? keys : undefined);
    values = [];
    keys = [];
    if (result.failures.length > 0) throw engineError(result.failures[0].code, result.failures[0].message);
  };
  for (const change of changes) {
    if (change.operation === 'insert') {
      values.push(change.value);
      keys.push(change.key);
      continue;
    }
    await flush();
    const key = keyOf(change);
    if (change.operation === 'delete') {
      await engine.delete(table, [key]);
    } else {
      const stored = (await engine.get(table, key)) as Record<string, unknown> | undefined;
      values.push(stored ? { ...stored, ...change.value } : change.value);
      keys.push(change.key);
      await flush();
    }
  }
  await flush();
}
