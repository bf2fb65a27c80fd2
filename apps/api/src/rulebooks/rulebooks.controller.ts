import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConflictResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import type { Response } from 'express';
import { StepText } from '../edge/validators';
import { AdminTokenGuard } from '../auth/admin-token.guard';
import { PathParams } from '../edge/path-params';
import { RulebookRolloutService } from './rulebook-rollout.service';
import { RulebooksService } from './rulebooks.service';

/** An apply's body: empty, or an explicit override to go back to an older version, with the reason recorded. */
export class ApplyRulebookDto {
  @ApiPropertyOptional({ description: 'Apply a version older than the one the workflows follow (refused with 409 without it)' })
  @IsOptional()
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
  @ApiOperation({ summary: 'Stored rulebook versions' })
  list() {
    return this.rulebooks.list();
  }

  @Get(':id')
  @PathParams({ id: 'rulebookId' })
  @ApiOperation({ summary: 'One rulebook version with its content hash' })
  async get(@Param('id') id: string) {
    const found = await this.rulebooks.require(id);
    return { ...found.rulebook, hash: found.hash };
  }

  @Post()
  @ApiBearerAuth()
  @UseGuards(AdminTokenGuard)
  @ApiBody({ description: 'A rulebook version (see libs/rulebook/versions for the shape)' })
  @ApiOperation({ summary: 'Publish an immutable rulebook version; 201 stored, 200 same content already stored, 409 other content under that id' })
  async publish(@Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const result = await this.rulebooks.publish(body);
    res.status(result.result === 'stored' ? HttpStatus.CREATED : HttpStatus.OK);
    return result;
  }

  @Get(':id/preview')
  @PathParams({ id: 'rulebookId' })
  @ApiBearerAuth()
  @UseGuards(AdminTokenGuard)
  @ApiOperation({ summary: 'Dry run from the read model: which step dates move, from what to what, who becomes overdue, which steps disappear' })
  preview(@Param('id') id: string) {
    return this.rollouts.preview(id);
  }

  @Post(':id/apply')
  @PathParams({ id: 'rulebookId' })
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiBearerAuth()
  @UseGuards(AdminTokenGuard)
  @ApiOperation({
    summary:
      'Apply the version to every running programme and region workflow (rulebook-rollout-<id>); 202, progress at /rollout. ' +
      'One rollout at a time; a version older than the one the workflows follow needs override with a reason',
  })
  @ApiBody({ type: ApplyRulebookDto, required: false })
  @ApiConflictResponse({ description: 'rollout-running: another version is rolling out; rulebook-older-than-current: older version without override' })
  apply(@Param('id') id: string, @Body() body?: ApplyRulebookDto) {
    return this.rollouts.apply(id, { override: body?.override, reason: body?.reason });
  }

  @Get(':id/rollout')
  @PathParams({ id: 'rulebookId' })
  @ApiBearerAuth()
  @UseGuards(AdminTokenGuard)
  @ApiOperation({ summary: 'Progress of the rollout: total, applied, failed, status, and each failed target' })
  rollout(@Param('id') id: string) {
    return this.rollouts.progress(id);
  }
}
