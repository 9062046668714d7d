// sample.ts: a compile-only program that uses indexie's public API the way
// an app does, and checks what TypeScript infers. Nothing here runs: tsc
// (tests/node/types.test.mjs) compiles it against js/dist/*.d.ts.
//   - exact<Equals<typeof x, T>>() fails unless x's type is exactly T (any fails too);
//   - notAny(x) fails if x's type widened to any;
//   - each `// @ts-expect-error` line is a wrong use that must not compile
//     (tsc reports an @ts-expect-error line that has no error).
import {
  BulkError,
  ConstraintError,
  Indexie,
  Strategy,
  liveQuery,
  type Collection,
  type EntityTable,
  type IndexableType,
  type InsertType,
  type KeyPathValue,
  type KeyPaths,
  type Observable,
  type PromiseExtended,
  type Subscription,
  type Table,
  type Transaction,
  type UpdateSpec,
  type WhereClause,
} from 'indexie';
import { from, type Observable as RxObservable } from 'rxjs';

import { exact, expectType, notAny, type Equals, type IsAny } from './expect';

// --- The app's records --------------------------------------------------------

interface Address {
  city: string;
  zip?: string;
  geo?: { lat: number; lng: number };
}

interface User {
  id: number;
  name: string;
  email: string;
  age?: number;
  tags: string[];
  address?: Address;
  createdAt: Date;
}

interface Setting {
  key: string;
  value: string | number;
}

interface Note {
  text: string;
}

/** A record class: its methods are not part of what add() takes. */
class Todo {
  id!: number;
  title!: string;
  done!: boolean;
  toggle(): void {
    this.done = !this.done;
  }
}

const newUser = { name: 'Ada', email: 'ada@example.com', tags: ['math'], createdAt: new Date() };

// --- Key paths and update specs -------------------------------------------------

exact<
  Equals<
    KeyPaths<User>,
    | 'id'
    | 'name'
    | 'email'
    | 'age'
    | 'tags'
    | `tags.${number}`
    | 'createdAt'
    | 'address'
    | 'address.city'
    | 'address.zip'
    | 'address.geo'
    | 'address.geo.lat'
    | 'address.geo.lng'
  >
>();
exact<Equals<KeyPaths<Todo>, 'id' | 'title' | 'done'>>();
exact<Equals<KeyPathValue<User, 'address.geo.lat'>, number>>();
exact<Equals<KeyPathValue<User, 'tags.3'>, string>>();
exact<Equals<KeyPathValue<User, 'address'>, Address | undefined>>();
exact<Equals<KeyPaths<any>, string>>();
expectType<UpdateSpec<User>>({ name: 'Ada', 'address.city': 'Paris', 'tags.0': 'x', age: undefined });
// @ts-expect-error: a path User does not have
expectType<UpdateSpec<User>>({ 'address.country': 'FR' });
// @ts-expect-error: the value at a nested path has the wrong type
expectType<UpdateSpec<User>>({ 'address.geo.lat': '48.8' });

// InsertType: the named properties become optional, methods are left out.
exact<
  Equals<
    InsertType<User, 'id'>,
    { name: string; email: string; age?: number; tags: string[]; address?: Address; createdAt: Date; id?: number }
  >
>();
exact<Equals<InsertType<Todo, 'id'>, { title: string; done: boolean; id?: number }>>();

// Booleans, null and objects are not keys.
expectType<IndexableType>([1, 'a', new Date(), new Uint8Array(2), [[]]]);
// @ts-expect-error: a boolean is not a key
expectType<IndexableType>(true);

// --- A typed database, Dexie's cast pattern -------------------------------------

const db = new Indexie('app') as Indexie & {
  users: EntityTable<User, 'id'>; // '++id': the key is generated, so add() may leave it out
  settings: Table<Setting, string>; // 'key': the key is part of every record
  notes: Table<Note, number>; // '++': outbound keys
  anything: EntityTable<Note>; // no key property named: any valid key
};
db.version(1).stores({ users: '++id, &email, name, age, *tags, address.city', settings: 'key', notes: '++', anything: '++' });

