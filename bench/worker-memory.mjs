// worker-memory.mjs: memory the benchmark pages cannot see themselves.
// indexie on OPFS runs its engine in a dedicated Worker, whose wasm memory
// is in neither the page's JS heap nor Indexie.engineMemoryBytes() (the
// page's own module). What is measured here, from outside the page:
//   - workerJsHeapBytes: the V8 heap of every dedicated worker (DevTools
//     protocol, browser session, each worker target attached and asked
//     Runtime.getHeapUsage; usedSize). This does NOT include wasm memory.
//   - workerWasmBytes: the engine worker's wasm memory, read from its
//     diagnostic global indexieEngineMemoryBytes() (Runtime.evaluate in the
//     worker target; worker/engine-worker.ts).
//   - rendererAnonBytes: RssAnon (/proc/<pid>/status, Linux) of the page's
//     renderer process, taken as the largest renderer (the others are
//     Chromium's own UI pages). It holds the page, its JS heap, any wasm
//     module of the page AND the worker (dedicated workers share their
//     page's renderer process), plus Chromium's baseline (~30-50 MB
//     measured on an empty page), so it is an upper bound that covers the
//     worker's wasm memory as far as it is resident.
// (Runtime.queryObjects on WebAssembly.Memory in the worker never answers
// in Chromium 156, hence the diagnostic global.)
import { readFileSync } from 'node:fs';

/** Sends `method` to an attached (non-flat) target session; resolves its result. */
export function targetSender(cdp, sessionId) {
  let nextId = 1;
  const pending = new Map();
  const onMessage = ({ sessionId: from, message }) => {
    if (from !== sessionId) return;
    const parsed = JSON.parse(message);
    const waiter = pending.get(parsed.id);
    if (!waiter) return;
    pending.delete(parsed.id);
    if (parsed.error) waiter.reject(new Error(parsed.error.message));
    else waiter.resolve(parsed.result);
  };
  cdp.on('Target.receivedMessageFromTarget', onMessage);
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      setTimeout(() => reject(new Error(`${method}: no answer from the worker in 10 s`)), 10000).unref?.();
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  return { send, stop: () => cdp.off('Target.receivedMessageFromTarget', onMessage) };
}

function rssAnonBytes(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('RssAnon:'));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** {workerJsHeapBytes, workerWasmBytes, workers, rendererAnonBytes} now (see the header). */
export async function outsideMemory(browser) {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    let workerJsHeapBytes = 0;
    let workerWasmBytes = 0;
    let workers = 0;
    for (const target of targetInfos.filter((t) => t.type === 'worker')) {
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
      const { send, stop } = targetSender(cdp, sessionId);
      try {
        workerJsHeapBytes += (await send('Runtime.getHeapUsage')).usedSize;
        // The engine worker's wasm memory (its diagnostic global, worker/engine-worker.ts); 0 in other workers.
        const wasm = await send('Runtime.evaluate', { expression: 'globalThis.indexieEngineMemoryBytes?.() ?? 0', returnByValue: true });
        workerWasmBytes += Number(wasm?.result?.value ?? 0);
        workers++;
      } finally {
        stop();
        await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => {});
      }
    }
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
    const rendererAnonBytes = Math.max(0, ...processInfo.filter((p) => p.type === 'renderer').map((p) => rssAnonBytes(p.id)));
    return { workerJsHeapBytes, workerWasmBytes, workers, rendererAnonBytes };
  } finally {
    await cdp.detach();
  }
}
