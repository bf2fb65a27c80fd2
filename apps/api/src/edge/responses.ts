/**
 * The responses a route declares in the OpenAPI, each status it really answers and nothing more:
 * `@Responds(201, 400, 404, 409, 413, 415, 429, 503)`. Every error status carries the one body the
 * `ErrorFilter` sends (`ErrorBody`, defined once here), 429 and 503 also their `Retry-After` header; a
 * success status carries no schema unless the route gives one. `responses()` returns the decorators
 * themselves, for another decorator to compose (an access policy adding its 401/403/404).
 *
 * Which route answers what comes from the code: the edge (`http-edge.ts`: 400 query and body, 413, 415 on
 * every write with a body; `rate-limits.ts`: 429 on every route but `/health` and `/metrics`; `path-params.ts`: 404 on every
 * route with a path parameter), the services' `RegieError` categories (`HTTP_STATUS_BY_CATEGORY`), and 503
 * `database-unavailable` (`error.filter.ts`) on every route that reads the database. A 500 is never
 * declared: it is a bug, and schemathesis's `not_a_server_error` says so.
 */
import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import type { HeaderObject, SchemaObject } from '@nestjs/swagger';
import { HTTP_STATUS_BY_CATEGORY } from '../errors/regie-error';

/** What every refusal and error of the API looks like (`ErrorFilter`): a code, a message, and where. */
@ApiSchema({ name: 'Error', description: 'Every refusal: `error` a stable code a client may branch on, `message` Dutch first, then English' })
export class ErrorBody {
  @ApiProperty({ description: 'A stable code: not-found, invalid-input, text-too-long, rate-limited, ...', example: 'not-found' })
  error!: string;

  @ApiProperty({ description: 'For a person: Dutch first, then English, naming the field', example: 'Pad bestaat niet / No such path' })
  message!: string;

  @ApiPropertyOptional({ description: 'The field, parameter or header it concerns (a body field by its full path: evidence.url, contacts.1.role)', example: 'code' })
  field?: string;

  @ApiPropertyOptional({ description: 'Only on a 500: the id under which the log holds the details', format: 'uuid' })
  correlationId?: string;
}

export type SuccessStatus = 200 | 201 | 202 | 303 | 304;
/** The error statuses the API answers: those of the error categories (`HTTP_STATUS_BY_CATEGORY`), and the mail-link pages' 403 and 410. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 503;
export type Status = SuccessStatus | ErrorStatus;

/** One declared response, when the bare status is not enough. */
export interface ResponseSpec {
  status: Status;
  /** Said after the status's own description: which codes this route sends, and when. */
  description?: string;
  /** The success body: a DTO class or a schema. Error statuses always have `ErrorBody`. */
  type?: Type<unknown>;
  schema?: SchemaObject;
  /** A body of another media type (a download, an event stream): the type; its schema `schema`, else binary. */
  file?: string | string[];
  /** Headers a success sends (a download's Content-Disposition and checksum). */
  headers?: Record<string, HeaderObject>;
  /** An HTML page (the mail links) answers this status too, as `text/html`. */
  page?: boolean;
  /** Whether the JSON error body can come with this status (default: every error status); false for a page-only status. */
  error?: boolean;
}

const SUCCESS: Record<SuccessStatus, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 303: 'See Other: go on at Location', 304: 'Not Modified: the If-None-Match tag is still current, no body' };

/** What each error status means here, whatever the route. */
const ERRORS: Record<ErrorStatus, string> = {
  400: 'Bad request: a field, query parameter, header or body fails its check (invalid-input, or the check\'s own code such as text-too-long, date-out-of-range, control-character, malformed-body, body-too-deep); `field` names it',
  401: 'Not signed in, or the credential is wrong, expired or revoked: send Authorization: Bearer <token> or the session cookie',
  403: 'Forbidden: the caller may not do this (libs/access/policy.ts)',
  404: 'Not found: a path parameter not in its format (not-found, `field` the parameter), or nothing under that code',
  409: 'Conflict with what is stored or running',
  410: 'Gone',
  413: 'Body too large (body-too-large, too-many-fields)',
  415: 'Unsupported media type, charset or Content-Encoding (unsupported-media-type, unsupported-charset, unsupported-content-encoding)',
  422: 'The Idempotency-Key was used before with another body (idempotency-key-reused)',
  429: 'Too many requests (rate-limited): retry after Retry-After seconds',
  503: 'A component is unavailable (database-unavailable): retry after Retry-After seconds',
};

// Every category's status has its description (a new category fails at start-up, not in a client).
for (const [category, status] of Object.entries(HTTP_STATUS_BY_CATEGORY)) {
  if (!Object.hasOwn(ERRORS, status)) throw new Error(`edge/responses.ts: no description for status ${status} of category ${category}`);
}

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before sending the request again', required: true, schema: { type: 'integer', minimum: 1 } },
};

const isError = (status: Status): status is ErrorStatus => status >= 400;

/** The decorators that declare these responses (for composing into another decorator); `Responds` applies them. */
export function responses(entries: readonly (Status | ResponseSpec)[]): (MethodDecorator & ClassDecorator)[] {
  const specs = entries.map((entry): ResponseSpec => (typeof entry === 'number' ? { status: entry } : entry));
  const seen = new Set<Status>();
  for (const { status } of specs) {
    if (seen.has(status)) throw new Error(`@Responds: status ${status} is declared twice`);
    seen.add(status);
  }
  return [
    ApiExtraModels(ErrorBody) as MethodDecorator & ClassDecorator,
    ...specs.map((spec) => {
      const error = isError(spec.status) && spec.error !== false;
      const content: Record<string, { schema: SchemaObject | { $ref: string } }> = {};
      if (spec.page) content['text/html'] = { schema: { type: 'string', description: 'An HTML page' } };
      if (error) content['application/json'] = { schema: { $ref: getSchemaPath(ErrorBody) } };
      else if (spec.type) content['application/json'] = { schema: { $ref: getSchemaPath(spec.type) } };
      else if (spec.file) for (const type of [spec.file].flat()) content[type] = { schema: spec.schema ?? { type: 'string', format: 'binary' } };
      else if (spec.schema) content['application/json'] = { schema: spec.schema };
      // A status that is not the error shape (a page, a health body) says what it is in its own words.
      const base = !isError(spec.status) ? SUCCESS[spec.status] : error || !spec.description ? ERRORS[spec.status] : '';
      return applyDecorators(
        ...(spec.type ? [ApiExtraModels(spec.type)] : []),
        ApiResponse({
          status: spec.status,
          description: [base, spec.description].filter(Boolean).join('. '),
          ...(Object.keys(content).length ? { content } : {}),
          ...(error && (spec.status === 429 || spec.status === 503) ? { headers: RETRY_AFTER } : !error && spec.headers ? { headers: spec.headers } : {}),
        }),
      );
    }),
  ];
}

/** Declares every status the route answers: `@Responds(200, 404, 429, 503)`, a status with details as a `ResponseSpec`. */
export const Responds = (...entries: (Status | ResponseSpec)[]) => applyDecorators(...responses(entries));
