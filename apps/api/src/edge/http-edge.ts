/**
 * What every request passes before a controller: security headers, no caching of personal data, paths
 * and queries without control characters, the media types each route takes, bounded body parsing. Plain
 * Express middleware registered before Nest's routes; a refusal goes to `next(error)`, so Nest's error
 * handler and the one `ErrorFilter` answer it in the project's error shape.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import helmet from 'helmet';
import { CONTROL_CHARACTER } from '../../../../libs/programme/limits';
import { RegieError } from '../errors/regie-error';
import { ApiMetrics } from '../metrics/api-metrics';
import { BODY_LIMITS } from './inputs';
import { noSuchPath, OWNER_COLLECTION_NAMES } from './path-params';
import { requestId, requestIdContext } from './request-id';

/** Page routes (forms a person submits in a browser or a mail provider posts): the mail-link pages, sign-in, and the app's forms (`/app/…`). */
export const PAGE_ROUTE = /^\/(mail|auth|app)(\/|$)/;
/** The one page form that uploads a file: a step's completion with its evidence document (multipart, parsed by multer in that route). */
export const DOCUMENT_FORM_ROUTE = new RegExp(`^/app/(${OWNER_COLLECTION_NAMES.join('|')})/[^/]+/steps/[^/]+/complete/?$`);
/** The OpenAPI page and its static files, and the pages' style sheets (`/assets/`, content-hashed names): the only responses that may be cached. */
const DOCS_ROUTE = /^\/(docs(\/|-json$|-yaml$|$)|assets\/)/;

const CONTROL = CONTROL_CHARACTER;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The media types a write with a body may carry: JSON on API routes, forms on page routes (RFC 8058 one-click posts either form type). */
export const API_MEDIA_TYPES = ['application/json'] as const;
export const PAGE_MEDIA_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'] as const;

/** `Cache-Control: no-store` on everything but the docs: nearly every answer holds names, addresses or tokens. */
const noStore: RequestHandler = (req, res, next) => {
  if (!DOCS_ROUTE.test(req.path)) res.setHeader('Cache-Control', 'no-store');
  next();
};

/**
 * A path segment that does not decode, or holds a control character (`%00` above all), names nothing:
 * 404. A query parameter (name or value) with a control character is a bad request: 400 naming it.
 */
const pathAndQuery: RequestHandler = (req, _res, next) => {
  for (const segment of req.path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return next(noSuchPath());
    }
    if (CONTROL.test(decoded)) return next(noSuchPath());
  }
  for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
    const values = Array.isArray(value) ? value : [value];
    if (CONTROL.test(name) || values.some((v) => typeof v === 'string' && CONTROL.test(v))) {
      const field = CONTROL.test(name) ? undefined : name;
      return next(
        new RegieError(
          'control-character',
          'invalid-input',
          `Ongeldige invoer in ${field ? `veld ${field}` : 'de query'}: geen stuurtekens toegestaan / query parameters must not contain control characters`,
          field,
        ),
      );
    }
  }
  next();
};

function mediaType(header: string | undefined): { type: string; charset: string | null } {
  const [type, ...params] = (header ?? '').split(';');
  const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";\s]*)"?\s*$/i.exec(p)?.[1]).find((c) => c !== undefined);
  return { type: type.trim().toLowerCase(), charset: charset === undefined ? null : charset.toLowerCase() };
}

/** A body is there when it is chunked or has a length above 0 (a bodiless POST such as an apply needs no type). */
const hasBody = (req: Request) => req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/** API writes take `application/json` (UTF-8) only; page routes take form bodies only: anything else is a 415. */
const mediaTypes: RequestHandler = (req, _res, next) => {
  if (!WRITES.has(req.method) || !hasBody(req)) return next();
  const { type, charset } = mediaType(req.headers['content-type']);
  const allowed: readonly string[] = PAGE_ROUTE.test(req.path) ? PAGE_MEDIA_TYPES : API_MEDIA_TYPES;
  if (!allowed.includes(type)) {
    return next(
      new RegieError(
        'unsupported-media-type',
        'unsupported-media-type',
        `Content-Type moet ${allowed.join(' of ')} zijn / Content-Type must be ${allowed.join(' or ')}`,
      ),
    );
  }
  if (charset !== null && charset !== 'utf-8' && type !== 'multipart/form-data') {
    return next(new RegieError('unsupported-charset', 'unsupported-media-type', 'Alleen UTF-8 wordt geaccepteerd / Only UTF-8 is accepted'));
  }
  next();
};

