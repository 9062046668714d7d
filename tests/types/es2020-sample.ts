// es2020-sample.ts: an app of a project whose lib is ES2020 + DOM uses the
// public API (tsconfig.es2020.json); it must compile against the built types.
import Indexie, { liveQuery, type EntityTable } from 'indexie';

interface Note {
  id: number;
  title: string;
  tags: string[];
}

const db = new Indexie('notes') as Indexie & { notes: EntityTable<Note, 'id'> };
db.version(1).stores({ notes: '++id, title, *tags' });

export async function run(): Promise<number> {
  const id = await db.notes.add({ title: 'a', tags: ['x'] });
  await db.transaction('rw', db.notes, async () => {
    await db.notes.update(id, { title: 'b' });
  });
  const tx = db.notes.startTransaction();
  await tx.table('notes').put({ id, title: 'c', tags: [] });
  await tx.commit();
  liveQuery(() => db.notes.where('tags').equals('x').count()).subscribe((n) => console.log(n));
  return db.notes.count();
}
