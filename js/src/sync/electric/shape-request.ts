// sync/electric/shape-request.ts: the Electric 1.x Shape HTTP API as one
// request and its response: the query string the official client sends, and
// the headers a response must carry.
//
// Request: GET <url>?table=…[&where=…][&columns="a","b"][&replica=…]
//   &offset=<-1 | tx_op>[&handle=…][&live=true&cursor=…[&live_sse=true]]
//   plus any other params given (passed through for proxies).
// Response headers: electric-handle and electric-offset always;
// electric-schema on non-live 200s; electric-cursor on live ones. A missing
// one is an ElectricSyncError naming it (usually a proxy or CORS setup that
// does not expose it: Access-Control-Expose-Headers).
import { ElectricSyncError } from '../../errors.js';
import type { ElectricSchema } from './value-parser.js';

export interface ShapeParams {
  /** The Postgres table (`items`, `schema.items`, quoted identifiers as Postgres spells them). */
  table: string;
  where?: string;
  /** The columns to sync (must include the primary key); all when absent. */
  columns?: string[];
  replica?: 'default' | 'full';
  /** Anything else is passed through in the query string. */
  [param: string]: string | number | boolean | string[] | undefined;
}

export interface RequestPosition {
  offset: string;
  handle?: string;
  cursor: string;
}

/** The URL of one shape request. */
export function shapeUrl(base: string, params: ShapeParams, position: RequestPosition, live: false | 'long-poll' | 'sse'): string {
  const url = new URL(base, (globalThis as { location?: { href: string } }).location?.href);
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (name === 'columns' && Array.isArray(value)) {
      url.searchParams.set('columns', value.map((c) => `"${String(c).replaceAll('"', '""')}"`).join(','));
    } else url.searchParams.set(name, String(value));
  }
  url.searchParams.set('offset', position.offset);
  if (position.offset !== '-1' && position.handle) url.searchParams.set('handle', position.handle);
  if (live) {
    url.searchParams.set('live', 'true');
    url.searchParams.set('cursor', position.cursor);
    if (live === 'sse') url.searchParams.set('live_sse', 'true');
  }
  url.searchParams.sort(); // stable URLs for caches, as the official client
  return url.toString();
}

export interface ShapeResponseHeaders {
  handle: string;
  offset: string;
  cursor: string | undefined;
  schema: ElectricSchema | undefined;
  upToDate: boolean;
}

/** The Electric headers of a 2xx response; an ElectricSyncError when a required one is missing. */
export function readShapeHeaders(response: Response, live: boolean): ShapeResponseHeaders {
  const need = (name: string): string => {
    const value = response.headers.get(name);
    if (value === null) {
      throw new ElectricSyncError(
        `the shape response has no '${name}' header (a proxy dropped it, or CORS does not expose it: Access-Control-Expose-Headers)`,
      );
    }
    return value;
  };
  const handle = need('electric-handle');
  const offset = need('electric-offset');
  const cursor = live ? need('electric-cursor') : (response.headers.get('electric-cursor') ?? undefined);
  let schema: ElectricSchema | undefined;
  if (!live) {
    try {
      schema = JSON.parse(need('electric-schema')) as ElectricSchema;
    } catch (error) {
      if (error instanceof ElectricSyncError) throw error;
      throw new ElectricSyncError(`the shape response's electric-schema header is not JSON`, { cause: error });
    }
  }
  return { handle, offset, cursor, schema, upToDate: response.headers.has('electric-up-to-date') };
}

/** `${lsn}_${op_position}` of a change from the replication stream, or undefined for snapshot rows. */
export function changeOffset(headers: { lsn?: string | number; op_position?: number }): string | undefined {
  return headers.lsn !== undefined && headers.op_position !== undefined ? `${headers.lsn}_${headers.op_position}` : undefined;
}
