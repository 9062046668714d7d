// worker-host.js: window.* functions for worker-host.test.mjs. The host and
// the request builder come from js/build-tsc (tsc's unbundled output: the
// host is internal, not exported by the package); the worker script is
// either the shipped bundle (/indexie/engine-worker.js, js/dist) or the
// unbundled one (/build-tsc/worker/engine-worker.js).
import { Op, RequestBuilder, responseResults, resultValue } from '/build-tsc/engine/requests.js';
import { WorkerEngineHost } from '/build-tsc/engine/worker-engine-host.js';
import { encodeValue, encodeValues } from '/build-tsc/values/value-encoder.js';

const builder = new RequestBuilder();

/** Sends the operations `write` adds; returns each one's value, or {error: name, message} for a failed one. */
async function send(host, write) {
  const request = builder.reset();
  write(request);
  const encoded = request.finish();
  const results = responseResults(encoded, await host.execute(encoded));
  return results.map((result) => {
    try {
      return resultValue(result);
    } catch (error) {
      return { error: error.name, message: error.message };
    }
  });
}

const described = (error) => ({ name: error?.name, message: String(error?.message), className: error?.constructor?.name });

/** A query description (engine-types.ts QueryDescription) on `index` of 'friends'. */
function query(r, index, ranges, output) {
  r.op(Op.query, 3).array(8).text('friends').text(index).bool(false).bool(false).bool(false).number(0).number(-1).array(0);
  if (ranges) r.encoded(encodeValues(ranges, { keys: true }));
  else r.null();
  return r.text(output);
}

/** Version 1 with table 'friends', 3 friends and 2000 more in two transactions; each batch's results. */
async function writeFriends(host) {
  const out = {};
  out.schema = await send(host, (r) => {
    r.op(Op.setVersion, 1).number(1);
    r.op(Op.setSchema, 1).map(1).text('friends').text('++id, name, age');
  });
  const friends = [
    { name: 'Ann', age: 30, tags: ['a'] },
    { name: 'Bob', age: 25, joined: new Date(Date.UTC(2020, 0, 2)) },
    { name: 'Cy', age: 41, bytes: new Uint8Array([1, 2, 3]) },
  ];
  out.write = await send(host, (r) => {
    r.op(Op.begin);
    r.op(Op.write, 4).text('friends').bool(true).encoded(encodeValues(friends)).null();
    r.op(Op.commit);
  });
  // A big batch (a part of its own in the builder, > 64 KiB): crosses whole.
  const many = Array.from({ length: 2000 }, (_, i) => ({ name: `p${i}`, age: 100 + (i % 50), text: 'x'.repeat(40) }));
  const bulk = await send(host, (r) => {
    r.op(Op.begin);
    r.op(Op.write, 4).text('friends').bool(true).encoded(encodeValues(many)).null();
    r.op(Op.commit);
  });
  out.bulk = [bulk[0], bulk[1][0].length, bulk[1][1], bulk[2]];
  return out;
}

/** What writeFriends wrote, read back: count, get, two queries; then a failing write and an unknown table. */
function readFriends(host) {
  return send(host, (r) => {
    r.op(Op.count, 1).text('friends');
    r.op(Op.get, 2)
      .text('friends')
      .encoded(encodeValue(2, { keys: true }));
    query(r, 'age', [[0, 26, 50, false, false]], 'values');
    query(r, 'name', [[0, 'Ann', 'Bob', false, false]], 'primaryKeys');
    // An error inside a batch is that operation's result; the others still answer.
    r.op(Op.write, 4)
      .text('friends')
      .bool(true)
      .encoded(encodeValues([{ id: 1, name: 'dup', age: 1 }]))
      .null();
    r.op(Op.count, 1).text('nope');
  });
}

/** Schema, writes, queries and reads through a WorkerEngineHost; then close. */
window.roundTrip = async (name, storage, workerUrl) => {
  const host = await WorkerEngineHost.open(name, { storage, workerUrl });
  const out = await writeFriends(host);
  out.read = await readFriends(host);
  await host.close();
  out.isOpenAfterClose = host.isOpen;
  out.afterClose = await host.execute(builder.reset().op(Op.info).finish()).then(
    () => 'resolved',
    (error) => described(error),
  );
  // Opened again: on the worker kept idle after the close (engine/worker-channel.ts); a 'memory'
  // database did not outlive its last session there.
  const again = await WorkerEngineHost.open(name, { storage, workerUrl });
  const [info] = await send(again, (r) => r.op(Op.info));
  out.reopenedTables = Object.keys(info.tables);
  await again.close();
  return out;
};

/** A database on OPFS written in one worker, which is then terminated (no close: as a closed tab). */
window.opfsCreate = async (name, workerUrl) => {
  let host;
  try {
    host = await WorkerEngineHost.open(name, { storage: 'opfs', cacheKiB: 1024, workerUrl });
  } catch (error) {
    return { openError: described(error) };
  }
  const out = await writeFriends(host);
  host.terminate();
  return out;
};

/** PRAGMA synchronous of an OPFS engine opened with `durability` (undefined: the default), read through its SQL op. */
window.opfsSynchronous = async (name, durability, workerUrl) => {
  const host = await WorkerEngineHost.open(name, { storage: 'opfs', durability, workerUrl });
  try {
    const [result] = await send(host, (r) => r.op(Op.executeSql, 1).text('PRAGMA synchronous'));
    const [mode] = await send(host, (r) => r.op(Op.executeSql, 1).text('PRAGMA journal_mode'));
    return { synchronous: Number(result.rows[0][0]), journalMode: mode.rows[0][0] };
  } finally {
    await host.close();
  }
};

