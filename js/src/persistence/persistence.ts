// persistence/persistence.ts: moves an engine database's committed changes into
// IndexedDB (DESIGN §5). After every write, flush() hands the pages the
// commit changed to the page store, which writes them in one IndexedDB
// transaction (idb-page-store.ts: one diff record, or chunks), and only
// then checkpoints; if IndexedDB refuses (quota,
// abort, closed connection), the engine reverts to its last checkpoint and
// the caller gets the named error. Callers never flush two commits at once
// (db/write-path.ts serializes writes).
import type { Engine } from '../engine/engine.js';
import type { IdbPageStore } from './idb-page-store.js';

export class Persistence {
  constructor(readonly store: IdbPageStore) {}

  /** `changes`: the commit's change sets (change_set.h), kept in its log entry for other tabs' live queries. */
  async flush(engine: Engine, what: string, changes: readonly Uint8Array[]): Promise<void> {
    const { fileSize, pages } = await engine.changes();
    if (pages.length === 0 && fileSize === this.store.state.fileSize) return;
    try {
      await this.store.write(fileSize, pages, engine, what, changes);
    } catch (error) {
      await engine.revert();
      throw error;
    }
    engine.checkpoint();
  }

  /**
   * Applies what other tabs committed since this tab's last commit (DESIGN
   * §6). Call only between operations: the engine must have no unflushed
   * changes. Resolves to undefined if nothing changed, else to the applied
   * commits' change sets (null when some commit left none: anything may have changed).
   */
  async catchUp(engine: Engine): Promise<{ changes: Uint8Array[] | null } | undefined> {
    const remote = await this.store.readSince(engine);
    if (!remote) return undefined;
    await engine.applyRemote(remote.state.fileSize, remote.pages, remote.full);
    return { changes: remote.changes };
  }

  close(): void {
    this.store.close();
  }
}
