// db/tab-sync.ts: this database and the other tabs (DESIGN §6). Every tab
// holds its own copy of the pages; a write first takes the database's Web
// Lock (persistence/tab-write-lock.ts, kept between this tab's writes until
// another tab asks for it) and applies what other tabs committed since this
// tab last looked. Other tabs announce their commits and ask for the lock on
// the database's BroadcastChannel: an announcement is applied between this
// tab's operations (under the exclusive lock), and is only ever a hint; the
// commit counter in IndexedDB is the truth (persistence/persistence.ts).
import { DatabaseClosedError } from '../errors.js';
import type { Engine } from '../engine/engine.js';
import { TabWriteLock } from '../persistence/tab-write-lock.js';
import { visibleSchema } from './internal-tables.js';
import { ALL, type DatabaseState } from './state.js';
import { webLocks } from './storage.js';

/** The name of the database's Web Lock and BroadcastChannel. */
export function tabChannelName(name: string): string {
  return `indexie:${name}`;
}

/** Asks the tab holding the database's Web Lock between its writes to give it up (before opening). */
export function askForWriteLock(name: string): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(tabChannelName(name));
  channel.postMessage({ want: true });
  channel.close();
}

/**
 * The database's Web Lock for this tab's writes (where the runtime has Web
 * Locks), and the channel on which other tabs announce their commits
 * (applied between this tab's operations) and ask for the lock.
 */
export function listenToOtherTabs(db: DatabaseState): void {
  const locks = webLocks();
  const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(tabChannelName(db.name));
  // In Node a channel keeps the process alive: a script that never calls close() must still exit (as with Dexie).
  (channel as { unref?: () => void } | undefined)?.unref?.();
  db.channel = channel;
  if (locks) db.writeLock = new TabWriteLock(locks, tabChannelName(db.name), channel && (() => channel.postMessage({ want: true })));
  if (!channel) return;
  channel.onmessage = (event: MessageEvent) => {
    if ((event.data as { want?: boolean } | null)?.want) {
      db.writeLock?.wantedElsewhere();
      return;
    }
    void db.locks.acquire('exclusive', ALL, "applying another tab's commit").then(async (release) => {
      try {
        if (db.engine && db.persistence) await applyOtherTabs(db, db.engine);
      } catch {
        // A closed or upgraded database: the next operation reports it.
      } finally {
        release();
      }
    });
  };
}

/**
 * Applies other tabs' commits to this tab's engine, and adopts a schema
 * they changed. A newer version installed by another tab fires
 * 'versionchange' and closes this connection, so it never writes with a
 * stale schema.
 */
export async function applyOtherTabs(db: DatabaseState, engine: Engine): Promise<void> {
  const applied = await db.persistence!.catchUp(engine);
  if (!applied) return;
  const info = await engine.info();
  const specs = (tables: Iterable<{ name: string; spec: string }>) => JSON.stringify([...tables].map((t) => [t.name, t.spec]).sort());
  const schemaChanged = specs(Object.values(visibleSchema(info).tables)) !== specs(db.schemas.values());
  db.adoptSchema(info);
  // Their change sets, when every commit applied left one; else anything may have changed.
  db.changed(...(applied.changes && !schemaChanged ? applied.changes : [null]));
  if (info.version !== db.verno) {
    await db.on('versionchange').fire({ oldVersion: db.verno, newVersion: info.version });
    db.bindings.close();
    throw new DatabaseClosedError(
      `database '${db.name}' was upgraded to version ${info.version} in another tab; ` +
        'this page still declares an older schema, so it was closed: reload the page',
    );
  }
}
