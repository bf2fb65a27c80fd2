import { Body, Controller, Get, Inject, Param, Post, Res, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Does } from '../access/does';
import { PathParams } from '../edge/path-params';
import { MailLinkRefusalLimit } from '../edge/rate-limits';
import { Responds, ResponseSpec, Status } from '../edge/responses';
import { MailLinksService, Page } from './mail-links.service';

/**
 * The token is in the path, so no page may be cached, framed, or leak its address as a referrer; no page
 * loads anything from elsewhere or runs a script (style sheets come from this site's `/assets/`; the
 * components' check marks are `data:` images), and forms post only to this site. Every page uses it.
 */
export const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'X-Robots-Tag': 'noindex, nofollow',
  'Content-Security-Policy': "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

/**
 * The app's own pages (sign-in, session, step, municipality, region, province): the same, but their forms
 * must carry this site's Origin for the CSRF check, which `no-referrer` would turn into `Origin: null`; no
 * token sits in their paths, so the referrer may go to this site (and nowhere else).
 */
export const APP_PAGE_HEADERS = { ...PAGE_HEADERS, 'Referrer-Policy': 'same-origin' };

function send(res: Response, page: Page): string {
  res.status(page.status).set(PAGE_HEADERS);
  return page.html;
}

/**
 * What a link page answers, as HTML: the page (200), or a refused link (malformed 400, forged 403, unknown
 * 404, replayed 409, expired 410; mail-links.service.ts). The edge answers in JSON: a token that cannot be
 * one (404), too many refused links or requests (429), the database down (503), and on a POST a body
 * that is too large (413), of another type (415) or does not parse (400).
 */
const PAGE: (Status | ResponseSpec)[] = [
  { status: 200, page: true, description: 'The page' },
  { status: 403, page: true, error: false, description: 'The link is forged' },
  { status: 404, page: true, description: 'The page of an unknown link (a notification that does not exist, or is not this address\'s); or, in JSON, a token that cannot be one' },
  { status: 409, page: true, error: false, description: 'The link was used before' },
  { status: 410, page: true, error: false, description: 'The link has expired' },
  429,
  503,
];
const GET_PAGE: (Status | ResponseSpec)[] = [...PAGE, { status: 400, page: true, error: false, description: 'The link is malformed' }];
const POST_PAGE: (Status | ResponseSpec)[] = [...PAGE, { status: 400, page: true, description: 'The link is malformed, or a form value is bad (a page naming the field); in JSON, a body that does not parse' }, 413, 415];

/**
 * The pages behind the signed links in mails: no admin token, no cookies, no session; the token is the
 * authority. A client with too many refused links in a while gets a 429 (edge/rate-limits.ts).
 */
@ApiTags('mail-links')
@UseInterceptors(MailLinkRefusalLimit)
@PathParams({ token: 'mailToken' })
@ApiProduces('text/html')
@Controller('mail')
export class MailLinksController {
  constructor(@Inject(MailLinksService) private readonly links: MailLinksService) {}

  @Get('unsubscribe/:token')
  @Does('public')
  @ApiOperation({ summary: 'One-click unsubscribe page with its button; a GET changes nothing (mail scanners open links)' })
  @Responds(...GET_PAGE)
  async unsubscribePage(@Param('token') token: string, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.links.unsubscribePage(token));
  }

  @Post('unsubscribe/:token')
  @Does('public')
  @ApiOperation({ summary: 'RFC 8058 one-click unsubscribe (List-Unsubscribe=One-Click): stops optional mail; mandatory notices (verplichte meldingen, project policy) to office holders still come' })
  @Responds(...POST_PAGE)
  async unsubscribe(@Param('token') token: string, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.links.unsubscribe(token));
  }

  @Get('preferences/:token')
  @Does('public')
  @ApiOperation({ summary: "The recipient's mail preferences: immediate or weekly digest, optional mail stopped or not" })
  @Responds(...GET_PAGE)
  async preferencesPage(@Param('token') token: string, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.links.preferencesPage(token));
  }

  @Post('preferences/:token')
  @Does('public')
  @ApiOperation({ summary: 'Change the preferences: form fields delivery=immediate|digest and/or optional=stop|resume' })
  @Responds(...POST_PAGE)
  async updatePreferences(@Param('token') token: string, @Body() body: Record<string, unknown> | undefined, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.links.updatePreferences(token, body));
  }

  @Get('actions/:token')
  @Does('public')
  @ApiOperation({ summary: 'What an acknowledgement or receipt link confirms, with one button; changes nothing' })
  @Responds(...GET_PAGE)
  async actionPage(@Param('token') token: string, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.links.actionPage(token));
  }

  @Post('actions/:token')
  @Does('public')
  @ApiOperation({ summary: 'Acknowledge an escalation or confirm receipt, once; a second use is 409 and recorded as replayed' })
  @Responds(...POST_PAGE)
  async act(@Param('token') token: string, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.links.act(token));
  }
}
