// contacts-db.js: the demo's database, imported the way an app imports
// indexie (by package name, resolved by the bundler: scripts/build-demo.mjs),
// and the hook that sends every contact update to the fake server.
import { Indexie, Strategy } from 'indexie';

import { FakeServer } from './fake-server.js';

export const server = new FakeServer();

export const db = new Indexie('indexie-demo');
db.version(1).stores({ contacts: '++id, name, &email, age, city, *tags' });

// Optimistic by default: an update is visible at once and rolled back if the server refuses it.
db.contacts.strategy = Strategy.LOCAL_FIRST;
db.contacts.hook.onUpdate((change) => server.save(change));
