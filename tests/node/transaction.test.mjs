// transaction.test.mjs: db.transaction() with Dexie's rules (modes, table
// scope, nesting, rollback on throw, abort), which code belongs to a
// transaction (the async context), serialization of read-write units, and
// the overlay: standard transactions invisible until commit, optimistic ones
// visible at once and reverted by rollback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  AbortError,
  ConstraintError,
  DatabaseClosedError,
  Indexie,
  InvalidArgumentError,
  NotFoundError,
  ReadOnlyError,
  SubTransactionError,
  Transaction,
  TransactionInactiveError,
} from 'indexie';

let counter = 0;
async function openDb() {
  const db = new Indexie(`tx-test-${counter++}`);
  db.version(1).stores({ users: '++id, &email, age', logs: '++id, at', other: 'id' });
  await db.open();
  return db;
}

const ages = async (db) => (await db.users.orderBy('age').toArray()).map((u) => u.age);

test('modes, table arguments and the scope: resolves the scope result after commit', async () => {
  const db = await openDb();
  const modes = ['rw', 'readwrite', Indexie.Mode.READ_WRITE];
  for (const [i, mode] of modes.entries()) {
    const result = await db.transaction(mode, db.users, 'logs', async (tx) => {
      assert.ok(tx instanceof Transaction);
      assert.equal(tx.mode, 'readwrite');
      assert.deepEqual(tx.storeNames, ['users', 'logs']);
      assert.equal(Indexie.currentTransaction, tx);
      await db.users.add({ email: `m${i}@x`, age: i });
      await tx.logs.add({ at: i });
      return `done ${i}`;
    });
    assert.equal(result, `done ${i}`);
  }
  for (const mode of ['r', 'readonly', Indexie.Mode.READ_ONLY]) {
    assert.equal(await db.transaction(mode, [db.users, [db.logs]], () => db.users.count()), 3);
  }
  assert.equal(await db.logs.count(), 3);
  assert.equal(Indexie.currentTransaction, null, 'no transaction outside the scope (null, as Dexie)');
  await assert.rejects(
    db.transaction('rx', db.users, () => 1),
    InvalidArgumentError,
  );
  await assert.rejects(db.transaction('rw', db.users), InvalidArgumentError);
  await assert.rejects(
    db.transaction('rw', 'nope', () => 1),
    (e) => e.name === 'NotFoundError', // as Dexie (IndexedDB's transaction() names it so)
  );
  db.close();
});

test('a throw or rejection in the scope rolls everything back and rejects with that error', async () => {
  const db = await openDb();
  await db.users.add({ email: 'keep@x', age: 1 });
  const boom = new Error('boom');
  await assert.rejects(
    db.transaction('rw', db.users, db.logs, async () => {
      await db.users.add({ email: 'a@x', age: 2 });
      await db.logs.add({ at: 1 });
      await db.users.where('age').equals(1).modify({ age: 100 });
      throw boom;
    }),
    (e) => e === boom,
  );
  await assert.rejects(
    db.transaction('rw', db.users, () => {
      db.users.add({ email: 'sync@x', age: 3 });
      throw boom;
    }),
    (e) => e === boom,
  );
  // A failed operation that is not caught fails the scope, and so the transaction.
  await assert.rejects(
    db.transaction('rw', db.users, async () => {
      await db.users.add({ email: 'b@x', age: 4 });
      await db.users.add({ email: 'keep@x', age: 5 });
    }),
    ConstraintError,
  );
  assert.deepEqual(await ages(db), [1]);
  assert.equal(await db.logs.count(), 0);
  // Nor may one that nobody awaits or catches (Dexie's rule): it aborts the transaction.
  await assert.rejects(
    db.transaction('rw', db.users, () => {
      db.users.add({ email: 'd@x', age: 7 });
      db.users.add({ email: 'keep@x', age: 8 });
    }),
    ConstraintError,
  );
  assert.deepEqual(await ages(db), [1]);
  // A caught failure does not: the rest commits.
  await db.transaction('rw', db.users, async () => {
    await db.users.add({ email: 'keep@x' }).catch(() => 'ignored');
    await db.users.add({ email: 'c@x', age: 6 });
  });
  assert.deepEqual(await ages(db), [1, 6]);
  db.close();
});

