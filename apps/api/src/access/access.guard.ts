import { CallHandler, CanActivate, createParamDecorator, ExecutionContext, HttpException, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { catchError, Observable, tap } from 'rxjs';
import { Action, decide, Decision, ownerRef, Principal, Refusal, Target } from '../../../../libs/access/policy';
import { CSRF_FIELD, CSRF_HEADER, csrfToken, sameSecret } from '../../../../libs/access/secrets';
import type { RegieConfig } from '../../../../libs/config/config';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import { ownerFromPath, ownerNotFound } from '../edge/path-params';
import { clientOf } from '../edge/rate-limits';
import { requestIdOf } from '../edge/request-id';
import { organisationNotFound } from '../organisations/organisations.service';
import { ErrorCategory, HTTP_STATUS_BY_CATEGORY, RegieError } from '../errors/regie-error';
import { AuditService } from './audit.service';
import { ROUTE_ACTION, RouteAction } from './does';
import { Credential, PrincipalsService } from './principals.service';

/** What the guard decided, kept on the request for the controller (the actor, whether personal data may be shown) and the audit. */
export interface RequestAccess {
  principal: Principal | null;
  credential: Credential;
  action: Action;
  target?: string;
  decision: Decision & { allow: true };
  requestId: string;
}

type AccessRequest = Request & { access?: RequestAccess };

/** The access the guard granted this request (every routed request has one). */
export function accessOf(req: Request): RequestAccess {
  const access = (req as AccessRequest).access;
  if (!access) throw new Error(`No access decision on ${req.method} ${req.path}: the AccessGuard did not run`);
  return access;
}

/** `@Access() access: RequestAccess` in a controller method. */
export const Access = createParamDecorator((_: unknown, ctx: ExecutionContext) => accessOf(ctx.switchToHttp().getRequest<Request>()));

const REFUSAL_ERRORS: Record<Refusal, { code: string; category: ErrorCategory; nl: string; en: string }> = {
  unauthenticated: { code: 'sign-in-required', category: 'unauthorized', nl: 'Meld u aan (sessie of Authorization: Bearer <sleutel>)', en: 'Sign in (a session or Authorization: Bearer <token>)' },
  'choose-organisation': { code: 'organisation-choice-required', category: 'forbidden', nl: 'Kies eerst namens welke organisatie en rol u werkt (POST /auth/choose)', en: 'First choose the organisation and role you act for (POST /auth/choose)' },
  forbidden: { code: 'forbidden', category: 'forbidden', nl: 'Uw rol mag dit niet', en: 'Your role may not do this' },
  'read-only': { code: 'token-read-only', category: 'forbidden', nl: 'Deze sleutel mag alleen lezen', en: 'This token may only read' },
  'not-found': { code: 'not-found', category: 'not-found', nl: 'Niet gevonden', en: 'Not found' },
};

/** A refusal as the caller sees it; out of reach is the very 404 of a code that does not exist. */
function refusalError(refusal: Refusal, target: Target): RegieError {
  if (refusal === 'not-found' && target && 'owner' in target) {
    const [kind, code] = target.owner.split(':') as ['municipality' | 'region', string];
    return ownerNotFound(kind, code);
  }
  if (refusal === 'not-found' && target && 'organisation' in target) return organisationNotFound(target.organisation);
  const e = REFUSAL_ERRORS[refusal];
  return new RegieError(e.code, e.category, `${e.nl} / ${e.en}`);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Decides every request with libs/access/policy.ts, after the rate limit and the path-parameter check. A
 * route without a declared action is refused. A write with a session cookie must come from this site's
 * own pages: its Origin (or Referer) is PUBLIC_BASE_URL's and it carries the session's CSRF token.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(PrincipalsService) private readonly principals: PrincipalsService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AccessRequest>();
    // Decided and answered (X-Request-Id) at the edge, for every request: edge/request-id.ts.
    const requestId = requestIdOf(req);
    const declared = this.reflector.getAllAndOverride<RouteAction | undefined>(ROUTE_ACTION, [context.getHandler(), context.getClass()]);
    if (!declared) throw new RegieError('no-policy', 'forbidden', 'Deze route heeft geen toegangsregel / This route has no access policy');

    let caller;
    try {
      caller = await this.principals.identify(req);
    } catch (err) {
      if (declared.action === 'public' && err instanceof RegieError && err.category === 'unauthorized') {
        caller = { principal: null, credential: { via: 'anonymous' } as const };
      } else {
        await this.audit.countAnonymousRefusal(clientOf(req));
        throw err;
      }
    }
    const target = targetOf(declared, req);
    const decision = decide(caller.principal, declared.action, target);
    if (decision.allow && caller.credential.via === 'session' && !SAFE_METHODS.has(req.method) && declared.action !== 'public' && !this.sameSiteForm(req, caller.credential.sessionIdHash)) {
      return this.refuse(req, caller.principal, declared, target, requestId, {
        code: 'csrf-refused',
        category: 'forbidden',
        nl: 'Dit formulier komt niet van Regie zelf (Origin of CSRF-token ontbreekt of klopt niet)',
        en: 'This form does not come from Regie itself (Origin or CSRF token missing or wrong)',
      });
    }
    if (!decision.allow) return this.refuse(req, caller.principal, declared, target, requestId, decision.refusal);
    req.access = { ...caller, action: declared.action, target: describeTarget(target), decision, requestId };
    return true;
  }

  private async refuse(
    req: Request,
    principal: Principal | null,
    declared: RouteAction,
    target: Target,
    requestId: string,
    refusal: Refusal | { code: string; category: ErrorCategory; nl: string; en: string },
  ): Promise<never> {
    const error = typeof refusal === 'string' ? refusalError(refusal, target) : new RegieError(refusal.code, refusal.category, `${refusal.nl} / ${refusal.en}`);
    const status = HTTP_STATUS_BY_CATEGORY[error.category];
    if (principal) {
      await this.audit.recordQuietly({ principal, action: declared.action, target: describeTarget(target), outcome: 'refused', status, code: error.code, requestId, method: req.method, path: req.path });
    } else {
      await this.audit.countAnonymousRefusal(clientOf(req));
    }
    throw error;
  }

  /** Origin (or, without it, Referer) is this site, and the CSRF token matches the session's. */
  private sameSiteForm(req: Request, sessionIdHash: string): boolean {
    const site = new URL(this.config.http.publicBaseUrl).origin;
    const origin = req.headers.origin ?? refererOrigin(req.headers.referer);
    if (origin !== site) return false;
    const body = req.body as Record<string, unknown> | undefined;
    // A multipart form (an upload) is parsed after this guard, by the route's own interceptor: its token rides in the query.
    const inQuery = req.is('multipart/form-data') && typeof req.query[CSRF_FIELD] === 'string' ? (req.query[CSRF_FIELD] as string) : undefined;
    const given = req.header(CSRF_HEADER) ?? (typeof body?.[CSRF_FIELD] === 'string' ? (body[CSRF_FIELD] as string) : inQuery);
    return given !== undefined && sameSecret(given, csrfToken(this.config.links.secret, sessionIdHash));
  }
}

