// tests/electric/shape-server.mjs: a test-only server for Electric 1.x's
// Shape HTTP API (GET /v1/shape) over a real Postgres.
//
// What it serves, as @electric-sql/client 1.5 expects (the conformance test
// tests/node/electric-server.test.mjs runs the official client against it):
// - offset=-1: the first chunk of a snapshot taken when the shape is created
//   (REPEATABLE READ), `electric-offset: 0_0`, never up-to-date; offset=0_k
//   the next chunk; the last chunk ends with a snapshot-end control message.
// - later offsets: the changes after it (whole transactions, offsets
//   `<lsn>_<2i>`, lsn = the transaction's first change-log seq), then an
//   up-to-date message if that reaches the end of the log.
// - live=true: holds until a change, a rotation (409) or `longPollMs`;
//   live_sse=true: a text/event-stream of the same messages, an up-to-date
//   after each transaction batch, keep-alive comments, closed after `sseMs`.
// - updates carry the primary key and the changed columns (replica=default)
//   or the full row and old_value (replica=full); a row moving into or out
//   of a `where` becomes an insert or a delete; a primary key change is a
//   delete and an insert; TRUNCATE or rotate() gives the shape a new handle
//   and the old one gets 409 must-refetch.
// - an offset past the end of the shape's log: held up to half the long-poll
//   time (a change may be on its way), then 400 "out of bounds for this
//   shape", Electric's answer.
// - electric-handle / -offset / -schema / -cursor / -up-to-date headers,
//   CORS (any origin, headers exposed), `cache-control: no-store` so no
//   browser cache replays a response.
// Changes come from tests/electric/capture.sql.mjs (triggers into a change
// log). Fault injection for the client's tests: `faults` below.
import { createServer } from 'node:http';
import pg from 'pg';
import { CAPTURE_SETUP_SQL, COLUMNS_SQL, captureTableSql } from './capture.sql.mjs';

const EXPOSED = 'electric-cursor,electric-handle,electric-has-data,electric-offset,electric-schema,electric-up-to-date,retry-after';
const NOTHING_YET = 999; // the capture sequence's start - 1 (capture.sql.mjs)
let handleCounter = 0;

const parseOffset = (text) => {
  if (text === '-1') return [-1, 0];
  const m = /^(\d+)_(\d+|inf)$/.exec(text ?? '');
  return m ? [Number(m[1]), m[2] === 'inf' ? Infinity : Number(m[2])] : null;
};
const after = (a, b) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
const formatOffset = ([tx, op]) => `${tx}_${op === Infinity ? 'inf' : op}`;
const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;
const keyPart = (s) => (s === null ? '_' : `"${String(s).replaceAll('/', '//')}"`);

/**
 * @param {{ connection: object, port?: number, chunkRows?: number, longPollMs?: number, sseMs?: number, keepAliveMs?: number }} options
 */
