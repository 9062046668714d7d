#!/usr/bin/env node
// sync-server/cli.mjs: runs the reference sync server on its own.
//   node sync-server/cli.mjs [--port 8787] [--file sync.db] [--tables contacts,notes]
// Prints the base URL to hand to db.sync({ url }).
import { startSyncServer } from './reference-server.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const server = await startSyncServer({
  port: Number(option('port', '8787')),
  file: option('file', 'sync-server.db'),
  tables: option('tables') ? option('tables').split(',') : undefined,
});
console.log(`indexie reference sync server: ${server.url}`);
process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