test('tx.abort() discards the writes, rejects with AbortError, and later operations fail', async () => {
  const db = await openDb();
  let after;
  await assert.rejects(
    db.transaction('rw', db.users, async (tx) => {
      await db.users.add({ email: 'a@x', age: 1 });
      tx.abort();
      assert.equal(tx.active, false);
      after = await db.users.add({ email: 'b@x', age: 2 }).catch((e) => e);
    }),
    AbortError,
  );
  assert.ok(after instanceof AbortError, 'operations after abort() fail');
  assert.equal(await db.users.count(), 0);
  db.close();
});

test('read-only transactions refuse writes; tables outside the scope are refused', async () => {
  const db = await openDb();
  await assert.rejects(
    db.transaction('r', db.users, () => db.users.add({ email: 'a@x' })),
    ReadOnlyError,
  );
  await assert.rejects(
    db.transaction('r', db.users, async () => {
      await db.users.where('age').above(1).delete();
    }),
    ReadOnlyError,
  );
  await assert.rejects(
    db.transaction('rw', db.users, () => db.logs.add({ at: 1 })),
    (e) => e instanceof NotFoundError && /table 'logs' is not part of this transaction/.test(e.message),
  );
  await assert.rejects(
    db.transaction('rw', db.users, (tx) => tx.table('logs')),
    NotFoundError,
  );
  assert.equal((await db.users.count()) + (await db.logs.count()), 0);
  db.close();
});

test('nesting: a compatible child joins its parent; incompatible ones fail unless ! or ? says otherwise', async () => {
  const db = await openDb();
  const boom = new Error('parent fails');
  await assert.rejects(
    db.transaction('rw', db.users, db.logs, async (parent) => {
      const childResult = await db.transaction('rw', db.users, async (child) => {
        assert.equal(child.parent, parent);
        await db.users.add({ email: 'child@x', age: 1 });
        return 'child';
      });
      assert.equal(childResult, 'child');
      assert.equal(await db.transaction('r', db.users, () => db.users.count()), 1, 'a read-only child in a read-write parent');
      throw boom;
    }),
    (e) => e === boom,
  );
  assert.equal(await db.users.count(), 0, 'the child rolled back with its parent');

  // A failing child aborts the parent, as in Dexie.
  await assert.rejects(
    db.transaction('rw', db.users, async () => {
      await db.users.add({ email: 'p@x' });
      await db
        .transaction('rw', db.users, () => {
          throw new Error('child fails');
        })
        .catch(() => undefined);
      await db.users.add({ email: 'q@x' });
    }),
    AbortError,
  );
  assert.equal(await db.users.count(), 0);

  await assert.rejects(
    db.transaction('r', db.users, () => db.transaction('rw', db.users, () => 1)),
    SubTransactionError,
  );
  await assert.rejects(
    db.transaction('rw', db.users, () => db.transaction('rw', db.logs, () => 1)),
    SubTransactionError,
  );

  // '?': incompatible, so an independent transaction (which waits for the parent, so it is not awaited inside).
  let independent;
  await db.transaction('r', db.users, () => {
    independent = db.transaction('rw?', db.logs, async (tx) => {
      assert.equal(tx.parent, undefined);
      await db.logs.add({ at: 1 });
    });
  });
  await independent;
  // '!': always independent. Started inside a running read-write transaction, it could only wait for
  // the one writer its own caller holds, so it fails at once (README, "Coming from Dexie").
  let separate;
  await assert.rejects(
    db.transaction('rw', db.users, db.logs, async () => {
      separate = db.transaction('rw!', db.logs, () => db.logs.add({ at: 2 })).catch((error) => error);
      throw new Error('outer fails');
    }),
  );
  assert.ok((await separate) instanceof SubTransactionError);
  assert.deepEqual(
    (await db.logs.toArray()).map((l) => l.at),
    [1],
  );
  db.close();
});

