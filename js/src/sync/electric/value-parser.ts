// sync/electric/value-parser.ts: Electric's values (Postgres text output, or
// null) to JS values, driven by the `electric-schema` response header.
//
// Types (the same as @electric-sql/client's default parsers, except int8):
//   int2, int4, float4, float8, oid -> number ("NaN", "Infinity" included);
//   int8 -> number when it is a safe integer (|n| <= 2^53 - 1), else BigInt
//           (IndexedDB keys cannot be BigInt: keep ids below 2^53 or pass a
//           `parser` for int8);
//   bool -> boolean ("t"/"true"); json, jsonb -> JSON.parse;
//   dims > 0 -> an array parsed from the Postgres literal ("{1,NULL,{2}}"),
//   its elements by the element type;
//   everything else (numeric, text, uuid, date, time, timestamp(tz),
//   interval, bytea, enums) stays the string Postgres sent: numeric keeps
//   its precision, and dates have no one right JS form. `parser` overrides
//   any type, e.g. { timestamptz: (s) => new Date(s) }.
// A null in a `not_null` column is an ElectricSyncError. Columns the schema
// does not name pass through unchanged.
import { ElectricSyncError } from '../../errors.js';

export interface ElectricColumn {
  type: string;
  dims?: number;
  pk_index?: number;
  not_null?: boolean;
}
export type ElectricSchema = Record<string, ElectricColumn>;
/** Per Postgres type name: turns the text Electric sent into the value to store. */
export type ElectricParsers = Record<string, (text: string) => unknown>;

const toNumber = (text: string): number => Number(text);
const DEFAULT_PARSERS: ElectricParsers = {
  int2: toNumber,
  int4: toNumber,
  oid: toNumber,
  float4: toNumber,
  float8: toNumber,
  int8: (text) => {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  },
  bool: (text) => text === 't' || text === 'true',
  json: (text) => JSON.parse(text),
  jsonb: (text) => JSON.parse(text),
};

/** A function parsing one row's values by `schema`. */
export function rowParser(schema: ElectricSchema, custom: ElectricParsers = {}): (row: Record<string, unknown>) => Record<string, unknown> {
  const parsers = { ...DEFAULT_PARSERS, ...custom };
  const columns = new Map(
    Object.entries(schema).map(([name, column]) => {
      const parse = parsers[column.type] ?? ((text: string) => text);
      const value = column.dims ? (text: string) => parseArray(text, parse) : parse;
      return [name, { value, notNull: column.not_null === true }];
    }),
  );
  return (row) => {
    const out: Record<string, unknown> = {};
    for (const name in row) {
      const text = row[name];
      const column = columns.get(name);
      if (!column) out[name] = text;
      else if (text === null || text === undefined) {
        if (column.notNull)
          throw new ElectricSyncError(`Electric sent null for column '${name}', which the shape's schema says is not null`);
        out[name] = null;
      } else if (typeof text !== 'string') {
        throw new ElectricSyncError(`Electric sent a ${typeof text} for column '${name}'; values arrive as Postgres text`);
      } else out[name] = column.value(text);
    }
    return out;
  };
}

/**
 * A Postgres array literal: `{a,"b c",NULL,{1,2}}`. Quoted elements may hold
 * `\"` and `\\`; an unquoted NULL is null; nested braces are sub-arrays.
 */
export function parseArray(text: string, parseElement: (text: string) => unknown): unknown[] {
  let i = 0;
  const fail = (): never => {
    throw new ElectricSyncError(`not a Postgres array literal: ${JSON.stringify(text)}`);
  };
  const parseLevel = (): unknown[] => {
    if (text[i] !== '{') fail();
    i++;
    const out: unknown[] = [];
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      if (text[i] === '{') out.push(parseLevel());
      else if (text[i] === '"') {
        let element = '';
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++;
          element += text[i++];
        }
        if (text[i++] !== '"') fail();
        out.push(parseElement(element));
      } else {
        const start = i;
        while (i < text.length && text[i] !== ',' && text[i] !== '}') i++;
        const element = text.slice(start, i);
        out.push(element === 'NULL' ? null : parseElement(element));
      }
      if (text[i] === ',') i++;
      else if (text[i] === '}') {
        i++;
        return out;
      } else fail();
    }
  };
  const result = parseLevel();
  if (i !== text.length) fail();
  return result;
}
