// sync/outbox/tables.ts: the internal tables the REST sync keeps in the
// user's database (db/internal-tables.ts: invisible to users, kept across
// upgrades, committed with the writes they describe), and their records.
//
// On-disk format: names, specs and record fields are stored; never rename.
import type { Engine } from '../../engine/engine.js';
import { INTERNAL_TABLE_PREFIX, ensureInternalTables } from '../../db/internal-tables.js';

/** The outbox: one entry per local change not yet acknowledged by the server, in `seq` order. */
export const OUTBOX = `${INTERNAL_TABLE_PREFIX}sync_outbox`;
/** Per synced record: the server version the local copy is based on, and its latest outbox entry. */
export const RECORDS = `${INTERNAL_TABLE_PREFIX}sync_records`;
/** Named values: pull cursors ('cursor:<table>'), the clock, the last push and pull times. */
export const META = `${INTERNAL_TABLE_PREFIX}sync_meta`;

export const SYNC_TABLE_SPECS: Readonly<Record<string, string>> = {
  [OUTBOX]: '++seq, [table+key]',
  [RECORDS]: '[table+key]',
  [META]: 'name',
};

/** A key the REST protocol carries: a string, a finite number, or an array of those. */
export type SyncKey = string | number | SyncKey[];

/** One outbox entry: a local change waiting for the server's acknowledgement. */
export interface OutboxEntry {
  /** Its place in the outbox (auto-incremented): entries are pushed in this order. */
  seq?: number;
  /** A unique id: the idempotency key of the push (kept through retries; kept when later changes coalesce into an unsent entry). */
  id: string;
  table: string;
  key: SyncKey;
  op: 'put' | 'delete';
  /** The whole record after the change (op 'put'). */
  value?: Record<string, unknown>;
  /** The key paths the change touched (informational: custom resolvers, servers that merge fields). */
  fields: string[];
  /** The record before the first change of this entry (the `base` a custom resolver gets); undefined if there was none. */
  base?: Record<string, unknown>;
  /** The server version the change was made on; null: the record was not known to exist on the server. */
  baseVersion: number | null;
  /**
   * The id of the record's previous local change this one was made on top of, when that change had been
   * sent (so it may be applied on the server without the device knowing its version: a lost answer).
   * The server applies this change despite a stale baseVersion when the record's latest applied change
   * is this one. Absent: none was in flight (entries stored before this field have none either).
   */
  parentId?: string;
  /** The hybrid logical clock time of the (last coalesced) change: what newest-wins compares. */
  clientTime: string;
  /** Push attempts so far: an entry sent at least once never takes more changes (its content must not change under its id). */
  attempts: number;
}

/** Per synced record (RECORDS). */
export interface RecordState {
  table: string;
  key: SyncKey;
  /** The server version the local copy is based on (null: none known). */
  version: number | null;
  /** The server's modifiedAt of that version. */
  modifiedAt: string | null;
  /** The seq of the latest outbox entry made for this record (it may be gone: acknowledged). */
  pending?: number;
}

export interface MetaRow {
  name: string;
  value: unknown;
}

export function cursorName(table: string): string {
  return `cursor:${table}`;
}

/** Creates the sync tables if the engine lacks them (inside the caller's engine transaction, if any). */
export async function ensureSyncTables(engine: Engine): Promise<boolean> {
  return await ensureInternalTables(engine, SYNC_TABLE_SPECS);
}

/** Every outbox entry of one record, oldest first. */
export async function entriesFor(engine: Engine, table: string, key: SyncKey): Promise<OutboxEntry[]> {
  return (await entriesForKeys(engine, table, [key])).get(JSON.stringify(key)) ?? [];
}

/** Every outbox entry of each of `keys` (of `table`), by the key's JSON, oldest first: one engine call for all of them. */
export async function entriesForKeys(engine: Engine, table: string, keys: readonly SyncKey[]): Promise<Map<string, OutboxEntry[]>> {
  const byKey = new Map<string, OutboxEntry[]>();
  if (keys.length === 0) return byKey;
  const description = {
    table: OUTBOX,
    index: '[table+key]',
    reverse: false,
    distinct: false,
    unique: false,
    offset: 0,
    limit: -1,
    orderBy: [],
  };
  const ranges = keys.map((key) => [0, [table, key], [table, key], false, false] as [0, unknown, unknown, boolean, boolean]);
  for (const entry of (await engine.query(description, ranges, 'values')) as OutboxEntry[]) {
    const id = JSON.stringify(entry.key);
    const list = byKey.get(id);
    if (list) list.push(entry);
    else byKey.set(id, [entry]);
  }
  for (const list of byKey.values()) list.sort((a, b) => a.seq! - b.seq!);
  return byKey;
}

/** The first `limit` outbox entries, in push order. */
export async function firstEntries(engine: Engine, limit: number): Promise<OutboxEntry[]> {
  const description = { table: OUTBOX, index: '', reverse: false, distinct: false, unique: false, offset: 0, limit, orderBy: [] };
  return (await engine.query(description, null, 'values')) as OutboxEntry[];
}

export async function getMeta(engine: Engine, name: string): Promise<unknown> {
  return ((await engine.get(META, name)) as MetaRow | undefined)?.value;
}

export async function putMeta(engine: Engine, name: string, value: unknown): Promise<void> {
  await engine.write(META, 'put', [{ name, value }]);
}