exact<Equals<typeof db.users, Table<User, number, InsertType<User, 'id'>>>>();
exact<Equals<typeof db.anything, Table<Note, IndexableType, Note>>>();

// A table by name: typed by its arguments, `any` without (as in Dexie).
const usersByName = db.table<User, number>('users');
exact<Equals<typeof usersByName, Table<User, number, User>>>();
const untyped = db.table('users');
exact<Equals<typeof untyped, Table<any, any, any>>>();
exact<IsAny<Awaited<ReturnType<typeof untyped.get>>>>();

async function writes(): Promise<void> {
  // add resolves the generated key; the key may be left out, or given.
  const id = await db.users.add(newUser);
  exact<Equals<typeof id, number>>();
  await db.users.add({ ...newUser, id: 7 });
  await db.users.put({ ...newUser, id: 7, age: 36 });
  const settingKey = await db.settings.put({ key: 'theme', value: 'dark' });
  exact<Equals<typeof settingKey, string>>();
  const noteKey = await db.notes.add({ text: 'outbound' }, 5);
  exact<Equals<typeof noteKey, number>>();

  // @ts-expect-error: wrong field type
  await db.users.add({ ...newUser, name: 42 });
  // @ts-expect-error: a required field (email) is missing
  await db.users.add({ name: 'Ada', tags: [], createdAt: new Date() });
  // @ts-expect-error: a field User does not have
  await db.users.add({ ...newUser, nickname: 'A' });
  // @ts-expect-error: the key of a table of non-generated keys is required
  await db.settings.add({ value: 1 });
  // @ts-expect-error: db.table<User, number> says nothing about generated keys: add needs the id
  await usersByName.add(newUser);
  // @ts-expect-error: an outbound key of the wrong type
  await db.notes.add({ text: 'x' }, 'five');

  // bulkAdd / bulkPut: the last key, or every key with {allKeys: true}.
  const lastKey = await db.users.bulkAdd([newUser, { ...newUser, email: 'b@x' }]);
  exact<Equals<typeof lastKey, number>>();
  const allKeys = await db.users.bulkAdd([newUser], { allKeys: true });
  exact<Equals<typeof allKeys, number[]>>();
  const oneKey = await db.users.bulkPut([newUser], { allKeys: false });
  exact<Equals<typeof oneKey, number>>();
  const noteKeys = await db.notes.bulkPut([{ text: 'a' }, { text: 'b' }], [1, 2], { allKeys: true });
  exact<Equals<typeof noteKeys, number[]>>();
  // @ts-expect-error: one of the items is not a User
  await db.users.bulkAdd([newUser, { name: 'no email' }]);

  // update: key paths (dotted for nested properties) with values of their type, or a function.
  const updated = await db.users.update(1, { name: 'Ada L.', 'address.city': 'London', 'tags.0': 'logic', age: undefined });
  exact<Equals<typeof updated, number>>();
  await db.users.update(1, (user, ctx) => {
    exact<Equals<typeof user, User>>();
    exact<Equals<typeof ctx.primKey, number>>();
    user.age = (user.age ?? 0) + 1;
    if (user.tags.length === 0) delete ctx.value;
  });
  const user = await db.users.get(1);
  if (user) await db.users.update(user, { age: 37 }); // by the record itself, as Dexie allows
  // @ts-expect-error: a field User does not have
  await db.users.update(1, { nmae: 'typo' });
  // @ts-expect-error: a value of the wrong type
  await db.users.update(1, { age: 'old' });
  // @ts-expect-error: a nested value of the wrong type
  await db.users.update(1, { 'address.city': 75000 });
  // @ts-expect-error: a nested path that does not exist
  await db.users.update(1, { 'address.country': 'UK' });
  // @ts-expect-error: a key of the wrong type
  await db.users.update('1', { name: 'x' });
  await db.users.update(1, (u) => {
    // @ts-expect-error: the function gets a User
    u.age = 'old';
  });

  const existed = await db.users.upsert(2, { name: 'Grace', email: 'g@x' });
  exact<Equals<typeof existed, boolean>>();
  const count = await db.users.bulkUpdate([
    { key: 1, changes: { name: 'A' } },
    { key: 2, changes: { 'address.zip': '1000' } },
  ]);
  exact<Equals<typeof count, number>>();
  // @ts-expect-error: bulkUpdate keys are the table's keys
  await db.users.bulkUpdate([{ key: 'one', changes: { name: 'A' } }]);
  // @ts-expect-error: upsert changes are checked like update's
  await db.users.upsert(2, { name: 2 });

  await db.users.delete(1);
  await db.users.bulkDelete([1, 2]);
  // @ts-expect-error: a key of the wrong type
  await db.users.delete('1');
  // @ts-expect-error: keys of the wrong type
  await db.users.bulkDelete(['1']);
  await db.users.clear();

  // Changes from a server (no hook fires): records and keys of the table's types.
  await db.users.applyRemote([
    { type: 'put', value: { ...newUser, id: 3 } },
    { type: 'delete', key: 4 },
  ]);
  // @ts-expect-error: a key of the wrong type
  await db.users.applyRemote([{ type: 'delete', key: 'four' }]);

  try {
    await db.users.bulkAdd([newUser, newUser]);
  } catch (error) {
    if (error instanceof BulkError) expectType<Error>(error);
  }
}

