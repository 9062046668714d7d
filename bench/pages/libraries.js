// libraries.js: Dexie and indexie behind one face for the benchmark pages:
// open a database with `schema`, their liveQuery, and delete a database.
import Dexie, { liveQuery as dexieLiveQuery } from 'dexie';
import { Indexie, liveQuery as indexieLiveQuery } from 'indexie';

export function libraries(schema) {
  const face = (Database, liveQuery) => ({
    open: async (name) => {
      const db = new Database(name);
      db.version(1).stores(schema);
      await db.open();
      return db;
    },
    liveQuery,
    remove: (name) => Database.delete(name),
  });
  return { dexie: face(Dexie, dexieLiveQuery), indexie: face(Indexie, indexieLiveQuery) };
}
