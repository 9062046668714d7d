// fidelity.js: runs one named scenario (fidelity-scenarios.js) on Dexie and
// on indexie, each on a fresh database, and returns both outcomes as JSON.
import Dexie from 'dexie';
import * as indexie from 'indexie';

import { LIFECYCLE_SCENARIOS } from './fidelity-scenarios-lifecycle.js';
import { SCENARIOS as BASE_SCENARIOS } from './fidelity-scenarios.js';

const SCENARIOS = { ...BASE_SCENARIOS, ...LIFECYCLE_SCENARIOS };

/** indexie on the storage the page's URL names (?storage=opfs: the engine in a Worker over OPFS), else the default. */
const storage = new URLSearchParams(location.search).get('storage');
class IndexieOnStorage extends indexie.Indexie {
  constructor(name, options) {
    super(name, { storage, ...options });
  }
  static delete(name, options) {
    return indexie.Indexie.delete(name, { storage, ...options });
  }
  static exists(name, options) {
    return indexie.Indexie.exists(name, { storage, ...options });
  }
}

const LIBRARIES = { dexie: Dexie, indexie: storage ? IndexieOnStorage : indexie.Indexie };

/** A scenario's result or its error's name, as JSON, with the types the comparison needs kept (see describe). */
async function outcome(Lib, name) {
  const dbName = `fidelity-${name}-${Math.random().toString(36).slice(2)}`;
  try {
    return { value: describe(await SCENARIOS[name](Lib, dbName)) };
  } catch (error) {
    return { error: error?.name ?? String(error), message: error?.message };
  } finally {
    await Lib.delete(dbName).catch(() => undefined);
  }
}

/** JSON of a value that keeps what JSON would lose: binary types, undefined, holes, Dates, Maps, Sets. */
export function describe(value) {
  if (value === undefined) return { $: 'undefined' };
  if (typeof value === 'number' && !Number.isFinite(value)) return { $: 'number', v: String(value) };
  if (typeof value === 'bigint') return { $: 'bigint', v: String(value) };
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof ArrayBuffer) return { $: 'ArrayBuffer', v: [...new Uint8Array(value)] };
  if (ArrayBuffer.isView(value))
    return { $: value.constructor.name, v: [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)] };
  if (value instanceof Date) return { $: 'Date', v: value.getTime() };
  if (value instanceof Map) return { $: 'Map', v: [...value].map(([k, v]) => [describe(k), describe(v)]) };
  if (value instanceof Set) return { $: 'Set', v: [...value].map(describe) };
  if (Array.isArray(value)) return Array.from({ length: value.length }, (_, i) => (i in value ? describe(value[i]) : { $: 'hole' }));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, describe(v)]));
}

window.scenarioNames = () => Object.keys(SCENARIOS);
window.runScenario = async (name) => ({ dexie: await outcome(LIBRARIES.dexie, name), indexie: await outcome(LIBRARIES.indexie, name) });

document.getElementById('status').textContent = 'ready';
