// tabs.test.mjs: js/src/tabs in Node, on the real wasm engine: the owner's
// arbiter rules (a transaction has the engine to itself; its client's other
// sessions go on; a begin that fails releases; arrival order), and that
// without Web Locks (Node) openSharedEngine is the own host itself. The
// cross-tab behaviour is tested in Chromium (tests/browser/shared-engine.test.mjs).
// Internals come from the unbundled build (js/build-tsc/), which the package never ships.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Engine } from '../../js/build-tsc/engine/engine.js';
import { WasmEngineHost } from '../../js/build-tsc/engine/engine-host.js';
import { EngineArbiter } from '../../js/build-tsc/tabs/engine-arbiter.js';
import { openSharedEngine } from '../../js/build-tsc/tabs/shared-engine.js';

let files = 0;
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** An Engine per client whose batches all go through `arbiter` to one host (one lane, as the owner does). */
async function clientsOn(count) {
  const file = `arbiter-${++files}`;
  const host = await WasmEngineHost.open(file);
  const arbiter = new EngineArbiter();
  const log = [];
  const engines = Array.from({ length: count }, (_, i) => {
    const client = `c${i}`;
    const shared = {
      isOpen: true,
      setReadRecorder: () => undefined,
      close: () => Promise.resolve(),
      execute: (request, span) =>
        arbiter.submit(client, `${client}/1`, 'lane', span, request, (batch) => {
          log.push(client);
          return host.execute(batch, span);
        }),
    };
    return new Engine(shared);
  });
  await engines[0].setSchema({ items: 'id' });
  log.length = 0;
  return { engines, arbiter, log, host, file };
}

test('a transaction has the engine to itself: other clients’ batches, reads included, wait for its end in arrival order', async () => {
  const { engines, arbiter, log } = await clientsOn(3);
  const [a, b, c] = engines;
  await a.begin();
  await a.write('items', 'put', [{ id: 1, v: 'a' }]);
  assert.equal(arbiter.holder, 'c0');
  const readB = b.get('items', 1);
  const writeC = c.write('items', 'put', [{ id: 2, v: 'c' }]);
  const readB2 = b.count('items');
  await tick();
  assert.deepEqual(log, ['c0', 'c0'], 'nothing of b or c ran');
  await a.write('items', 'put', [{ id: 1, v: 'a2' }]); // the holder goes on
  await a.commit();
  assert.deepEqual(await readB, { id: 1, v: 'a2' });
  await writeC;
  assert.equal(await readB2, 2);
  assert.deepEqual(log, ['c0', 'c0', 'c0', 'c0', 'c1', 'c2', 'c1']);
  assert.equal(arbiter.holder, undefined);
});

test('the holder’s other sessions go ahead of waiting clients; its last end releases', async () => {
  const file = `arbiter-${++files}`;
  const main = await WasmEngineHost.open(file);
  await new Engine(main).setSchema({ items: 'id' });
  const reader = await WasmEngineHost.open(file); // after the schema: a connection keeps the schema it opened with
  const arbiter = new EngineArbiter();
  const ran = [];
  const on = (client, session, lane, host) =>
    new Engine({
      isOpen: true,
      setReadRecorder: () => undefined,
      close: () => Promise.resolve(),
      execute: (request, span) =>
        arbiter.submit(client, session, lane, span, request, (batch) => (ran.push(session), host.execute(batch, span))),
    });
  const aMain = on('a', 'a/1', 'main', main);
  const aReader = on('a', 'a/2', 'reader', reader);
  const bMain = on('b', 'b/1', 'main', main);
  await aMain.write('items', 'put', [{ id: 1, v: 'committed' }]);
  await aMain.begin();
  await aMain.write('items', 'put', [{ id: 1, v: 'uncommitted' }]);
  const waiting = bMain.get('items', 1);
  // a's committed-state reader reads while a's transaction is open, and sees committed state.
  assert.deepEqual(await aReader.get('items', 1), { id: 1, v: 'committed' });
  await tick();
  assert.ok(!ran.includes('b/1'));
  await aMain.rollback();
  assert.deepEqual(await waiting, { id: 1, v: 'committed' });
});

test('a begin that fails releases the engine; a failing batch in a transaction does not', async () => {
  const { engines, arbiter, host } = await clientsOn(2);
  const [a, b] = engines;
  await host.close(); // every batch now rejects (DatabaseClosedError)
  await assert.rejects(a.begin(), { name: 'DatabaseClosedError' });
  assert.equal(arbiter.holder, undefined, 'a failed begin leaves no holder');
  await assert.rejects(b.get('items', 1), { name: 'DatabaseClosedError' }); // not stuck behind a
});

test('an engine error inside a transaction keeps the engine held until the end', async () => {
  const { engines, arbiter, log } = await clientsOn(2);
  const [a, b] = engines;
  await a.begin();
  await assert.rejects(a.get('missing', 1), { name: 'InvalidTableError' });
  assert.equal(arbiter.holder, 'c0');
  const read = b.count('items');
  await tick();
  assert.ok(!log.includes('c1'));
  await a.rollback();
  assert.equal(await read, 0);
});

test('without Web Locks (Node), the shared engine is the own host', async () => {
  const file = `arbiter-${++files}`;
  const opened = [];
  const shared = await openSharedEngine(file, async (name) => {
    const host = await WasmEngineHost.open(name);
    opened.push(host);
    return host;
  });
  assert.equal(shared.isOwner, true);
  const host = await shared.session(file);
  assert.equal(host, opened[0], 'session() is openOwnHost itself');
  const engine = new Engine(host);
  await engine.setSchema({ items: 'id' });
  await engine.write('items', 'put', [{ id: 1 }]);
  assert.equal(await engine.count('items'), 1);
  shared.broadcastChanges(new Uint8Array([1])); // nobody to tell: a no-op
  await shared.close();
  await host.close();
});