/** What a multipart body on this page route may hold: the document form its document, every other form BODY_LIMITS.form. */
export const multipartLimit = (path: string) => (DOCUMENT_FORM_ROUTE.test(path) ? BODY_LIMITS.documentForm : BODY_LIMITS.form);

const multipartTooLarge = (limit: number) =>
  new RegieError('body-too-large', 'too-large', `Verzoek te groot: ten hoogste ${limit} bytes formulierdata / Request body too large: at most ${limit} bytes of form data`);

/**
 * Multipart bodies are not parsed here (the one route that takes a file parses it with multer; the
 * mail-link pages need no field of it), but they are bounded on every page route: a declared
 * Content-Length over the route's limit is a 413 before a byte is read, and a body without one is
 * counted as it streams to whoever reads it, which gets the 413 as a stream error once the count passes
 * the limit (multer hands it to the error filter). Nothing is buffered beyond the limit.
 */
export const boundedMultipart: RequestHandler = (req, res, next) => {
  if (!WRITES.has(req.method) || !hasBody(req) || !PAGE_ROUTE.test(req.path) || mediaType(req.headers['content-type']).type !== 'multipart/form-data') return next();
  const limit = multipartLimit(req.path);
  if (Number(req.headers['content-length']) > limit) return next(multipartTooLarge(limit));
  let seen = 0;
  const count = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen <= limit) return;
    req.off('data', count);
    req.unpipe();
    // A reader listens for errors (multer does); without one, an error event would crash the process.
    if (req.listenerCount('error') > 0) req.emit('error', multipartTooLarge(limit));
    else req.destroy();
  };
  // Counted only once someone reads: a 'data' listener of its own would start the flow before the reader is
  // there. A body nobody read is discarded by Node once the answer is out (not counted: no one buffers it).
  req.once('resume', () => {
    if (!res.writableEnded) req.on('data', count);
  });
  next();
};

/**
 * The names every object already has (`__proto__`, `constructor`, `toString`, `hasOwnProperty`, ...): as a
 * key, `__proto__` turns an assignment into a prototype change, and class-transformer silently drops the
 * others from a map. No field or map key of the API has such a name, so a body with one is refused.
 */
const PROTOTYPE_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * A parsed JSON body nested deeper than any DTO (recursion in the validators would overflow the stack), or
 * with a key named like a prototype property, is refused before it reaches a controller. Iterative, so a
 * deep body cannot overflow the check itself.
 */
export function jsonBodyProblem(body: unknown, maxDepth: number = BODY_LIMITS.jsonDepth): RegieError | null {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: body, depth: 0, path: '' }];
  while (stack.length) {
    const { value, depth, path } = stack.pop()!;
    if (!value || typeof value !== 'object') continue;
    if (depth >= maxDepth) {
      return new RegieError('body-too-deep', 'invalid-input', `De body is te diep genest: ten hoogste ${maxDepth} niveaus / The body is nested deeper than ${maxDepth} levels`);
    }
    for (const key of Object.keys(value)) {
      const at = path ? `${path}.${key}` : key;
      if (PROTOTYPE_KEYS.has(key)) return new RegieError('invalid-input', 'invalid-input', `Ongeldige invoer in veld ${at}: ${key} is geen veldnaam / not a field name`, at);
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, path: at });
    }
  }
  return null;
}

const boundedJson: RequestHandler = (req, _res, next) => next(jsonBodyProblem(req.body) ?? undefined);

/**
 * The body parsers' errors (http-errors with a `type`), each a client's mistake with its own status, as
 * RegieErrors before Nest sees them (Nest would turn a JSON syntax error into a bare 400 and anything else
 * into a 500). The parser's message is never passed on: it may quote the body.
 */
