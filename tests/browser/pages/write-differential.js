// write-differential.js: runs one generated operation (a write, a bad call,
// or a query with its modifiers in any order) on a Dexie database and on an
// indexie database in the same state, each on its own deep copy of the
// operation's input, and returns both outcomes: the value or the error (name,
// and a BulkError's failure positions), what the call left in its input
// objects (Dexie 4 writes keys back in some calls and not others), and the
// tables' contents afterwards. tests/browser/dexie-write-differential.test.mjs
// generates the operations.
import Dexie from 'dexie';
import { Indexie } from 'indexie';

import { describe } from './fidelity.js';

export const SCHEMA = { inb: 'id, name, *tags', auto: '++id, name, age', outb: '++, name' };

const FILTERS = {
  evenAge: (r) => typeof r.age === 'number' && r.age % 2 === 0,
  named: (r) => typeof r.name === 'string' && r.name.length > 1,
};

/** The modify() forms Dexie documents, by name. */
const MODIFIERS = {
  setField: (arg) => arg,
  mutate: () => (r) => {
    r.age = (r.age ?? 0) + 1;
  },
  returnFalse: () => (r) => {
    r.touched = true;
    return false;
  },
  replaceValue: () =>
    function (r, ctx) {
      ctx.value = { ...r, replaced: true };
    },
  deleteValue: () =>
    function (r, ctx) {
      if (r.age > 40) delete ctx.value;
    },
  throwSome: () => (r) => {
    if (r.age > 45) throw new RangeError('too old');
    r.checked = true;
  },
};

function collectionOf(table, query) {
  let collection = query.where ? table.where(query.where.index)[query.where.method](...query.where.args) : table.toCollection();
  for (const [method, arg] of query.mods) {
    if (method === 'filter') collection = collection.filter(FILTERS[arg]);
    else collection = collection[method](...(arg === undefined ? [] : [arg]));
  }
  return collection;
}

function call(db, op) {
  const table = db[op.table];
  switch (op.kind) {
    case 'modify':
      return collectionOf(table, op.query).modify(MODIFIERS[op.form](op.arg));
    case 'query':
      return collectionOf(table, op.query)[op.output]();
    case 'collectionDelete':
      return collectionOf(table, op.query).delete();
    default:
      return table[op.kind](...op.args);
  }
}

async function outcome(db, op) {
  const copy = structuredClone(op);
  let result;
  try {
    result = { value: describe(await call(db, copy)) };
  } catch (error) {
    result = { error: error?.name ?? String(error) };
    if (error?.failures) result.failedPositions = Object.keys(error.failuresByPos ?? {}).map(Number);
  }
  result.input = describe(copy.args ?? null);
  result.tables = {};
  for (const name of Object.keys(SCHEMA)) result.tables[name] = describe(await db[name].toArray());
  return result;
}

let databases;

window.openWriteDifferential = async () => {
  const name = `write-differential-${Math.random().toString(36).slice(2)}`;
  const dexie = new Dexie(name);
  dexie.version(1).stores(SCHEMA);
  const indexie = new Indexie(name);
  indexie.version(1).stores(SCHEMA);
  await Promise.all([dexie.open(), indexie.open()]);
  databases = { dexie, indexie, name };
};

window.runWriteOperation = async (op) => ({ dexie: await outcome(databases.dexie, op), indexie: await outcome(databases.indexie, op) });

window.closeWriteDifferential = async () => {
  databases.dexie.close();
  databases.indexie.close();
  await Dexie.delete(databases.name);
  await Indexie.delete(databases.name);
};
