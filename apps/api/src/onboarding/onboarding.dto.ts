import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsEmail, IsIn, IsObject, IsOptional, IsString, Matches, MinLength, ValidateNested } from 'class-validator';
import { EVIDENCE_KINDS, INITIAL_STEP_STATUSES } from '../../../../libs/contracts';
import type { EvidenceKind, InitialStepStatus } from '../../../../libs/contracts';
import { oneOfMessage } from '../errors/validation';

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

export class InitialEvidenceDto {
  @ApiProperty({ enum: EVIDENCE_KINDS })
  @IsIn(EVIDENCE_KINDS, { message: oneOfMessage('kind', EVIDENCE_KINDS) })
  kind!: EvidenceKind;

  @ApiProperty({ example: 'Raadsbesluit 2026/123' }) @IsString() @MinLength(1, { message: 'reference is required' })
  reference!: string;

  @ApiPropertyOptional() @IsOptional() @IsString() url?: string;

  @ApiPropertyOptional({ example: '2026-03-12' }) @IsOptional() @Matches(isoDate, { message: 'date must be YYYY-MM-DD' })
  date?: string;

  @ApiProperty({ example: 'Programmamanager Amsterdam' }) @IsString() @MinLength(1, { message: 'recordedBy is required' })
  recordedBy!: string;
}

/** A step's state at onboarding: done with evidence, in progress, or a target date; so nothing past is sent. */
export class InitialStepStateDto {
  @ApiPropertyOptional({ enum: INITIAL_STEP_STATUSES })
  @IsOptional()
  @IsIn(INITIAL_STEP_STATUSES, { message: oneOfMessage('status', INITIAL_STEP_STATUSES) })
  status?: InitialStepStatus;

  @ApiPropertyOptional({ type: [InitialEvidenceDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => InitialEvidenceDto)
  evidence?: InitialEvidenceDto[];

  @ApiPropertyOptional({ example: '2026-09-01' }) @IsOptional() @Matches(isoDate, { message: 'targetDate must be YYYY-MM-DD' })
  targetDate?: string;

  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @IsString({ each: true })
  checklist?: string[];
}

export class CreateOnboardingDto {
  @ApiProperty({ example: 'GM0363', description: 'CBS municipality code' })
  @Matches(/^GM\d{4}$/, { message: 'municipalityCode must be a CBS municipality code such as GM0363' })
  municipalityCode!: string;

  @ApiPropertyOptional({ example: 'programma@amsterdam.example', description: 'Receives reminders for the steps' })
  @IsOptional()
  @IsEmail({}, { message: 'programmeManagerEmail must be an email address' })
  programmeManagerEmail?: string;

  @ApiPropertyOptional({ example: 'wvrv-2025-07-01.2', description: 'Rulebook version; default DEFAULT_RULEBOOK_ID' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'rulebookId must be a rulebook version id' })
  rulebookId?: string;

  @ApiPropertyOptional({ description: 'Current state per step (or step instance such as prestatieafspraken:2026)' })
  @IsOptional()
  @IsObject({ message: 'steps must be an object keyed by step' })
  steps?: Record<string, InitialStepStateDto>;
}

export class BulkMunicipalityDto {
  @ApiPropertyOptional() @IsOptional() @IsEmail({}, { message: 'programmeManagerEmail must be an email address' })
  programmeManagerEmail?: string;

  @ApiPropertyOptional() @IsOptional() @IsObject({ message: 'steps must be an object keyed by step' })
  steps?: Record<string, InitialStepStateDto>;
}

export class BulkRegionDto {
  @ApiPropertyOptional() @IsOptional() @IsEmail({}, { message: 'coordinatorEmail must be an email address' })
  coordinatorEmail?: string;

  @ApiPropertyOptional() @IsOptional() @IsObject({ message: 'steps must be an object keyed by step' })
  steps?: Record<string, InitialStepStateDto>;
}

/** Onboards every municipality and region at once; per code, optional contacts and current step states. */
export class BulkOnboardingDto {
  @ApiPropertyOptional({ example: 'wvrv-2025-07-01.2' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'rulebookId must be a rulebook version id' })
  rulebookId?: string;

  @ApiPropertyOptional({ description: 'Keyed by GM code' }) @IsOptional() @IsObject({ message: 'municipalities must be an object keyed by GM code' })
  municipalities?: Record<string, BulkMunicipalityDto>;

  @ApiPropertyOptional({ description: 'Keyed by region code (CR01..CR40)' }) @IsOptional() @IsObject({ message: 'regions must be an object keyed by region code' })
  regions?: Record<string, BulkRegionDto>;
}