/** The same database opened in a new worker: its data, and a second open refused while this one holds it. */
window.opfsReopen = async (name, workerUrl) => {
  const host = await WorkerEngineHost.open(name, { storage: 'opfs', workerUrl });
  const out = { read: await readFriends(host) };
  out.secondOpen = await WorkerEngineHost.open(name, { storage: 'opfs', workerUrl }).then(
    () => 'opened',
    (error) => described(error),
  );
  await host.close();
  return out;
};

/** An OPFS database kept open across calls (opfsFill, then opfsAddOne and opfsClose). */
window.opfsHosts = {};
window.opfsOpen = async (name, workerUrl) => {
  const host = await WorkerEngineHost.open(name, { storage: 'opfs', cacheKiB: 1024, workerUrl });
  window.opfsHosts[name] = host;
  return send(host, (r) => {
    r.op(Op.setVersion, 1).number(1);
    r.op(Op.setSchema, 1).map(1).text('blobs').text('++id');
  });
};
/** Commits of 100 records of 10 KiB until one fails: that failure, and how many commits succeeded. */
window.opfsFill = async (name) => {
  const host = window.opfsHosts[name];
  const records = Array.from({ length: 100 }, (_, i) => ({ payload: new Uint8Array(10 * 1024).fill(i) }));
  for (let commits = 0; commits < 200; commits++) {
    const [, write, commit] = await send(host, (r) => {
      r.op(Op.begin);
      r.op(Op.write, 4).text('blobs').bool(true).encoded(encodeValues(records)).null();
      r.op(Op.commit);
    });
    const failed = write?.error ? write : commit?.error ? commit : undefined;
    if (failed) {
      await send(host, (r) => r.op(Op.rollback));
      const [count] = await send(host, (r) => r.op(Op.count, 1).text('blobs'));
      return { commits, failed, count };
    }
  }
  return { commits: 200 };
};
window.opfsAddOne = async (name) => {
  const host = window.opfsHosts[name];
  const [, , commit, count] = await send(host, (r) => {
    r.op(Op.begin);
    r.op(Op.write, 4)
      .text('blobs')
      .bool(true)
      .encoded(encodeValues([{ payload: 'one more' }]))
      .null();
    r.op(Op.commit);
    r.op(Op.count, 1).text('blobs');
  });
  return { commit, count };
};
window.opfsClose = (name) => window.opfsHosts[name].close();

/** Failures cross as their own classes; a worker that dies rejects what waits. */
window.failures = async (workerUrl) => {
  const out = {};
  out.badStorage = await WorkerEngineHost.open('x', { storage: 'floppy', workerUrl }).then(
    () => 'opened',
    (error) => described(error),
  );
  out.badCache = await WorkerEngineHost.open('x', { storage: 'opfs', cacheKiB: -1, workerUrl }).then(
    () => 'opened',
    (error) => described(error),
  );
  out.missingScript = await WorkerEngineHost.open('x', { storage: 'memory', workerUrl: '/build-tsc/worker/no-such-worker.js' }).then(
    () => 'opened',
    (error) => described(error),
  );
  // Terminated with requests in flight: each rejects, none hangs.
  const host = await WorkerEngineHost.open('terminated', { storage: 'memory', workerUrl });
  await send(host, (r) => r.op(Op.setVersion, 1).number(1));
  const pending = Array.from({ length: 20 }, () => host.execute(builder.reset().op(Op.info).finish()));
  host.terminate();
  const settled = await Promise.allSettled(pending);
  out.terminated = settled.map((s) => (s.status === 'rejected' ? s.reason.name : 'resolved'));
  out.afterTerminate = await host.execute(builder.reset().op(Op.info).finish()).then(
    () => 'resolved',
    (error) => described(error),
  );
  return out;
};

/**
 * Round trips of a batch of no operations, after 50 to warm up: `groups`
 * groups of `perGroup` sequential round trips, each group's time per round
 * trip in ms. Timed by group because performance.now() is coarsened to
 * 0.1 ms in a page that is not cross-origin isolated, longer than one trip.
 */
window.timeEmptyExecute = async (groups, perGroup, workerUrl) => {
  const host = await WorkerEngineHost.open('timing', { storage: 'memory', workerUrl });
  const empty = () => builder.reset().finish();
  for (let i = 0; i < 50; i++) await host.execute(empty());
  const times = [];
  for (let g = 0; g < groups; g++) {
    const start = performance.now();
    for (let i = 0; i < perGroup; i++) await host.execute(empty());
    times.push((performance.now() - start) / perGroup);
  }
  await host.close();
  return times;
};

/** A module worker of tests/browser/pages/opfs-worker.js: send(task) resolves with its answer. */
window.opfsWorker = () => {
  const worker = new Worker(new URL('opfs-worker.js', import.meta.url), { type: 'module' });
  let next = 1;
  const waiting = new Map();
  worker.onmessage = ({ data }) => {
    waiting.get(data.id)?.(data);
    waiting.delete(data.id);
  };
  const id = String(Math.random()).slice(2);
  const handle = {
    send: (task) =>
      new Promise((resolve) => {
        const n = next++;
        waiting.set(n, resolve);
        worker.postMessage({ ...task, id: n });
      }),
    terminate: () => worker.terminate(),
  };
  window.opfsWorkers ??= {};
  window.opfsWorkers[id] = handle;
  return id;
};
window.opfsTask = (workerId, task) => window.opfsWorkers[workerId].send(task);
window.opfsTerminate = (workerId) => window.opfsWorkers[workerId].terminate();

window.opfsExists = (name, workerUrl) => WorkerEngineHost.existsInOpfs(name, { workerUrl });
window.opfsDelete = (name, workerUrl) =>
  WorkerEngineHost.deleteFromOpfs(name, { workerUrl }).then(
    () => 'deleted',
    (error) => described(error),
  );

document.querySelector('#status').textContent = 'ready';
