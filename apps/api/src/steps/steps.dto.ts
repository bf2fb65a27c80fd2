import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, ValidateNested } from 'class-validator';
import { EVIDENCE_KINDS, OWNER_KINDS, PROGRESS_STATUSES, STEP_STATUSES } from '../../../../libs/contracts';
import type { EvidenceKind, OwnerKind, ProgressStatus, StepStatus } from '../../../../libs/contracts';
import { STEP_LIMITS } from '../../../../libs/programme/limits';
import { PageQuery } from '../edge/paging';
import { BooleanQuery, ChecklistValues, Code, HttpUrl, LeftOutOrValid, StepDate, StepText } from '../edge/validators';
import { oneOfMessage } from '../errors/validation';

export class ProgressDto {
  @ApiPropertyOptional({ enum: PROGRESS_STATUSES })
  @LeftOutOrValid()
  @IsIn(PROGRESS_STATUSES, { message: oneOfMessage('status', PROGRESS_STATUSES) })
  status?: ProgressStatus;

  @ChecklistValues(STEP_LIMITS.checklistItems)
  checklist?: Record<string, boolean>;

  @StepText('note', { optional: true })
  note?: string;
}

export class EvidenceDto {
  @ApiProperty({ enum: EVIDENCE_KINDS })
  @IsIn(EVIDENCE_KINDS, { message: oneOfMessage('kind', EVIDENCE_KINDS) })
  kind!: EvidenceKind;

  @StepText('reference', { example: 'Raadsbesluit 2027/88' })
  reference!: string;

  @HttpUrl({ example: 'https://zoek.officielebekendmakingen.nl/gmb-2027-1234.html' })
  url?: string;

  @StepDate({ optional: true, example: '2027-05-20' })
  date?: string;
}

export class CompleteDto {
  @ApiProperty({ type: EvidenceDto }) @ValidateNested() @Type(() => EvidenceDto)
  evidence!: EvidenceDto;
}

export class TargetDateDto {
  @StepDate({ example: '2026-09-01' })
  date!: string;
}

export class ExtensionDto {
  @StepDate({ example: '2027-10-01' })
  to!: string;

  @StepText('reason')
  reason!: string;
}

export class WaiverDto {
  @StepText('reason')
  reason!: string;
}

/** The overview's filters, AND-ed, and its page (`edge/paging.ts`). */
export class StepListQuery extends PageQuery {
  @Code('stepKey', 'step', { optional: true })
  step?: string;

  @ApiPropertyOptional({ enum: STEP_STATUSES })
  @LeftOutOrValid()
  @IsIn(STEP_STATUSES, { message: oneOfMessage('status', STEP_STATUSES) })
  status?: StepStatus;

  @Code('province', 'province', { optional: true })
  province?: string;

  @Code('region', 'region', { optional: true })
  region?: string;

  @BooleanQuery('overdue', { description: 'true: only overdue steps; false: only those that are not' })
  overdue?: string;

  @ApiPropertyOptional({ enum: OWNER_KINDS }) @LeftOutOrValid() @IsIn(OWNER_KINDS, { message: oneOfMessage('owner', OWNER_KINDS) })
  owner?: OwnerKind;
}
