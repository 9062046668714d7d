// values/key-path.ts: reading and writing dotted key paths ("address.city") on
// plain JS objects, with Dexie's semantics (getByKeyPath, setByKeyPath,
// delByKeyPath). Used by update(), upsert() and writing generated keys back.

export function getByKeyPath(obj: unknown, keyPath: string | string[]): unknown {
  if (Array.isArray(keyPath)) return keyPath.map((path) => getByKeyPath(obj, path));
  if (keyPath === '') return obj;
  let current: unknown = obj;
  for (const step of keyPath.split('.')) {
    if (current === null || current === undefined) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/** Sets the value at a dotted path, creating plain objects for missing steps. `undefined` deletes. */
export function setByKeyPath(obj: Record<string, unknown>, keyPath: string, value: unknown): void {
  const steps = keyPath.split('.');
  let current: Record<string, unknown> = obj;
  for (let i = 0; i < steps.length - 1; i++) {
    let next = current[steps[i]];
    if (next === null || typeof next !== 'object') {
      if (value === undefined) return;
      next = {};
      current[steps[i]] = next;
    }
    current = next as Record<string, unknown>;
  }
  const last = steps[steps.length - 1];
  if (value === undefined) delete current[last];
  else current[last] = value;
}

export function delByKeyPath(obj: Record<string, unknown>, keyPath: string): void {
  setByKeyPath(obj, keyPath, undefined);
}

/** A structured copy of a plain value (what the database would store). */
export function deepClone<T>(value: T): T {
  return structuredClone(value);
}
