// sync/outbox/pull.ts: one pull round for a table: pages of the server's
// changes after the table's cursor, each page applied silently together
// with the new cursor in ONE engine transaction (so the cursor never runs
// ahead of the rows, nor behind them), until the server says it has no more.
import type { SyncHost } from '../../db/sync-host.js';
import { applyPulledPage, type ReconcileContext } from './reconcile.js';
import { cursorName, getMeta, putMeta } from './tables.js';
import type { Transport } from './transport.js';

export interface PullContext extends ReconcileContext {
  host: SyncHost;
  transport: Transport;
  pullLimit: number;
}

/** Pulls `table` until caught up; resolves with the number of changes applied. */
export async function pullTable(context: PullContext, table: string, shouldStop: () => boolean): Promise<number> {
  let applied = 0;
  while (!shouldStop()) {
    const cursor = (await context.host.read(async (engine) => await getMeta(engine, cursorName(table)))) as string | undefined;
    const page = await context.transport.pull({ table, cursor: cursor ?? null, limit: context.pullLimit });
    const stored = await context.host.writeSilently(async (engine) => {
      // Another tab pulled this table meanwhile: its cursor wins, and this page is fetched again from it.
      if ((await getMeta(engine, cursorName(table))) !== cursor) return false;
      await applyPulledPage(engine, context, table, page.changes);
      await putMeta(engine, cursorName(table), page.cursor);
      await putMeta(engine, 'lastPulledAt', Date.now());
      await putMeta(engine, 'clock', context.clock.last);
      return true;
    }, `sync: applying pulled changes of '${table}'`);
    if (stored) applied += page.changes.length;
    if (stored && !page.hasMore) break;
  }
  return applied;
}
