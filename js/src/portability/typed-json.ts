// portability/typed-json.ts: a stored value as JSON plus a map of the
// places JSON cannot say what they hold (typeson's idea, as
// dexie-export-import's rows use: `$types`, path -> type name).
//
// The format (on-disk, in export files: never rename a type):
//   - JSON types stand for themselves; a plain object's own enumerable
//     string-keyed properties, an array's elements.
//   - Everything else is a JSON stand-in at a path listed in `types`:
//       undef (null), hole (null: a hole in a sparse array), NaN, Infinity,
//       -Infinity (null), negativeZero (0), bigint (decimal string),
//       date (milliseconds, null for an invalid Date), regexp ({source, flags}),
//       arraybuffer / dataview / <typed array name lower-cased>, e.g.
//       uint8array, float64array, bigint64array (base64 of the bytes,
//       little-endian), map (array of [key, value]), set (array of items).
//   - A path is the property names (array indexes) from the value's root,
//     joined by '.'; in a name '~' is written '~0', '.' '~1', and the empty
//     name '~2'. The root itself is the path ''.
// Every value indexie stores round-trips; what it cannot store (a Blob, a
// function) is a DataCloneError here too.
import { DataCloneError } from '../errors.js';

export type TypeMap = Record<string, string>;

const TYPED_ARRAYS: Record<string, new (buffer: ArrayBuffer) => ArrayBufferView> = {
  int8array: Int8Array,
  uint8array: Uint8Array,
  uint8clampedarray: Uint8ClampedArray,
  int16array: Int16Array,
  uint16array: Uint16Array,
  int32array: Int32Array,
  uint32array: Uint32Array,
  float32array: Float32Array,
  float64array: Float64Array,
  bigint64array: BigInt64Array,
  biguint64array: BigUint64Array,
};

function segment(name: string): string {
  return name === '' ? '~2' : name.replace(/~/g, '~0').replace(/\./g, '~1');
}
function unsegment(text: string): string {
  return text === '~2' ? '' : text.replace(/~1/g, '.').replace(/~0/g, '~');
}
const child = (path: string, name: string): string => (path === '' ? segment(name) : `${path}.${segment(name)}`);

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `value` as JSON, recording in `types` what stands in for something else. */
export function toTypedJson(value: unknown, types: TypeMap, path = ''): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      types[path] = 'undef';
      return null;
    case 'bigint':
      types[path] = 'bigint';
      return value.toString();
    case 'number':
      if (Number.isNaN(value)) types[path] = 'NaN';
      else if (value === Infinity) types[path] = 'Infinity';
      else if (value === -Infinity) types[path] = '-Infinity';
      else if (Object.is(value, -0)) {
        types[path] = 'negativeZero';
        return 0;
      } else return value;
      return null;
    case 'object':
      break;
    default:
      throw new DataCloneError(`a ${typeof value} cannot be exported${path ? ` (at '${path}')` : ''}`);
  }
  if (value === null) return null;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) {
        types[child(path, String(i))] = 'hole';
        out[i] = null;
      } else out[i] = toTypedJson(value[i], types, child(path, String(i)));
    }
    return out;
  }
  if (value instanceof Date) {
    types[path] = 'date';
    const time = value.getTime();
    return Number.isNaN(time) ? null : time;
  }
  if (value instanceof ArrayBuffer) {
    types[path] = 'arraybuffer';
    return toBase64(new Uint8Array(value));
  }
  if (ArrayBuffer.isView(value)) {
    types[path] = value instanceof DataView ? 'dataview' : value.constructor.name.toLowerCase();
    return toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  }
  if (value instanceof Map) {
    types[path] = 'map';
    return [...value].map(([k, v], i) => [
      toTypedJson(k, types, child(child(path, String(i)), '0')),
      toTypedJson(v, types, child(child(path, String(i)), '1')),
    ]);
  }
  if (value instanceof Set) {
    types[path] = 'set';
    return [...value].map((item, i) => toTypedJson(item, types, child(path, String(i))));
  }
  if (value instanceof RegExp) {
    types[path] = 'regexp';
    return { source: value.source, flags: value.flags };
  }
  if (!isPlainObject(value) && (typeof Blob !== 'undefined' ? value instanceof Blob : false)) {
    throw new DataCloneError(`a Blob cannot be exported${path ? ` (at '${path}')` : ''}`);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = toTypedJson((value as Record<string, unknown>)[key], types, child(path, key));
  return out;
}

function revive(type: string, json: unknown): unknown {
  switch (type) {
    case 'undef':
      return undefined;
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case 'negativeZero':
      return -0;
    case 'bigint':
      return BigInt(json as string);
    case 'date':
      return new Date(json === null ? NaN : (json as number));
    case 'regexp': {
      const { source, flags } = json as { source: string; flags: string };
      return new RegExp(source, flags);
    }
    case 'arraybuffer':
      return fromBase64(json as string).buffer;
    case 'dataview':
      return new DataView(fromBase64(json as string).buffer);
    case 'map':
      return new Map(json as Array<[unknown, unknown]>);
    case 'set':
      return new Set(json as unknown[]);
    default: {
      const TypedArray = TYPED_ARRAYS[type];
      if (!TypedArray) throw new DataCloneError(`unknown type '${type}' in the export`);
      return new TypedArray(fromBase64(json as string).buffer);
    }
  }
}

/** The value `json` stands for, given its `types` (deepest paths first, so a Map's entries are revived before it). */
export function fromTypedJson(json: unknown, types: TypeMap | undefined): unknown {
  if (!types) return json;
  const paths = Object.keys(types).sort((a, b) => depth(b) - depth(a));
  let root = json;
  for (const path of paths) {
    const type = types[path];
    if (path === '') {
      root = revive(type, root);
      continue;
    }
    const steps = path.split('.').map(unsegment);
    let parent = root as Record<string, unknown>;
    for (const step of steps.slice(0, -1)) parent = parent[step] as Record<string, unknown>;
    const last = steps[steps.length - 1];
    if (type === 'hole') delete parent[last];
    else parent[last] = revive(type, parent[last]);
  }
  return root;
}

const depth = (path: string): number => (path === '' ? 0 : path.split('.').length);

/**
 * One exported row: `row` as JSON with its `$types` inside when it is a
 * plain object, else (or when it has its own `$types` or `$wrap`) wrapped
 * as {"$wrap": json, "$types": {...}}.
 */
export function encodeRow(row: unknown): unknown {
  const types: TypeMap = {};
  const json = toTypedJson(row, types);
  const plain = json !== null && typeof json === 'object' && !Array.isArray(json);
  const clashes = plain && (Object.hasOwn(json, '$types') || Object.hasOwn(json, '$wrap'));
  if (Object.keys(types).length === 0 && !clashes) return json;
  if (plain && !clashes) return { ...(json as object), $types: types };
  return { $wrap: json, $types: types };
}

export function decodeRow(row: unknown): unknown {
  if (row === null || typeof row !== 'object' || Array.isArray(row) || !Object.hasOwn(row, '$types')) return row;
  const { $types, ...rest } = row as { $types: TypeMap; $wrap?: unknown };
  const wrapped = Object.keys(rest).length === 1 && Object.hasOwn(rest, '$wrap');
  return fromTypedJson(wrapped ? rest.$wrap : rest, $types);
}