async function reads(): Promise<void> {
  const one = await db.users.get(1);
  exact<Equals<typeof one, User | undefined>>();
  const byEmail = await db.users.get({ email: 'ada@example.com' });
  exact<Equals<typeof byEmail, User | undefined>>();
  const some = await db.users.bulkGet([1, 2]);
  exact<Equals<typeof some, Array<User | undefined>>>();
  const all = await db.users.toArray();
  exact<Equals<typeof all, User[]>>();
  const setting = await db.settings.get('theme');
  exact<Equals<typeof setting, Setting | undefined>>();
  const total = await db.users.count();
  exact<Equals<typeof total, number>>();

  // @ts-expect-error: a key of the wrong type
  await db.users.get('1');
  // @ts-expect-error: keys of the wrong type
  await db.users.bulkGet(['1']);
  // @ts-expect-error: toArray() gives User[], not a number
  const wrong: number = await db.users.toArray();
  // @ts-expect-error: User has no such field
  all[0].nickname;

  // where(): index names as strings (also '[a+b]', key path arrays, ':id'), or criteria.
  const clause = db.users.where('age');
  exact<Equals<typeof clause, WhereClause<User, number, InsertType<User, 'id'>>>>();
  const adults = db.users.where('age').aboveOrEqual(18);
  exact<Equals<typeof adults, Collection<User, number, InsertType<User, 'id'>>>>();
  const adultList = await adults.toArray();
  exact<Equals<typeof adultList, User[]>>();
  const firstAdult = await adults.first();
  exact<Equals<typeof firstAdult, User | undefined>>();
  const lastAdult = await adults.last();
  exact<Equals<typeof lastAdult, User | undefined>>();
  const adultIds = await adults.primaryKeys();
  exact<Equals<typeof adultIds, number[]>>();
  const ages = await adults.keys();
  exact<Equals<typeof ages, IndexableType[]>>();
  const youngest = await adults.firstKey();
  exact<Equals<typeof youngest, IndexableType | undefined>>();
  const byCriteria = await db.users.where({ name: 'Ada', 'address.city': 'Paris' }).toArray();
  exact<Equals<typeof byCriteria, User[]>>();
  await db.users.where('[name+email]').equals(['Ada', 'ada@example.com']).count();
  await db.users.where(['name', 'email']).between(['A', ''], ['B', ''], true, false).toArray();
  await db.users.where('age').between(Indexie.minKey, Indexie.maxKey).toArray();
  await db.users.where(':id').anyOf([1, 2, 3]).toArray();
  await db.users.where('id').anyOf(1, 2, 3).or('email').startsWithIgnoreCase('ada').toArray();
  await db.users.where('name').anyOfIgnoreCase('ada', 'grace').toArray();
  await db.users.where('name').startsWithAnyOf(['A', 'G']).toArray();
  await db.users
    .where('age')
    .noneOf([1, 2])
    .and((u) => u.tags.length > 0)
    .toArray();
  await db.users
    .where('age')
    .inAnyRange([
      [0, 18],
      [65, Infinity],
    ])
    .toArray();
  await db.users.where('createdAt').below(new Date()).toArray();
  // @ts-expect-error: a boolean is not a key (IndexedDB does not index booleans)
  db.users.where('active').equals(true);
  // @ts-expect-error: null is not a key
  db.users.where('age').above(null);
  // @ts-expect-error: an object is not a key
  db.users.where('address').anyOf([{ city: 'Paris' }]);

  // Collections: composition keeps the types; terminal calls give T, TKey.
  const page = await db.users.orderBy('name').reverse().offset(10).limit(5).toArray();
  exact<Equals<typeof page, User[]>>();
  const sorted = await db.users.where('age').above(30).sortBy('name');
  exact<Equals<typeof sorted, User[]>>();
  const filtered = db.users.filter((u) => u.tags.includes('math'));
  exact<Equals<typeof filtered, Collection<User, number, InsertType<User, 'id'>>>>();
  const withAge = await db.users
    .toCollection()
    .filter((u): u is User & { age: number } => u.age !== undefined)
    .toArray();
  exact<Equals<typeof withAge, Array<User & { age: number }>>>();
  await db.users.each((value, cursor) => {
    exact<Equals<typeof value, User>>();
    exact<Equals<typeof cursor.primaryKey, number>>();
    exact<Equals<typeof cursor.key, IndexableType>>();
  });
  await db.users
    .where('age')
    .above(1)
    .eachPrimaryKey((key) => exact<Equals<typeof key, number>>());
  await db.users
    .where('age')
    .above(1)
    .eachKey((key) => exact<Equals<typeof key, IndexableType>>());
  const cloned = db.users
    .where('age')
    .above(1)
    .distinct()
    .clone()
    .until((u) => u.age === 50, true);
  exact<Equals<typeof cloned, Collection<User, number, InsertType<User, 'id'>>>>();
  const sum = await db.users.toCollection().sum('age');
  exact<Equals<typeof sum, number>>();
  const avg = await db.users.toCollection().avg('age');
  exact<Equals<typeof avg, number | undefined>>();
  // @ts-expect-error: the filter gets a User
  db.users.filter((u: string) => u.length > 0);
  // @ts-expect-error: a collection of Users is not a collection of Settings
  const settingsCollection: Collection<Setting, string> = db.users.toCollection();

  // modify: the update spec of the table, or a function of the record.
  const modified = await db.users.where('age').below(18).modify({ 'address.city': 'Paris', tags: [] });
  exact<Equals<typeof modified, number>>();
  await db.users.toCollection().modify((u, ctx) => {
    u.tags.push('seen');
    if (u.age === undefined) ctx.value = { ...u, age: 0 };
  });
  const deleted = await db.users.where('age').above(120).delete();
  exact<Equals<typeof deleted, number>>();
  // @ts-expect-error: a field User does not have
  await db.users.toCollection().modify({ nope: 1 });
  await db.users.toCollection().modify((u) => {
    // @ts-expect-error: the function gets a User
    u.name = 1;
  });

  notAny(one);
  notAny(all);
  notAny(adultIds);
  notAny(clause);
  void wrong;
  void settingsCollection;
}

