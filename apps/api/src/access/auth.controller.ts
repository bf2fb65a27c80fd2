import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { hashSecret, SECRET_PATTERN, SESSION_COOKIE } from '../../../../libs/access/secrets';
import { CalendarFeedsService } from '../calendar-feeds/calendar-feeds.service';
import { LIST_LIMITS } from '../edge/inputs';
import { PathParams } from '../edge/path-params';
import { Responds } from '../edge/responses';
import { MailLinkRefusalLimit, SignInLimit } from '../edge/rate-limits';
import { PAGE_HEADERS } from '../mail-links/mail-links.controller';
import { safeNext } from '../pages/next-path';
import { languageOf, renderPage, wantsHtml } from '../pages/page-render';
import { RegieError } from '../errors/regie-error';
import { Access } from './access.guard';
import type { RequestAccess } from './access.guard';
import { Does } from './does';
import { OidcService } from './oidc.service';
import { cookieValue } from './principals.service';
import { isAddress, normaliseEmail, SessionsService } from './sessions.service';



/** The session this browser had, ended at a new sign-in (the cookie rotates). */
function previousSession(req: Request): string | undefined {
  const previous = cookieValue(req, SESSION_COOKIE);
  return previous && SECRET_PATTERN.test(previous) ? hashSecret(previous) : undefined;
}

const sessionIdHash = (access: RequestAccess) => (access.credential.via === 'session' ? access.credential.sessionIdHash : undefined);

