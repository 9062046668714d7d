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

/**
 * Sets the value at a dotted path, with Dexie's semantics (apps' update specs
 * depend on them): a missing or falsy step, or one the object only inherits,
 * becomes a new plain object; a step that is a primitive (a string, a number,
 * true) or a frozen object is left alone and nothing is set; `undefined`
 * deletes, and on an array at a numeric index removes the element (splice),
 * so no hole is left.
 */
export function setByKeyPath(obj: Record<string, unknown>, keyPath: string | readonly string[], value: unknown): void {
  if (Array.isArray(keyPath)) {
    // A compound key path, as in Dexie: each path gets its part of `value` (an array; undefined deletes them all).
    keyPath.forEach((path: string, i) => setByKeyPath(obj, path, value === undefined ? undefined : (value as unknown[])[i]));
    return;
  }
  const steps = (keyPath as string).split('.');
  let current: unknown = obj;
  for (let i = 0; i < steps.length - 1; i++) {
    if (!isWritableObject(current)) return;
    const holder = current as Record<string, unknown>;
    let next = holder[steps[i]];
    if (!next || !Object.hasOwn(holder, steps[i])) {
      if (value === undefined) return;
      next = holder[steps[i]] = {};
    }
    current = next;
  }
  if (!isWritableObject(current)) return;
  const holder = current as Record<string, unknown>;
  const last = steps[steps.length - 1];
  if (value !== undefined) holder[last] = value;
  else if (Array.isArray(holder) && !Number.isNaN(parseInt(last, 10))) holder.splice(parseInt(last, 10), 1);
  else delete holder[last];
}

/** Whether setByKeyPath may write into `value` (Dexie: objects that are not frozen; primitives count as frozen). */
function isWritableObject(value: unknown): boolean {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && !Object.isFrozen(value);
}

export function delByKeyPath(obj: Record<string, unknown>, keyPath: string | readonly string[]): void {
  setByKeyPath(obj, keyPath, undefined);
}
