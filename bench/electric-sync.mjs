// bench/electric-sync.mjs: table.syncElectric() against the test shape
// server over a real Postgres (tests/electric/), in Node (the wasm engine,
// in memory): the time of a 100,000-row initial sync, and the median
// latency from an SQL commit in Postgres to a live query seeing the row,
// for long-poll and SSE. Run: node bench/electric-sync.mjs [rows]
import { Indexie, liveQuery } from 'indexie';
import { insertItemsSql, startElectricFixture, until } from '../tests/electric/fixtures.mjs';

const ROWS = Number(process.argv[2] ?? 100_000);
const CHANGES = 30;
const fixture = await startElectricFixture({ chunkRows: 5000, longPollMs: 20_000, sseMs: 60_000 });
try {
  await fixture.shapes.pool.query(insertItemsSql(1, ROWS + 1));
  for (const live of ['long-poll', 'sse']) {
    const db = new Indexie(`bench-${live}`);
    db.version(1).stores({ items: 'id, title' });
    await db.open();
    const started = performance.now();
    const sync = db.items.syncElectric({ url: fixture.shapes.url, params: { table: 'items' }, live });
    await sync.whenUpToDate();
    const initialMs = performance.now() - started;
    const count = await db.items.count();
    const expected = Number((await fixture.shapes.pool.query('SELECT count(*) AS n FROM items')).rows[0].n);
    if (count !== expected) throw new Error(`row count differs: ${count} of ${expected}, status ${sync.status} ${sync.error}`);
    let latest = 0;
    const subscription = liveQuery(() => db.items.where('id').above(1e9).toArray()).subscribe((rows) => {
      latest = rows.length ? Math.max(...rows.map((r) => r.id)) : 0;
    });
    await new Promise((r) => setTimeout(r, 200));
    const latencies = [];
    for (let i = 1; i <= CHANGES; i++) {
      const id = 1e9 + i + (live === 'sse' ? 1000 : 0);
      const t0 = performance.now();
      await fixture.shapes.pool.query(`INSERT INTO items (id, title) VALUES (${id}, 'x')`); // commit
      await until(() => latest === id, `change ${i}`, 10_000);
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 30));
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `${live}: initial sync of ${ROWS} rows ${initialMs.toFixed(0)} ms; change latency (commit -> live query) median ${latencies[CHANGES >> 1].toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms over ${CHANGES}`,
    );
    subscription.unsubscribe();
    await sync.stop();
    db.close();
  }
} finally {
  await fixture.stop();
}
