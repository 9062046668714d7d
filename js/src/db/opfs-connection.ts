// db/opfs-connection.ts: what an open connection to a database on OPFS
// does when someone else acts on the database:
//   - Indexie.delete(name) from this page closes it first (opfs-registry.ts),
//     as IndexedDB's delete closes the connections it reaches;
//   - another tab that upgraded the schema (the tabs share one engine,
//     tabs/) makes it fire 'versionchange' and close, as IndexedDB's
//     versionchange closes a Dexie connection.
// Each registration is undone when the connection closes (closeListeners).
import type { Engine } from '../engine/engine.js';
import { registerOpfsConnection } from './opfs-registry.js';
import type { DatabaseState } from './state.js';

/**
 * On OPFS, tabs share one engine (tabs/): a tab that upgraded the schema
 * tells the others, and a connection that declared an older version fires
 * 'versionchange' and closes, as IndexedDB's versionchange closes a Dexie
 * connection, so it never works with a schema it does not know. A later
 * operation reopens it at what it declares (a lower version than installed
 * opens the database as it is).
 */
export function closeOnNewerVersion(db: DatabaseState, engine: Engine, versionBefore: number): void {
  const shared = db.sharedEngine;
  if (!shared) return;
  const unsubscribe = shared.onVersion((version) => {
    if (db.engine !== engine || version <= db.verno) return;
    void db
      .on('versionchange')
      .fire({ oldVersion: db.verno, newVersion: version })
      .finally(() => {
        if (db.engine === engine) db.bindings.close();
      });
  });
  const closed = (): void => {
    unsubscribe();
    db.closeListeners.delete(closed);
  };
  db.closeListeners.add(closed);
  if (db.verno > versionBefore) shared.announceVersion(db.verno);
}

/** Indexie.delete(name) of this OPFS database closes this connection first (db/opfs-registry.ts). */
export function closeOnOpfsDelete(db: DatabaseState): void {
  const unregister = registerOpfsConnection(db.name, async () => {
    db.bindings.close();
    await db.closed;
  });
  const closed = (): void => {
    unregister();
    db.closeListeners.delete(closed);
  };
  db.closeListeners.add(closed);
}
