import { Body, Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Access } from '../access/access.guard';
import type { RequestAccess } from '../access/access.guard';
import { Does } from '../access/does';
import { PathParams } from '../edge/path-params';
import { Responds } from '../edge/responses';
import { RegieError } from '../errors/regie-error';
import { languageOf, langQuery } from '../pages/page-render';
import { CalendarFeedsService } from './calendar-feeds.service';

/**
 * The feed itself: `text/calendar`, never cached or indexed, no referrer (its URL is its secret, as a mail
 * link's is; apps/api/src/mail-links).
 */
const FEED_HEADERS = {
  'Content-Type': 'text/calendar; charset=utf-8',
  'Cache-Control': 'no-store, private',
  'Referrer-Policy': 'no-referrer',
  'X-Robots-Tag': 'noindex, nofollow',
  'X-Content-Type-Options': 'nosniff',
};

/** The person a session form acts for: a signed-in person (with or without a chosen organisation); a token or the operator is none. */
function personOf(access: RequestAccess): string {
  const p = access.principal;
  if (access.credential.via === 'session' && p && (p.kind === 'person' || p.kind === 'choosing')) return p.actor;
  throw new RegieError('calendar-feed-person-only', 'forbidden', 'Alleen een aangemelde persoon heeft agenda’s / Only a signed-in person has calendar feeds');
}

/**
 * Calendar feeds (calendar-feeds.service.ts): the feed at its secret URL, for any calendar app (public for
 * the access guard: the secret is the authority), and the session page's two forms, to make one and to
 * revoke one (a session's writes: Origin and CSRF token checked by the guard, 303 back to the page).
 */
@ApiTags('calendar-feeds')
@Controller()
export class CalendarFeedsController {
  constructor(@Inject(CalendarFeedsService) private readonly feeds: CalendarFeedsService) {}

  @Get('calendar/:feed')
  @Does('public')
  @PathParams({ feed: 'calendarFeedFile' })
  @ApiProduces('text/calendar')
  @ApiOperation({
    summary:
      'A calendar feed (iCalendar, to subscribe to): every dated step its organisation reaches, or one municipality and its region; the same UID and SEQUENCE as the mail invites',
  })
  @Responds(
    { status: 200, file: 'text/calendar', description: 'The feed: one all-day VEVENT per step with a due date' },
    { status: 404, description: 'calendar-feed-not-found: unknown, revoked, or its person is no longer a contact of the organisation (one answer for all)' },
    429,
    503,
  )
  async feed(@Param('feed') file: string, @Res({ passthrough: true }) res: Response) {
    const ics = await this.feeds.feed(file.slice(0, -'.ics'.length));
    res.status(200).set(FEED_HEADERS);
    return ics;
  }

  @Post('auth/calendar-feeds')
  @Does('session')
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'Make a calendar feed for the organisation you act for (form fields covers = organisation or a municipality code it reaches, _csrf); back to /auth/session, which shows its URL' })
  @Responds({ status: 303, description: 'Made, or it existed already: back to the session page' }, { status: 400, description: 'calendar-feed-covers-invalid' }, 413, 415, 429, 503)
  async create(@Access() access: RequestAccess, @Body() body: Record<string, unknown> | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    personOf(access);
    const principal = access.principal!;
    if (principal.kind === 'choosing') {
      throw new RegieError('organisation-choice-required', 'forbidden', 'Kies eerst namens welke organisatie en rol u werkt (POST /auth/choose) / First choose the organisation and role you act for (POST /auth/choose)');
    }
    await this.feeds.create(principal, body?.covers);
    res.redirect(303, `/auth/session${langQuery(languageOf(req))}`);
    return '';
  }

  @Post('auth/calendar-feeds/:feed/revoke')
  @Does('session')
  @PathParams({ feed: 'calendarFeedId' })
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'Revoke one of your calendar feeds at once (form field _csrf): its URL answers 404 from now on; back to /auth/session' })
  @Responds({ status: 303, description: 'Revoked (again: the same): back to the session page' }, { status: 404, description: 'calendar-feed-not-found: none of yours' }, 413, 415, 429, 503)
  async revoke(@Access() access: RequestAccess, @Param('feed') id: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    await this.feeds.revoke(personOf(access), id);
    res.redirect(303, `/auth/session${langQuery(languageOf(req))}`);
    return '';
  }
}