/**
 * Audits every write a known caller makes, with its outcome (the refused ones are audited by the guard).
 * Reads are not audited; sign-in and sign-out are audited by the session service itself.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<AccessRequest>();
    const access = req.access;
    if (!access?.principal || SAFE_METHODS.has(req.method) || access.action === 'public') return next.handle();
    const principal = access.principal;
    const entry = { principal, action: access.action, target: access.target, requestId: access.requestId, method: req.method, path: req.path };
    const res = context.switchToHttp().getResponse();
    return next.handle().pipe(
      tap(() => void this.audit.recordQuietly({ ...entry, outcome: 'allowed', status: res.statusCode })),
      catchError((err: unknown) => {
        const status = err instanceof RegieError ? HTTP_STATUS_BY_CATEGORY[err.category] : err instanceof HttpException ? err.getStatus() : 500;
        void this.audit.recordQuietly({ ...entry, outcome: status < 500 ? 'refused' : 'failed', status, code: err instanceof RegieError ? err.code : undefined });
        throw err;
      }),
    );
  }
}

function targetOf(declared: RouteAction, req: Request): Target {
  if (declared.target === 'owner') {
    const owner = ownerFromPath(req.params.collection, req.params.code);
    return { owner: ownerRef(owner.kind, owner.code) };
  }
  if (declared.target === 'organisation') return { organisation: String(req.params.key) };
  if (declared.target === 'province') return { province: String(req.params.code) };
  return undefined;
}

const describeTarget = (target: Target) =>
  !target ? undefined : 'owner' in target ? target.owner : 'province' in target ? `province:${target.province}` : `organisation:${target.organisation}`;

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}
