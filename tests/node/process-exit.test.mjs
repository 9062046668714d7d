// process-exit.test.mjs: nothing of indexie keeps a Node process alive on
// its own. A script that opens a database on fake-indexeddb, writes and
// reads, and never calls close() must exit by itself, as it does with Dexie.
// A negative control shows that the check sees a process that hangs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `source` as an ES module in a child Node; resolves { code, stdout, hung } (killed after `ms`). */
function runScript(source, ms = 8000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, stdout, hung: signal === 'SIGKILL' });
    });
  });
}

test('a script that never calls close() exits by itself', async () => {
  const { code, stdout, hung } = await runScript(`
    import { indexedDB, IDBKeyRange } from 'fake-indexeddb';
    import { Indexie } from 'indexie';
    const db = new Indexie('exit-test', { indexedDB, IDBKeyRange });
    db.version(1).stores({ t: '++id, name' });
    await db.t.bulkAdd([{ name: 'a' }, { name: 'b' }]);
    await db.transaction('rw', db.t, () => db.t.add({ name: 'c' }));
    console.log(await db.t.where('name').above('a').count());
  `);
  assert.equal(hung, false, 'the process was still running after 8 s');
  assert.equal(code, 0);
  assert.equal(stdout.trim(), '2');
});

test('negative control: a process kept alive by an open channel is seen as hung', async () => {
  const { hung } = await runScript(`new BroadcastChannel('keeps-alive'); console.log('started');`, 2000);
  assert.equal(hung, true);
});
