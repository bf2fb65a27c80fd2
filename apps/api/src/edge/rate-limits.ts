/**
 * Rate limits per client (its IP address, IPv6 by /64): a generous limit on every route through
 * `@nestjs/throttler`, and a strict one on refused mail links. Both answer 429 with `Retry-After` in
 * seconds. Counters live in the API process's memory: with several API processes each counts its own.
 *
 * Read from the environment when the module is built, with these defaults (a bad value stops the start
 * with a message naming the variable):
 * - `REGIE_RATE_LIMIT` (300): requests per client per minute, all routes together (not `/health` and `/metrics`).
 * - `REGIE_MAIL_LINK_REFUSAL_LIMIT` (20): refused mail-link requests (a 4xx page: malformed, forged,
 *   expired, replayed, unknown, a bad form value) per client per 15 minutes; after that every mail-link
 *   request of that client is a 429 until the oldest refusal is 15 minutes old. Only refusals count: a
 *   mail provider posts many genuine one-click unsubscribes from one address, a guesser mostly refusals.
 */
import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { normalizeIp, ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import { RegieError } from '../errors/regie-error';

export interface RateLimits {
  /** Requests per client per minute. */
  perMinute: number;
  /** Refused mail-link requests per client per refusal window. */
  mailLinkRefusals: number;
  /** Sign-in link requests per client per refusal window (a person needs one or two). */
  signIns: number;
}

export const RATE_LIMIT_DEFAULTS: RateLimits = { perMinute: 300, mailLinkRefusals: 20, signIns: 10 };
export const RATE_LIMIT_ENV = { perMinute: 'REGIE_RATE_LIMIT', mailLinkRefusals: 'REGIE_MAIL_LINK_REFUSAL_LIMIT', signIns: 'REGIE_SIGN_IN_LIMIT' } as const satisfies Record<keyof RateLimits, string>;
export const RATE_WINDOW_MS = 60_000;
export const REFUSAL_WINDOW_MS = 15 * 60_000;

export const RATE_LIMITS = Symbol('RATE_LIMITS');

export function readRateLimits(env: Record<string, string | undefined> = process.env): RateLimits {
  const read = (key: keyof RateLimits): number => {
    const name = RATE_LIMIT_ENV[key];
    const raw = env[name];
    if (raw === undefined || raw === '') return RATE_LIMIT_DEFAULTS[key];
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
      throw new Error(`${name} must be a whole number of at least 1 (requests), default ${RATE_LIMIT_DEFAULTS[key]}`);
    }
    return Number(raw);
  };
  return { perMinute: read('perMinute'), mailLinkRefusals: read('mailLinkRefusals'), signIns: read('signIns') };
}

/** A client as rate limits and the audit log count it: its address (IPv6 by /64), behind TRUST_PROXY_HOPS proxies the forwarded one. */
export const clientOf = (req: Request) => normalizeIp(req.ip ?? req.socket.remoteAddress ?? 'unknown');

const tooMany = (retryAfterSeconds: number, what = { nl: 'Te veel geweigerde links', en: 'Too many refused links' }) =>
  new RegieError(
    'rate-limited',
    'rate-limited',
    `${what.nl}: probeer het na Retry-After seconden opnieuw / ${what.en}: retry after Retry-After seconds`,
    undefined,
    undefined,
    retryAfterSeconds,
  );

/** The throttler's options: one counter per client for all routes together (the library counts per route by default). */
export function throttlerOptions(limits: RateLimits): ThrottlerModuleOptions {
  return {
    throttlers: [{ name: 'default', ttl: RATE_WINDOW_MS, limit: limits.perMinute }],
    getTracker: (req) => clientOf(req as Request),
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
  };
}

/**
 * Counts the refused requests on the mail-link routes per client and refuses that client's mail-link
 * requests with a 429 once it has `mailLinkRefusals` of them within the window.
 */
@Injectable()
export class MailLinkRefusalLimit implements NestInterceptor {
  /** Per client, the times of its refusals within the window, oldest first (at most the limit). */
  private readonly refusals = new Map<string, number[]>();

  constructor(@Inject(RATE_LIMITS) private readonly limits: RateLimits) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const client = clientOf(req);
    const now = Date.now();
    const recent = this.recent(client, now);
    if (recent.length >= this.limits.mailLinkRefusals) {
      throw tooMany((recent[0] + REFUSAL_WINDOW_MS - now) / 1000);
    }
    res.once('finish', () => {
      if (res.statusCode >= 400 && res.statusCode < 500) this.record(client, Date.now());
    });
    return next.handle();
  }

  private recent(client: string, now: number): number[] {
    const times = (this.refusals.get(client) ?? []).filter((t) => t + REFUSAL_WINDOW_MS > now);
    if (times.length) this.refusals.set(client, times);
    else this.refusals.delete(client);
    return times;
  }

  private record(client: string, now: number): void {
    const times = this.recent(client, now);
    times.push(now);
    // Only the newest `limit` matter: the oldest of them says when the client may try again.
    this.refusals.set(client, times.slice(-this.limits.mailLinkRefusals));
    if (this.refusals.size > 10_000) for (const key of [...this.refusals.keys()]) this.recent(key, now);
  }
}

/**
 * Sign-in link requests (`POST /auth/sign-in`) per client: at most `signIns` within the refusal window,
 * each request counted whatever its answer (which never says whether the address is known).
 */
@Injectable()
export class SignInLimit implements NestInterceptor {
  private readonly requests = new Map<string, number[]>();

  constructor(@Inject(RATE_LIMITS) private readonly limits: RateLimits) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const client = clientOf(context.switchToHttp().getRequest<Request>());
    const now = Date.now();
    const times = (this.requests.get(client) ?? []).filter((t) => t + REFUSAL_WINDOW_MS > now);
    if (times.length >= this.limits.signIns) throw tooMany((times[0] + REFUSAL_WINDOW_MS - now) / 1000, { nl: 'Te veel aanmeldverzoeken', en: 'Too many sign-in requests' });
    times.push(now);
    this.requests.set(client, times);
    if (this.requests.size > 10_000) for (const [key, list] of [...this.requests]) if (!list.some((t) => t + REFUSAL_WINDOW_MS > now)) this.requests.delete(key);
    return next.handle();
  }
}
