// tab-session.ts: the EngineHost a tab's engine session runs on when the
// database's engine is shared between tabs: each batch goes through the
// tab's RequestRouter (to this tab's own EngineOwner, or to the owner tab).
// It keeps the EngineHost contract: the request's parts are read before
// execute() returns, batches run in call order, and close() comes after the
// batches sent before it.
import { DatabaseClosedError } from '../errors.js';
import type { EngineHost, TransactionSpan } from '../engine/engine-host.js';
import type { EncodedRequest } from '../engine/requests.js';
import type { RequestRouter, SessionState } from './request-router.js';

export class TabSession implements EngineHost {
  readonly #router: RequestRouter;
  readonly #state: SessionState;
  #open = true;

  readonly #openSibling: () => Promise<EngineHost>;

  /** `openSibling`: another session on the same file (EngineHost.openSession: the committed-state reader). */
  constructor(router: RequestRouter, id: number, file: string, openSibling: () => Promise<EngineHost>) {
    this.#router = router;
    this.#openSibling = openSibling;
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

  openSession(): Promise<EngineHost> {
    if (!this.#open) return Promise.reject(new DatabaseClosedError('the database is closed'));
    return this.#openSibling();
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
