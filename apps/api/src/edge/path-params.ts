/**
 * Path parameters, each checked against its own format (`./inputs.ts`) before a controller sees it: a path
 * that cannot exist is a 404 that names the parameter and never echoes its value. Lookups by a path segment
 * use `Object.hasOwn` on a table without a prototype, so `toString`, `__proto__` or `constructor` find nothing.
 */
import { applyDecorators, CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiParam } from '@nestjs/swagger';
import type { Request } from 'express';
import { OWNER_COLLECTIONS, OWNER_KINDS } from '../../../../libs/contracts';
import type { OwnerKind } from '../../../../libs/contracts';
import { RegieError } from '../errors/regie-error';
import { CODE_FORMATS, CodeFormat, CodeKind } from './inputs';

/**
 * Formats only a path takes (no body carries these, so they are not `inputs.ts`'s codes): a calendar feed's
 * file, whose name is its secret (apps/api/src/calendar-feeds/feed-secret.ts: an HMAC-SHA256, 43 base64url
 * characters, as `SECRET_PATTERN`), and a feed's id (a UUID) in the revoke form's action.
 */
export const PATH_ONLY_FORMATS = {
  calendarFeedFile: { pattern: /^[A-Za-z0-9_-]{43}\.ics$/, what: 'a calendar feed file (its secret and .ics)', wat: 'een agendabestand (het geheim en .ics)', example: 'Q2FsZW5kYXJGZWVkU2VjcmV0RXhhbXBsZTAxMjM0NTY.ics' },
  calendarFeedId: { pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, what: 'a calendar feed id', wat: 'een agenda-id', example: '3f6c2a1e-8b4d-4e5f-9a0b-1c2d3e4f5a6b' },
} as const satisfies Record<string, CodeFormat>;
export type PathOnlyKind = keyof typeof PATH_ONLY_FORMATS;
const PATH_FORMATS: Record<CodeKind | PathOnlyKind, CodeFormat> = { ...CODE_FORMATS, ...PATH_ONLY_FORMATS };

export function noSuchPath(field?: string, detail?: { nl: string; en: string }): RegieError {
  const why = detail ? `: ${detail.nl} / No such path: ${detail.en}` : ' / No such path';
  return new RegieError('not-found', 'not-found', `Pad bestaat niet${why}`, field);
}

/** No municipality or region under this code; also what a caller gets for an owner out of its reach (existence does not leak). */
export function ownerNotFound(kind: OwnerKind, code: string): RegieError {
  return new RegieError(`${kind}-not-found`, 'not-found', `${kind === 'municipality' ? 'Gemeente' : 'Regio'} ${code} bestaat niet / Unknown ${kind}`, 'code');
}

/** The value of path parameter `field` when it is in the format of `kind`; otherwise a 404. */
export function requirePathParam(field: string, value: unknown, kind: CodeKind | PathOnlyKind): string {
  const format = PATH_FORMATS[kind];
  if (typeof value !== 'string' || !format.pattern.test(value)) {
    throw noSuchPath(field, { nl: `${field} moet ${format.wat} zijn, zoals ${format.example}`, en: `${field} must be ${format.what} such as ${format.example}` });
  }
  return value;
}

/** `municipalities` and `regions` (OWNER_COLLECTIONS), each with its owner kind; no prototype to find `toString` in. */
const OWNER_BY_COLLECTION: Record<string, OwnerKind> = Object.assign(
  Object.create(null) as Record<string, OwnerKind>,
  Object.fromEntries(OWNER_KINDS.map((kind) => [OWNER_COLLECTIONS[kind], kind])),
);
export const OWNER_COLLECTION_NAMES = Object.keys(OWNER_BY_COLLECTION);

/** A path parameter's format: a code kind, a path-only kind, or the owner collection of a step route (`municipalities`, `regions`). */
export type PathParamFormat = CodeKind | PathOnlyKind | 'ownerCollection';
const PATH_PARAMS = 'regie:pathParams';

/**
 * Declares the format of each path parameter of a route (or of every route of a controller): the
 * `PathParamsGuard` enforces it, the OpenAPI shows it. `@PathParams({ code: 'municipality' })`.
 */
export const PathParams = (params: Record<string, PathParamFormat>) =>
  applyDecorators(
    SetMetadata(PATH_PARAMS, params),
    ...Object.entries(params).map(([name, format]) =>
      format === 'ownerCollection'
        ? ApiParam({ name, schema: { type: 'string', enum: OWNER_COLLECTION_NAMES } })
        : ApiParam({ name, schema: { type: 'string', pattern: PATH_FORMATS[format].pattern.source, example: PATH_FORMATS[format].example } }),
    ),
  );

/**
 * Checks every path parameter against its declared format before pipes and handlers run, so a path that
 * cannot exist is a 404 whatever the body holds, and before the admin token is asked for. Deny by default:
 * a route with a path parameter whose format nobody declared is a server error that a test finds.
 */
@Injectable()
export class PathParamsGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const params = (req.params ?? {}) as Record<string, unknown>;
    const names = Object.keys(params);
    if (!names.length) return true;
    const formats = this.reflector.getAllAndOverride<Record<string, PathParamFormat> | undefined>(PATH_PARAMS, [context.getHandler(), context.getClass()]) ?? {};
    const undeclared = names.filter((name) => !Object.hasOwn(formats, name));
    if (undeclared.length) throw new Error(`route ${context.getClass().name}.${context.getHandler().name} declares no format for path parameter ${undeclared.join(', ')}: add @PathParams`);
    if (Object.values(formats).includes('ownerCollection')) ownerFromPath(params.collection, params.code);
    for (const name of names) {
      const format = formats[name];
      if (format !== 'ownerCollection') requirePathParam(name, params[name], format);
    }
    return true;
  }
}

/** The owner a step route names: `/:collection/:code/...`, the code in its owner kind's format. */
export function ownerFromPath(collection: unknown, code: unknown): { kind: OwnerKind; code: string } {
  if (typeof collection !== 'string' || !Object.hasOwn(OWNER_BY_COLLECTION, collection)) {
    throw noSuchPath('collection', { nl: `kies ${OWNER_COLLECTION_NAMES.join(' of ')}`, en: `choose ${OWNER_COLLECTION_NAMES.join(' or ')}` });
  }
  const kind = OWNER_BY_COLLECTION[collection];
  return { kind, code: requirePathParam('code', code, kind) };
}
