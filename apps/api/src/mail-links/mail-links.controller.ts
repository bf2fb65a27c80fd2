import { Body, Controller, Get, Inject, Param, Post, Res, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { PathParams } from '../edge/path-params';
import { MailLinkRefusalLimit } from '../edge/rate-limits';
import { MailLinksService, Page } from './mail-links.service';

/**
 * The token is in the path, so no page may be cached, framed, or leak its address as a referrer; no page
 * loads anything from elsewhere or runs a script, and forms post only back to the page itself.
 */
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'X-Robots-Tag': 'noindex, nofollow',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

function send(res: Response, page: Page): string {
  res.status(page.status).set(PAGE_HEADERS);
  return page.html;
}

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
  @ApiOperation({ summary: 'One-click unsubscribe page with its button; a GET changes nothing (mail scanners open links)' })
  async unsubscribePage(@Param('token') token: string, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.links.unsubscribePage(token));
  }

  @Post('unsubscribe/:token')
  @ApiOperation({ summary: 'RFC 8058 one-click unsubscribe (List-Unsubscribe=One-Click): stops optional mail; mandatory notices (verplichte meldingen, project policy) to office holders still come' })
  async unsubscribe(@Param('token') token: string, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.links.unsubscribe(token));
  }

  @Get('preferences/:token')
  @ApiOperation({ summary: "The recipient's mail preferences: immediate or weekly digest, optional mail stopped or not" })
  async preferencesPage(@Param('token') token: string, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.links.preferencesPage(token));
  }

  @Post('preferences/:token')
  @ApiOperation({ summary: 'Change the preferences: form fields delivery=immediate|digest and/or optional=stop|resume' })
  async updatePreferences(@Param('token') token: string, @Body() body: Record<string, unknown> | undefined, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.links.updatePreferences(token, body));
  }

  @Get('actions/:token')
  @ApiOperation({ summary: 'What an acknowledgement or receipt link confirms, with one button; changes nothing' })
  async actionPage(@Param('token') token: string, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.links.actionPage(token));
  }

  @Post('actions/:token')
  @ApiOperation({ summary: 'Acknowledge an escalation or confirm receipt, once; a second use is 409 and recorded as replayed' })
  async act(@Param('token') token: string, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.links.act(token));
  }
}