// --- Transactions ---------------------------------------------------------------

async function transactions(): Promise<void> {
  // The scope's result (or what its promise resolves to) is the transaction's; tx.<table> is typed.
  const added = await db.transaction('rw', db.users, db.settings, async (tx) => {
    expectType<Transaction>(tx);
    exact<Equals<typeof tx.users, EntityTable<User, 'id'>>>();
    const id = await tx.users.add(newUser);
    await db.settings.put({ key: 'last', value: id });
    return id;
  });
  exact<Equals<typeof added, number>>();

  const names = await db.transaction('r', [db.users, 'settings'], () => db.users.toCollection().primaryKeys());
  exact<Equals<typeof names, number[]>>();
  const label = await db.transaction('rw!', 'users', () => 'done', { optimistic: true });
  exact<Equals<typeof label, string>>();
  await db.transaction('readonly', db.users, db.settings, db.notes, async (tx) => {
    const table = tx.table<User, number>('users');
    exact<Equals<typeof table, Table<User, number, User>>>();
  });

  // @ts-expect-error: not a transaction mode
  await db.transaction('write', db.users, async () => undefined);
  // @ts-expect-error: the scope is missing
  await db.transaction('rw', db.users);
  // @ts-expect-error: not a table of this database
  await db.transaction('rw', db.users, async (tx) => tx.friends);
  // @ts-expect-error: the result is a number, not a string
  const notString: string = await db.transaction('r', db.users, () => db.users.count());
  void notString;

  // Explicit transactions.
  const explicit = db.users.startTransaction({ tables: ['settings'], optimistic: true });
  await explicit.table<User, number>('users').add({ ...newUser, id: 9 });
  await explicit.commit();
  expectType<Transaction | null>(Indexie.currentTransaction);
  const fetched = await Indexie.waitFor(Promise.resolve(42));
  exact<Equals<typeof fetched, number>>();

  // Upgrades get the upgrade transaction.
  db.version(2)
    .stores({ users: '++id, &email, name, age, *tags' })
    .upgrade(async (tx) => {
      expectType<Transaction>(tx);
      await tx
        .table<User, number>('users')
        .toCollection()
        .modify((u) => {
          u.tags ??= [];
        });
    });
}

