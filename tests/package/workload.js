// workload.js: the same real work for every place the packed package runs
// (a plain page, a Vite app, Node, a Web Worker). It takes the package's
// exports as an argument, so each caller imports `indexie` its own way (an
// import map, a bundler, Node's resolution, a URL in a worker) and this file
// never imports it. EXPECTED is what a correct run reports.

const SCHEMA = { notes: '++id, title, *tags, updated', meta: 'key' };

/** Opens `name`, writes 500 notes, edits in a transaction, watches a live query, queries, closes. */
export async function workload({ Indexie, liveQuery, sqliteVersion }, name, options = {}) {
  const db = new Indexie(name, options);
  db.version(1).stores(SCHEMA);
  await db.open();
  const result = { sqlite: await sqliteVersion(), persistent: db.persistent, emptyAtOpen: (await db.notes.count()) === 0 };

  await db.notes.bulkAdd(
    Array.from({ length: 500 }, (_, i) => ({
      title: `note ${String(i).padStart(3, '0')}`,
      tags: i % 5 === 0 ? ['fifth'] : ['plain'],
      updated: i,
    })),
  );
  await db.transaction('rw', db.notes, db.meta, async () => {
    await db.notes.where('updated').below(10).modify({ edited: true });
    await db.meta.put({ key: 'written-by', value: name });
  });

  // A live query sees a write made after its first result.
  // (It may see the write before the write's IndexedDB commit resolves: await both.)
  result.liveCounts = [];
  let subscription;
  let added;
  const sawWrite = new Promise((resolve, reject) => {
    subscription = liveQuery(() => db.notes.where('tags').equals('fifth').count()).subscribe({
      next: (n) => {
        result.liveCounts.push(n);
        if (result.liveCounts.length === 1) added = db.notes.add({ title: 'late', tags: ['fifth'], updated: 1000 });
        else resolve();
      },
      error: reject,
    });
  });
  await sawWrite;
  subscription.unsubscribe();
  await added;

  result.count = await db.notes.count();
  result.titlesFrom100 = await db.notes
    .where('title')
    .between('note 100', 'note 103')
    .toArray()
    .then((rows) => rows.map((r) => r.title));
  result.edited = await db.notes.filter((note) => note.edited === true).count();
  db.close();
  return result;
}

/** Opens `name` again (a new instance) and reads back what workload() left. */
export async function readBack({ Indexie }, name, options = {}) {
  const db = new Indexie(name, options);
  db.version(1).stores(SCHEMA);
  await db.open();
  const result = {
    count: await db.notes.count(),
    edited: await db.notes
      .where('updated')
      .below(10)
      .filter((note) => note.edited === true)
      .count(),
    writtenBy: (await db.meta.get('written-by'))?.value,
    newest: (await db.notes.orderBy('updated').last())?.title,
  };
  db.close();
  return result;
}

export const EXPECTED = {
  workload: {
    emptyAtOpen: true,
    liveCounts: [100, 101],
    count: 501,
    titlesFrom100: ['note 100', 'note 101', 'note 102'],
    edited: 10,
  },
  readBack: (name) => ({ count: 501, edited: 10, writtenBy: name, newest: 'late' }),
};

/** The differences between a run's results and EXPECTED (an empty list when all is well). */
export function problems(result, persistent, name, readBackResult) {
  const out = [];
  const check = (what, actual, expected) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) out.push(`${what}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`);
  };
  if (!/^3\.\d+\.\d+$/.test(result.sqlite)) out.push(`sqlite version: ${result.sqlite}`);
  check('persistent', result.persistent, persistent);
  for (const [key, value] of Object.entries(EXPECTED.workload)) check(key, result[key], value);
  if (readBackResult) check('read back', readBackResult, EXPECTED.readBack(name));
  return out;
}
