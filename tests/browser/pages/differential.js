// differential.js: runs one query description on a Dexie table and on an
// indexie table holding the same data, with the same chain of API calls
// (the two APIs are the same), and returns both results as JSON.
import Dexie from 'dexie';
import { Indexie } from 'indexie';

const SCHEMA = { people: 'id, name, age, *tags, [first+last], score' };
const FILTERS = {
  evenId: (p) => p.id % 2 === 0,
  hasTags: (p) => Array.isArray(p.tags) && p.tags.length > 0,
  young: (p) => typeof p.age === 'number' && p.age < 30,
};
const UNTILS = {
  ageOver40: (p) => typeof p.age === 'number' && p.age > 40,
};

// Builds the query on `table` and runs its output method.
function run(table, query) {
  let collection;
  if (query.where) {
    collection = table.where(query.where.index)[query.where.method](...query.where.args);
  } else if (query.orderBy) {
    collection = table.orderBy(query.orderBy);
  } else {
    collection = table.toCollection();
  }
  if (query.or) collection = collection.or(query.or.index)[query.or.method](...query.or.args);
  for (const [method, arg, extra] of query.mods) {
    if (method === 'filter') collection = collection.filter(FILTERS[arg]);
    else if (method === 'until') collection = collection.until(UNTILS[arg], extra);
    else collection = collection[method](...(arg === undefined ? [] : [arg]));
  }
  return collection[query.output]();
}

async function outcome(table, query) {
  try {
    return { value: await run(table, query) };
  } catch (error) {
    return { error: error.name };
  }
}

async function openBoth(data) {
  const name = `differential-${Math.random().toString(36).slice(2)}`;
  const dexie = new Dexie(name);
  dexie.version(1).stores(SCHEMA);
  await dexie.people.bulkAdd(structuredClone(data));
  const indexie = new Indexie(name);
  indexie.version(1).stores(SCHEMA);
  await indexie.people.bulkAdd(structuredClone(data));
  return { dexie, indexie };
}

window.runDifferential = async (data, queries) => {
  const { dexie, indexie } = await openBoth(data);
  const results = [];
  for (const query of queries) {
    results.push({ dexie: await outcome(dexie.people, query), indexie: await outcome(indexie.people, query) });
  }
  dexie.close();
  await Dexie.delete(dexie.name);
  indexie.close();
  return JSON.parse(JSON.stringify(results));
};

document.getElementById('status').textContent = 'ready';
