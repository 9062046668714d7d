// portability/storage-health.ts: db.storage: whether the browser keeps this
// origin's data when it runs short of space (navigator.storage.persisted()),
// how much is used and available (estimate()), and asking to keep it
// (persist()). Where the runtime has no StorageManager (Node, old browsers)
// each answers so: persisted false, estimate undefined, persist false.

export interface StorageStatus {
  /** Whether the origin's storage is persistent (never evicted under pressure). */
  persisted: boolean;
  /** Bytes used and the quota, as the browser estimates them (undefined where unknown). */
  usage: number | undefined;
  quota: number | undefined;
}

function manager(): StorageManager | undefined {
  return (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
}

export const storageHealth = {
  async persisted(): Promise<boolean> {
    const storage = manager();
    return typeof storage?.persisted === 'function' ? storage.persisted() : false;
  },
  async estimate(): Promise<StorageEstimate | undefined> {
    const storage = manager();
    return typeof storage?.estimate === 'function' ? storage.estimate() : undefined;
  },
  /** Asks the browser to keep this origin's data; resolves to whether it is persisted now. */
  async persist(): Promise<boolean> {
    const storage = manager();
    return typeof storage?.persist === 'function' ? storage.persist() : false;
  },
  async status(): Promise<StorageStatus> {
    const [persisted, estimate] = await Promise.all([storageHealth.persisted(), storageHealth.estimate()]);
    return { persisted, usage: estimate?.usage, quota: estimate?.quota };
  },
};