// --- A typed database as a subclass, Dexie's class pattern ------------------------

class AppDb extends Indexie {
  users!: EntityTable<User, 'id'>;
  todos!: EntityTable<Todo, 'id'>;

  constructor() {
    super('app-db');
    this.version(1).stores({ users: '++id, &email', todos: '++id, done' });
  }
}

async function subclass(): Promise<void> {
  const app = new AppDb();
  const todoId = await app.todos.add({ title: 'write types', done: false }); // no toggle(): methods are not data
  exact<Equals<typeof todoId, number>>();
  const todo = await app.todos.get(todoId);
  todo?.toggle();
  // @ts-expect-error: a Todo's done is a boolean
  await app.todos.update(todoId, { done: 'yes' });
  // @ts-expect-error: methods are not key paths
  await app.todos.update(todoId, { toggle: undefined });
  const open = await app.transaction('rw', app.todos, app.users, async (tx) => {
    exact<Equals<typeof tx.todos, EntityTable<Todo, 'id'>>>();
    return tx.todos.where('done').equals(0).toArray();
  });
  exact<Equals<typeof open, Todo[]>>();
  const plain = new Indexie('plain');
  await plain.transaction('r', 'things', (tx) => {
    exact<Equals<typeof tx, Transaction>>(); // an untyped database: a plain Transaction
  });
}

// --- Live queries ---------------------------------------------------------------

function liveQueries(): void {
  const adults = liveQuery(() => db.users.where('age').aboveOrEqual(18).toArray());
  exact<Equals<typeof adults, Observable<User[]>>>();
  const counted = liveQuery(async () => ({ users: await db.users.count(), first: await db.users.get(1) }));
  exact<Equals<typeof counted, Observable<{ users: number; first: User | undefined }>>>();
  const synchronous = liveQuery(() => 42, { onRun: () => undefined });
  exact<Equals<typeof synchronous, Observable<number>>>();

  const subscription = adults.subscribe({
    next: (users) => exact<Equals<typeof users, User[]>>(),
    error: (error) => exact<Equals<typeof error, unknown>>(),
  });
  exact<Equals<typeof subscription, Subscription>>();
  expectType<boolean>(subscription.closed);
  subscription.unsubscribe();
  adults.subscribe((users) => notAny(users)).unsubscribe();
  // @ts-expect-error: the observable gives User[]
  adults.subscribe((users: string) => users);
  // @ts-expect-error: the querier must be a function
  liveQuery(db.users.toArray());

  // RxJS takes it through Symbol.observable.
  const rx = from(adults);
  exact<Equals<typeof rx, RxObservable<User[]>>>();
}

// --- Hooks ----------------------------------------------------------------------

