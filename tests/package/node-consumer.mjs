// node-consumer.mjs: a Node app using the packed package. The package test
// copies this file into a temp project where the tarball was installed with
// npm, so `indexie` below resolves to that project's node_modules, never to
// the workspace. Arguments: the file URLs of fake-indexeddb and workload.js.
// Prints one JSON line: where `indexie` resolved, and both runs' results.
import * as indexie from 'indexie';

const [fakeIndexedDbUrl, workloadUrl] = process.argv.slice(2);
const { IDBFactory, IDBKeyRange } = await import(fakeIndexedDbUrl);
const { workload, readBack } = await import(workloadUrl);

const out = { resolved: import.meta.resolve('indexie'), hasGlobalIndexedDB: 'indexedDB' in globalThis };

// In memory: Node has no IndexedDB of its own.
const started = performance.now();
out.memory = await workload(indexie, 'in-memory');
out.memoryMs = performance.now() - started;

// Persisted in an IndexedDB implementation passed in, as Dexie accepts it; a new instance reads it back.
const indexedDB = new IDBFactory();
out.idb = await workload(indexie, 'in-fake-idb', { indexedDB, IDBKeyRange });
out.idbReadBack = await readBack(indexie, 'in-fake-idb', { indexedDB, IDBKeyRange });
out.idbDatabases = (await indexedDB.databases()).map((info) => info.name);

console.log(JSON.stringify(out));
