// values/prop-modification.ts: Dexie 4's property modifications, values in
// an update spec that compute the new value from the stored one:
// update(key, { count: add(1), tags: remove(['old']), path: replacePrefix('a/', 'b/') }).
// Semantics as Dexie's: add/remove on numbers and bigints (a missing number
// counts as 0), on arrays (items appended / removed, the result sorted), and
// a string prefix replaced when present. A spec is recognised by its
// '@@propmod' property, so it survives being cloned.

export interface PropModSpec {
  add?: number | bigint | unknown[];
  remove?: number | bigint | unknown[];
  replacePrefix?: [string, string];
}

export class PropModification {
  readonly ['@@propmod']: PropModSpec;

  constructor(spec: PropModSpec) {
    this['@@propmod'] = spec;
  }

  /** The new value of a property whose stored value is `value`. */
  execute(value: unknown): unknown {
    const spec = this['@@propmod'];
    if (spec.add !== undefined) {
      const term = spec.add;
      if (Array.isArray(term)) return [...(Array.isArray(value) ? value : []), ...term].sort();
      if (typeof term === 'number') return (Number(value) || 0) + term;
      if (typeof term === 'bigint') return toBigInt(value) + term;
      throw new TypeError(`add(): invalid term ${String(term)}`);
    }
    if (spec.remove !== undefined) {
      const subtrahend = spec.remove;
      if (Array.isArray(subtrahend)) return Array.isArray(value) ? value.filter((item) => !subtrahend.includes(item)).sort() : [];
      if (typeof subtrahend === 'number') return Number(value) - subtrahend;
      if (typeof subtrahend === 'bigint') return toBigInt(value) - subtrahend;
      throw new TypeError(`remove(): invalid subtrahend ${String(subtrahend)}`);
    }
    const [prefix, replacement] = spec.replacePrefix ?? [];
    if (prefix && typeof value === 'string' && value.startsWith(prefix)) return `${replacement ?? ''}${value.slice(prefix.length)}`;
    return value;
  }
}

function toBigInt(value: unknown): bigint {
  try {
    return BigInt(value as bigint | number | string);
  } catch {
    return 0n;
  }
}

/** add(n | bigint | items): adds to a number, or appends items to an array. */
export function add(term: number | bigint | unknown[]): PropModification {
  return new PropModification({ add: term });
}

/** remove(n | bigint | items): subtracts from a number, or removes items from an array. */
export function remove(subtrahend: number | bigint | unknown[]): PropModification {
  return new PropModification({ remove: subtrahend });
}

/** replacePrefix(a, b): a string starting with `a` starts with `b` instead. */
export function replacePrefix(prefix: string, replacement: string): PropModification {
  return new PropModification({ replacePrefix: [prefix, replacement] });
}

/** `value` as a property modification, if it is one (also after structured cloning). */
export function asPropModification(value: unknown): PropModification | undefined {
  if (value instanceof PropModification) return value;
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, '@@propmod')) {
    return new PropModification((value as { '@@propmod': PropModSpec })['@@propmod']);
  }
  return undefined;
}
