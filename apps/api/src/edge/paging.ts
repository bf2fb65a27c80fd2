/**
 * Every list the API answers is a page: `{ items, nextCursor }`, at most `limit` rows (default 100, at most
 * 500), and `nextCursor` to send as `cursor` for the next page (null on the last). One rule, one place:
 *
 * - `PAGE_LIMITS` are the query's limits, and `PageQuery` (the DTO every paged route's query is or
 *   extends) validates them and shows them in the OpenAPI from the same constants;
 * - a cursor is opaque to the client: base64url of the JSON array of the last row's sort key. It is
 *   checked when it comes back (canonical base64url, JSON, one value per key column, each of its column's
 *   type), so a malformed or altered cursor is a 400 `cursor-invalid` naming `cursor`, never a database
 *   error. It carries no secret and grants nothing: the route's filters and access apply to every page.
 * - `Keyset` is a route's sort key, unique (its primary key last) so that paging is stable: a row
 *   inserted or removed between two requests shifts no other row into or out of a page. `keysetPage`
 *   runs one page, `WHERE (a, b) > ($n, $m) ORDER BY a, b LIMIT limit + 1` (keyset pagination, never
 *   OFFSET), and builds the next cursor from the last row it returns;
 * - `@Paged(...)` declares the route's responses (as `@Responds` does) with the page schema for its 200 and
 *   the query's 400, and checks at start-up that the route's query is a `PageQuery`.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import type { DataSource } from 'typeorm';
import { RegieError } from '../errors/regie-error';
import { responses, ResponseSpec, Status } from './responses';
import { checkedBy, InputCheck, InputProblem } from './validators';

/** The page query's limits, for the DTO's checks and its OpenAPI alike. */
export const PAGE_LIMITS = {
  /** Rows on a page when `limit` is left out. */
  default: 100,
  /** The most rows one page holds. */
  max: 500,
  /** The longest cursor, in characters (base64url): far more than any sort key here needs. */
  cursorLength: 1024,
} as const;

/** What a cursor is made of: base64url's alphabet, without padding. */
export const CURSOR_PATTERN = new RegExp(`^[A-Za-z0-9_-]{1,${PAGE_LIMITS.cursorLength}}$`);

/** One page of a list: its rows, and the cursor of the next page (null: this is the last). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What a service needs to read one page: how many rows, and after which (the cursor as the client sent it). */
export interface PageRequest {
  limit: number;
  cursor?: string;
}

const limitProblem = (field: string): InputProblem => ({
  code: 'invalid-input',
  field,
  message: `Ongeldige invoer in veld ${field}: een geheel getal van 1 tot en met ${PAGE_LIMITS.max} / ${field} must be a whole number from 1 through ${PAGE_LIMITS.max}`,
});

export const cursorInvalid = (field = 'cursor') =>
  new RegieError(
    'cursor-invalid',
    'invalid-input',
    `Veld ${field}: ongeldige cursor; stuur de nextCursor van de vorige pagina, of laat ${field} weg voor de eerste / ` +
      `${field} is malformed or altered: send the previous page's nextCursor, or leave it out for the first page`,
    field,
  );

const cursorProblem = (field: string): InputProblem => {
  const error = cursorInvalid(field);
  return { code: error.code, field, message: error.userMessage };
};

/** `limit`: left out, or a whole number from 1 through the maximum (the query's digits, converted below). */
const checkLimit: InputCheck = (value, field) =>
  value === undefined || (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= PAGE_LIMITS.max) ? null : limitProblem(field);

/** `cursor`: left out, or base64url within its length; what it says is checked against the route's key (`decodeCursor`). */
const checkCursor: InputCheck = (value, field) => (value === undefined || (typeof value === 'string' && CURSOR_PATTERN.test(value)) ? null : cursorProblem(field));


/**
 * The query of every paged route: the route's own filters extend it (`class StepListQuery extends
 * PageQuery`), a route without filters takes it as is (`@Query() page: PageQuery`).
 */
export class PageQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: PAGE_LIMITS.max,
    default: PAGE_LIMITS.default,
    description: `Rows on this page (1 through ${PAGE_LIMITS.max}, default ${PAGE_LIMITS.default})`,
  })
  // Only plain digits become a number: `1.5`, `1e2`, ` 5` or a repeated parameter stay what they are and are refused.
  @Transform(({ value }) => (typeof value === 'string' && /^[0-9]{1,6}$/.test(value) ? Number(value) : value))
  @checkedBy('pageLimit', checkLimit)
  limit?: number;

  @ApiPropertyOptional({
    type: String,
    maxLength: PAGE_LIMITS.cursorLength,
    pattern: CURSOR_PATTERN.source,
    description: "The previous page's nextCursor, as it came (opaque); left out: the first page",
  })
  @checkedBy('pageCursor', checkCursor)
  cursor?: string;
}

