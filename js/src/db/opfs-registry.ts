// db/opfs-registry.ts: the databases of this page (or worker) open on OPFS,
// by name. An OPFS database's files are held by its engine worker while it
// is open (a FileSystemSyncAccessHandle is exclusive), so deleting one by
// name (Indexie.delete) first closes this page's connections to it and
// waits until their workers released the files, as IndexedDB's delete
// closes the connections it reaches through 'versionchange'. And an open
// waits for this page's closes of the same database still under way.

/** Closes one open connection; resolves once its files are released. */
type Closer = () => Promise<void>;

const open = new Map<string, Set<Closer>>();

/** A connection to OPFS database `name` opened; the returned function says it closed. */
export function registerOpfsConnection(name: string, close: Closer): () => void {
  let closers = open.get(name);
  if (!closers) open.set(name, (closers = new Set()));
  closers.add(close);
  return () => {
    closers.delete(close);
    if (closers.size === 0 && open.get(name) === closers) open.delete(name);
  };
}

/** Closes this realm's connections to OPFS database `name`; resolves once their files are released. */
export async function closeOpfsConnections(name: string): Promise<void> {
  const closers = [...(open.get(name) ?? [])];
  await Promise.all(closers.map((close) => close()));
}

/** Closes under way per name: an open waits for them, so it never joins an engine that is going away. */
const closing = new Map<string, Promise<void>>();

/** A connection to OPFS database `name` is closing; `closed` settles once its engine and files are released. */
export function noteOpfsClosing(name: string, closed: Promise<void>): void {
  const all = Promise.all([closing.get(name), closed]).then(() => undefined);
  closing.set(name, all);
  void all.then(() => {
    if (closing.get(name) === all) closing.delete(name);
  });
}

/** Settles once this realm's connections to `name` that were closing have closed. */
export function opfsClosed(name: string): Promise<void> {
  return closing.get(name) ?? Promise.resolve();
}
