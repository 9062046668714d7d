// electric-demo.mjs: the Postgres side of the demo's "Sync from Postgres"
// panel, started by scripts/demo.sh: a throwaway Postgres cluster
// (tests/electric/postgres.mjs, Debian's postgresql) with a `pg_contacts`
// table of 25 rows, and the test shape server (tests/electric/shape-server.mjs,
// the Electric 1.x Shape HTTP API) on 127.0.0.1:<--port> (default 8788).
// Every --every seconds (default 5; 0 = never) one row changes with SQL, so
// the panel shows live changes arriving. Prints one line once both answer;
// stops both (and removes the cluster) on SIGINT/SIGTERM.
import { parseArgs } from 'node:util';

import { PG_CONTACTS_SQL } from '../tests/electric/fixtures.mjs';
import { startPostgres } from '../tests/electric/postgres.mjs';
import { startShapeServer } from '../tests/electric/shape-server.mjs';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8788' }, every: { type: 'string', default: '5' } } });

const postgres = await startPostgres();
const shapes = await startShapeServer({ connection: postgres.connection(), port: Number(values.port) }).catch(async (error) => {
  await postgres.stop();
  throw error;
});
await shapes.pool.query(PG_CONTACTS_SQL);
console.log(`shape server: ${shapes.url}?table=pg_contacts over Postgres in ${postgres.socketDir}`);

const CITIES = ['Lisbon', 'Oslo', 'Kyoto', 'Lima', 'Nairobi', 'Quito', 'Turin'];
let tick = 0;
const every = Number(values.every) * 1000;
const ticker =
  every > 0
    ? setInterval(() => {
        tick++;
        void shapes.sql(`UPDATE pg_contacts SET city = $1, updated_at = now() WHERE id = $2`, [
          CITIES[tick % CITIES.length],
          1 + (tick % 25),
        ]);
      }, every)
    : undefined;

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  clearInterval(ticker);
  await shapes.stop();
  await postgres.stop();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
