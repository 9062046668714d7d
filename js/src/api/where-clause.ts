// api/where-clause.ts: WhereClause's conditions (Dexie's): turns a
// condition on one index into key ranges, and hands them to whoever asked (a
// table, or a collection's or()). Ranges are resolved against the schema
// only when the collection runs (query-plan.ts), so where() works before
// the database opens.
//
// Invalid keys are reported when the collection runs, as a DataError (a
// where-clause never throws synchronously, as in Dexie).
import { DataError, InvalidArgumentError } from '../errors.js';
import { cmp, isValidKey } from '../values/key-compare.js';
import type { KeyRange, Query } from './query-plan.js';
import type { IndexableType } from './types.js';

const MAX_STRING_CHAR = '\uffff';

function bounds(lower: unknown, upper: unknown, lowerOpen: boolean, upperOpen: boolean): KeyRange {
  return { lower, upper, lowerOpen, upperOpen };
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (value instanceof Date && Number.isNaN(value.getTime())) return 'an invalid Date';
  return typeof value === 'object' ? `a ${value.constructor?.name ?? 'object'}` : `a ${typeof value}`;
}

// The lexicographically smallest and largest case variants of `s`, so that
// every variant lies between them.
function caseBounds(s: string): [string, string] {
  let low = '',
    high = '';
  for (const ch of s) {
    const variants = [ch.toUpperCase(), ch.toLowerCase(), ch];
    variants.sort();
    low += variants[0];
    high += variants[variants.length - 1];
  }
  return [low, high];
}

/** Case variants expanded per ignore-case term: beyond this, the rest of the term is checked by the key filter. */
const MAX_CASE_VARIANTS = 64;

/**
 * The case variants of the longest start of `s` that has at most
 * MAX_CASE_VARIANTS of them ("ada" -> ADA, ADa, AdA, Ada, aDA, ...), and how
 * many characters that start covers. A character whose upper or lower case
 * is not one character ('ß' -> 'SS') ends the start. The engine then scans
 * only those exact ranges instead of everything between the smallest and
 * largest variant (which, for a capitalized name, is most of the index).
 */
function caseVariants(s: string): { variants: string[]; covered: number } {
  let variants = [''];
  let covered = 0;
  for (const ch of s) {
    const forms = [...new Set([ch, ch.toUpperCase(), ch.toLowerCase()])];
    if (forms.some((form) => form.length !== ch.length)) break;
    if (variants.length * forms.length > MAX_CASE_VARIANTS) break;
    variants = variants.flatMap((start) => forms.map((form) => start + form));
    covered += ch.length;
  }
  return { variants, covered };
}

/** Ranges holding every key equal to (or, with `prefix`, starting with) `s` ignoring case. */
function ignoreCaseRanges(s: string, prefix: boolean): KeyRange[] {
  const { variants, covered } = caseVariants(s);
  if (covered === 0 && s.length > 0) {
    const [low, high] = caseBounds(s);
    return [bounds(low, high + (prefix ? MAX_STRING_CHAR : ''), false, false)];
  }
  const exact = !prefix && covered === s.length;
  return variants.map((v) => bounds(v, exact ? v : v + MAX_STRING_CHAR, false, false));
}

/**
 * A condition on one index, whose methods give what `finish` makes of the
 * query (C). The public WhereClause<T, TKey, TInsertType> (collection.ts) is
 * the one whose C is Collection<T, TKey, TInsertType>, as Dexie's. Keys are
 * typed IndexableType, so a value IndexedDB cannot index (a boolean, null,
 * an object) does not compile.
 */
export class WhereClauseOf<C> {
  constructor(
    readonly index: string | string[],
    readonly finish: (query: Query) => C,
  ) {}

