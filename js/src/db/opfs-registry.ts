// db/opfs-registry.ts: the databases of this page (or worker) open on OPFS,
// by name. An OPFS database's files are held by its engine worker while it
// is open (a FileSystemSyncAccessHandle is exclusive), so deleting one by
// name (Indexie.delete) first closes this page's connections to it and
// waits until their workers released the files, as IndexedDB's delete
// closes the connections it reaches through 'versionchange'.

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