const PARSER_ERRORS: Record<string, RegieError> = {
  'entity.too.large': new RegieError(
    'body-too-large',
    'too-large',
    `Verzoek te groot: ten hoogste ${BODY_LIMITS.json} bytes JSON of ${BODY_LIMITS.form} bytes formulierdata / Request body too large: at most ${BODY_LIMITS.json} bytes of JSON or ${BODY_LIMITS.form} bytes of form data`,
  ),
  'parameters.too.many': new RegieError(
    'too-many-fields',
    'too-large',
    `Te veel formuliervelden: ten hoogste ${BODY_LIMITS.formParameters} / Too many form fields: at most ${BODY_LIMITS.formParameters}`,
  ),
  'charset.unsupported': new RegieError('unsupported-charset', 'unsupported-media-type', 'Alleen UTF-8 wordt geaccepteerd / Only UTF-8 is accepted'),
  'encoding.unsupported': new RegieError(
    'unsupported-content-encoding',
    'unsupported-media-type',
    'Content-Encoding niet ondersteund: gebruik gzip, deflate, br, zstd of geen / Unsupported Content-Encoding: use gzip, deflate, br, zstd or none',
  ),
  'entity.parse.failed': new RegieError('malformed-body', 'invalid-input', 'De body is geen geldige JSON of formulierdata / The body is not valid JSON or form data'),
  'querystring.parse.rangeError': new RegieError('malformed-body', 'invalid-input', 'De formulierdata is te diep genest / The form data is nested too deeply'),
  'request.aborted': new RegieError('request-aborted', 'invalid-input', 'Het verzoek is afgebroken / The request was aborted'),
  'request.size.invalid': new RegieError('malformed-body', 'invalid-input', 'De body is korter of langer dan Content-Length / The body does not match its Content-Length'),
};
/** A client error of the parsers without a type of its own: a compressed body that does not decompress. */
const UNREADABLE_BODY = new RegieError('malformed-body', 'invalid-input', 'De body kan niet worden gelezen (Content-Encoding klopt niet) / The body cannot be read (it does not match its Content-Encoding)');

/** The RegieError of a body-parser error, or null for any other error (left to the error filter). */
export function parserError(error: unknown): RegieError | null {
  if (error instanceof RegieError) return null;
  const e = error as { type?: unknown; status?: unknown; expose?: unknown } | null;
  if (!e || typeof e !== 'object') return null;
  if (typeof e.type === 'string' && Object.hasOwn(PARSER_ERRORS, e.type)) return PARSER_ERRORS[e.type];
  // http-errors marks the client's errors `expose`: a 4xx of the parsers without a known type.
  if (e.expose === true && typeof e.status === 'number' && e.status >= 400 && e.status < 500) return UNREADABLE_BODY;
  return null;
}

const parserErrors: ErrorRequestHandler = (err, _req, _res, next) => next(parserError(err) ?? err);

/**
 * Installs the edge on the Express app. Call before `init()`/`listen()`, on an app created with
 * `bodyParser: false`: the parsers here replace Nest's own (1 MB of JSON instead of 100 kB, no extended
 * form syntax, a bound on form fields).
 */
export function installHttpEdge(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  // First: every request counted and timed (metrics/api-metrics.ts), and given its id (request-id.ts).
  app.use(app.get(ApiMetrics).middleware);
  app.use(requestId);
  app.use(
    helmet({
      // Behind TLS the proxy decides; on http://localhost an upgrade would break the docs page.
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    }),
  );
  app.use(noStore);
  app.use(pathAndQuery);
  app.use(mediaTypes);
  app.use(boundedMultipart);
  app.useBodyParser('json', { limit: BODY_LIMITS.json });
  app.useBodyParser('urlencoded', { extended: false, limit: BODY_LIMITS.form, parameterLimit: BODY_LIMITS.formParameters });
  app.use(boundedJson);
  app.use(parserErrors);
  app.use(requestIdContext);
}
