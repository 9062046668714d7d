// sync/electric/sse-reader.ts: the `data:` payloads of a text/event-stream
// body, one string per event, as Electric's live_sse mode sends them.
//
// Events are separated by a blank line; each `data:` line adds a line to
// the event's data (joined with "\n"); comments (": keep-alive") and other
// fields (Electric sends none) are skipped. A body that ends in the middle
// of an event drops that partial event: the caller resumes from the last
// position it applied.

/** Yields each event's data from `body` until it ends; `onBytes` runs for every chunk (keep-alives too). */
export async function* sseEvents(body: ReadableStream<Uint8Array>, onBytes?: () => void): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      onBytes?.();
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (data.length > 0) yield data.join('\n');
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}
