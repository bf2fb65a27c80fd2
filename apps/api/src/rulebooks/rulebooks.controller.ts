import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { rulebookSchema } from '../../../../libs/rulebook/rulebook.schema';
import { IsBoolean } from 'class-validator';
import type { Response } from 'express';
import { Paged, pageOf, PageQuery } from '../edge/paging';
import { Responds } from '../edge/responses';
import { LeftOutOrValid, StepText } from '../edge/validators';
import { OptionalBody } from '../errors/validation';
import { Does } from '../access/does';
import { PathParams } from '../edge/path-params';
import { RulebookRolloutService } from './rulebook-rollout.service';
import { RulebooksService } from './rulebooks.service';

/**
 * The OpenAPI of a rulebook version, made from the one schema that checks it (`libs/rulebook/rulebook.schema.ts`);
 * its refinements (a date that exists, unique step keys, ...) cannot be said in JSON Schema and are checked all the same.
 */
const RULEBOOK_SCHEMA = z.toJSONSchema(rulebookSchema, { target: 'openapi-3.0', unrepresentable: 'any', io: 'input' }) as SchemaObject;

/** An apply's body: none, or an explicit override to go back to an older version, with the reason recorded. */
@OptionalBody()
export class ApplyRulebookDto {
  @ApiPropertyOptional({ description: 'Apply a version older than the one the workflows follow (refused with 409 without it)' })
  @LeftOutOrValid()
  @IsBoolean({ message: 'override must be true or false' })
  override?: boolean;

  @StepText('reason', { optional: true, description: 'Why; required with override, recorded with the rollout' })
  reason?: string;
}

@ApiTags('rulebooks')
@Controller('rulebooks')
export class RulebooksController {
  constructor(
    @Inject(RulebooksService) private readonly rulebooks: RulebooksService,
    @Inject(RulebookRolloutService) private readonly rollouts: RulebookRolloutService,
  ) {}

  @Get()
  @Does('reference:read')
  @ApiOperation({ summary: 'Stored rulebook versions, paged in the order published' })
  @Paged(429, 503)
  list(@Query() page: PageQuery) {
    return this.rulebooks.list(pageOf(page));
  }

  @Get(':id')
  @Does('reference:read')
  @PathParams({ id: 'rulebookId' })
  @ApiOperation({ summary: 'One rulebook version with its content hash' })
  @Responds(200, { status: 404, description: 'rulebook-not-found' }, 429, 503)
  async get(@Param('id') id: string) {
    const found = await this.rulebooks.require(id);
    return { ...found.rulebook, hash: found.hash };
  }

  @Post()
  @Does('rulebook:write')
  @ApiBody({ description: 'A rulebook version (see libs/rulebook/versions for examples)', schema: RULEBOOK_SCHEMA })
  @ApiOperation({ summary: 'Publish an immutable rulebook version; 201 stored, 200 same content already stored, 409 other content under that id' })
  @Responds(
    { status: 200, description: 'The same content was already stored under this id' },
    { status: 201, description: 'Stored' },
    { status: 400, description: 'invalid-rulebook: the first field that fails the rulebook schema' },
    { status: 409, description: 'rulebook-conflict: other content is stored under this id' },
    413,
    415,
    429,
    503,
  )
  async publish(@Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const result = await this.rulebooks.publish(body);
    res.status(result.result === 'stored' ? HttpStatus.CREATED : HttpStatus.OK);
    return result;
  }

  @Get(':id/preview')
  @Does('rulebook:preview')
  @PathParams({ id: 'rulebookId' })
  @ApiOperation({ summary: 'Dry run from the read model: which step dates move, from what to what, who becomes overdue, which steps disappear' })
  @Responds(200, { status: 404, description: 'rulebook-not-found' }, 429, 503)
  preview(@Param('id') id: string) {
    return this.rollouts.preview(id);
  }

  @Post(':id/apply')
  @Does('rulebook:write')
  @PathParams({ id: 'rulebookId' })
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      'Apply the version to every running programme and region workflow (rulebook-rollout-<id>); 202, progress at /rollout. ' +
      'One rollout at a time; a version older than the one the workflows follow needs override with a reason',
  })
  @ApiBody({ type: ApplyRulebookDto, required: false })
  @Responds(
    { status: 202, description: 'The rollout started, or runs already for this version' },
    { status: 400, description: 'Also override-reason-required' },
    { status: 404, description: 'rulebook-not-found' },
    { status: 409, description: 'rollout-running: another version is rolling out; rulebook-older-than-current: an older version without override' },
    413,
    415,
    429,
    { status: 503, description: 'Also temporal-unavailable: send the same request again (the rollout starts once)' },
  )
  apply(@Param('id') id: string, @Body() body?: ApplyRulebookDto) {
    return this.rollouts.apply(id, { override: body?.override, reason: body?.reason });
  }

  @Get(':id/rollout')
  @Does('rulebook:preview')
  @PathParams({ id: 'rulebookId' })
  @ApiOperation({ summary: 'Progress of the rollout: total, applied, failed, status, and each failed target' })
  @Responds(200, { status: 404, description: 'rulebook-not-found, or rollout-not-found: not applied yet' }, 429, { status: 503, description: 'Also temporal-unavailable' })
  rollout(@Param('id') id: string) {
    return this.rollouts.progress(id);
  }
}
