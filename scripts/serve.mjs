// serve.mjs: a small static server for the demo, bound to 127.0.0.1 only.
//   /            -> build/demo/ (the bundled demo: scripts/build-demo.mjs)
//   /indexie/    -> js/dist/    (the built package, for test pages' import maps)
// Used by the README's main command (run directly) and by the browser tests
// (imported: startServer()). Options: port (0 picks a free one), extra
// response headers (the CSP test sets Content-Security-Policy), and extra
// mounts {prefix, dir} that take precedence (tests serve their own pages and
// node_modules this way; the demo server never does).
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MOUNTS = [
  { prefix: '/indexie/', dir: join(ROOT, 'js', 'dist') },
  { prefix: '/', dir: join(ROOT, 'build', 'demo') },
];
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

// Maps a URL path to a file inside one of the mounts, or null (never escapes a mount).
function resolvePath(urlPath, mounts) {
  const path = decodeURIComponent(urlPath.split('?')[0]);
  for (const { prefix, dir } of mounts) {
    if (!path.startsWith(prefix)) continue;
    let file = normalize(join(dir, path.slice(prefix.length)));
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      if (statSync(file).isFile()) return file;
    } catch {
      /* not found */
    }
    return null;
  }
  return null;
}

export function startServer({ port = 0, headers = {}, mounts = [] } = {}) {
  const allMounts = [...mounts, ...MOUNTS];
  const server = createServer((req, res) => {
    const file = resolvePath(req.url ?? '/', allMounts);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
      ...headers,
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address();
      resolve({ url: `http://127.0.0.1:${actual}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const port = Number(process.env.PORT ?? 8080);
  const { url } = await startServer({ port });
  console.log(`indexie demo: ${url}`);
  console.log('(Ctrl-C stops the server)');
}
