// api/connections.ts: Indexie.connections, Dexie's list of the open database
// objects of this realm. A database joins when it opens and leaves when it
// closes; the list holds them weakly (a database object the app dropped
// without closing leaves once collected), and past a database's
// `maxConnections` option (default 1000, as Dexie) the oldest entry stops
// being tracked. Nothing here closes a database.

/** Dexie's default for the maxConnections option. */
export const DEFAULT_MAX_CONNECTIONS = 1000;

const tracked = new Set<WeakRef<object>>();
const registry = new FinalizationRegistry<WeakRef<object>>((ref) => tracked.delete(ref));

function find(db: object): WeakRef<object> | undefined {
  for (const ref of tracked) if (ref.deref() === db) return ref;
  return undefined;
}

/** `db` opened: track it (once), dropping the oldest entry past `maxConnections`. */
export function trackConnection(db: object, maxConnections: number): void {
  if (find(db)) return;
  const ref = new WeakRef(db);
  tracked.add(ref);
  registry.register(db, ref, ref);
  if (tracked.size > maxConnections) {
    const oldest = tracked.values().next().value!;
    tracked.delete(oldest);
    registry.unregister(oldest);
  }
}

/** `db` closed: stop tracking it. */
export function untrackConnection(db: object): void {
  const ref = find(db);
  if (!ref) return;
  tracked.delete(ref);
  registry.unregister(ref);
}

/** The tracked databases still alive, oldest first. */
export function openConnections<T extends object>(): T[] {
  return [...tracked].map((ref) => ref.deref()).filter((db): db is T => db !== undefined);
}