function hooks(): void {
  db.users.hook('creating', function (primKey, obj, tx) {
    exact<Equals<typeof primKey, number>>();
    exact<Equals<typeof obj, User>>();
    expectType<Transaction>(tx);
    obj.createdAt = new Date();
    this.onsuccess = (key) => exact<Equals<typeof key, number>>();
    this.onerror = (error) => exact<Equals<typeof error, unknown>>();
  });
  db.users.hook('creating', () => 42); // a returned key becomes the key of a record without one
  db.users.hook('updating', function (mods, primKey, obj) {
    exact<Equals<typeof mods, { [keyPath: string]: unknown }>>();
    exact<Equals<typeof primKey, number>>();
    exact<Equals<typeof obj, User>>();
    this.onsuccess = (updated) => exact<Equals<typeof updated, User>>();
    return { 'address.city': obj.address?.city.trim() ?? 'unknown' }; // more changes
  });
  db.users.hook('deleting', (primKey, obj, tx) => {
    exact<Equals<typeof primKey, number>>();
    exact<Equals<typeof obj, User>>();
    expectType<Transaction>(tx);
  });
  db.users.hook('reading', (obj) => ({ ...obj, name: obj.name.trim() }));

  // The hook lists, to unsubscribe.
  const stamp = (_primKey: number, obj: User): void => {
    obj.createdAt = new Date();
  };
  db.users.hook('creating', stamp);
  db.users.hook('creating').unsubscribe(stamp);
  db.users.hook.creating.subscribe(stamp);
  expectType<number>(db.users.hook.reading.size);

  // @ts-expect-error: the key of users is a number
  db.users.hook('creating', (primKey: string, obj: User) => void [primKey, obj]);
  // @ts-expect-error: a creating hook may return a key, and a User's key is a number
  db.users.hook('creating', () => 'not a key');
  // @ts-expect-error: a reading hook returns the record
  db.users.hook('reading', (obj) => obj.name);
  // @ts-expect-error: the more changes an updating hook returns are checked: a User's name is a string
  db.users.hook('updating', () => ({ name: 42 }));
  // @ts-expect-error: no such hook
  db.users.hook('changing', () => undefined);

  // The async hooks: a typed change for each kind.
  const stopAdd = db.users.hook.onAdd(async (change) => {
    exact<Equals<typeof change.type, 'add'>>();
    exact<Equals<typeof change.item, User>>();
    exact<Equals<typeof change.key, number>>();
  });
  db.users.hook.onUpdate((change) => {
    exact<Equals<typeof change.previous, User>>();
    exact<Equals<typeof change.item, User>>();
    exact<Equals<typeof change.changes, { [keyPath: string]: unknown }>>();
  });
  db.users.hook.onDelete((change) => exact<Equals<typeof change.previous, User>>());
  // @ts-expect-error: a deleted record has no new value
  db.users.hook.onDelete((change) => change.item);
  exact<Equals<typeof stopAdd, () => void>>();
  stopAdd();

  db.users.strategy = Strategy.NETWORK_FIRST;
  // @ts-expect-error: not a strategy
  db.users.strategy = 'eventually';
}

// --- Dexie's PromiseExtended: filtered catch type-checks on every API promise ----
async function promises(db: AppDb, user: User): Promise<void> {
  const added = db.users.add(user);
  exact<Equals<typeof added, PromiseExtended<number>>>();
  const byClass = added.catch(ConstraintError, (error) => {
    expectType<unknown>(error);
    return -1;
  });
  exact<Equals<typeof byClass, PromiseExtended<number>>>();
  const byName = db.users.toArray().catch('ConstraintError', () => [] as User[]);
  exact<Equals<typeof byName, PromiseExtended<User[]>>>();
  const chained = db
    .transaction('rw', db.users, () => 1)
    .then((n) => n + 1)
    .catch(Indexie.DataError, () => 0)
    .finally(() => undefined);
  exact<Equals<typeof chained, PromiseExtended<number>>>();
  const opened: PromiseExtended<AppDb> = db.open();
  // @ts-expect-error: a filter needs a handler
  void added.catch('ConstraintError');
  await opened;
}

export { writes, reads, transactions, subclass, liveQueries, hooks, promises };
