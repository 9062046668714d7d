// sync-server/link-proxy.mjs: the network link between one "device" and the
// sync server, for tests and soaks: an HTTP proxy the device's db.sync()
// points at, which a test can cut (offline: connections refused and open
// ones reset, as a real network drop looks to fetch), and which shows the
// test each push as it arrives so it can act in the middle of one (kill the
// browser before the server saw it, or after the server applied it and
// before the answer got back).
//
// It also counts what the server cannot see: pushes in flight at once
// (maxConcurrentPushes: one device's tabs must never overlap their pushes).
// Not part of the protocol; the reference server is unaware of it.
import { createServer, request as httpRequest } from 'node:http';

function readAll(stream) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * Starts a proxy on a free 127.0.0.1 port to `targetUrl` (the sync server's
 * base URL, e.g. http://127.0.0.1:1234/sync). Resolves a link:
 *   url                   what to hand to db.sync({ url })
 *   online                settable; false refuses requests and resets open ones
 *   nextPush(timeout)     resolves with the next POST .../push ({ headers, body, ... }), held until the test calls
 *                         forward() (the server applies it; resolves its answer, not relayed yet),
 *                         relay() (forward if not yet, then answer the device), or drop() (reset)
 *   stats                 { pushes, pulls, dropped, refused, maxConcurrentPushes }
 *   close()
 */
export async function startLinkProxy(targetUrl) {
  const target = new URL(targetUrl);
  const sockets = new Set();
  const waiters = [];
  const stats = { pushes: 0, pulls: 0, dropped: 0, refused: 0, maxConcurrentPushes: 0 };
  let pushesInFlight = 0;
  let online = true;

  const forwardToServer = (method, path, headers, body) =>
    new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        { host: target.hostname, port: target.port, method, path, headers: { ...headers, host: target.host } },
        async (answer) => {
          try {
            resolve({ status: answer.statusCode, headers: answer.headers, body: await readAll(answer) });
          } catch (error) {
            reject(error);
          }
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const server = createServer(async (incoming, response) => {
    if (!online) {
      stats.refused++;
      incoming.socket.destroy();
      return;
    }
    const isPush = incoming.method === 'POST' && incoming.url.endsWith('/push');
    if (isPush) {
      stats.pushes++;
      pushesInFlight++;
      stats.maxConcurrentPushes = Math.max(stats.maxConcurrentPushes, pushesInFlight);
      response.on('close', () => pushesInFlight--);
    } else if (incoming.url.includes('/pull')) stats.pulls++;
    let finished = false;
    const drop = () => {
      if (finished) return;
      finished = true;
      stats.dropped++;
      incoming.socket.destroy();
    };
    try {
      const body = await readAll(incoming);
      let answer;
      const forward = async () => (answer ??= await forwardToServer(incoming.method, incoming.url, incoming.headers, body));
      const relay = async () => {
        const { status, headers, body: answerBody } = await forward();
        if (finished || !online) return drop();
        finished = true;
        response.writeHead(status, headers);
        response.end(answerBody);
      };
      const waiter = isPush ? waiters.shift() : undefined;
      if (waiter) waiter({ headers: incoming.headers, body: JSON.parse(body.toString('utf8')), forward, relay, drop });
      else await relay();
    } catch {
      drop();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}${target.pathname.replace(/\/+$/, '')}`;
  return {
    url: base,
    stats,
    get online() {
      return online;
    },
    set online(value) {
      online = Boolean(value);
      if (!online) for (const socket of sockets) socket.destroy();
    },
    /** The next push, held (see above); rejects if none arrives within `timeout` ms (then nothing stays armed). */
    nextPush(timeout = 15000) {
      return new Promise((resolve, reject) => {
        const waiter = (push) => {
          clearTimeout(timer);
          resolve(push);
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no push arrived within ${timeout} ms`));
        }, timeout);
        waiters.push(waiter);
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
