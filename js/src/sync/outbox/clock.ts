// sync/outbox/clock.ts: the hybrid logical clock (HLC) that stamps local
// changes, and the format of its timestamps: what newest-wins compares.
//
// Format (stored and sent as `clientTime` / `modifiedAt`; never change):
//   <ms: 15 decimal digits>-<counter: 6 decimal digits>-<node id>
// Plain string comparison is timestamp order, with the node id breaking
// ties, so every replica picks the same winner.
//
// What it guarantees about clocks: a stamp is above every stamp this clock
// has issued or observed (local changes, pulled records, conflicts), so an
// edit made after seeing another edit is always "newer" than it, whatever
// the two devices' clocks say. For edits made concurrently (neither device
// saw the other's), the order falls back on the devices' wall clocks: a
// device whose clock runs ahead wins those. Nothing assumes synchronized clocks
// beyond that.
export class HybridClock {
  #ms = 0;
  #counter = 0;
  readonly node: string;

  constructor(node: string) {
    this.node = node;
  }

  /** A new stamp, above every stamp issued or observed. */
  now(): string {
    const wall = Date.now();
    if (wall > this.#ms) {
      this.#ms = wall;
      this.#counter = 0;
    } else {
      this.#counter++;
    }
    return formatStamp(this.#ms, this.#counter, this.node);
  }

  /** Moves the clock past `stamp` (from the server or storage); ignores what it cannot parse. */
  observe(stamp: unknown): void {
    if (typeof stamp !== 'string') return;
    const match = /^(\d{15})-(\d{6})-/.exec(stamp);
    if (!match) return;
    const ms = Number(match[1]);
    const counter = Number(match[2]);
    if (ms > this.#ms || (ms === this.#ms && counter > this.#counter)) {
      this.#ms = ms;
      this.#counter = counter;
    }
  }

  /** The latest stamp issued or observed (to persist). */
  get last(): string {
    return formatStamp(this.#ms, this.#counter, this.node);
  }
}

function formatStamp(ms: number, counter: number, node: string): string {
  return `${String(ms).padStart(15, '0')}-${String(counter).padStart(6, '0')}-${node}`;
}

/** A random id (change ids, node ids): crypto.randomUUID where the runtime has it. */
export function randomId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
