// sync/outbox/push.ts: one push round: the outbox is sent in seq order, in
// batches, each entry under its change id (the idempotency key), until it is
// empty. Per batch: (1) the entries are marked as attempted, durably, so no
// later write coalesces into them (their content is fixed under their id);
// (2) they are sent; (3) the answer is reconciled in one silent transaction
// (acknowledged entries leave, conflicts are settled, rejections leave with
// an event). If sending fails, nothing changed but the attempt counts: the
// same entries go again, with the same ids, on the next round.
import type { SyncHost } from '../../db/sync-host.js';
import type { WireChange } from './protocol.js';
import { acknowledgeAll, settleConflict, type Acknowledgement, type ReconcileContext } from './reconcile.js';
import { OUTBOX, firstEntries, putMeta, type OutboxEntry } from './tables.js';
import type { Transport } from './transport.js';

export interface PushContext extends ReconcileContext {
  host: SyncHost;
  transport: Transport;
  clientId: string;
  batchSize: number;
  rejected: Array<{ change: WireChange; reason: string }>;
  /** Called when a round pushed a batch (for events and status). */
  pushedBatch(count: number): void;
}

function toWire(entry: OutboxEntry): WireChange {
  const change: WireChange = {
    id: entry.id,
    table: entry.table,
    key: entry.key,
    op: entry.op,
    fields: entry.fields,
    baseVersion: entry.baseVersion,
    clientTime: entry.clientTime,
  };
  if (entry.op === 'put') change.value = entry.value;
  if (entry.parentId !== undefined) change.parentId = entry.parentId;
  return change;
}

/** Pushes the whole outbox; resolves with the number of changes acknowledged. */
export async function pushAll(context: PushContext, shouldStop: () => boolean): Promise<number> {
  let acknowledged = 0;
  while (!shouldStop()) {
    const batch = await context.host.writeSilently(async (engine) => {
      const entries = await firstEntries(engine, context.batchSize);
      for (const entry of entries) entry.attempts++;
      if (entries.length > 0) await engine.write(OUTBOX, 'put', entries);
      return entries;
    }, 'sync: starting a push');
    if (batch.length === 0) break;
    const changes = batch.map(toWire);
    const response = await context.transport.push({ clientId: context.clientId, changes });
    const bySeq = new Map(batch.map((entry) => [entry.id, entry]));
    await context.host.writeSilently(async (engine) => {
      // Acknowledgements are applied together, in order, before any other answer (which reads what they changed).
      let acks: Acknowledgement[] = [];
      const settleAcks = async (): Promise<void> => {
        const settling = acks;
        acks = [];
        await acknowledgeAll(engine, settling);
      };
      for (const result of response.results) {
        const entry = bySeq.get(result.id)!;
        if (result.status === 'applied' || result.status === 'duplicate') {
          acks.push({ entry, version: result.version, modifiedAt: result.modifiedAt });
          context.clock.observe(result.modifiedAt);
          continue;
        }
        await settleAcks();
        if (result.status === 'conflict') {
          if ((await engine.get(OUTBOX, entry.seq)) !== undefined)
            await settleConflict(engine, context, entry.table, entry.key, result.current, 'push');
        } else {
          await engine.delete(OUTBOX, [entry.seq]);
          context.rejected.push({ change: toWire(entry), reason: (result as { reason: string }).reason });
        }
      }
      await settleAcks();
      await putMeta(engine, 'lastPushedAt', Date.now());
      await putMeta(engine, 'clock', context.clock.last);
    }, 'sync: applying a push answer');
    acknowledged += response.results.filter((result) => result.status !== 'rejected').length;
    context.pushedBatch(batch.length);
    // An answer that settled none of the batch (a server answering with no results) must not loop forever.
    if (response.results.length === 0) break;
  }
  return acknowledged;
}
