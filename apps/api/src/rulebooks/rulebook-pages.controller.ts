import { Body, Controller, Get, Inject, OnModuleDestroy, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { callerKey, decide, ownerRef } from '../../../../libs/access/policy';
import type { RegieConfig } from '../../../../libs/config/config';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import type { Language } from '../../../../libs/contracts/enums';
import { utcToAmsterdamDate } from '../../../../libs/calendar';
import { mapGeometry } from '../../../../libs/overview/map';
import type { HashedRulebook } from '../../../../libs/rulebook/rulebook-files';
import { readSimulationInput } from '../../../../libs/simulation/read-input';
import { rulebookLoad } from '../../../../libs/simulation/rulebook-load';
import { Access, accessOf } from '../access/access.guard';
import type { RequestAccess } from '../access/access.guard';
import { Does } from '../access/does';
import { PathParams } from '../edge/path-params';
import { Responds } from '../edge/responses';
import { RegieError } from '../errors/regie-error';
import { flattenValidationErrors, problemError, validationProblem } from '../errors/validation';
import { APP_PAGE_HEADERS } from '../mail-links/mail-links.controller';
import { inLanguage, languageOf, renderPage } from '../pages/page-render';
import { PagesService } from '../pages/pages.service';
import { readSnapshot, ROLLOUT_COLUMNS, ROLLOUT_JOINS, RolloutEventStreams, snapshotFromRow, type RolloutRow } from './rollout-events';
import { progressView, rulebookHref, rulebookPage, versionsPage, type ProgressView, type RulebookPageInput, type VersionRow } from './rulebook-pages-view';
import { RulebookRolloutService } from './rulebook-rollout.service';
import { ApplyRulebookDto } from './rulebooks.controller';
import { RulebooksService } from './rulebooks.service';

/** The version page runs one same-origin script, which opens the rollout's event stream (same origin too); the rest as on every app page. */
export const RULEBOOK_PAGE_HEADERS = {
  ...APP_PAGE_HEADERS,
  'Content-Security-Policy': `${APP_PAGE_HEADERS['Content-Security-Policy']}; script-src 'self'; connect-src 'self'`,
};

/** More versions than anyone publishes; the page says so if there ever are. */
const LIST_LIMIT = 1000;

const NOT_SIGNED_IN = { status: 303, description: 'A browser not signed in: to /auth/sign-in?next=<this page>' } as const;

/** The owners whose latest read-model write is under each version (the version a workflow follows is that of its latest write, as the preview reads it). */
const OWNERS_BY_VERSION = `SELECT rulebook_id, count(*)::int AS owners
  FROM (SELECT DISTINCT ON (owner_kind, owner_code) rulebook_id FROM step_state WHERE detail ? 'stepKey' ORDER BY owner_kind, owner_code, seq DESC) latest
  GROUP BY rulebook_id`;

const rolloutNotFound = (id: string) =>
  new RegieError('rollout-not-found', 'not-found', `Regelboek ${id} is nog niet toegepast (POST /rulebooks/${id}/apply) / not applied yet`, 'id');

/** A form field's text: a browser sends one value; a repeated field counts by its first. */
function field(body: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = body?.[name];
  return Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : undefined;
}

/**
 * The rulebook pages (the policy's `rulebook:pages`: the operator, and VNG to read): the versions, one
 * version with its steps, what it would move (the preview as a table and on the map) and its rollout's
 * progress, live by server-sent events; for the operator the form that starts the rollout, through the
 * JSON API's own service and DTO. The JSON routes stay in rulebooks.controller.ts.
 */
/** How long a version's predicted load is kept (see `loadOf`). */
const LOAD_CACHE_MS = 10 * 60_000;

@ApiTags('pages')
@Controller('app/rulebooks')
export class RulebookPagesController implements OnModuleDestroy {
  private readonly streams: RolloutEventStreams;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(RulebooksService) private readonly rulebooks: RulebooksService,
    @Inject(RulebookRolloutService) private readonly rollouts: RulebookRolloutService,
    @Inject(PagesService) private readonly pages: PagesService,
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
  ) {
    this.streams = new RolloutEventStreams(
      (id) => readSnapshot(this.db, id),
      async (id) => {
        try {
          return (await this.rollouts.progress(id)).status !== 'interrupted';
        } catch {
          return null;
        }
      },
    );
  }

  /** Ends every open event stream, so the server's close does not wait for them. */
  onModuleDestroy(): void {
    this.streams.closeAll();
  }

  @Get()
  @Does('rulebook:pages')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'Page: the rulebook versions (newest first): title, effective date, the default, how many owners run under each, its rollout' })
  @Responds({ status: 200, page: true }, NOT_SIGNED_IN, 429, 503)
  async list(@Access() access: RequestAccess, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    const language = languageOf(req);
    const rows: (Omit<VersionRow, 'rollout'> & RolloutRow)[] = await this.db.query(
      `SELECT v.id, v.content->>'title' AS title, v.content->>'effectiveDate' AS "effectiveDate", v.source, v.published_at AS "publishedAt",
         coalesce(o.owners, 0) AS owners, ${ROLLOUT_COLUMNS}
       FROM rulebook_version v
       LEFT JOIN (${OWNERS_BY_VERSION}) o ON o.rulebook_id = v.id
       ${ROLLOUT_JOINS}
       ORDER BY v.seq DESC
       LIMIT ${LIST_LIMIT + 1}`,
    );
    const versions: VersionRow[] = rows.slice(0, LIST_LIMIT).map((row) => {
      // The tables only (no Temporal call per version), by the same rule as a version's event stream.
      const snapshot = snapshotFromRow(row.id, row);
      return {
        id: row.id,
        title: row.title,
        effectiveDate: row.effectiveDate,
        source: row.source,
        publishedAt: row.publishedAt,
        owners: row.owners,
        rollout: snapshot
          ? { state: snapshot.status, total: snapshot.total, applied: snapshot.applied, failed: snapshot.failed }
          : { state: 'not-applied', total: null, applied: 0, failed: 0 },
      };
    });
    const view = versionsPage(versions, { defaultRulebookId: this.config.defaultRulebookId, language, truncated: rows.length > LIST_LIMIT });
    return renderPage(res, 200, language, 'page-rulebooks', { ...view, nav: this.pages.nav(access, language) });
  }

  @Get(':id')
  @Does('rulebook:pages')
  @PathParams({ id: 'rulebookId' })
  @ApiProduces('text/html')
  @ApiOperation({
    summary:
      "Page: one version's steps and dates, what applying it would move (the preview as a table, and a map of every municipality: earlier, later, unchanged, not onboarded) and its rollout's progress, live by server-sent events; the operator's rollout form",
  })
  @Responds({ status: 200, page: true }, NOT_SIGNED_IN, { status: 404, page: true, description: 'rulebook-not-found' }, 429, 503)
  async get(@Param('id') id: string, @Access() access: RequestAccess, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    const language = languageOf(req);
    return renderPage(res, 200, language, 'page-rulebook', await this.pageOf(id, access, language, null), RULEBOOK_PAGE_HEADERS);
  }

  @Post(':id/apply')
  @Does('rulebook:write')
  @PathParams({ id: 'rulebookId' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiProduces('text/html')
  @ApiBody({ type: ApplyRulebookDto, required: false, description: 'The fields of POST /rulebooks/:id/apply as a form (override=true|false, reason), and _csrf for a session' })
  @ApiOperation({ summary: 'Page form: start the rollout of this version (POST /rulebooks/:id/apply); back to the version page, which shows the progress' })
  @Responds(
    { status: 303, description: 'Started, or it runs already: to the version page' },
    { status: 400, page: true, description: 'override-reason-required, or a field the apply refuses: the version page again with the message; in JSON, a body the edge refuses' },
    { status: 404, page: true, description: 'rulebook-not-found' },
    { status: 409, page: true, description: 'rollout-running, rulebook-older-than-current: the version page again with the message' },
    413,
    415,
    429,
    { status: 503, description: 'Also temporal-unavailable: send the form again (the rollout starts once)' },
  )
  async apply(
    @Param('id') id: string,
    @Body() body: Record<string, unknown> | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const language = languageOf(req);
    const access = accessOf(req);
    const overrideText = field(body, 'override');
    const reason = field(body, 'reason');
    try {
      // The JSON API's own DTO, so the limits stay in one place; a checkbox sends "true", a form may say "false".
      if (overrideText !== undefined && overrideText !== 'true' && overrideText !== 'false') {
        throw new RegieError('invalid-input', 'invalid-input', 'override moet true of false zijn / override must be true or false', 'override');
      }
      const dto = plainToInstance(ApplyRulebookDto, {
        ...(overrideText !== undefined ? { override: overrideText === 'true' } : {}),
        ...(reason !== undefined ? { reason } : {}),
      });
      const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length) {
        const [first] = flattenValidationErrors(errors);
        throw problemError(validationProblem(first.error, first.field));
      }
      await this.rollouts.apply(id, { override: dto.override, reason: dto.reason });
    } catch (err) {
      if (!(err instanceof RegieError) || (err.category !== 'invalid-input' && err.category !== 'conflict')) throw err;
      const problem = { message: inLanguage(err.userMessage, language), field: err.field ?? null, reason: reason ?? '', override: overrideText === 'true' };
      const view = await this.pageOf(id, access, language, problem);
      return renderPage(res, err.category === 'conflict' ? 409 : 400, language, 'page-rulebook', view, RULEBOOK_PAGE_HEADERS);
    }
    res.redirect(303, rulebookHref(id, language));
    return '';
  }

  @Get(':id/rollout/events')
  @Does('rulebook:pages')
  @PathParams({ id: 'rulebookId' })
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary:
      "The rollout's progress as server-sent events: `progress` now and whenever total, applied, failed or the status changes (data: JSON rulebookId, status, total, applied, failed, pending), heartbeat comments, and a last `end` event when it completed or was interrupted; a stream ends after a minute (EventSource reconnects)",
  })
  @Responds(
    {
      status: 200,
      file: 'text/event-stream',
      description: 'The event stream',
      // What each event is (schemathesis checks every event against it).
      schema: {
        type: 'object',
        required: ['data'],
        properties: {
          event: { type: 'string', enum: ['progress', 'end'] },
          id: { type: 'string' },
          data: { type: 'string', description: 'JSON: rulebookId, status, total, applied, failed, pending' },
          retry: { type: 'integer' },
        },
      },
    },
    NOT_SIGNED_IN,
    { status: 404, page: true, description: 'rulebook-not-found, or rollout-not-found: not applied yet' },
    { status: 429, description: 'Also too-many-streams: this caller has its limit of open streams' },
    { status: 503, description: 'Also streams-busy: the API has its limit of open streams' },
  )
  async events(@Param('id') id: string, @Access() access: RequestAccess, @Res() res: Response): Promise<void> {
    await this.rulebooks.require(id);
    const first = await readSnapshot(this.db, id);
    if (!first) throw rolloutNotFound(id);
    const caller = callerKey(access.principal!);
    this.streams.admit(caller);
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      // A reverse proxy (nginx) would otherwise hold the events back in its buffer.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const stop = this.streams.start(id, caller, { write: (chunk) => void res.write(chunk), end: () => res.end() }, first);
    res.on('close', stop);
    res.on('error', stop);
  }

  /** The version page's view: the version, its preview and map, its rollout, the form the policy gives the caller. */
  private async pageOf(id: string, access: RequestAccess, language: Language, problem: RulebookPageInput['problem']) {
    const stored = await this.rulebooks.require(id);
    const [[meta], [owners], municipalities, onboarded, preview, progress] = await Promise.all([
      this.db.query(`SELECT source, published_at FROM rulebook_version WHERE id = $1`, [id]) as Promise<{ source: 'file' | 'operator'; published_at: Date }[]>,
      this.db.query(`SELECT owners FROM (${OWNERS_BY_VERSION}) o WHERE rulebook_id = $1`, [id]) as Promise<{ owners: number }[]>,
      this.db.query(`SELECT code, name FROM municipality ORDER BY code`) as Promise<{ code: string; name: string }[]>,
      this.db.query(`SELECT DISTINCT owner_code AS code FROM step_state WHERE owner_kind = 'municipality' AND detail ? 'stepKey'`) as Promise<{ code: string }[]>,
      this.rollouts.preview(id),
      this.progressOf(id),
    ]);
    const writer = decide(access.principal, 'rulebook:write').allow;
    const load = await this.loadOf(stored, language);
    const view = rulebookPage({
      rulebook: stored.rulebook,
      hash: stored.hash,
      source: meta.source,
      publishedAt: meta.published_at,
      defaultRulebookId: this.config.defaultRulebookId,
      owners: owners?.owners ?? 0,
      preview,
      progress,
      municipalities,
      onboarded: new Set(onboarded.map((o) => o.code)),
      geometry: mapGeometry(this.config.referenceDataDir),
      language,
      readable: (kind, code) => !!access.principal && decide(access.principal, 'owner:read', { owner: ownerRef(kind, code) }).allow,
      form: writer ? { csrfToken: this.pages.csrf(access) ?? '' } : null,
      problem,
    });
    return { ...view, load, nav: this.pages.nav(access, language) };
  }

  /**
   * The mails per week the load simulation (libs/simulation) predicts as things stand and with this version
   * applied today. About a second of pure computation for all owners: kept per version, language and day
   * for ten minutes (a few versions at most are looked at on one day).
   */
  private readonly loads = new Map<string, { at: number; load: Promise<{ svg: string; before: number; after: number }> }>();
  private loadOf(stored: HashedRulebook, language: Language) {
    const now = Date.now();
    const key = `${stored.rulebook.id} ${language} ${utcToAmsterdamDate(now)}`;
    const cached = this.loads.get(key);
    if (cached && now - cached.at < LOAD_CACHE_MS) return cached.load;
    for (const [k, v] of this.loads) if (now - v.at >= LOAD_CACHE_MS) this.loads.delete(k);
    const load = readSimulationInput(this.db, this.config.regionGrouping).then((input) => {
      const { svg, before, after } = rulebookLoad(input, stored, now, { language });
      return { svg, before: before.mails, after: after.mails };
    });
    load.catch(() => this.loads.delete(key));
    this.loads.set(key, { at: now, load });
    return load;
  }

  /** The progress as `GET /rulebooks/:id/rollout` says it; when Temporal does not answer, as the tables say it. */
  private async progressOf(id: string): Promise<ProgressView | null> {
    try {
      return progressView(await this.rollouts.progress(id));
    } catch (err) {
      if (err instanceof RegieError && err.code === 'rollout-not-found') return null;
      if (!(err instanceof RegieError && err.code === 'temporal-unavailable')) throw err;
      const snapshot = await readSnapshot(this.db, id);
      return snapshot ? progressView(snapshot, true) : null;
    }
  }
}