/** The page a validated query asks for. */
export const pageOf = (query: PageQuery): PageRequest => ({ limit: query.limit ?? PAGE_LIMITS.default, cursor: query.cursor });

// ---------------------------------------------------------------------------------------------------------
// The sort key and its cursor.

/** The type of a key column, as its cursor value is checked and cast; a timestamp keeps Postgres's microseconds. */
export type KeyType = 'text' | 'bigint' | 'uuid' | 'timestamp';

export interface KeyColumn {
  /**
   * The column or expression, as the page's query names it, qualified by its table (`s.owner_code`,
   * `audit_log.id`): in ORDER BY a bare name means an output column first, which may be another thing.
   */
  sql: string;
  type: KeyType;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** As `KEY_SELECT.timestamp` writes it: UTC to the microsecond; year 0 does not exist in Postgres. */
const TIMESTAMP = /^(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Whether a decoded cursor value can be one of this type: what Postgres would refuse to cast never reaches it. */
const VALID_KEY: Record<KeyType, (value: unknown) => boolean> = {
  text: (v) => typeof v === 'string' && v.length <= PAGE_LIMITS.cursorLength && !CONTROL.test(v),
  bigint: (v) => typeof v === 'string' && /^(0|[1-9][0-9]{0,17})$/.test(v),
  uuid: (v) => typeof v === 'string' && UUID.test(v),
  // A real moment: the same text back from JavaScript's calendar (no 30 February, no hour 25).
  timestamp: (v) => typeof v === 'string' && TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v.slice(0, 23) + 'Z')) && new Date(v.slice(0, 23) + 'Z').toISOString().slice(0, 23) === v.slice(0, 23),
};

/** How the query reads a key column for the cursor: text, exactly (a timestamp to the microsecond, not as a Date). */
const KEY_SELECT: Record<KeyType, (sql: string) => string> = {
  text: (sql) => sql,
  bigint: (sql) => `${sql}::text`,
  uuid: (sql) => `${sql}::text`,
  timestamp: (sql) => `to_char(${sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
};
const KEY_CAST: Record<KeyType, string> = { text: '::text', bigint: '::bigint', uuid: '::uuid', timestamp: '::timestamptz' };

/** The sort key of one list: unique (its primary key last), every column in one direction. */
export class Keyset {
  constructor(
    readonly columns: readonly KeyColumn[],
    readonly direction: 'asc' | 'desc' = 'asc',
  ) {
    if (!columns.length) throw new Error('Keyset: a sort key needs at least one column');
  }
}

/** The cursor of a row whose sort key has these values. */
export function encodeCursor(values: readonly string[]): string {
  const cursor = Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
  // Every key here is short (codes, keys, ids, moments); a longer one would be refused when it came back.
  if (cursor.length > PAGE_LIMITS.cursorLength) throw new Error(`paging: a cursor of ${cursor.length} characters exceeds ${PAGE_LIMITS.cursorLength}`);
  return cursor;
}

/** The sort key a cursor names, checked against the keyset; anything else is a 400 `cursor-invalid`. */
export function decodeCursor(cursor: string, keyset: Keyset, field = 'cursor'): string[] {
  if (!CURSOR_PATTERN.test(cursor)) throw cursorInvalid(field);
  const bytes = Buffer.from(cursor, 'base64url');
  // Canonical only: a cursor this API wrote comes back as it was (no padding, no stray bits).
  if (bytes.toString('base64url') !== cursor) throw cursorInvalid(field);
  let values: unknown;
  try {
    values = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw cursorInvalid(field);
  }
  if (!Array.isArray(values) || values.length !== keyset.columns.length) throw cursorInvalid(field);
  if (!keyset.columns.every((column, i) => VALID_KEY[column.type](values[i]))) throw cursorInvalid(field);
  return values as string[];
}

/** One page's query: what to select, from where (joins included), the route's own filters and their parameters. */
export interface PageSql {
  select: string;
  from: string;
  /** Conditions, AND-ed (each is put in parentheses). */
  where?: readonly string[];
  params?: readonly unknown[];
}

const KEY_ALIAS = '_page_key_';

/**
 * Reads one page: the filters AND the keyset condition after the cursor, ordered by the key, `limit + 1`
 * rows to know whether another page follows. The rows come back as the query selects them (the key columns
 * it adds for the cursor removed).
 */
export async function keysetPage<Row extends Record<string, unknown>>(
  db: Pick<DataSource, 'query'>,
  sql: PageSql,
  keyset: Keyset,
  page: PageRequest,
): Promise<Page<Row>> {
  const params = [...(sql.params ?? [])];
  const where = (sql.where ?? []).map((condition) => `(${condition})`);
  if (page.cursor !== undefined) {
    const after = decodeCursor(page.cursor, keyset);
    const columns = keyset.columns.map((c) => c.sql).join(', ');
    const values = keyset.columns.map((c, i) => `$${params.push(after[i])}${KEY_CAST[c.type]}`).join(', ');
    where.push(`(${columns}) ${keyset.direction === 'asc' ? '>' : '<'} (${values})`);
  }
  const keys = keyset.columns.map((c, i) => `${KEY_SELECT[c.type](c.sql)} AS "${KEY_ALIAS}${i}"`).join(', ');
  const order = keyset.columns.map((c) => `${c.sql} ${keyset.direction.toUpperCase()}`).join(', ');
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT ${sql.select}, ${keys} FROM ${sql.from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT $${params.push(page.limit + 1)}`,
    params,
  );
  const shown = rows.slice(0, page.limit);
  const last = shown[shown.length - 1];
  const nextCursor = rows.length > page.limit ? encodeCursor(keyset.columns.map((_, i) => String(last[`${KEY_ALIAS}${i}`]))) : null;
  const items = shown.map((row) => {
    const item = { ...row };
    keyset.columns.forEach((_, i) => delete item[`${KEY_ALIAS}${i}`]);
    return item as Row;
  });
  return { items, nextCursor };
}