test('the context: calls after awaiting indexie promises, in helpers and in parallel, stay in the transaction', async () => {
  const db = await openDb();
  async function addUser(email) {
    await db.users.add({ email, age: 1 });
    return db.users.where('email').equals(email).first();
  }
  await assert.rejects(
    db.transaction('rw', db.users, db.logs, async () => {
      await addUser('a@x');
      await addUser('b@x'); // after a helper's own awaits
      await Promise.all([db.users.add({ email: 'c@x' }), db.logs.add({ at: 1 })]);
      await Promise.resolve(); // plain microtasks keep the context
      await db.users.toCollection().modify((u) => {
        u.age = 2;
      });
      await Indexie.waitFor(sleep(20)); // a timer, through waitFor
      await db.users.put({ email: 'd@x', age: 3 });
      assert.equal(await db.users.count(), 4);
      throw new Error('roll back');
    }),
  );
  assert.equal(await db.users.count(), 0, 'every one of those writes belonged to the transaction');
  assert.equal(await db.logs.count(), 0);
  db.close();
});

test('code outside the scope never joins the transaction, even while it runs concurrently', async () => {
  const db = await openDb();
  const outside = [];
  // An unrelated flow that keeps writing, started before the transaction.
  const flow = (async () => {
    for (let i = 0; i < 20; i++) {
      await db.logs.add({ at: i });
      outside.push(Indexie.currentTransaction);
      await sleep(1);
    }
  })();
  await sleep(3);
  await assert.rejects(
    db.transaction('rw', db.users, db.logs, async () => {
      for (let i = 0; i < 5; i++) {
        await db.users.add({ email: `${i}@x` });
        await Indexie.waitFor(sleep(2));
      }
      throw new Error('roll back');
    }),
  );
  await flow;
  assert.equal(outside.length, 20);
  assert.ok(
    outside.every((tx) => tx === null),
    'the outside flow never saw the transaction as current',
  );
  assert.equal(await db.users.count(), 0);
  assert.equal(await db.logs.count(), outside.length, 'every outside write survived the rollback');
  // An event handler or timer started from inside the scope runs outside it.
  let fromTimer;
  await db.transaction('rw', db.users, () => {
    setTimeout(() => {
      fromTimer = Indexie.currentTransaction;
    }, 0);
  });
  await sleep(5);
  assert.equal(fromTimer, null);
  db.close();
});

test('read-write units run one after another; writes outside transactions wait for a running one', async () => {
  const db = await openDb();
  const events = [];
  const first = db.transaction('rw', db.users, async () => {
    events.push('first:start');
    await db.users.add({ email: 'a@x' });
    await Indexie.waitFor(sleep(30));
    events.push('first:end');
  });
  const second = db.transaction('rw', db.users, async () => {
    events.push('second:start');
    assert.equal(await db.users.count(), 1, 'it starts after the first committed');
    events.push('second:end');
  });
  const lone = db.users.add({ email: 'b@x' }).then(() => events.push('lone write'));
  await Promise.all([first, second, lone]);
  assert.deepEqual(events, ['first:start', 'first:end', 'second:start', 'second:end', 'lone write']);
  db.close();
});

test('standard: invisible to other readers until commit, then all at once; the scope sees its own writes in every query form', async () => {
  const db = await openDb();
  await db.users.bulkAdd([
    { email: 'a@x', age: 10 },
    { email: 'b@x', age: 20 },
    { email: 'c@x', age: 30 },
  ]);
  const seen = [];
  let inside;
  const tx = db.transaction('rw', db.users, async () => {
    await db.users.add({ email: 'd@x', age: 25 });
    await db.users.update(1, { age: 40 });
    await db.users.delete(2);
    inside = {
      between: (await db.users.where('age').between(20, 40, true, true).toArray()).map((u) => u.age),
      ordered: (await db.users.orderBy('age').reverse().offset(1).limit(2).toArray()).map((u) => u.email),
      count: await db.users.where('age').above(20).count(),
      get: (await db.users.get(1)).age,
      byEmail: (await db.users.get({ email: 'd@x' })).age,
    };
    await Indexie.waitFor(sleep(20));
  });
  await sleep(5);
  seen.push(await ages(db), await db.users.count(), (await db.users.get(1)).age);
  await tx;
  assert.deepEqual(inside, { between: [25, 30, 40], ordered: ['c@x', 'd@x'], count: 3, get: 40, byEmail: 25 });
  assert.deepEqual(seen, [[10, 20, 30], 3, 10], 'outside readers saw the committed state during the transaction');
  assert.deepEqual(await ages(db), [25, 30, 40]);
  db.close();
});

