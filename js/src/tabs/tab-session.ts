// tab-session.ts: the EngineHost a tab's engine session runs on when the
// database's engine is shared between tabs: each batch goes through the
// tab's RequestRouter (to this tab's own EngineOwner, or to the owner tab).
// It keeps the EngineHost contract: the request's parts are read before
// execute() returns, batches run in call order, and close() comes after the
// batches sent before it.
import { DatabaseClosedError, UnsupportedError } from '../errors.js';
import type { EngineHost, TransactionSpan } from '../engine/engine-host.js';
import type { NativeReadSet } from '../indexie-core.js';
import type { EncodedRequest } from '../engine/requests.js';
import type { RequestRouter, SessionState } from './request-router.js';

export class TabSession implements EngineHost {
  readonly #router: RequestRouter;
  readonly #state: SessionState;
  #open = true;

  constructor(router: RequestRouter, id: number, file: string) {
    this.#router = router;
    this.#state = { id, file, slot: router.freeSlot(file), transactionOn: undefined, transactionLost: false, heldBegin: undefined };
    router.addSession(this.#state);
  }

  get isOpen(): boolean {
    return this.#open;
  }

  execute(request: EncodedRequest, span?: TransactionSpan): Promise<Uint8Array> {
    if (!this.#open) return Promise.reject(new DatabaseClosedError('the database is closed'));
    return this.#router.dispatch(this.#state, request, span);
  }

  /**
   * A native read set lives in one wasm module, which another tab's engine
   * cannot reach: live-query read recording crosses tabs as engine
   * operations (record reads / take reads) in the batches themselves.
   */
  setReadRecorder(readSet: NativeReadSet | null): void {
    if (readSet !== null)
      throw new UnsupportedError(
        'a shared engine session cannot record reads into a native read set (use the record-reads engine operations)',
      );
  }

  /** Its slot among the tab's open sessions of its file. */
  get slot(): number {
    return this.#state.slot;
  }

  close(): Promise<void> {
    if (!this.#open) return Promise.resolve();
    this.#open = false;
    return this.#router.closeSession(this.#state);
  }
}