  #collection(ranges: KeyRange[] | null, keyFilter?: (key: unknown) => boolean): C {
    return this.finish({ index: this.index, ranges, keyFilter });
  }

  #fail(error: Error): C {
    return this.finish({ index: this.index, ranges: [], error });
  }

  #checkKeys(method: string, keys: readonly unknown[]): Error | undefined {
    const bad = keys.findIndex((key) => !isValidKey(key));
    if (bad < 0) return undefined;
    return new DataError(
      `${method}: ${describe(keys[bad])} is not a valid key (keys are numbers, strings, Dates, binary, or arrays of those)`,
    );
  }

  // One range around one key, after checking the key (as Dexie: null or undefined is a TypeError).
  #around(method: string, key: unknown, range: KeyRange): C {
    if (key === null || key === undefined) return this.#fail(new TypeError(`${method}(): ${String(key)} is not a valid key`));
    const error = this.#checkKeys(`${method}()`, [key]);
    return error ? this.#fail(error) : this.#collection([range]);
  }

  equals(key: IndexableType): C {
    return this.#around('equals', key, bounds(key, key, false, false));
  }
  above(key: IndexableType): C {
    return this.#around('above', key, bounds(key, undefined, true, false));
  }
  aboveOrEqual(key: IndexableType): C {
    return this.#around('aboveOrEqual', key, bounds(key, undefined, false, false));
  }
  below(key: IndexableType): C {
    return this.#around('below', key, bounds(undefined, key, false, true));
  }
  belowOrEqual(key: IndexableType): C {
    return this.#around('belowOrEqual', key, bounds(undefined, key, false, false));
  }

  /** lower > upper gives an empty collection, as in Dexie. */
  between(lower: IndexableType, upper: IndexableType, includeLower = true, includeUpper = false): C {
    const error = this.#checkKeys('between()', [lower, upper]);
    return error ? this.#fail(error) : this.#collection([bounds(lower, upper, !includeLower, !includeUpper)]);
  }

  startsWith(prefix: string): C {
    if (typeof prefix !== 'string') return this.#fail(new TypeError(`startsWith(): ${describe(prefix)} is not a string`));
    return this.#collection([{ lower: prefix, upper: undefined, lowerOpen: false, upperOpen: false, prefix: true }]);
  }

  startsWithAnyOf(...prefixes: Array<string | readonly string[]>): C {
    const list = prefixes.flat();
    const bad = list.findIndex((p) => typeof p !== 'string');
    if (bad >= 0) return this.#fail(new TypeError(`startsWithAnyOf(): ${describe(list[bad])} is not a string`));
    return this.#collection(list.map((p) => ({ lower: p, upper: undefined, lowerOpen: false, upperOpen: false, prefix: true })));
  }

  /** anyOf(1, 2, 3) or anyOf([1, 2, 3]): a single array argument is the list of keys. */
  anyOf(keys: readonly IndexableType[]): C;
  anyOf(...keys: IndexableType[]): C;
  anyOf(...keys: unknown[]): C {
    const list = keys.length === 1 && Array.isArray(keys[0]) ? (keys[0] as unknown[]) : keys;
    const error = this.#checkKeys('anyOf()', list);
    return error ? this.#fail(error) : this.#collection(list.map((key) => bounds(key, key, false, false)));
  }

  /** Every key except these (Dexie: open ranges between minKey and maxKey around them). */
  noneOf(keys: readonly IndexableType[]): C;
  noneOf(...keys: IndexableType[]): C;
  noneOf(...keys: unknown[]): C {
    const list = keys.length === 1 && Array.isArray(keys[0]) ? (keys[0] as unknown[]) : keys;
    const error = this.#checkKeys('noneOf()', list);
    if (error) return this.#fail(error);
    if (list.length === 0) return this.#collection(null);
    const sorted = [...list].sort(cmp);
    const ranges: KeyRange[] = [bounds(-Infinity, sorted[0], true, true)];
    for (let i = 1; i < sorted.length; i++) ranges.push(bounds(sorted[i - 1], sorted[i], true, true));
    ranges.push(bounds(sorted[sorted.length - 1], [[]], true, true));
    return this.#collection(ranges);
  }

  notEqual(key: IndexableType): C {
    const error = this.#checkKeys('notEqual()', [key]);
    if (error) return this.#fail(error);
    return this.#collection([bounds(-Infinity, key, true, true), bounds(key, [[]], true, true)]);
  }

  inAnyRange(
    ranges: ReadonlyArray<readonly [IndexableType, IndexableType]>,
    options: { includeLowers?: boolean; includeUppers?: boolean } = {},
  ): C {
    if (!Array.isArray(ranges)) return this.#fail(new InvalidArgumentError('inAnyRange() takes an array of [lower, upper] pairs'));
    const includeLowers = options.includeLowers ?? true;
    const includeUppers = options.includeUppers ?? false;
    if (ranges.some((r) => !Array.isArray(r) || r[0] === undefined || r[1] === undefined)) {
      return this.#fail(new InvalidArgumentError('inAnyRange() takes an array of [lower, upper] pairs'));
    }
    const flat = ranges.flatMap((r) => [r[0], r[1]]);
    const error = this.#checkKeys('inAnyRange()', flat);
    if (error) return this.#fail(error);
    const reversed = ranges.find((r) => cmp(r[0], r[1]) > 0);
    if (reversed) {
      return this.#fail(new InvalidArgumentError('inAnyRange(): every range is [lower, upper] with lower <= upper'));
    }
    return this.#collection(ranges.map(([lo, hi]) => bounds(lo, hi, !includeLowers, !includeUppers)));
  }

  equalsIgnoreCase(value: string): C {
    return this.anyOfIgnoreCase([value]);
  }

  anyOfIgnoreCase(...values: Array<string | readonly string[]>): C {
    const list = values.flat();
    const bad = list.findIndex((v) => typeof v !== 'string');
    if (bad >= 0) return this.#fail(new TypeError(`anyOfIgnoreCase(): ${describe(list[bad])} is not a string`));
    const wanted = new Set(list.map((v) => v.toLowerCase()));
    const ranges = list.flatMap((v) => ignoreCaseRanges(v, false));
    return this.#collection(ranges, (key) => typeof key === 'string' && wanted.has(key.toLowerCase()));
  }

  startsWithIgnoreCase(prefix: string): C {
    return this.startsWithAnyOfIgnoreCase([prefix]);
  }

  startsWithAnyOfIgnoreCase(...prefixes: Array<string | readonly string[]>): C {
    const list = prefixes.flat();
    const bad = list.findIndex((v) => typeof v !== 'string');
    if (bad >= 0) return this.#fail(new TypeError(`startsWithAnyOfIgnoreCase(): ${describe(list[bad])} is not a string`));
    const lowered = list.map((p) => p.toLowerCase());
    const ranges = list.flatMap((p) => ignoreCaseRanges(p, true));
    return this.#collection(ranges, (key) => typeof key === 'string' && lowered.some((p) => key.toLowerCase().startsWith(p)));
  }
}