export async function startShapeServer(options) {
  const { chunkRows = 1000, longPollMs = 20_000, sseMs = 60_000, keepAliveMs = 15_000 } = options;
  const pool = new pg.Pool({ ...options.connection, max: 4 });
  let stopped = false;
  const reportUnlessStopped = (error) => {
    if (!stopped) console.error('shape server: Postgres connection failed:', error.message);
  };
  pool.on('error', reportUnlessStopped);
  await pool.query(CAPTURE_SETUP_SQL);
  const listener = new pg.Client(options.connection);
  listener.on('error', reportUnlessStopped);
  await listener.connect();
  await listener.query('LISTEN _shape_changes');

  /** shape key -> shape; handle -> shape (rotated ones stay, marked). */
  const shapes = new Map();
  const byHandle = new Map();
  const nextHandles = new Map(); // shape key -> the handle its next incarnation gets (after a rotation)
  // Electric's format, `<hash>-<microseconds>`; never reused, not even across servers in one process.
  const newHandle = () => `${(++handleCounter).toString(16)}${Math.floor(Math.random() * 1e6)}-${Date.now() * 1000 + handleCounter}`;
  const requests = [];
  const faults = {
    /** The next `count` shape requests answer `status` (with `retryAfter` seconds if given). */
    failNext(status, count = 1, retryAfter) {
      faults.queue.push(...Array.from({ length: count }, () => ({ status, retryAfter })));
    },
    /** The next `count` non-empty responses send half their body, then drop the connection. */
    cutNext(count = 1) {
      faults.cuts += count;
    },
    /** The next `count` live requests are never answered (the connection stays open until the client gives up). */
    hangNextLive(count = 1) {
      faults.hangs += count;
    },
    /** The next `count` requests past the snapshot get Electric's 400 for an offset it no longer knows. */
    outOfBoundsNext(count = 1) {
      faults.outOfBounds += count;
    },
    queue: [],
    cuts: 0,
    hangs: 0,
    outOfBounds: 0,
    delayMs: 0,
    /** When set, requests must carry `authorization: Bearer <token>`, else 401. */
    token: null,
  };

  async function describeTable(name) {
    const { rows } = await pool.query(
      `SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
      [name],
    );
    if (rows.length === 0) return null;
    const { oid, nspname, relname } = rows[0];
    const columns = (await pool.query(COLUMNS_SQL, [oid])).rows;
    return { oid, schema: nspname, name: relname, qualified: `${quoteIdent(nspname)}.${quoteIdent(relname)}`, columns };
  }

  /** Creates a shape: installs capture, takes the snapshot and the change-log position it reflects. */
  async function createShape(key, def, table) {
    await pool.query(captureTableSql(table.qualified));
    const pk = table.columns
      .filter((c) => c.pk_index !== null)
      .sort((a, b) => a.pk_index - b.pk_index)
      .map((c) => c.name);
    const selected = def.columns ? table.columns.filter((c) => def.columns.includes(c.name)) : table.columns;
    const schema = Object.fromEntries(
      selected.map((c) => [
        c.name,
        {
          type: c.type,
          ...(c.dims > 0 ? { dims: c.dims } : {}),
          ...(c.pk_index !== null ? { pk_index: c.pk_index } : {}),
          ...(c.not_null ? { not_null: true } : {}),
        },
      ]),
    );
    const client = await pool.connect();
    let rows, seq;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      seq = Number((await client.query('SELECT coalesce(max(seq), $1) AS s FROM _shape_changes', [NOTHING_YET])).rows[0].s);
      const where = def.where ? `WHERE ${def.where}` : '';
      const order = pk.map(quoteIdent).join(', ');
      rows = (await client.query(`SELECT hstore_to_jsonb(hstore(t)) AS v FROM ${table.qualified} AS t ${where} ORDER BY ${order}`)).rows;
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const shape = {
      key,
      def,
      table,
      pk,
      selected: selected.map((c) => c.name),
      schema,
      handle: nextHandles.get(key) ?? newHandle(),
      log: [],
      lastChunk: 0,
      appliedSeq: seq,
      waiters: new Set(),
      rotated: false,
    };
    const relation = [table.schema, table.name];
    rows.forEach(({ v }, i) => {
      const value = project(shape, v);
      const chunk = Math.floor(i / chunkRows);
      shape.log.push({
        offset: [0, chunk],
        json: JSON.stringify({ key: rowKey(shape, v), value, headers: { operation: 'insert', relation } }),
      });
    });
    shape.lastChunk = Math.max(0, Math.ceil(rows.length / chunkRows) - 1);
    shape.log.push({
      offset: [0, shape.lastChunk],
      json: JSON.stringify({ headers: { control: 'snapshot-end', xmin: String(seq), xmax: String(seq), xip_list: [] } }),
    });
    nextHandles.delete(key);
    shapes.set(key, shape);
    byHandle.set(shape.handle, shape);
    return shape;
  }

  const project = (shape, textRow) => Object.fromEntries(shape.selected.filter((c) => c in textRow).map((c) => [c, textRow[c]]));
  const rowKey = (shape, textRow) =>
    `${keyPart(shape.table.schema).replaceAll('.', '..')}.${keyPart(shape.table.name).replaceAll('.', '..')}/${shape.pk.map((c) => keyPart(textRow[c])).join('/')}`;

  /** Gives the shape a new handle: its old handle answers 409 from now on. */
  function rotate(shape) {
    shape.rotated = true;
    shapes.delete(shape.key);
    nextHandles.set(shape.key, newHandle()); // the 409s name it; the next offset=-1 request creates the shape under it
    for (const wake of shape.waiters) wake();
  }

  /** Reads the change log past each shape's position into its log, then wakes its waiters. */
  let pumping = Promise.resolve();
  const pump = () => (pumping = pumping.then(pumpOnce, pumpOnce));
  async function pumpOnce() {
    if (stopped) return;
    for (const shape of [...shapes.values()]) {
      // The end first: a change committed while the rows below are read is left for the next pump.
      const { rows: top } = await pool.query('SELECT coalesce(max(seq), $1) AS s FROM _shape_changes', [NOTHING_YET]);
      const where = shape.def.where ? `(${shape.def.where})` : 'true';
      const t = shape.table.qualified;
      const { rows } = await pool.query(
        `SELECT c.seq, c.txid, c.op, c.new_text, c.old_text,
           (SELECT ${where} FROM jsonb_populate_record(null::${t}, c.new_row) AS ${quoteIdent(shape.table.name)}) AS new_in,
           (SELECT ${where} FROM jsonb_populate_record(null::${t}, c.old_row) AS ${quoteIdent(shape.table.name)}) AS old_in
         FROM _shape_changes c WHERE c.seq > $1 AND c.seq <= $3 AND c.tbl = $2 ORDER BY c.seq`,
        [shape.appliedSeq, shape.table.oid, top[0].s],
      );
      if (rows.some((r) => r.op === 'truncate')) {
        rotate(shape);
        continue;
      }
      const relation = [shape.table.schema, shape.table.name];
      let tx = null;
      let entries = [];
      const flush = () => {
        if (entries.length === 0) return;
        entries.forEach((e, i) => {
          e.message.headers = {
            ...e.message.headers,
            relation,
            txids: [tx.txid],
            lsn: String(tx.lsn),
            op_position: 2 * i,
            last: i === entries.length - 1,
          };
          shape.log.push({ offset: [tx.lsn, 2 * i], json: JSON.stringify(e.message) });
        });
        entries = [];
      };
      for (const r of rows) {
        if (!tx || tx.txid !== Number(r.txid)) {
          flush();
          tx = { txid: Number(r.txid), lsn: Number(r.seq) };
        }
        for (const message of changeMessages(shape, r)) entries.push({ message });
      }
      flush();
      shape.appliedSeq = Math.max(shape.appliedSeq, Number(top[0].s));
      for (const wake of shape.waiters) wake();
    }
  }

  /** The shape log messages one captured row change makes (none if the shape does not see it). */
  function changeMessages(shape, r) {
    const wasIn = r.op !== 'insert' && r.old_in === true;
    const isIn = r.op !== 'delete' && r.new_in === true;
    const pkOnly = (row) => Object.fromEntries(shape.pk.map((c) => [c, row[c]]));
    const full = shape.def.replica === 'full';
    const insert = (row) => ({ key: rowKey(shape, row), value: project(shape, row), headers: { operation: 'insert' } });
    const del = (row) => ({ key: rowKey(shape, row), value: full ? project(shape, row) : pkOnly(row), headers: { operation: 'delete' } });
    if (!wasIn && !isIn) return [];
    if (!wasIn) return [insert(r.new_text)];
    if (!isIn) return [del(r.old_text)];
    const oldKey = rowKey(shape, r.old_text);
    const newKey = rowKey(shape, r.new_text);
    if (oldKey !== newKey) {
      const d = del(r.old_text);
      const i = insert(r.new_text);
      d.headers.key_change_to = newKey;
      i.headers.key_change_from = oldKey;
      return [d, i];
    }
    const changed = shape.selected.filter((c) => r.old_text[c] !== r.new_text[c]);
    if (changed.length === 0) return [];
    const value = full
      ? project(shape, r.new_text)
      : { ...pkOnly(r.new_text), ...Object.fromEntries(changed.map((c) => [c, r.new_text[c]])) };
    const message = { key: newKey, value, headers: { operation: 'update' } };
    if (full) message.old_value = Object.fromEntries(changed.map((c) => [c, r.old_text[c]]));
    return [message];
  }

  listener.on('notification', () => void pump());
  // A safety net for a lost notification (and the only source while LISTEN reconnects).
  const ticker = setInterval(() => void pump(), 1000);

  /** The entries of the log after `offset` one response carries: a snapshot chunk, or whole transactions. */
  function entriesAfter(shape, offset) {
    if (offset[0] === -1) return { entries: shape.log.filter((e) => e.offset[0] === 0 && e.offset[1] === 0), snapshotPage: true };
    const rest = shape.log.filter((e) => after(e.offset, offset));
    if (rest.length > 0 && rest[0].offset[0] === 0 && rest[0].offset[1] < shape.lastChunk) {
      return { entries: rest.filter((e) => e.offset[0] === 0 && e.offset[1] === rest[0].offset[1]), snapshotPage: true };
    }
    // The rest of the snapshot, then whole transactions up to about chunkRows entries.
    let end = 0;
    while (end < rest.length && (end < chunkRows || rest[end].offset[0] === rest[end - 1].offset[0])) end++;
    return { entries: rest.slice(0, end), snapshotPage: false, reachesEnd: end === rest.length };
  }

  function corsHeaders(req) {
    return {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-expose-headers': EXPOSED,
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
      'access-control-allow-methods': 'GET, OPTIONS',
      'cache-control': 'no-store',
    };
  }

  function sendJson(req, res, status, body, headers = {}) {
    res.writeHead(status, { ...corsHeaders(req), 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }
  const badRequest = (req, res, field, message) => sendJson(req, res, 400, { message: 'Invalid request', errors: { [field]: [message] } });

  async function handle(req, res) {
    const url = new URL(req.url, 'http://localhost');
    requests.push({ url: req.url, headers: req.headers, at: Date.now() });
    if (req.method === 'OPTIONS') {
      res.writeHead(204, corsHeaders(req));
      return res.end();
    }
    if (url.pathname === '/v1/health') return sendJson(req, res, 200, { status: 'active' });
    if (url.pathname !== '/v1/shape' && url.pathname !== '/v1/shape/') return sendJson(req, res, 404, { message: 'Not found' });
    if (faults.delayMs > 0) await new Promise((r) => setTimeout(r, faults.delayMs));
    const fault = faults.queue.shift();
    if (fault) {
      return sendJson(
        req,
        res,
        fault.status,
        { message: `injected ${fault.status}` },
        fault.retryAfter ? { 'retry-after': String(fault.retryAfter) } : {},
      );
    }
    if (faults.token && req.headers.authorization !== `Bearer ${faults.token}`) {
      return sendJson(req, res, 401, { message: 'Unauthorized' });
    }
    const p = url.searchParams;
    const offset = parseOffset(p.get('offset'));
    if (!offset) return badRequest(req, res, 'offset', 'has invalid format');
    const live = p.has('live') && p.get('live') !== 'false';
    const sse = (p.get('live_sse') ?? p.get('experimental_live_sse')) === 'true';
    if (live && offset[0] === -1) return badRequest(req, res, 'live', "can't be true when offset == -1");
    if (sse && !live) return badRequest(req, res, 'live_sse', 'requires live=true');
    if (offset[0] !== -1 && !p.get('handle')) return badRequest(req, res, 'handle', "can't be blank when offset != -1");
    if (live && faults.hangs > 0) {
      faults.hangs--;
      requests.at(-1).hung = true;
      return; // no answer, ever
    }
    const tableName = p.get('table');
    if (!tableName) return badRequest(req, res, 'table', "can't be blank");
    const table = await describeTable(tableName);
    if (!table) return badRequest(req, res, 'table', `table not found: ${tableName}`);
    const columns = p.get('columns')
      ? p
          .get('columns')
          .split(',')
          .map((c) => c.replace(/^"|"$/g, '').replaceAll('""', '"'))
      : null;
    const replica = p.get('replica') ?? 'default';
    if (columns && table.columns.some((c) => c.pk_index !== null && !columns.includes(c.name))) {
      return badRequest(req, res, 'columns', 'must include all primary key columns');
    }
    const def = { where: p.get('where') || null, columns, replica };
    const key = JSON.stringify([table.oid, def]);
    let shape = shapes.get(key);
    if (offset[0] === -1) {
      shape ??= await createShape(key, def, table);
    } else {
      const known = byHandle.get(p.get('handle'));
      if (!known || known.rotated || known.key !== key) {
        return mustRefetch(req, res, key);
      }
      shape = known;
    }
    await pumping;
    const outOfBounds = () => offset[0] > 0 && after(offset, shape.log.at(-1).offset);
    if (offset[0] > 0 && faults.outOfBounds > 0) {
      faults.outOfBounds--;
      return badRequest(req, res, 'offset', 'out of bounds for this shape');
    }
    if (outOfBounds()) {
      await waitForChange(shape, longPollMs / 2, req);
      await pumping;
      if (outOfBounds()) return badRequest(req, res, 'offset', 'out of bounds for this shape');
    }
    const base = { 'electric-handle': shape.handle };
    const cursor = () => String(Math.floor(Date.now() / 1000) + Number(p.get('cursor') || 0) + 1);
    if (sse) return streamSse(req, res, shape, offset, base, cursor());

    let found = entriesAfter(shape, offset);
    if (live && found.entries.length === 0) {
      await waitForChange(shape, longPollMs, req);
      if (shape.rotated) return mustRefetch(req, res, key);
      found = entriesAfter(shape, offset);
    }
    const { entries } = found;
    const upToDate = !found.snapshotPage && found.reachesEnd;
    const messages = entries.map((e) => e.json);
    if (upToDate) messages.push(JSON.stringify({ headers: { control: 'up-to-date', global_last_seen_lsn: String(shape.appliedSeq) } }));
    const headers = {
      ...base,
      'electric-offset': entries.length > 0 ? formatOffset(entries.at(-1).offset) : formatOffset(offset),
      'electric-has-data': String(entries.length > 0),
      ...(upToDate ? { 'electric-up-to-date': '' } : {}),
      ...(live ? { 'electric-cursor': cursor() } : { 'electric-schema': JSON.stringify(shape.schema) }),
    };
    const body = `[${messages.join(',')}]`;
    if (faults.cuts > 0 && entries.length > 0) {
      faults.cuts--;
      res.writeHead(200, { ...corsHeaders(req), 'content-type': 'application/json', ...headers });
      res.write(body.slice(0, Math.floor(body.length / 2)));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    sendJson(req, res, 200, body, headers);
  }

  /** 409 with the handle the shape has now (or will have once refetched). */
  function mustRefetch(req, res, key) {
    const handle = shapes.get(key)?.handle ?? nextHandles.get(key);
    return sendJson(req, res, 409, [{ headers: { control: 'must-refetch' } }], handle ? { 'electric-handle': handle } : {});
  }

  function waitForChange(shape, ms, req) {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        shape.waiters.delete(done);
        req.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      shape.waiters.add(done);
      req.on('close', done);
    });
  }

  async function streamSse(req, res, shape, offset, base, cursor) {
    res.writeHead(200, {
      ...corsHeaders(req),
      ...base,
      'content-type': 'text/event-stream',
      connection: 'keep-alive',
      'electric-offset': formatOffset(offset),
      'electric-cursor': cursor,
    });
    let position = offset;
    let open = true;
    const closeAt = Date.now() + sseMs;
    req.on('close', () => (open = false));
    let lastWrite = Date.now();
    while (open && !shape.rotated && Date.now() < closeAt) {
      const { entries } = entriesAfter(shape, position);
      if (entries.length > 0) {
        for (const e of entries) res.write(`data: ${e.json}\n\n`);
        res.write(`data: ${JSON.stringify({ headers: { control: 'up-to-date', global_last_seen_lsn: String(shape.appliedSeq) } })}\n\n`);
        position = entries.at(-1).offset;
        lastWrite = Date.now();
        if (faults.cuts > 0) {
          faults.cuts--;
          res.socket?.destroy();
          return;
        }
        continue;
      }
      if (Date.now() - lastWrite >= keepAliveMs) {
        res.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
      await waitForChange(shape, Math.min(keepAliveMs, Math.max(1, closeAt - Date.now())), req);
    }
    res.end();
  }

  const sockets = new Set();
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) sendJson(req, res, 500, { error: 'Internal server error', detail: String(error?.message ?? error) });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port) => new Promise((resolve, reject) => server.listen(port, '127.0.0.1', resolve).once('error', reject));
  await listen(options.port ?? 0);
  const port = server.address().port;
  const closeServer = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  return {
    url: `http://127.0.0.1:${port}/v1/shape`,
    port,
    pool,
    requests,
    faults,
    /** Runs SQL on the database (a test's writes), then waits until the server has read the changes it made. */
    async sql(text, params) {
      const result = await pool.query(text, params);
      await pump();
      return result;
    },
    /** Reads the change log now (tests that want a change in the shapes before their next request). */
    sync: () => pump(),
    /** Rotates every shape of `table` (by name as in the shape params). */
    async rotate(tableName) {
      const table = await describeTable(tableName);
      for (const shape of [...shapes.values()]) if (shape.table.oid === table.oid) rotate(shape);
    },
    /** The server stops answering (connections refused) until up(). */
    down: closeServer,
    up: () => listen(port),
    async stop() {
      stopped = true;
      clearInterval(ticker);
      await closeServer();
      await pumping.catch(() => {});
      await listener.end();
      await pool.end();
    },
  };
}
