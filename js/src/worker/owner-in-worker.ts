// owner-in-worker.ts: the tabs' engine owner (tabs/engine-owner.ts) run in
// the engine's Worker, for the tab that owns the database (the page's end
// is tabs/worker-owner.ts). Other tabs' requests arrive here on the
// engine's inbox (a BroadcastChannel, tab-protocol.ts ownerInboxName) and
// their answers leave from here: no hop through the owner tab's main
// thread, which may be busy. The owner tab's own sessions arrive as worker
// messages ('own-*', worker-protocol.ts).
//
// Guarantees:
// - 'own' is answered once the owner listens on the engine inbox: a tab
//   that announces itself after that answer loses no request.
// - Every host the owner opens is a session on this worker's database
//   (worker-database.ts), in this worker's wasm module: one call per batch.
// - 'own-close' stops the owner as EngineOwner.close() does (the batches in
//   flight finish, every host closes, so the files are released) and
//   answers the other tabs' requests it never started.
import type { EngineHost, TransactionSpan } from '../engine/engine-host.js';
import type { EncodedRequest } from '../engine/requests.js';
import type { OwnerRequest } from '../engine/worker-protocol.js';
import { DatabaseClosedError, InternalError } from '../errors.js';
import { EngineOwner } from '../tabs/engine-owner.js';
import { OWNER_INBOX_LINGER_MS, concatRequest, ownerInboxName, requestOf, type ToOwner } from '../tabs/tab-protocol.js';
import { closeSession, execute, openSession } from './worker-database.js';

/** One session of the worker's database as an EngineHost (what EngineOwner runs batches on). */
class SessionHost implements EngineHost {
  #session: number | undefined;
  readonly #openSibling: () => Promise<EngineHost>;

  constructor(session: number, openSibling: () => Promise<EngineHost>) {
    this.#session = session;
    this.#openSibling = openSibling;
  }

  get isOpen(): boolean {
    return this.#session !== undefined;
  }

  execute(request: EncodedRequest): Promise<Uint8Array> {
    if (this.#session === undefined) return Promise.reject(new DatabaseClosedError('the database is closed'));
    try {
      const bytes = request.parts.length === 1 ? request.parts[0] : concatRequest(request);
      return Promise.resolve(execute(this.#session, bytes));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  openSession(): Promise<EngineHost> {
    return this.#openSibling();
  }

  close(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (session !== undefined) closeSession(session);
    return Promise.resolve();
  }
}

let owner: { engine: EngineOwner; inbox: BroadcastChannel } | undefined;

function running(): EngineOwner {
  if (!owner) throw new DatabaseClosedError('the database is closed (no engine owner runs in this worker)');
  return owner.engine;
}

/** Handles one owner request; resolves its answer's value (or bytes). */
export async function handleOwnerRequest(request: OwnerRequest): Promise<{ value: unknown } | { bytes: Uint8Array }> {
  switch (request.op) {
    case 'own': {
      if (owner) throw new InternalError('this engine worker already runs an engine owner');
      const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
      if (!locks) throw new InternalError('there are no Web Locks in this worker');
      const { name, storage, cacheKiB, durability } = request;
      const openHost = async (): Promise<EngineHost> => new SessionHost(await openSession(name, storage, cacheKiB, durability), openHost);
      const engine = new EngineOwner(name, request.self, openHost, locks);
      const inbox = new BroadcastChannel(ownerInboxName(name, request.self));
      inbox.onmessage = (event: MessageEvent<ToOwner>) => engine.handle(event.data);
      owner = { engine, inbox };
      return { value: null };
    }
    case 'own-open':
      await running().openSession(request.client, request.session, request.file, request.slot);
      return { value: null };
    case 'own-run': {
      const span: TransactionSpan | undefined = request.span;
      const batch = requestOf(new Uint8Array(request.bytes), request.operations);
      return { bytes: await running().run(request.client, request.session, request.file, request.slot, span, batch) };
    }
    case 'own-close-session':
      await running().closeSession(request.client, request.session);
      return { value: null };
    case 'own-close': {
      const stopping = owner;
      owner = undefined;
      if (!stopping) return { value: [] };
      const notRun = await stopping.engine.close();
      // Late requests are still answered 'notrun' for a while (tab-protocol.ts ownerInboxName).
      setTimeout(() => stopping.inbox.close(), OWNER_INBOX_LINGER_MS);
      return { value: notRun };
    }
  }
}
