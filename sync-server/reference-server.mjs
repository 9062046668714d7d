// sync-server/reference-server.mjs: the reference implementation of
// indexie's REST sync protocol, version 1 (README.md "Sync with a REST
// server: the protocol"), over SQLite (better-sqlite3). Tests and the demo
// run it; a backend team reads it as the contract in code.
//
// What it guarantees:
//   - A push is one SQLite transaction: all of its changes are decided and
//     stored, or (a 4xx/5xx) none is.
//   - Idempotency: a change id applied once is never applied again; a retry
//     gets the first outcome back with status 'duplicate'.
//   - Conflicts are detected, not resolved: a change whose baseVersion is
//     not the record's current version is answered with the current record,
//     and the client's strategy decides (then pushes again with the new base).
//     Unless the record's latest applied change is the change's parentId:
//     the device made this change on top of its own earlier one, which the
//     server applied while the device never learned its version (a lost
//     answer, or an earlier change of the same batch); that is no conflict.
//   - Versions: one counter for the whole server; every applied change gives
//     its record the next number. A pull returns a table's records with a
//     version above the cursor, in version order, so nothing is skipped;
//     deleted records stay as tombstones so deletes are pulled too.
//   - Durability: WAL with synchronous=FULL: an answered push survives a crash.
//
// Accounting for tests (GET /stats, not part of the protocol): every
// application of a change appends to apply_log, which has no uniqueness
// constraint, so a change applied twice would show there.
import { createServer } from 'node:http';
import Database from 'better-sqlite3';

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const MAX_CHANGES_PER_PUSH = 1000;
const MAX_PULL_LIMIT = 5000;
const DEFAULT_PULL_LIMIT = 500;

class BadRequest extends Error {}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS records (
    tbl TEXT NOT NULL, key TEXT NOT NULL,       -- key: the record's key as JSON
    value TEXT,                                 -- JSON; NULL when deleted
    deleted INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL,                   -- the server counter when last changed
    modified_at TEXT NOT NULL,                  -- the HLC timestamp of the change that wrote it
    change_id TEXT NOT NULL,                    -- the change that wrote it (echo detection)
    PRIMARY KEY (tbl, key)
  );
  CREATE INDEX IF NOT EXISTS records_by_version ON records (tbl, version);
  CREATE TABLE IF NOT EXISTS applied (change_id TEXT PRIMARY KEY, outcome TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS apply_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, change_id TEXT NOT NULL, client_id TEXT);
  CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT OR IGNORE INTO counters VALUES ('version', 0), ('duplicates', 0), ('conflicts', 0), ('rejected', 0);