/**
 * Sign-in by a one-time link in mail (or OpenID Connect), the session it opens, choosing an organisation
 * and role, and sign-out. Pages for people; `GET /auth/session` answers JSON to an API client.
 */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(OidcService) private readonly oidc: OidcService,
    @Inject(CalendarFeedsService) private readonly feeds: CalendarFeedsService,
  ) {}

  @Get('sign-in')
  @Does('public')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'The sign-in page: ask for a link by mail (or sign in through OpenID Connect where configured)' })
  @Responds({ status: 200, page: true, error: false }, 429)
  signInPage(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return renderPage(res, 200, languageOf(req), 'page-sign-in', { sent: false, problem: null, email: '', next: safeNext(req.query.next) ?? '', oidc: this.oidc.enabled });
  }

  @Post('sign-in')
  @Does('public')
  @UseInterceptors(SignInLimit)
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'Send a sign-in link to this address (form field email); the answer is the same for a known and an unknown address' })
  @Responds({ status: 202, page: true, description: 'The same page for a known and an unknown address' }, { status: 400, page: true, error: false, description: 'The form again, the field in error named' }, 413, 415, { status: 429, description: 'Too many sign-in requests from this client' })
  requestLink(@Body() body: Record<string, unknown> | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const language = languageOf(req);
    const email = normaliseEmail(body?.email);
    // Where the link leads after signing in: a page of this site only, carried in the link's query and checked again there.
    const next = safeNext(body?.next) ?? '';
    if (!isAddress(email)) {
      const problem = language === 'en' ? 'Enter an e-mail address, like name@gemeente.nl' : 'Vul een e-mailadres in, zoals naam@gemeente.nl';
      return renderPage(res, 400, language, 'page-sign-in', { sent: false, problem, email: typeof body?.email === 'string' ? body.email.slice(0, LIST_LIMITS.email) : '', next, oidc: this.oidc.enabled });
    }
    this.sessions.requestLink(email, next || undefined, language);
    return renderPage(res, 202, language, 'page-sign-in', { sent: true, problem: null, email, next, oidc: this.oidc.enabled });
  }

  @Get('link/:token')
  @PathParams({ token: 'signInToken' })
  @Does('public')
  @UseInterceptors(MailLinkRefusalLimit)
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'The page behind a sign-in link: one button; opening it (as mail scanners do) spends nothing' })
  @Responds({ status: 200, page: true, error: false }, 404, { status: 410, page: true, error: false, description: 'Expired, used, or replaced by a newer link' }, 429, 503)
  async linkPage(@Param('token') token: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const valid = await this.sessions.linkIsValid(token);
    return renderPage(res, valid ? 200 : 410, languageOf(req), 'page-sign-in-link', { valid }, PAGE_HEADERS);
  }

  @Post('link/:token')
  @PathParams({ token: 'signInToken' })
  @Does('public')
  @UseInterceptors(MailLinkRefusalLimit)
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'Sign in with the link (once): opens a session (cookie) and goes to the page the person came from (query next, a path of this site) or /auth/session; a used, expired or replaced link is 410' })
  @Responds(303, 404, { status: 410, page: true, error: false, description: 'Expired, used, or replaced by a newer link' }, 413, 415, 429, 503)
  async signIn(@Param('token') token: string, @Req() req: Request, @Res({ passthrough: true }) res: Response, @Access() access: RequestAccess) {
    const opened = await this.sessions.signInWithLink(token, previousSession(req), access.requestId);
    if (!opened) return renderPage(res, 410, languageOf(req), 'page-sign-in-link', { valid: false }, PAGE_HEADERS);
    res.setHeader('Set-Cookie', this.sessions.cookie(opened.sessionId));
    const next = safeNext(req.query.next);
    // With several memberships the person chooses first; the choice carries `next` on.
    if (next && !opened.view.current) res.redirect(303, `/auth/session?next=${encodeURIComponent(next)}`);
    else res.redirect(303, next ?? '/auth/session');
    return '';
  }

  @Get('session')
  @Does('session')
  @ApiOperation({ summary: "Who is signed in, for which organisation and role, the other choices, the CSRF token for writes, and the person's calendar feeds with their URLs (HTML to a browser, with the forms to make and revoke feeds)" })
  @Responds({ status: 200, page: true }, 429, 503)
  async session(@Access() access: RequestAccess, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const p = access.principal!;
    const idHash = sessionIdHash(access);
    const view = idHash ? await this.sessions.view(idHash) : null;
    if (view) {
      // The person's page shows their calendar feeds (apps/api/src/calendar-feeds): what each covers, its URL, a revoke button.
      const language = languageOf(req);
      const calendarFeeds = await this.feeds.feedsOf(view.email, language);
      if (!wantsHtml(req)) return { ...view, calendarFeeds };
      const feedChoices = await this.feeds.choicesFor(p);
      return renderPage(res, 200, language, 'page-session', { ...view, next: safeNext(req.query.next) ?? '', calendarFeeds, feedChoices });
    }
    // A token or the operator: who it acts as.
    return p.kind === 'operator'
      ? { actor: 'operator', role: 'operator' }
      : p.kind === 'choosing'
        ? { actor: p.actor }
        : { actor: p.actor, organisation: { key: p.organisation.key, name: p.organisation.name, kind: p.organisation.kind }, role: p.role, scope: p.scope };
  }

  @Post('choose')
  @Does('session')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'Act for one of your organisations and roles (form fields organisationKey, role, _csrf)' })
  @Responds(303, { status: 400, description: 'membership-unknown' }, 413, 415, 429, 503)
  async choose(@Access() access: RequestAccess, @Body() body: Record<string, unknown> | undefined, @Res({ passthrough: true }) res: Response) {
    const idHash = sessionIdHash(access);
    const ok = idHash && typeof body?.organisationKey === 'string' && typeof body?.role === 'string' && (await this.sessions.choose(idHash, body.organisationKey, body.role));
    if (!ok) throw new RegieError('membership-unknown', 'invalid-input', 'U bent geen contact van deze organisatie in deze rol / You are not a contact of this organisation in this role', 'organisationKey');
    res.redirect(303, safeNext(body?.next) ?? '/auth/session');
    return '';
  }

  @Post('sign-out')
  @Does('session')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'End the session on the server and remove its cookie (form field _csrf)' })
  @Responds({ status: 200, page: true, error: false }, 413, 415, 429, 503)
  async signOut(@Access() access: RequestAccess, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const idHash = sessionIdHash(access);
    if (idHash) await this.sessions.end(idHash, 'signed-out');
    res.setHeader('Set-Cookie', this.sessions.cookie(null));
    return renderPage(res, 200, languageOf(req), 'page-signed-out', {});
  }

  @Get('oidc/start')
  @Does('public')
  @ApiOperation({ summary: "Sign in through the organisation's own OpenID provider (when configured): redirects there" })
  @Responds(303, { status: 404, description: 'oidc-not-configured' }, 429, { status: 503, description: 'oidc-unavailable: the provider cannot be reached' })
  async oidcStart(@Res({ passthrough: true }) res: Response) {
    res.redirect(303, await this.oidc.start());
    return '';
  }

  @Get('oidc/callback')
  @Does('public')
  @ApiOperation({ summary: "The OpenID provider's redirect back: opens a session for the contact with the address the provider vouches for" })
  @Responds(303, { status: 401, description: 'oidc-failed, oidc-email-missing, oidc-email-unverified' }, { status: 403, description: 'not-a-contact' }, { status: 404, description: 'oidc-not-configured' }, 429, 503)
  async oidcCallback(@Req() req: Request, @Query('state') state: unknown, @Res({ passthrough: true }) res: Response, @Access() access: RequestAccess) {
    const email = await this.oidc.finish(req.originalUrl, state);
    const opened = await this.sessions.signInWithOidc(email, previousSession(req), access.requestId);
    if (!opened) throw new RegieError('not-a-contact', 'forbidden', 'Dit adres is bij Regie geen contact van een organisatie / This address is no contact of an organisation in Regie');
    res.setHeader('Set-Cookie', this.sessions.cookie(opened.sessionId));
    res.redirect(303, '/auth/session');
    return '';
  }
}
