// tests/electric/fixtures.mjs: what the Electric tests share: a Postgres
// cluster with the shape server on it, the `items` table they sync, and the
// expected rows of a shape read straight from Postgres with SQL (not through
// the shape server), in the form both clients parse Electric's values to.
import { startPostgres } from './postgres.mjs';
import { startShapeServer } from './shape-server.mjs';

export const ITEMS_DDL = `
CREATE TABLE items (
  id int8 PRIMARY KEY,
  title text NOT NULL,
  done bool NOT NULL DEFAULT false,
  score float8,
  amount numeric(12,2),
  meta jsonb,
  tags text[],
  created_at timestamptz NOT NULL DEFAULT '2024-08-26 10:00:00.123+00'
)`;

/** SQL inserting items [from, to) with values derived from the id. */
export const insertItemsSql = (from, to) => `
INSERT INTO items (id, title, done, score, amount, meta, tags)
SELECT i, 'item ' || i, i % 3 = 0, i / 4.0, (i * 1.25)::numeric(12,2),
       jsonb_build_object('n', i, 'even', i % 2 = 0), ARRAY['t' || (i % 5), NULL]
FROM generate_series(${from}, ${to - 1}) AS i`;

/** The demo's `pg_contacts` table with 25 rows (scripts/electric-demo.mjs, tests/browser/demo.test.mjs). */
export const PG_CONTACTS_SQL = `
CREATE TABLE pg_contacts (id int4 PRIMARY KEY, name text NOT NULL, city text, updated_at timestamptz NOT NULL DEFAULT now());
INSERT INTO pg_contacts (id, name, city)
SELECT i, (ARRAY['Ada','Grace','Linus','Barbara','Ken','Margaret','Dennis','Frances'])[1 + i % 8] || ' ' || i,
       (ARRAY['Lisbon','Oslo','Kyoto','Lima','Nairobi'])[1 + i % 5]
FROM generate_series(1, 25) AS i`;

/** Starts Postgres, creates `items`, and starts a shape server on it. */
export async function startElectricFixture(serverOptions = {}) {
  const postgres = await startPostgres();
  const shapes = await startShapeServer({ connection: postgres.connection(), ...serverOptions });
  await shapes.pool.query(ITEMS_DDL);
  return {
    postgres,
    shapes,
    async stop() {
      await shapes.stop();
      await postgres.stop();
    },
  };
}

/**
 * The rows of `SELECT ... FROM items WHERE <where>` as Electric's parsers
 * give them (int8 as a decimal string here: callers normalize theirs),
 * sorted by id. Read with SQL casts, independently of the shape server.
 */
export async function selectItems(pool, where = 'true') {
  const { rows } = await pool.query(
    `SELECT id::text AS id, title, done, score, amount::text AS amount, meta, tags, created_at::text AS created_at
     FROM items WHERE ${where} ORDER BY items.id`,
  );
  return rows;
}

/** A row with bigint values as decimal strings, so rows from either side compare with deepEqual. */
export function normalizeRow(row) {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? String(v) : v]));
}

export const sortById = (rows) => [...rows].map(normalizeRow).sort((a, b) => Number(a.id) - Number(b.id));

/** Polls `check` (sync or async) until it returns true, or fails with `what` after `ms`. */
export async function until(check, what, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