/** The same page with each row made into what the route answers. */
export const mapPage = <T, U>(page: Page<T>, map: (item: T) => U): Page<U> => ({ items: page.items.map(map), nextCursor: page.nextCursor });

// ---------------------------------------------------------------------------------------------------------
// The contract.

/** The 200 body of every paged route. */
export const PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['items', 'nextCursor'],
  additionalProperties: false,
  properties: {
    items: { type: 'array', maxItems: PAGE_LIMITS.max, items: { type: 'object' }, description: "This page's rows, in the list's order" },
    nextCursor: {
      type: 'string',
      nullable: true,
      maxLength: PAGE_LIMITS.cursorLength,
      pattern: CURSOR_PATTERN.source,
      description: 'Send it as cursor for the next page; null on the last page',
    },
  },
};

const PAGE_400 = `limit not a whole number from 1 through ${PAGE_LIMITS.max} (invalid-input, field limit); cursor-invalid: a cursor this list did not give (field cursor)`;

/**
 * Declares a paged route's responses: its 200 is the page (`PAGE_SCHEMA`), its 400 the query's refusals,
 * and the other statuses as `@Responds` takes them. A 200 or 400 given here adds its description (a 200's
 * `file` another media type, the audit log's CSV). The route must take a `PageQuery`: checked when the
 * controller is loaded, so a paged route without `limit` and `cursor` does not start.
 */
export function Paged(...entries: (Status | ResponseSpec)[]): MethodDecorator {
  const specs = entries.map((entry): ResponseSpec => (typeof entry === 'number' ? { status: entry } : entry));
  const ok = specs.find((s) => s.status === 200);
  const bad = specs.find((s) => s.status === 400);
  const others = specs.filter((s) => s.status !== 200 && s.status !== 400);
  const content: Record<string, { schema: SchemaObject }> = { 'application/json': { schema: PAGE_SCHEMA } };
  for (const type of [ok?.file ?? []].flat()) content[type] = { schema: { type: 'string' } };
  const check: MethodDecorator = (target, key) => {
    const types: unknown[] = Reflect.getMetadata('design:paramtypes', target, key) ?? [];
    if (!types.some((t) => typeof t === 'function' && (t === PageQuery || t.prototype instanceof PageQuery))) {
      throw new Error(`@Paged on ${target.constructor.name}.${String(key)}: the route must take a PageQuery (@Query() query: PageQuery or a class extending it)`);
    }
  };
  return applyDecorators(
    check,
    ApiResponse({ status: 200, description: ['OK: one page', ok?.description].filter(Boolean).join('. '), content }),
    ...responses([{ status: 400, description: [PAGE_400, bad?.description].filter(Boolean).join('; ') }, ...others]),
  );
}
