import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { OWNER_COLLECTIONS, OWNER_KINDS, OwnerKind } from '../../../../libs/contracts';
import { RegieError } from '../errors/regie-error';
import { CompleteDto, ExtensionDto, ProgressDto, StepListQuery, TargetDateDto, WaiverDto } from './steps.dto';
import { StepsService } from './steps.service';

const CODE_FORMATS: Record<OwnerKind, { pattern: RegExp; example: string }> = {
  municipality: { pattern: /^GM\d{4}$/, example: 'GM0363' },
  region: { pattern: /^[A-Z]{2}\d{2,3}$/, example: 'CR23' },
};

/** `municipalities` and `regions` in the path (OWNER_COLLECTIONS), each with its owner kind and code format. */
const owners = new Map(OWNER_KINDS.map((kind) => [OWNER_COLLECTIONS[kind] as string, { kind, ...CODE_FORMATS[kind] }]));

function owner(collection: string, code: string): { kind: OwnerKind; code: string } {
  const o = owners.get(collection);
  if (!o) throw new RegieError('not-found', 'not-found', `Onbekende verzameling ${collection}: ${[...owners.keys()].join(' of ')}`);
  if (!o.pattern.test(code)) throw new RegieError('invalid-input', 'invalid-input', `Ongeldige invoer in veld code: ${code} is geen code zoals ${o.example}`, 'code');
  return { kind: o.kind, code };
}

/** Steps of municipalities and regions: reads from the read model, writes as workflow updates. */
@ApiTags('steps')
@Controller()
export class StepsController {
  constructor(@Inject(StepsService) private readonly steps: StepsService) {}

  @Get('steps')
  @ApiOperation({ summary: 'All steps, filterable by step, status, province, region, overdue and owner kind (one SQL query)' })
  list(@Query() query: StepListQuery) {
    return this.steps.list(query);
  }

  @Get(':collection/:code/steps')
  @ApiOperation({ summary: "An owner's steps with due dates and their derivation; a municipality's list includes its region's steps" })
  stepsOf(@Param('collection') collection: string, @Param('code') code: string) {
    const o = owner(collection, code);
    return this.steps.stepsOf(o.kind, o.code);
  }

  @Get(':collection/:code/notifications')
  @ApiOperation({ summary: "The sent log of a municipality or region: every notification with rulebook version, due date and each recipient's delivery" })
  notifications(@Param('collection') collection: string, @Param('code') code: string) {
    const o = owner(collection, code);
    return this.steps.notificationsOf(o.kind, o.code);
  }

  @Get(':collection/:code/steps/:step')
  @ApiOperation({ summary: 'One step with its history, notifications (with deliveries) and acknowledgements' })
  step(@Param('collection') collection: string, @Param('code') code: string, @Param('step') step: string) {
    const o = owner(collection, code);
    return this.steps.step(o.kind, o.code, step);
  }

  @Get(':collection/:code/steps/:step/notifications')
  @ApiOperation({ summary: "The sent log of one step: every notification with each recipient's delivery (outbox status, SMTP answer, attempts)" })
  stepNotifications(@Param('collection') collection: string, @Param('code') code: string, @Param('step') step: string) {
    const o = owner(collection, code);
    return this.steps.stepNotifications(o.kind, o.code, step);
  }

  @Post(':collection/:code/steps/:step/progress')
  @ApiOperation({ summary: 'Record progress: status (open, in-progress, submitted) and checklist items' })
  progress(@Param('collection') collection: string, @Param('code') code: string, @Param('step') step: string, @Body() dto: ProgressDto) {
    const o = owner(collection, code);
    return this.steps.progress(o.kind, o.code, step, dto);
  }

  @Post(':collection/:code/steps/:step/complete')
  @ApiOperation({ summary: 'Mark done with evidence (council decision, publication link or document); an unmet dependency is a warning' })
  complete(@Param('collection') collection: string, @Param('code') code: string, @Param('step') step: string, @Body() dto: CompleteDto) {
    const o = owner(collection, code);
    return this.steps.complete(o.kind, o.code, step, dto);
  }

  @Post(':collection/:code/steps/:step/target-date')
  @ApiOperation({ summary: 'Set the streefdatum of a target-date step (not a statutory term)' })
  targetDate(@Param('collection') collection: string, @Param('code') code: string, @Param('step') step: string, @Body() dto: TargetDateDto) {
    const o = owner(collection, code);
    return this.steps.targetDate(o.kind, o.code, step, dto);
  }

  @Post(':collection/:code/steps/:step/extension')
  @ApiOperation({ summary: 'Record an extension granted (e.g. by the province): re-dates the step, one change notice' })
  extension(@Param('collection') collection: string, @Param('code') code: string, @Param('step') step: string, @Body() dto: ExtensionDto) {
    const o = owner(collection, code);
    return this.steps.extension(o.kind, o.code, step, dto);
  }

  @Post(':collection/:code/steps/:step/waiver')
  @ApiOperation({ summary: 'Record a waiver with its reason: closes the step and stops its reminders' })
  waiver(@Param('collection') collection: string, @Param('code') code: string, @Param('step') step: string, @Body() dto: WaiverDto) {
    const o = owner(collection, code);
    return this.steps.waiver(o.kind, o.code, step, dto);
  }
}
