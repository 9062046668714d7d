// persistence.ts: moves an engine database's committed changes into
// IndexedDB (DESIGN §5). After every write, flush() reads the pages the
// commit changed, writes the chunks holding them in one IndexedDB
// transaction, and only then checkpoints; if IndexedDB refuses (quota,
// abort, closed connection), the engine reverts to its last checkpoint and
// the caller gets the named error. Callers never flush two commits at once
// (indexie.ts serializes writes).
import type { Engine } from './engine.js';
import { PAGE_SIZE, IdbPageStore } from './idb-page-store.js';

export class Persistence {
  constructor(readonly store: IdbPageStore) {}

  /** `changes`: the commit's change sets (change_set.h), kept in its log entry for other tabs' live queries. */
  async flush(engine: Engine, what: string, changes: readonly Uint8Array[]): Promise<void> {
    const { fileSize, pages } = engine.changes();
    if (pages.length === 0 && fileSize === this.store.state.fileSize) return;
    const perChunk = this.store.state.pagesPerChunk;
    const chunks = new Map<number, Uint8Array>();
    for (const page of pages) {
      const chunk = Math.floor(page / perChunk);
      // readPages returns a copy: IndexedDB never sees a view of the wasm heap.
      if (!chunks.has(chunk) && chunk * perChunk * PAGE_SIZE < fileSize) chunks.set(chunk, engine.readPages(chunk * perChunk, perChunk));
    }
    try {
      await this.store.write(fileSize, chunks, what, changes);
    } catch (error) {
      engine.revert();
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
    const remote = await this.store.readSince();
    if (!remote) return undefined;
    const { state, chunks, full } = remote;
    const pages = new Map<number, Uint8Array>();
    for (const [chunk, bytes] of chunks) {
      for (let i = 0; i < state.pagesPerChunk; i++) {
        const page = chunk * state.pagesPerChunk + i;
        if (page * PAGE_SIZE >= state.fileSize) break;
        pages.set(page, bytes.subarray(i * PAGE_SIZE, (i + 1) * PAGE_SIZE));
      }
    }
    engine.applyRemote(state.fileSize, pages, full);
    return { changes: remote.changes };
  }

  close(): void {
    this.store.close();
  }
}
