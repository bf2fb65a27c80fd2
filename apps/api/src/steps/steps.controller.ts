import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { actorLabel, callerKey } from '../../../../libs/access/policy';
import { Access, accessOf } from '../access/access.guard';
import type { RequestAccess } from '../access/access.guard';
import type { Request, Response } from 'express';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Does } from '../access/does';
import { ownerFromPath, PathParams } from '../edge/path-params';
import { Paged, pageOf, PageQuery } from '../edge/paging';
import { Responds, Status, ResponseSpec } from '../edge/responses';
import { CompleteDto, ExtensionDto, ProgressDto, StepListQuery, TargetDateDto, WaiverDto } from './steps.dto';
import { StepsService, WriteContext } from './steps.service';
import { languageOf, renderPage, wantsHtml } from '../pages/page-render';
import { PagesService } from '../pages/pages.service';

/** The owner a step route names (`/municipalities/GM0363/...`, `/regions/CR23/...`); anything else is a 404. */
const owner = ownerFromPath;
const OWNER_PARAMS = { collection: 'ownerCollection', code: 'ownerCode' } as const;
const STEP_PARAMS = { ...OWNER_PARAMS, step: 'stepInstance' } as const;

const OWNER_NOT_FOUND = 'municipality-not-found, region-not-found: no owner has this code';
const STEP_NOT_FOUND = `${OWNER_NOT_FOUND}; step-not-found: the owner has no such step (yet)`;
/** Every step write: a workflow update with a deadline and an Idempotency-Key. */
const STEP_WRITE: (Status | ResponseSpec)[] = [
  { status: 201, description: 'The step as the workflow changed it' },
  { status: 400, description: "Also the step model's refusals (field-required, status-invalid, checklist-item-unknown, target-date-not-allowed, ...) and idempotency-key-invalid" },
  { status: 404, description: `${STEP_NOT_FOUND}; workflow-not-found: not onboarded; step-unknown` },
  { status: 409, description: 'step-closed: done or waived; limit-reached' },
  413,
  415,
  { status: 422, description: 'idempotency-key-reused' },
  { status: 429, description: 'Also workflow-busy: too many writes in flight on this workflow, retry with the same Idempotency-Key' },
  { status: 503, description: 'Also temporal-unavailable: retry with the same Idempotency-Key' },
];

/** Who writes (the signed-in actor, from the access check), and the write's Idempotency-Key header, scoped to that caller. */
function writeContext(req: Request): WriteContext {
  const { principal } = accessOf(req);
  return { idempotencyKey: req.header('idempotency-key') ?? undefined, caller: callerKey(principal!), actor: actorLabel(principal!) };
}

/** Steps of municipalities and regions: reads from the read model, writes as workflow updates. */
@ApiTags('steps')
@Controller()
export class StepsController {
  constructor(
    @Inject(StepsService) private readonly steps: StepsService,
    @Inject(PagesService) private readonly pages: PagesService,
  ) {}

  @Get('steps')
  @Does('overview:read')
  @ApiOperation({ summary: 'All steps, filterable by step, status, province, region, overdue and owner kind (one SQL query), paged by owner code and step' })
  @Paged(429, 503)
  list(@Query() query: StepListQuery, @Access() access: RequestAccess) {
    return this.steps.list(query, access.decision.personalData);
  }

  @Get(':collection/:code/steps')
  @Does('owner:read', 'owner')
  @PathParams(OWNER_PARAMS)
  @ApiOperation({
    summary:
      "An owner's steps with due dates and their derivation; a municipality's list includes its region's steps. " +
      "Not paged: the rulebook bounds it (its steps and their yearly instances, about ten rows)",
  })
  @Responds(200, { status: 404, description: OWNER_NOT_FOUND }, 429, 503)
  stepsOf(@Param('collection') collection: string, @Param('code') code: string, @Access() access: RequestAccess) {
    const o = owner(collection, code);
    return this.steps.stepsOf(o.kind, o.code, access.decision.personalData);
  }

  @Get(':collection/:code/notifications')
  @Does('owner:sent-log', 'owner')
  @PathParams(OWNER_PARAMS)
  @ApiOperation({ summary: "The sent log of a municipality or region: every notification with rulebook version, due date and each recipient's delivery, paged in the order recorded" })
  @Paged({ status: 404, description: OWNER_NOT_FOUND }, 429, 503)
  notifications(@Param('collection') collection: string, @Param('code') code: string, @Query() page: PageQuery, @Access() access: RequestAccess) {
    const o = owner(collection, code);
    return this.steps.notificationsOf(o.kind, o.code, access.decision.personalData, pageOf(page));
  }

