// api/key-ranges.ts: the key ranges of where-clause conditions
// (WhereClause, in collection.ts): a range around keys, and the ranges
// that hold every case variant of a string or prefix for the ignore-case
// methods. Ranges are stated on the index as named; query-plan.ts maps them
// onto the schema when the collection runs.
import type { KeyRange } from './query-plan.js';

const MAX_STRING_CHAR = '\uffff';

export function bounds(lower: unknown, upper: unknown, lowerOpen: boolean, upperOpen: boolean): KeyRange {
  return { lower, upper, lowerOpen, upperOpen };
}

/** A value as an error message names it. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (value instanceof Date && Number.isNaN(value.getTime())) return 'an invalid Date';
  return typeof value === 'object' ? `a ${(value as object).constructor?.name ?? 'object'}` : `a ${typeof value}`;
}

// The lexicographically smallest and largest case variants of `s`, so that
// every variant lies between them.
function caseBounds(s: string): [string, string] {
  let low = '', high = '';
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
export function ignoreCaseRanges(s: string, prefix: boolean): KeyRange[] {
  const { variants, covered } = caseVariants(s);
  if (covered === 0 && s.length > 0) {
    const [low, high] = caseBounds(s);
    return [bounds(low, high + (prefix ? MAX_STRING_CHAR : ''), false, false)];
  }
  const exact = !prefix && covered === s.length;
  return variants.map((v) => bounds(v, exact ? v : v + MAX_STRING_CHAR, false, false));
}