`;

/**
 * Opens (creating if needed) the store in `file` (':memory:' for none) and
 * returns the protocol's operations on it, independent of HTTP.
 */
export function openSyncStore(file, { tables } = {}) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA);
  const q = {
    record: db.prepare('SELECT value, deleted, version, modified_at, change_id FROM records WHERE tbl = ? AND key = ?'),
    upsert: db.prepare(
      `INSERT INTO records (tbl, key, value, deleted, version, modified_at, change_id) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tbl, key) DO UPDATE SET value = excluded.value, deleted = excluded.deleted, version = excluded.version,
         modified_at = excluded.modified_at, change_id = excluded.change_id`,
    ),
    applied: db.prepare('SELECT outcome FROM applied WHERE change_id = ?'),
    markApplied: db.prepare('INSERT INTO applied (change_id, outcome) VALUES (?, ?)'),
    log: db.prepare('INSERT INTO apply_log (change_id, client_id) VALUES (?, ?)'),
    bump: db.prepare('UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value'),
    counter: db.prepare('SELECT value FROM counters WHERE name = ?'),
    pull: db.prepare(
      'SELECT key, value, deleted, version, modified_at, change_id FROM records WHERE tbl = ? AND version > ? ORDER BY version LIMIT ?',
    ),
  };

  function currentOf(row) {
    return row
      ? { version: row.version, modifiedAt: row.modified_at, deleted: row.deleted === 1, value: row.deleted ? null : JSON.parse(row.value) }
      : { version: null, modifiedAt: null, deleted: true, value: null };
  }

  function applyOne(clientId, change) {
    const seen = q.applied.get(change.id);
    if (seen) {
      q.bump.get('duplicates');
      return { ...JSON.parse(seen.outcome), id: change.id, status: 'duplicate' };
    }
    if (tables && !tables.includes(change.table)) {
      q.bump.get('rejected');
      return { id: change.id, status: 'rejected', reason: `table '${change.table}' is not synced by this server` };
    }
    const keyJson = JSON.stringify(change.key);
    const row = q.record.get(change.table, keyJson);
    const currentVersion = row ? row.version : null;
    const onTopOfLatest = row !== undefined && change.parentId != null && row.change_id === change.parentId;
    if (change.baseVersion !== currentVersion && !onTopOfLatest) {
      q.bump.get('conflicts');
      return { id: change.id, status: 'conflict', current: currentOf(row) };
    }
    const version = q.bump.get('version').value;
    const deleted = change.op === 'delete';
    q.upsert.run(
      change.table,
      keyJson,
      deleted ? null : JSON.stringify(change.value),
      deleted ? 1 : 0,
      version,
      change.clientTime,
      change.id,
    );
    const outcome = { id: change.id, status: 'applied', version, modifiedAt: change.clientTime };
    q.markApplied.run(change.id, JSON.stringify({ version, modifiedAt: change.clientTime }));
    q.log.run(change.id, clientId);
    return outcome;
  }

  const pushTransaction = db.transaction((clientId, changes) => changes.map((change) => applyOne(clientId, change)));

  return {
    db,
    /** POST /push's body -> its response body. Throws BadRequest for a malformed request. */
    push(body) {
      validatePush(body);
      return { results: pushTransaction.immediate(body.clientId, body.changes) };
    },
    /** GET /pull's parameters -> its response body. */
    pull(table, cursor, limit) {
      if (typeof table !== 'string' || table.length === 0) throw new BadRequest('pull needs ?table=<name>');
      const after = cursor === null || cursor === '' ? 0 : Number(cursor);
      if (!Number.isSafeInteger(after) || after < 0) throw new BadRequest(`invalid cursor '${cursor}'`);
      const wanted = limit === null ? DEFAULT_PULL_LIMIT : Number(limit);
      if (!Number.isSafeInteger(wanted) || wanted < 1 || wanted > MAX_PULL_LIMIT)
        throw new BadRequest(`limit must be 1..${MAX_PULL_LIMIT}`);
      const rows = q.pull.all(table, after, wanted + 1);
      const hasMore = rows.length > wanted;
      const page = rows.slice(0, wanted);
      return {
        changes: page.map((row) => ({
          key: JSON.parse(row.key),
          value: row.deleted ? null : JSON.parse(row.value),
          deleted: row.deleted === 1,
          version: row.version,
          modifiedAt: row.modified_at,
          changeId: row.change_id,
        })),
        cursor: String(page.length > 0 ? page[page.length - 1].version : after),
        hasMore,
      };
    },
    /** Accounting for tests: how many changes were applied, and whether any was applied twice. */
    stats() {
      const log = db.prepare('SELECT COUNT(*) AS applied, COUNT(DISTINCT change_id) AS distinct_ids FROM apply_log').get();
      const counter = (name) => q.counter.get(name).value;
      return {
        appliedChanges: log.applied,
        distinctChangeIds: log.distinct_ids,
        duplicates: counter('duplicates'),
        conflicts: counter('conflicts'),
        rejected: counter('rejected'),
        version: counter('version'),
      };
    },
    /** Every live (not deleted) record of `table`, by key JSON (tests compare states). */
    snapshot(table) {
      const rows = db.prepare('SELECT key, value FROM records WHERE tbl = ? AND deleted = 0 ORDER BY key').all(table);
      return Object.fromEntries(rows.map((row) => [row.key, JSON.parse(row.value)]));
    },
    close() {
      db.close();
    },
  };
}

function isKey(key) {
  if (typeof key === 'string') return true;
  if (typeof key === 'number') return Number.isFinite(key);
  return Array.isArray(key) && key.length > 0 && key.every(isKey);
}

function validatePush(body) {
  if (body === null || typeof body !== 'object') throw new BadRequest('the body must be a JSON object');
  if (typeof body.clientId !== 'string' || body.clientId.length === 0) throw new BadRequest('clientId must be a non-empty string');
  if (!Array.isArray(body.changes)) throw new BadRequest('changes must be an array');
  if (body.changes.length > MAX_CHANGES_PER_PUSH) throw new BadRequest(`at most ${MAX_CHANGES_PER_PUSH} changes per push`);
  body.changes.forEach((change, i) => {
    const where = `changes[${i}]`;
    if (change === null || typeof change !== 'object') throw new BadRequest(`${where} must be an object`);
    if (typeof change.id !== 'string' || change.id.length === 0 || change.id.length > 128)
      throw new BadRequest(`${where}.id must be a string of 1-128 characters`);
    if (typeof change.table !== 'string' || change.table.length === 0) throw new BadRequest(`${where}.table must be a non-empty string`);
    if (!isKey(change.key)) throw new BadRequest(`${where}.key must be a string, a finite number, or a non-empty array of those`);
    if (change.op !== 'put' && change.op !== 'delete') throw new BadRequest(`${where}.op must be 'put' or 'delete'`);
    if (change.op === 'put' && (change.value === null || typeof change.value !== 'object'))
      throw new BadRequest(`${where}.value must be an object for op 'put'`);
    if (change.baseVersion !== null && !Number.isSafeInteger(change.baseVersion))
      throw new BadRequest(`${where}.baseVersion must be an integer or null`);
    // parentId is optional (clients before it send none: the baseVersion rule alone applies).
    if (change.parentId != null && (typeof change.parentId !== 'string' || change.parentId.length === 0 || change.parentId.length > 128))
      throw new BadRequest(`${where}.parentId must be a string of 1-128 characters, null or absent`);
    if (typeof change.clientTime !== 'string' || change.clientTime.length === 0)
      throw new BadRequest(`${where}.clientTime must be a non-empty string`);
  });
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new BadRequest(`the body is over ${MAX_BODY_BYTES} bytes`), { status: 413 }));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * Starts the HTTP server on `port` (0: any free one) under `basePath`
 * (default '/sync'). Resolves { url, store, faults, close() }.
 *
 * `faults` (for tests; empty normally) is a queue: the next request to
 * `path` takes the first matching fault:
 *   { path, kind: 'status', status }       answer `status` without applying anything
 *   { path, kind: 'drop-response' }        apply, then cut the connection (a lost response)
 *   { path, kind: 'delay', ms }            apply, then answer `ms` later (a client timeout)
 */
export async function startSyncServer({ file = ':memory:', port = 0, host = '127.0.0.1', basePath = '/sync', tables } = {}) {
  const store = openSyncStore(file, { tables });
  const faults = [];
  const takeFault = (path) => {
    const i = faults.findIndex((fault) => fault.path === path);
    return i < 0 ? undefined : faults.splice(i, 1)[0];
  };
  const server = createServer(async (request, response) => {
    const send = (status, body) => {
      response.writeHead(status, { 'content-type': 'application/json', ...CORS });
      response.end(JSON.stringify(body));
    };
    try {
      if (request.method === 'OPTIONS') {
        response.writeHead(204, CORS);
        response.end();
        return;
      }
      const url = new URL(request.url, 'http://x');
      if (!url.pathname.startsWith(basePath + '/')) return send(404, { error: `no route ${url.pathname}` });
      const path = url.pathname.slice(basePath.length);
      const fault = takeFault(path);
      if (fault?.kind === 'status') return send(fault.status, { error: 'injected fault' });
      let body;
      if (path === '/push' && request.method === 'POST') {
        const text = await readBody(request);
        let parsed;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new BadRequest('the body is not JSON');
        }
        body = store.push(parsed);
      } else if (path === '/pull' && request.method === 'GET') {
        body = store.pull(url.searchParams.get('table'), url.searchParams.get('cursor'), url.searchParams.get('limit'));
      } else if (path === '/stats' && request.method === 'GET') {
        body = store.stats();
      } else {
        return send(404, { error: `no route ${request.method} ${url.pathname}` });
      }
      if (fault?.kind === 'drop-response') {
        request.socket.destroy();
        return;
      }
      if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
      send(200, body);
    } catch (error) {
      if (error instanceof BadRequest) send(error.status ?? 400, { error: error.message });
      else send(500, { error: String(error?.message ?? error) });
    }
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  return {
    url: `http://${host}:${address.port}${basePath}`,
    store,
    faults,
    async close() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
      store.close();
    },
  };
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': '*',
  'access-control-max-age': '600',
};
