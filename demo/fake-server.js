// fake-server.js: a pretend backend for the demo's hooks. Each request takes
// LATENCY_MS and is refused with the probability the page sets. A batch is
// one request: every change inside it shares that request's answer.
const LATENCY_MS = 600;

export class ServerRefusedError extends Error {
  name = 'ServerRefusedError';
}

export class FakeServer {
  failRate = 0.3;
  requests = 0;
  #batch;

  /** One change (called by the table's onUpdate hook). */
  save(change) {
    return this.#batch ?? this.#request(`update of contact ${change.key}`);
  }

  /** Runs `work` with every save() inside it answered by one request. */
  async batch(what, work) {
    this.#batch = this.#request(what);
    this.#batch.catch(() => undefined); // each hook awaits it; nobody is left unhandled
    try {
      return await work();
    } finally {
      this.#batch = undefined;
    }
  }

  #request(what) {
    this.requests++;
    const refuse = Math.random() < this.failRate;
    return new Promise((resolve, reject) =>
      setTimeout(() => {
        if (refuse) reject(new ServerRefusedError(`the server refused the ${what}`));
        else resolve();
      }, LATENCY_MS),
    );
  }
}
