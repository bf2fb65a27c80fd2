import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, Matches, ValidateNested } from 'class-validator';
import { EVIDENCE_KINDS, INITIAL_STEP_STATUSES } from '../../../../libs/contracts';
import type { EvidenceKind, InitialStepStatus } from '../../../../libs/contracts';
import { STEP_LIMITS } from '../../../../libs/programme/limits';
import { CODE_FORMATS, LIST_LIMITS } from '../edge/inputs';
import { BoundedMap, Code, Email, HttpUrl, LeftOutOrValid, StepDate, StepText } from '../edge/validators';
import { oneOfMessage } from '../errors/validation';

export class InitialEvidenceDto {
  @ApiProperty({ enum: EVIDENCE_KINDS })
  @IsIn(EVIDENCE_KINDS, { message: oneOfMessage('kind', EVIDENCE_KINDS) })
  kind!: EvidenceKind;

  @StepText('reference', { example: 'Raadsbesluit 2026/123' })
  reference!: string;

  @HttpUrl({ example: 'https://zoek.officielebekendmakingen.nl/gmb-2026-123.html' })
  url?: string;

  @StepDate({ optional: true, example: '2026-03-12' })
  date?: string;

  @StepText('actor', { example: 'Programmamanager Amsterdam' })
  recordedBy!: string;
}

/** A step's state at onboarding: done with evidence, in progress, or a target date; so nothing past is sent. */
export class InitialStepStateDto {
  @ApiPropertyOptional({ enum: INITIAL_STEP_STATUSES })
  @LeftOutOrValid()
  @IsIn(INITIAL_STEP_STATUSES, { message: oneOfMessage('status', INITIAL_STEP_STATUSES) })
  status?: InitialStepStatus;

  @ApiPropertyOptional({ type: [InitialEvidenceDto], maxItems: STEP_LIMITS.evidence })
  @LeftOutOrValid()
  @IsArray({ message: 'evidence must be a list' })
  @ArrayMaxSize(STEP_LIMITS.evidence, { message: `evidence may hold at most ${STEP_LIMITS.evidence} items` })
  @ValidateNested({ each: true })
  @Type(() => InitialEvidenceDto)
  evidence?: InitialEvidenceDto[];

  @StepDate({ optional: true, example: '2026-09-01' })
  targetDate?: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', pattern: CODE_FORMATS.checklistItem.pattern.source }, maxItems: STEP_LIMITS.checklistItems, description: 'Checklist items already done' })
  @LeftOutOrValid()
  @IsArray({ message: 'checklist must be a list of item keys' })
  @ArrayMaxSize(STEP_LIMITS.checklistItems, { message: `checklist may hold at most ${STEP_LIMITS.checklistItems} items` })
  @Matches(CODE_FORMATS.checklistItem.pattern, { each: true, message: `checklist must hold ${CODE_FORMATS.checklistItem.what}s such as ${CODE_FORMATS.checklistItem.example}` })
  checklist?: string[];
}

export class CreateOnboardingDto {
  @Code('municipality', 'municipalityCode', { description: 'CBS municipality code' })
  municipalityCode!: string;

  @Email('programmeManagerEmail', { optional: true, example: 'programma@amsterdam.example', description: 'Receives reminders for the steps' })
  programmeManagerEmail?: string;

  @Code('rulebookId', 'rulebookId', { optional: true, example: 'wvrv-2025-07-01.3', description: 'Rulebook version; default DEFAULT_RULEBOOK_ID' })
  rulebookId?: string;

  @BoundedMap(LIST_LIMITS.initialSteps, 'stepInstance', { values: InitialStepStateDto, description: 'Current state per step (or step instance such as prestatieafspraken:2026)' })
  steps?: Record<string, InitialStepStateDto>;
}

export class BulkMunicipalityDto {
  @Email('programmeManagerEmail', { optional: true })
  programmeManagerEmail?: string;

  @BoundedMap(LIST_LIMITS.initialSteps, 'stepInstance', { values: InitialStepStateDto, description: 'Current state per step' })
  steps?: Record<string, InitialStepStateDto>;
}

export class BulkRegionDto {
  @Email('coordinatorEmail', { optional: true })
  coordinatorEmail?: string;

  @BoundedMap(LIST_LIMITS.initialSteps, 'stepInstance', { values: InitialStepStateDto, description: 'Current state per step' })
  steps?: Record<string, InitialStepStateDto>;
}

/** Onboards every municipality and region at once; per code, optional contacts and current step states. */
export class BulkOnboardingDto {
  @Code('rulebookId', 'rulebookId', { optional: true, example: 'wvrv-2025-07-01.3' })
  rulebookId?: string;

  @BoundedMap(LIST_LIMITS.owners, 'municipality', { values: BulkMunicipalityDto })
  municipalities?: Record<string, BulkMunicipalityDto>;

  @BoundedMap(LIST_LIMITS.owners, 'region', { values: BulkRegionDto })
  regions?: Record<string, BulkRegionDto>;
}
