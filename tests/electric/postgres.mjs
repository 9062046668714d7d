// tests/electric/postgres.mjs: a throwaway Postgres cluster for a test.
//
// startPostgres() runs Debian's `postgresql` binaries (installed by
// scripts/setup.sh): initdb into a fresh temp dir, then `postgres` listening
// only on a unix socket in that dir (no TCP port to collide with other
// tests), and resolves { socketDir, dataDir, connection(), stop() }.
// stop() shuts the server down (fast mode) and removes the dir.
//
// initdb and postgres refuse to run as root: as root, the cluster belongs to
// the `postgres` user (or `nobody` when Debian's user is missing) and both
// run through `setpriv`; the temp dir is handed to that user first.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The directory of Postgres' server binaries (the highest installed version). */
export function postgresBinDir() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error('Postgres is not installed (run scripts/setup.sh: apt-get install postgresql)');
  return join(root, versions[0], 'bin');
}

/** The user the cluster runs as, and how to run a command as it. */
function runAs() {
  if (process.getuid() !== 0) return { user: null, wrap: (cmd, args) => [cmd, args] };
  const user = spawnSync('id', ['-u', 'postgres']).status === 0 ? 'postgres' : 'nobody';
  // setpriv execs the command itself (no parent process in between), so stop()'s signal reaches postgres.
  return { user, wrap: (cmd, args) => ['setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', cmd, ...args]] };
}

function idOf(user, flag) {
  return Number(spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout.trim());
}

/**
 * Starts a cluster; resolves once it accepts connections.
 * @returns {Promise<{ socketDir: string, dataDir: string, port: number, connection: () => object, stop: () => Promise<void> }>}
 */
export async function startPostgres() {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'indexie-pg-'));
  const dataDir = join(dir, 'data');
  const { user, wrap } = runAs();
  if (user) {
    chownSync(dir, idOf(user, '-u'), idOf(user, '-g'));
    chmodSync(dir, 0o700);
  }
  const [initCmd, initArgs] = wrap(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = 5432; // only names the socket file (.s.PGSQL.5432) in our own dir: no TCP listener
  const [cmd, args] = wrap(join(bin, 'postgres'), [
    '-D',
    dataDir,
    '-k',
    dir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
  ]);
  const server = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (chunk) => (log += chunk));
  const exited = new Promise((resolve) => server.once('exit', resolve));
  const socket = join(dir, `.s.PGSQL.${port}`);
  const deadline = Date.now() + 30_000;
  while (!existsSync(socket) || !/ready to accept connections/.test(log)) {
    if (server.exitCode !== null) throw new Error(`postgres exited: ${log}`);
    if (Date.now() > deadline) throw new Error(`postgres did not start in 30 s: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    socketDir: dir,
    dataDir,
    port,
    /** Options for pg's Client / Pool. */
    connection: () => ({ host: dir, port, user: 'postgres', database: 'postgres' }),
    stop: async () => {
      if (server.exitCode === null) {
        server.kill('SIGINT'); // fast shutdown
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
