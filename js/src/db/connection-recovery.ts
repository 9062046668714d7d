// db/connection-recovery.ts: the database when the browser closes its
// IndexedDB connection or loses its stored data (Dexie issues #613, #2098;
// DESIGN, toolchain facts: Chromium's wipe after a torn LevelDB log).
//
// The contract:
//   - The browser closed the connection (persistence/idb-connection.ts): the
//     page store reconnects, at once in the background and in any case before
//     the next commit or catch-up; an operation not begun when it closed runs
//     on the new connection as if nothing happened. A commit whose IndexedDB
//     transaction the close aborted rejects with ConnectionLostError ("may not
//     have been saved"), and the engine reverts to what is stored.
//   - The reconnected store holds less than this page had saved (the stored
//     commit counter went back or vanished: the data was wiped): the database
//     closes and reopens at once with what is stored, and the reopen fires
//     'dataloss' with the commit this page expected and the one it found. A
//     write whose flush found the wipe rejects with ConnectionLostError (it
//     was not saved); one still waiting for the lock runs on the reopened
//     database.
//   - Opening (db/open.ts) reports a loss found another way (no connection
//     was open: the commit marker, persistence/commit-marker.ts; or Chromium
//     said so): never an empty database presented as if nothing happened.
import type { StoredDataLoss } from '../persistence/idb-page-store.js';
import type { Persistence } from '../persistence/persistence.js';
import { ALL, type DatabaseState } from './state.js';

/** The 'dataloss' event's argument. */
export interface DataLossEvent {
  /**
   * 'browser-reported': the browser said it discarded this origin's IndexedDB
   * as corrupt; 'wiped': IndexedDB holds fewer commits than this origin had
   * saved (the database was deleted or rolled back behind indexie's back).
   */
  reason: 'browser-reported' | 'wiped';
  message: string;
  /** The commit counter this origin had saved (undefined: not known, no marker). */
  expectedCommit: number | undefined;
  /** The commit counter IndexedDB holds (0: no stored database). */
  foundCommit: number;
}

/** Opens the database (db/open.ts's openDatabase, passed in: open.ts imports this file). */
export type OpenDatabase = (db: DatabaseState) => Promise<void>;

/** Reconnects in the background when the browser closes `persistence`'s connection. */
export function watchConnection(db: DatabaseState, persistence: Persistence, open: OpenDatabase): void {
  persistence.store.onConnectionLost = () => {
    void db.locks.acquire('exclusive', ALL, 'reconnecting to IndexedDB').then(
      async (release) => {
        try {
          if (db.persistence === persistence) await persistence.store.reconnect();
        } catch {
          // Not reconnected now: the next commit or catch-up tries again, and reports it.
          if (persistence.store.wiped) reopenAfterWipe(db, persistence, open);
        } finally {
          release();
        }
      },
      () => undefined, // closed meanwhile
    );
  };
}

/**
 * The stored data behind `persistence` is gone: close (what is running ends
 * first), then reopen with what IndexedDB holds; the reopen fires 'dataloss'.
 * Operations waiting for the database run on the reopened one.
 */
export function reopenAfterWipe(db: DatabaseState, persistence: Persistence, open: OpenDatabase): void {
  if (db.persistence !== persistence) return; // done already
  db.wipedAtCommit = persistence.store.wiped?.wiped?.expectedCommit;
  db.close(true);
  void open(db).catch(() => undefined); // a failure reaches the next operation through db.opening
  db.changed(null); // live queries re-run on what reopens
}

/** Fires 'dataloss' if opening found less than this origin had saved (see the header). */
export async function reportDataLoss(db: DatabaseState, stored: StoredDataLoss | undefined, foundCommit: number): Promise<void> {
  const known = db.wipedAtCommit;
  db.wipedAtCommit = undefined;
  const expectedCommit = Math.max(stored?.expectedCommit ?? 0, known ?? 0) || undefined;
  const reason = stored?.reason ?? (known !== undefined && foundCommit < known ? 'wiped' : undefined);
  if (!reason) return;
  const outcome = foundCommit === 0 ? 'it starts empty' : `it opens with what is stored (commit ${foundCommit})`;
  const message =
    reason === 'browser-reported'
      ? `the browser reported that it lost the stored data of database '${db.name}' (its storage was corrupt); ${outcome}`
      : `the stored data of database '${db.name}' is gone: IndexedDB holds commit ${foundCommit}, but commit ${expectedCommit} ` +
        `had been saved (the browser deleted or rolled back its IndexedDB data); ${outcome}`;
  const event: DataLossEvent = { reason, message, expectedCommit, foundCommit };
  await db.on('dataloss').fire(event);
}
