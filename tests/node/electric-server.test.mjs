// electric-server.test.mjs: the test shape server (tests/electric/) is
// protocol-faithful: the official @electric-sql/client's Shape, long-poll
// and SSE, materializes exactly the rows that SELECT gives in Postgres,
// after the initial snapshot (in pages) and after inserts, partial
// updates, deletes, a primary key change, rows moving out of a `where`,
// and a handle rotation (409 must-refetch). Postgres is real (Debian's
// postgresql, started in a temp dir by the test).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Shape, ShapeStream } from '@electric-sql/client';
import { insertItemsSql, selectItems, sortById, startElectricFixture, until } from '../electric/fixtures.mjs';

let fixture;
before(async () => {
  fixture = await startElectricFixture({ chunkRows: 500, longPollMs: 2000, sseMs: 3000, keepAliveMs: 500 });
  await fixture.shapes.sql(insertItemsSql(1, 1201)); // 3 snapshot pages
});
after(async () => {
  await fixture?.stop();
  // The official client leaves a 60 s timer behind (its up-to-date tracker's throttled
  // localStorage save, up-to-date-tracker.ts) that would hold this process a minute.
  // Everything of ours is closed: leave once the results are reported (the exit code is node:test's).
  setTimeout(() => process.exit(), 200).unref();
});

/** Waits until the Shape's rows equal SELECT's for `where`. */
async function converges(shape, where = 'true', what = 'the shape to equal SELECT') {
  const expected = await selectItems(fixture.shapes.pool, where);
  let last;
  await until(
    () => {
      if (!shape.isUpToDate) return false;
      last = sortById(shape.currentRows);
      try {
        assert.deepEqual(last, expected);
        return true;
      } catch {
        return false;
      }
    },
    what,
    15_000,
  ).catch((error) => {
    assert.deepEqual(last, expected, error.message);
  });
}

for (const liveSse of [false, true]) {
  const mode = liveSse ? 'SSE' : 'long-poll';
  test(`official client (${mode}): snapshot pages, inserts, partial updates, deletes, PK change, where, rotation`, async () => {
    const aborter = new AbortController();
    const stream = new ShapeStream({ url: fixture.shapes.url, params: { table: 'items' }, liveSse, signal: aborter.signal });
    const shape = new Shape(stream);
    const filtered = new Shape(
      new ShapeStream({ url: fixture.shapes.url, params: { table: 'items', where: 'done = false' }, liveSse, signal: aborter.signal }),
    );
    try {
      await converges(shape, 'true', 'the initial snapshot');
      await converges(filtered, 'done = false', 'the filtered snapshot');
      const first = sortById(shape.currentRows)[0];
      assert.equal(typeof shape.currentRows[0].id, 'bigint'); // int8
      assert.equal(typeof first.done, 'boolean');
      assert.deepEqual(first.meta, { n: 1, even: false }); // jsonb parsed
      assert.deepEqual(first.tags, ['t1', null]); // text[] with a NULL
      assert.equal(first.amount, '1.25'); // numeric stays a string

      const s = fixture.shapes;
      await s.sql(insertItemsSql(5000, 5010));
      await converges(shape, 'true', 'inserts');
      await s.sql(`UPDATE items SET title = 'renamed ' || id WHERE id BETWEEN 10 AND 20`);
      await s.sql(`UPDATE items SET done = true WHERE id = 4`); // moves out of done = false
      await s.sql(`UPDATE items SET done = false WHERE id = 3`); // moves in
      await converges(shape, 'true', 'partial updates');
      await converges(filtered, 'done = false', 'rows moving in and out of the where');
      await s.sql(`DELETE FROM items WHERE id > 1100 AND id < 1150`);
      await s.sql(`UPDATE items SET id = 9000 WHERE id = 5`); // a primary key change
      await s.sql(
        `BEGIN; INSERT INTO items (id, title) VALUES (9001, 'a'); UPDATE items SET title = 'b' WHERE id = 9001; DELETE FROM items WHERE id = 6; COMMIT;`,
      );
      await converges(shape, 'true', 'deletes, a PK change and a multi-statement transaction');
      await converges(filtered, 'done = false');

      // Rotation: the old handle gets 409 must-refetch; the client refetches from -1.
      const oldHandle = shape.handle;
      await s.rotate('items');
      await s.sql(`UPDATE items SET title = 'after rotation' WHERE id = 7`);
      await until(() => shape.handle && shape.handle !== oldHandle, 'a new handle');
      await converges(shape, 'true', 'the refetched shape');
      const conflicts = s.requests.filter((r) => r.url.includes(`handle=${encodeURIComponent(oldHandle)}`));
      assert.ok(conflicts.length > 0);
    } finally {
      aborter.abort();
    }
    if (liveSse) {
      assert.ok(
        fixture.shapes.requests.some((r) => /live_sse=true/.test(r.url)),
        'the client used SSE',
      );
    }
    // Restore the table for the next mode.
    await fixture.shapes.sql('DELETE FROM items');
    await fixture.shapes.sql(insertItemsSql(1, 1201));
  });
}

test('the server answers protocol errors as Electric does', async () => {
  const base = fixture.shapes.url;
  // Each body is read (a response whose body is left unread keeps its connection open after the test).
  const get = async (query) => {
    const response = await fetch(`${base}?${query}`);
    return { status: response.status, headers: response.headers, body: await response.text() };
  };
  assert.equal((await get('table=items&offset=banana')).status, 400);
  assert.equal((await get('table=items&offset=0_0')).status, 400); // handle missing
  assert.equal((await get('table=items&offset=-1&live=true')).status, 400);
  assert.equal((await get('table=nope&offset=-1')).status, 400);
  assert.equal((await get('table=items&offset=-1&columns=title')).status, 400); // without the PK
  const conflict = await get('table=items&offset=0_0&handle=no-such-handle');
  assert.equal(conflict.status, 409);
  assert.deepEqual(JSON.parse(conflict.body), [{ headers: { control: 'must-refetch' } }]);
  const first = await get('table=items&offset=-1');
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('electric-offset'), '0_0');
  assert.equal(first.headers.get('electric-up-to-date'), null); // never on offset=-1
  const schema = JSON.parse(first.headers.get('electric-schema'));
  assert.deepEqual(schema.id, { type: 'int8', pk_index: 0, not_null: true });
  assert.deepEqual(schema.tags, { type: 'text', dims: 1 });
  assert.match(first.headers.get('access-control-expose-headers'), /electric-handle/);
});