test('optimistic: visible to every reader at once; a rollback makes them see the old state again', async () => {
  const db = await openDb();
  await db.users.add({ email: 'a@x', age: 10 });
  let during;
  const failed = db.transaction(
    'rw',
    db.users,
    async () => {
      await db.users.add({ email: 'b@x', age: 20 });
      await Indexie.waitFor(sleep(20));
      throw new Error('server said no');
    },
    { optimistic: true },
  );
  await sleep(5);
  during = await ages(db);
  await assert.rejects(failed, /server said no/);
  assert.deepEqual(during, [10, 20]);
  assert.deepEqual(await ages(db), [10]);
  db.close();
});

test('startTransaction: explicit commit, rollback, and dispose without commit rolls back', async () => {
  const db = await openDb();
  const tx = db.users.startTransaction({ optimistic: false });
  await tx.table('users').add({ email: 'a@x', age: 1 });
  await tx.users.add({ email: 'b@x', age: 2 });
  assert.equal(await db.users.count(), 0, 'standard: not visible before commit');
  assert.equal(await tx.users.count(), 2);
  await tx.commit();
  assert.equal(tx.state, 'committed');
  assert.equal(await db.users.count(), 2);
  await assert.rejects(tx.users.add({ email: 'late@x' }), TransactionInactiveError);

  const rolled = db.users.startTransaction({ optimistic: true, tables: ['logs'] });
  await rolled.users.add({ email: 'c@x' });
  await rolled.logs.add({ at: 1 });
  assert.equal(await db.users.count(), 3, 'optimistic: visible at once');
  await rolled.rollback();
  assert.equal(await db.users.count(), 2);
  assert.equal(await db.logs.count(), 0);

  const disposed = db.users.startTransaction();
  await disposed.users.add({ email: 'e@x' });
  await disposed[Symbol.asyncDispose]();
  assert.equal(disposed.state, 'aborted');
  assert.equal(await db.users.count(), 2);
  db.close();
});

test('a transaction on a closed database fails with DatabaseClosedError', async () => {
  const db = await openDb();
  db.close();
  await assert.rejects(
    db.transaction('rw', db.users, () => db.users.add({ email: 'a@x' })),
    DatabaseClosedError,
  );
});

test('nothing commits on idle: a scope that waits between writes commits them together at its end', async () => {
  const db = await openDb();
  const tx = db.transaction('rw', db.users, async () => {
    await db.users.add({ email: 'a@x' });
    await Indexie.waitFor(sleep(60));
    await db.users.add({ email: 'b@x' });
  });
  await sleep(30);
  assert.equal(await db.users.count(), 0, 'still uncommitted while the scope waits');
  await tx;
  assert.equal(await db.users.count(), 2);
  db.close();
});

test("tx.on('complete') fires after a commit and tx.on('abort') with the reason after a rollback", async () => {
  const db = await openDb();
  const events = [];
  await db.transaction('rw', db.users, (tx) => {
    tx.on('complete', () => events.push('complete'));
    return db.users.add({ email: 'a@x' });
  });
  await db
    .transaction('rw', db.users, (tx) => {
      tx.on('abort', (error) => events.push(`abort: ${error.message}`));
      throw new Error('nope');
    })
    .catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(events, ['complete', 'abort: nope']);
  db.close();
});

// --- Scopes that would hang (the fidelity issue's first part). Each test has a timeout: a hang fails it.

