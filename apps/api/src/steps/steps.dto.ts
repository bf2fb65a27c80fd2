import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBooleanString, IsIn, IsObject, IsOptional, IsString, Matches, MinLength, ValidateNested } from 'class-validator';
import { EVIDENCE_KINDS, OWNER_KINDS, PROGRESS_STATUSES, STEP_STATUSES } from '../../../../libs/contracts';
import type { EvidenceKind, OwnerKind, ProgressStatus, StepStatus } from '../../../../libs/contracts';
import { oneOfMessage } from '../errors/validation';

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

export class ProgressDto {
  @ApiPropertyOptional({ enum: PROGRESS_STATUSES })
  @IsOptional()
  @IsIn(PROGRESS_STATUSES, { message: oneOfMessage('status', PROGRESS_STATUSES) })
  status?: ProgressStatus;

  @ApiPropertyOptional({ example: { doorstroming: true } }) @IsOptional() @IsObject({ message: 'checklist must map item keys to true or false' })
  checklist?: Record<string, boolean>;

  @ApiPropertyOptional() @IsOptional() @IsString() note?: string;

  @ApiProperty({ example: 'Programmamanager Amsterdam' }) @IsString() @MinLength(1, { message: 'by is required' })
  by!: string;
}

export class EvidenceDto {
  @ApiProperty({ enum: EVIDENCE_KINDS })
  @IsIn(EVIDENCE_KINDS, { message: oneOfMessage('kind', EVIDENCE_KINDS) })
  kind!: EvidenceKind;

  @ApiProperty({ example: 'Raadsbesluit 2027/88' }) @IsString() @MinLength(1, { message: 'reference is required' })
  reference!: string;

  @ApiPropertyOptional({ example: 'https://zoek.officielebekendmakingen.nl/gmb-2027-1234.html' })
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'url must be an http(s) link' })
  url?: string;

  @ApiPropertyOptional({ example: '2027-05-20' }) @IsOptional() @Matches(isoDate, { message: 'date must be YYYY-MM-DD' })
  date?: string;
}

export class CompleteDto {
  @ApiProperty({ type: EvidenceDto }) @ValidateNested() @Type(() => EvidenceDto)
  evidence!: EvidenceDto;

  @ApiProperty() @IsString() @MinLength(1, { message: 'by is required' })
  by!: string;
}

export class TargetDateDto {
  @ApiProperty({ example: '2026-09-01' }) @Matches(isoDate, { message: 'date must be YYYY-MM-DD' })
  date!: string;

  @ApiProperty() @IsString() @MinLength(1, { message: 'by is required' })
  by!: string;
}

export class ExtensionDto {
  @ApiProperty({ example: '2027-10-01' }) @Matches(isoDate, { message: 'to must be YYYY-MM-DD' })
  to!: string;

  @ApiProperty() @IsString() @MinLength(1, { message: 'reason is required' })
  reason!: string;

  @ApiProperty({ example: 'Provincie Noord-Holland' }) @IsString() @MinLength(1, { message: 'grantedBy is required' })
  grantedBy!: string;
}

export class WaiverDto {
  @ApiProperty() @IsString() @MinLength(1, { message: 'reason is required' })
  reason!: string;

  @ApiProperty({ example: 'Provincie Noord-Holland' }) @IsString() @MinLength(1, { message: 'grantedBy is required' })
  grantedBy!: string;
}

export class StepListQuery {
  @ApiPropertyOptional({ example: 'volkshuisvestingsprogramma' }) @IsOptional() @Matches(/^[a-z][a-z0-9-]*$/, { message: 'step must be a step key' })
  step?: string;

  @ApiPropertyOptional({ enum: STEP_STATUSES })
  @IsOptional()
  @IsIn(STEP_STATUSES, { message: oneOfMessage('status', STEP_STATUSES) })
  status?: StepStatus;

  @ApiPropertyOptional({ example: 'PV27' }) @IsOptional() @Matches(/^PV\d{2}$/, { message: 'province must be a province code such as PV27' })
  province?: string;

  @ApiPropertyOptional({ example: 'CR23' }) @IsOptional() @Matches(/^[A-Z]{2}\d{2,3}$/, { message: 'region must be a region code such as CR23' })
  region?: string;

  @ApiPropertyOptional({ example: 'true' }) @IsOptional() @IsBooleanString({ message: 'overdue must be true or false' })
  overdue?: string;

  @ApiPropertyOptional({ enum: OWNER_KINDS }) @IsOptional() @IsIn(OWNER_KINDS, { message: oneOfMessage('owner', OWNER_KINDS) })
  owner?: OwnerKind;
}
