// sql-database.test.mjs: the built package loads its wasm module in Node and
// runs SQL in the engine; engine failures arrive as the named JS errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DatabaseClosedError, ConstraintError, IndexieError, SqlDatabase, SqlError, sqliteVersion } from 'indexie';

test('the engine bundles SQLite 3.53', async () => {
  assert.match(await sqliteVersion(), /^3\.53\.\d+$/);
});

test('execute returns columns and typed rows', async () => {
  const db = await SqlDatabase.open();
  const result = db.execute("SELECT 6 * 7 AS answer, 0.5 AS half, 'hé' AS text, x'00ff' AS bytes, NULL AS missing");
  assert.deepEqual(result.columns, ['answer', 'half', 'text', 'bytes', 'missing']);
  assert.deepEqual(result.rows, [[42, 0.5, 'hé', new Uint8Array([0, 255]), null]]);
  db.close();
});

test('integers beyond 2^53 come back as BigInt, exactly', async () => {
  const db = await SqlDatabase.open();
  const { rows } = db.execute('SELECT 9007199254740993 AS big, -9007199254740993 AS negative');
  assert.deepEqual(rows, [[9007199254740993n, -9007199254740993n]]);
  db.close();
});

test('a syntax error is an SqlError and the database stays usable', async () => {
  const db = await SqlDatabase.open();
  assert.throws(
    () => db.execute('SELEKT 1'),
    (error) => {
      assert.ok(error instanceof SqlError);
      assert.ok(error instanceof IndexieError);
      assert.equal(error.name, 'SqlError');
      assert.match(error.message, /syntax error/);
      return true;
    },
  );
  assert.deepEqual(db.execute('SELECT 1').rows, [[1]]);
  db.close();
});

test('a unique violation is a ConstraintError and loses nothing', async () => {
  const db = await SqlDatabase.open();
  db.execute("CREATE TABLE t(k TEXT PRIMARY KEY); INSERT INTO t VALUES ('a')");
  assert.throws(() => db.execute("INSERT INTO t VALUES ('a')"), ConstraintError);
  assert.deepEqual(db.execute('SELECT k FROM t').rows, [['a']]);
  db.close();
});

test('a closed database raises DatabaseClosedError', async () => {
  const db = await SqlDatabase.open();
  db.close();
  assert.equal(db.isOpen, false);
  assert.throws(() => db.execute('SELECT 1'), DatabaseClosedError);
});

test('a named database keeps its data across close and reopen', async () => {
  const first = await SqlDatabase.open('node-reopen.db');
  first.execute("CREATE TABLE kv(k, v); INSERT INTO kv VALUES (1, 'one')");
  first.close();
  const second = await SqlDatabase.open('node-reopen.db');
  assert.deepEqual(second.execute('SELECT v FROM kv').rows, [['one']]);
  second.close();
});
