// libraries.js: Dexie and indexie behind one face for the benchmark pages:
// open a database with `schema`, their liveQuery, and delete a database.
// `indexieOptions` go to every new Indexie(name, options) and
// Indexie.delete(name, options): e.g. {storage: 'opfs'} (bench/run.mjs
// --storage opfs); Dexie always uses IndexedDB.
import Dexie, { liveQuery as dexieLiveQuery } from 'dexie';
import { Indexie, liveQuery as indexieLiveQuery } from 'indexie';

export function libraries(schema, indexieOptions = {}) {
  const face = (Database, liveQuery, options) => ({
    open: async (name) => {
      const db = options ? new Database(name, options) : new Database(name);
      db.version(1).stores(schema);
      await db.open();
      return db;
    },
    liveQuery,
    remove: (name) => (options ? Database.delete(name, options) : Database.delete(name)),
  });
  return { dexie: face(Dexie, dexieLiveQuery), indexie: face(Indexie, indexieLiveQuery, indexieOptions) };
}
