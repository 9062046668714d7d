// transactions.js: the two scenarios of the Indexie documentation (an
// optimistic add whose onAdd hook fails; a standard transfer between two
// balances watched by a polling reader), plus a transaction left open when
// the test closes the page. Each function returns what it observed.
import { Indexie } from 'indexie';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const open = (name) => {
  const db = new Indexie(name);
  db.version(1).stores({ users: '++id, name', logs: '++id' });
  return db;
};

/** Polls `read` on every task turn until stop() is called; returns the stop function and the samples. */
function poll(read) {
  const samples = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      samples.push(await read());
      await sleep(0);
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

// Scenario 1: `await using tx = db.users.startTransaction({optimistic: true})`,
// an add, and an onAdd hook that rejects when the commit runs it.
window.optimisticAddWithFailingHook = async (name) => {
  const db = open(name);
  db.users.hook.onAdd(async () => {
    await sleep(30);
    throw new Error('server rejected the user');
  });
  const reader = poll(() => db.users.where('name').equals('Optimistic Olga').count());
  let commitError;
  let seenBeforeCommit;
  {
    await using tx = db.users.startTransaction({ optimistic: true });
    await tx.users.add({ name: 'Optimistic Olga' });
    await sleep(20);
    seenBeforeCommit = await db.users.where('name').equals('Optimistic Olga').count();
    try {
      await tx.commit();
    } catch (error) {
      commitError = error.message;
    }
  }
  await sleep(20);
  await reader.stop();
  const after = await db.users.where('name').equals('Optimistic Olga').count();
  db.close();
  return { seenBeforeCommit, sawIt: reader.samples.includes(1), lastSample: reader.samples.at(-1), after, commitError };
};

window.countNamed = async (name, userName) => {
  const db = open(name);
  const count = await db.users.where('name').equals(userName).count();
  const problems = await db.checkIntegrity();
  db.close();
  return { count, problems };
};

// Scenario 2: a standard transfer of 100 between two balances, with a pause
// between the two updates; a reader polls both balances throughout. Then the
// same transfer again, whose commit fails (an onUpdate hook rejects).
window.standardTransfer = async (name) => {
  const db = open(name);
  await db.users.bulkPut([
    { id: 1, name: 'Sender', balance: 500 },
    { id: 2, name: 'Receiver', balance: 0 },
  ]);
  const reader = poll(async () => (await db.users.bulkGet([1, 2])).map((u) => u.balance));
  const transfer = async () => {
    await using tx = db.users.startTransaction({ optimistic: false });
    const [sender, receiver] = await tx.users.bulkGet([1, 2]);
    await tx.users.update(1, { balance: sender.balance - 100 });
    await sleep(40); // the reader polls while only one side is updated inside the transaction
    await tx.users.update(2, { balance: receiver.balance + 100 });
    await sleep(10);
    await tx.commit();
  };
  await transfer();
  const afterCommit = (await db.users.bulkGet([1, 2])).map((u) => u.balance);
  const unsubscribe = db.users.hook.onUpdate(async () => {
    throw new Error('ledger unavailable');
  });
  let failure;
  await transfer().catch((error) => {
    failure = error.message;
  });
  unsubscribe();
  await sleep(10);
  await reader.stop();
  const afterFailure = (await db.users.bulkGet([1, 2])).map((u) => u.balance);
  db.close();
  const distinct = [...new Set(reader.samples.map((s) => s.join('/')))];
  return { samples: reader.samples.length, distinct, afterCommit, failure, afterFailure };
};

// A transaction that never ends: writes, reports, then waits for the page to close.
window.holdTransaction = async (name, optimistic) => {
  const db = open(name);
  await db.users.add({ name: 'committed before' });
  db.transaction(
    'rw',
    db.users,
    db.logs,
    async () => {
      await db.users.bulkAdd(Array.from({ length: 2000 }, (_, i) => ({ name: 'uncommitted', i, pad: 'x'.repeat(200) })));
      await db.logs.add({ at: 1 });
      await window.reportWritten();
      await Indexie.waitFor(new Promise(() => {}));
    },
    { optimistic },
  );
};

// Which code belongs to a transaction, in the browser's own task machinery
// (MessageChannel tasks): scope calls after awaits, in helpers and in
// Promise.all join it; an unrelated flow and a click handler never do.
window.contextRules = async (name) => {
  const db = open(name);
  await db.users.clear();
  await db.logs.clear();
  const outside = [];
  const flow = (async () => {
    for (let i = 0; i < 15; i++) {
      await db.logs.add({ i });
      outside.push(Indexie.currentTransaction === null);
      await sleep(1);
    }
  })();
  const button = document.createElement('button');
  document.body.append(button);
  const clicks = [];
  button.onclick = () => {
    clicks.push(Indexie.currentTransaction === null);
  };
  async function addUser(n) {
    await db.users.add({ name: `u${n}` });
    return db.users.where('name').equals(`u${n}`).count();
  }
  let insideCount;
  const error = await db
    .transaction('rw', db.users, async () => {
      await addUser(1);
      await addUser(2);
      await Promise.all([db.users.add({ name: 'u3' }), db.users.add({ name: 'u4' })]);
      button.click(); // a synchronous dispatch from the scope runs in it; a queued one must not
      setTimeout(() => button.click(), 0);
      await Indexie.waitFor(sleep(15));
      await db.users.put({ name: 'u5' });
      insideCount = await db.users.count();
      throw new Error('roll back');
    })
    .catch((e) => e.message);
  await flow;
  const result = {
    error,
    insideCount,
    users: await db.users.count(),
    logs: await db.logs.count(),
    outsideAlwaysOutside: outside.every(Boolean),
    outsideRuns: outside.length,
    clicks,
  };
  db.close();
  return result;
};

document.getElementById('status').textContent = 'ready';
