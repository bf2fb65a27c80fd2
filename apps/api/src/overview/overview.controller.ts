import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { decide, ownerRef } from '../../../../libs/access/policy';
import type { RegieConfig } from '../../../../libs/config/config';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import { mapGeometry } from '../../../../libs/overview/map';
import { select } from '../../../../libs/overview/overview';
import { Access } from '../access/access.guard';
import type { RequestAccess } from '../access/access.guard';
import { Does } from '../access/does';
import { Responds } from '../edge/responses';
import { APP_PAGE_HEADERS } from '../mail-links/mail-links.controller';
import { languageOf, renderPage, wantsHtml } from '../pages/page-render';
import { PagesService } from '../pages/pages.service';
import { EXPORT_TYPES, exportFile } from './overview-export';
import { filterOf, overviewPage } from './overview-view';
import { OverviewExportQuery, OverviewQuery } from './overview.dto';
import { OverviewService } from './overview.service';

/** The overview page runs one same-origin script (the map's hover and focus box); everything else as on every app page. */
const OVERVIEW_PAGE_HEADERS = { ...APP_PAGE_HEADERS, 'Content-Security-Policy': `${APP_PAGE_HEADERS['Content-Security-Policy']}; script-src 'self'` };

const OVERVIEW_SCHEMA = {
  type: 'object',
  description: 'Every municipality and region with, per step key, its state (done, waived, not-onboarded, on-track, due-soon, overdue, late), the instance and its date; no personal data',
  required: ['today', 'rulebookIds', 'steps', 'provinces', 'municipalities', 'regions', 'due'],
  properties: {
    today: { type: 'string', format: 'date' },
    rulebookIds: { type: 'array', items: { type: 'string' } },
    steps: { type: 'array', items: { type: 'object' } },
    provinces: { type: 'array', items: { type: 'object' } },
    municipalities: { type: 'array', items: { type: 'object' } },
    regions: { type: 'array', items: { type: 'object' } },
    due: { type: 'array', items: { type: 'object' } },
  },
};

/**
 * The national overview for VNG, the provinces and the operator (the policy's `overview:read`): the data as
 * JSON with an ETag (one cached build per read-model version, overview.service.ts), the page with the map,
 * table, totals and timeline to a browser, and the exports.
 */
@ApiTags('overview')
@Controller('overview')
export class OverviewController {
  constructor(
    @Inject(OverviewService) private readonly overviews: OverviewService,
    @Inject(PagesService) private readonly pages: PagesService,
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
  ) {}

  @Get()
  @Does('overview:read')
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag of an earlier answer: 304 while the read model is unchanged' })
  @ApiOperation({
    summary:
      'The national overview: all 342 municipalities and the regions, each step key with its state and date (JSON, ETag; the query shapes only the page); to a browser the page with the map, the table (sortable, filterable, the filters in the URL), totals per step and province and a 12-month timeline',
  })
  @Responds(
    { status: 200, page: true, schema: OVERVIEW_SCHEMA, headers: { ETag: { description: 'The version of this overview', schema: { type: 'string' } } } },
    { status: 303, description: 'A browser not signed in: to /auth/sign-in?next=<this page>' },
    { status: 304, description: 'If-None-Match names the current ETag' },
    400,
    429,
    503,
  )
  async get(@Query() query: OverviewQuery, @Access() access: RequestAccess, @Req() req: Request, @Res() res: Response): Promise<void> {
    const built = await this.overviews.current();
    if (wantsHtml(req)) {
      const language = languageOf(req);
      const view = overviewPage({ overview: built.overview, geometry: mapGeometry(this.config.referenceDataDir), query, language, readable: (kind, code) => this.readable(access, kind, code) });
      res.send(renderPage(res, 200, language, 'page-overview', { ...view, nav: this.pages.nav(access, language) }, OVERVIEW_PAGE_HEADERS));
      return;
    }
    res.set({ ETag: built.etag, 'Cache-Control': 'private, no-cache', Vary: 'Accept, Cookie, Authorization' });
    const tags = (req.header('if-none-match') ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
    if (tags.includes(built.etag) || tags.includes('*')) {
      res.status(304).end();
      return;
    }
    res.status(200).type('application/json').send(built.json);
  }

  @Get('export')
  @Does('overview:read')
  @ApiProduces(EXPORT_TYPES.csv, EXPORT_TYPES.xlsx)
  @ApiOperation({
    summary:
      "The overview or the table a filter shows, as CSV or XLSX: one row per owner and step with state, date, derivation, rulebook version and source; contacts only for the owners whose personal data the caller may see (a province its own)",
  })
  @Responds(
    {
      status: 200,
      file: [EXPORT_TYPES.csv, EXPORT_TYPES.xlsx],
      description: 'The file, as an attachment',
      headers: { 'Content-Disposition': { description: 'attachment; filename="regie-overzicht-<date>….csv|xlsx"', schema: { type: 'string' } } },
    },
    400,
    429,
    503,
  )
  async export(@Query() query: OverviewExportQuery, @Access() access: RequestAccess, @Req() req: Request, @Res() res: Response): Promise<void> {
    const built = await this.overviews.current();
    const { overview } = built;
    const language = languageOf(req);
    const format = query.format || 'csv';
    const { filter } = filterOf(overview, query);
    const steps = query.steps === 'all' ? overview.steps : overview.steps.filter((s) => s.key === filter.step);
    const selections = steps.map((step) => ({
      step,
      owners: select(overview, { ...filter, step: step.key, view: query.steps === 'all' ? 'municipalities' : filter.view }).shown,
    }));
    if (query.steps === 'all') {
      // The whole overview also has the regions' own rows for the region steps.
      for (const s of selections) if (s.step.scope === 'region') s.owners.push(...select(overview, { ...filter, step: s.step.key, view: 'regions' }).shown);
    }
    const personal = (kind: 'municipality' | 'region', code: string) => {
      const d = decide(access.principal, 'owner:sent-log', { owner: ownerRef(kind, code) });
      return d.allow && d.personalData;
    };
    const [details, contacts] = await Promise.all([this.overviews.details(), this.overviews.contacts()]);
    const file = await exportFile(format, { overview, selections, details, contacts, personal, filter: { ...filter, ...(query.steps === 'all' ? { step: undefined } : {}) }, generatedAt: new Date(), language });
    const name = ['regie-overzicht', overview.today, query.steps === 'all' ? 'alle-stappen' : filter.step, filter.province, filter.region, filter.state].filter(Boolean).join('-');
    res
      .status(200)
      .set({
        'Content-Type': EXPORT_TYPES[format],
        'Content-Disposition': `attachment; filename="${name}.${format}"`,
        'Cache-Control': 'private, no-store',
        'X-Content-Type-Options': 'nosniff',
      })
      .end(file);
  }

  private readable(access: RequestAccess, kind: 'municipality' | 'region', code: string): boolean {
    return !!access.principal && decide(access.principal, 'owner:read', { owner: ownerRef(kind, code) }).allow;
  }
}
