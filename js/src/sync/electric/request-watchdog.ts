// sync/electric/request-watchdog.ts: gives up on a shape request that has
// gone silent, so a connection that hangs forever (a dead proxy, a laptop
// waking from sleep, a half-open TCP connection) is retried instead of
// stalling the sync.
//
// Silence, not duration, is what counts: the timer starts with the request
// and starts over with every chunk of the body, so a large snapshot page on
// a slow network or an SSE stream with its keep-alive comments (Electric
// sends one every 21 s) lives as long as bytes keep coming. The default,
// 45 s, is above Electric's 20 s long-poll hold, as the official client's
// live-request watchdog. When it fires, the request's signal aborts: the
// caller sees the AbortError of a failed request and retries from the last
// applied offset, `timedOut` telling it why.

export const DEFAULT_REQUEST_TIMEOUT_MS = 45_000;

export class RequestWatchdog {
  readonly #controller = new AbortController();
  readonly #stopOnParent = (): void => this.#controller.abort();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** True once the request was abandoned for its silence. */
  timedOut = false;

  constructor(
    private readonly parent: AbortSignal,
    readonly ms: number,
  ) {
    parent.addEventListener('abort', this.#stopOnParent);
    this.alive();
  }

  /** The request's signal: aborts on silence or when the sync stops. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Something arrived: the silence starts over. */
  alive(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.timedOut = true;
      this.#controller.abort();
    }, this.ms);
  }

  /** The request is over (answered, failed or abandoned). */
  done(): void {
    clearTimeout(this.#timer);
    this.parent.removeEventListener('abort', this.#stopOnParent);
  }
}

/** A response body as text, each chunk telling the watchdog that bytes still arrive. */
export async function readBodyText(response: Response, watchdog: RequestWatchdog): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text + decoder.decode();
    watchdog.alive();
    text += decoder.decode(value, { stream: true });
  }
}