  @Get(':collection/:code/steps/:step')
  @Does('owner:read', 'owner')
  @PathParams(STEP_PARAMS)
  @ApiOperation({ summary: 'One step with its history, notifications (with deliveries) and acknowledgements; to a browser (Accept: text/html) the step page with the forms its role may use' })
  @Responds(
    { status: 200, page: true },
    { status: 303, description: 'A browser not signed in: to /auth/sign-in?next=<this page>' },
    { status: 404, page: true, description: STEP_NOT_FOUND },
    429,
    503,
  )
  async step(
    @Param('collection') collection: string,
    @Param('code') code: string,
    @Param('step') step: string,
    @Access() access: RequestAccess,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const o = owner(collection, code);
    if (wantsHtml(req)) {
      const language = languageOf(req);
      return renderPage(res, 200, language, 'page-step', await this.pages.stepPage(access, o.kind, o.code, step, language));
    }
    return this.steps.step(o.kind, o.code, step, access.decision.personalData);
  }

  @Get(':collection/:code/steps/:step/notifications')
  @Does('owner:sent-log', 'owner')
  @PathParams(STEP_PARAMS)
  @ApiOperation({ summary: "The sent log of one step: every notification with each recipient's delivery (outbox status, SMTP answer, attempts), paged in the order recorded" })
  @Paged({ status: 404, description: STEP_NOT_FOUND }, 429, 503)
  stepNotifications(
    @Param('collection') collection: string,
    @Param('code') code: string,
    @Param('step') step: string,
    @Query() page: PageQuery,
    @Access() access: RequestAccess,
  ) {
    const o = owner(collection, code);
    return this.steps.stepNotifications(o.kind, o.code, step, access.decision.personalData, pageOf(page));
  }

  @Post(':collection/:code/steps/:step/progress')
  @Does('step:progress', 'owner')
  @PathParams(STEP_PARAMS)
  @ApiOperation({ summary: 'Record progress: status (open, in-progress, submitted) and checklist items' })
  @Responds(...STEP_WRITE)
  progress(@Param('collection') collection: string, @Param('code') code: string, @Param('step') step: string, @Body() dto: ProgressDto, @Req() req: Request) {
    const o = owner(collection, code);
    return this.steps.progress(o.kind, o.code, step, dto, writeContext(req));
  }

  @Post(':collection/:code/steps/:step/complete')
  @Does('step:complete', 'owner')
  @PathParams(STEP_PARAMS)
  @ApiOperation({ summary: 'Mark done with evidence (council decision, publication link or document); an unmet dependency is a warning' })
  @Responds(...STEP_WRITE)
  complete(@Param('collection') collection: string, @Param('code') code: string, @Param('step') step: string, @Body() dto: CompleteDto, @Req() req: Request) {
    const o = owner(collection, code);
    return this.steps.complete(o.kind, o.code, step, dto, writeContext(req));
  }

  @Post(':collection/:code/steps/:step/target-date')
  @Does('step:target-date', 'owner')
  @PathParams(STEP_PARAMS)
  @ApiOperation({ summary: 'Set the streefdatum of a target-date step (not a statutory term)' })
  @Responds(...STEP_WRITE)
  targetDate(@Param('collection') collection: string, @Param('code') code: string, @Param('step') step: string, @Body() dto: TargetDateDto, @Req() req: Request) {
    const o = owner(collection, code);
    return this.steps.targetDate(o.kind, o.code, step, dto, writeContext(req));
  }

  @Post(':collection/:code/steps/:step/extension')
  @Does('step:extension', 'owner')
  @PathParams(STEP_PARAMS)
  @ApiOperation({ summary: 'Record an extension granted (e.g. by the province): re-dates the step, one change notice' })
  @Responds(...STEP_WRITE)
  extension(@Param('collection') collection: string, @Param('code') code: string, @Param('step') step: string, @Body() dto: ExtensionDto, @Req() req: Request) {
    const o = owner(collection, code);
    return this.steps.extension(o.kind, o.code, step, dto, writeContext(req));
  }

  @Post(':collection/:code/steps/:step/waiver')
  @Does('step:waiver', 'owner')
  @PathParams(STEP_PARAMS)
  @ApiOperation({ summary: 'Record a waiver with its reason: closes the step and stops its reminders' })
  @Responds(...STEP_WRITE)
  waiver(@Param('collection') collection: string, @Param('code') code: string, @Param('step') step: string, @Body() dto: WaiverDto, @Req() req: Request) {
    const o = owner(collection, code);
    return this.steps.waiver(o.kind, o.code, step, dto, writeContext(req));
  }
}