test(
  'a scope that awaits a timer and then writes through db.<table> cannot hang the database: close() ends it',
  { timeout: 10000 },
  async () => {
    const db = await openDb();
    const warnings = [];
    const warn = console.warn;
    console.warn = (message) => warnings.push(String(message));
    try {
      const scope = db.transaction('rw', db.users, async () => {
        await db.users.add({ email: 'in@x' });
        await sleep(5); // not indexie's: the code after it runs outside the transaction
        await db.users.add({ email: 'after@x' }); // waits for the transaction: its own caller
      });
      const outcome = scope.then(
        () => 'resolved',
        (error) => error.name,
      );
      // A writer from elsewhere meanwhile waits too, and is told after a few seconds who holds the lock.
      const outside = db.users.add({ email: 'outside@x' }).catch((error) => error.name);
      await sleep(3300);
      assert.ok(
        warnings.some((w) => /transaction\('readwrite', users\)/.test(w)),
        `a console warning names the scope that holds the writer: ${warnings.join(' | ')}`,
      );
      db.close();
      assert.equal(await outcome, 'DatabaseClosedError', 'the stuck scope ends when the database closes');
      assert.equal(await outside, 'DatabaseClosedError', 'a waiting writer is told the database closed');
    } finally {
      console.warn = warn;
    }
    const again = new Indexie(db.name);
    again.version(1).stores({ users: '++id, &email, age', logs: '++id, at', other: 'id' });
    assert.equal(await again.users.count(), 0, 'the database opens again, and nothing of the stuck scope was committed');
    again.close();
  },
);

test(
  'writes from outside wait for a scope that awaits a foreign promise, then succeed; the scope sees its own writes',
  { timeout: 10000 },
  async () => {
    const db = await openDb();
    const scope = db.transaction('rw', db.users, async (tx) => {
      await tx.users.add({ email: 'a@x' });
      await sleep(20); // the transaction stays open across it (no commit on idle)
      const own = await tx.users.where('email').equals('a@x').count();
      await tx.users.add({ email: 'b@x' });
      return own;
    });
    await sleep(5);
    const outside = db.users.add({ email: 'outside@x' });
    assert.equal(await scope, 1, 'after the foreign await the scope still reads its own write');
    assert.ok((await outside) > 0, 'the outside write waited for the scope and then succeeded');
    assert.deepEqual(
      (await db.users.orderBy('email').toArray()).map((u) => u.email),
      ['a@x', 'b@x', 'outside@x'],
    );
    db.close();
  },
);

test(
  "nested 'rw!', 'r!' and incompatible 'rw?' inside a read-write scope fail at once with SubTransactionError; a fitting 'rw?' joins",
  { timeout: 10000 },
  async () => {
    const db = await openDb();
    for (const mode of ['rw!', 'r!']) {
      await assert.rejects(
        db.transaction('rw', db.users, () => db.transaction(mode, db.users, () => db.users.count())),
        (error) => error instanceof SubTransactionError && /one writer per database/.test(error.message),
        mode,
      );
    }
    await assert.rejects(
      db.transaction('rw', db.users, () => db.transaction('rw?', db.users, db.logs, () => db.logs.count())),
      (error) => error instanceof SubTransactionError,
      "'rw?' with a table the caller lacks",
    );
    const joined = await db.transaction('rw', db.users, async (outer) => {
      await db.transaction('rw?', db.users, async (inner) => {
        await db.users.add({ email: 'joined@x' });
        assert.equal(inner.root, outer);
      });
      return db.users.count();
    });
    assert.equal(joined, 1);
    db.close();
  },
);

test("operations called without await in one transaction run in call order, each seeing the one before (Dexie's #360: 2000 modifies)", async () => {
  const db = await openDb();
  const calls = 2000;
  const result = await db.transaction('rw', db.other, async () => {
    await db.other.put({ id: 1, value: 0 });
    for (let i = 0; i < calls; i++)
      void db.other
        .where('id')
        .equals(1)
        .modify((item) => void ++item.value);
    return db.other.get(1);
  });
  assert.equal(result.value, calls);
  assert.equal((await db.other.get(1)).value, calls);
});
