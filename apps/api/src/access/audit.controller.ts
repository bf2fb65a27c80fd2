import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsISO8601, Matches } from 'class-validator';
import type { Response } from 'express';
import { auditScope } from '../../../../libs/access/policy';
import { CODE_FORMATS, LIST_LIMITS } from '../edge/inputs';
import { Paged, pageOf, PageQuery } from '../edge/paging';
import { LeftOutOrValid } from '../edge/validators';
import { RegieError } from '../errors/regie-error';
import { oneOfMessage } from '../errors/validation';
import { Access } from './access.guard';
import type { RequestAccess } from './access.guard';
import { AUDIT_OUTCOMES, AuditService } from './audit.service';
import type { AuditOutcome } from './audit.service';
import { Does } from './does';

const FORMATS = ['json', 'csv'] as const;
/**
 * A moment with its offset, from year 1000 and within the offsets in use (up to ±14:59): the ISO 8601 check
 * alone lets an offset such as -20:55 through, which timestamptz refuses (a 500). IsISO8601 then checks
 * that it is a real day and time.
 */
const MOMENT = /^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])$/;
const ACTOR = /^[\x21-\x7e]{1,254}$/;

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'The operator only: one organisation (others always read their own)', pattern: CODE_FORMATS.organisationKey.pattern.source })
  @LeftOutOrValid()
  @Matches(CODE_FORMATS.organisationKey.pattern, { message: `organisation must be ${CODE_FORMATS.organisationKey.what}` })
  organisation?: string;

  @ApiPropertyOptional({ description: "An actor: a person's address, a token's prefix, or operator", maxLength: LIST_LIMITS.email, pattern: ACTOR.source })
  @LeftOutOrValid()
  @Matches(ACTOR, { message: 'actor must be an address, a token prefix or operator' })
  actor?: string;

  @ApiPropertyOptional({ description: 'An action (libs/access/policy.ts ACTIONS, or sign-in, sign-in-oidc)', pattern: '^[a-z:-]{1,40}$' })
  @LeftOutOrValid()
  @Matches(/^[a-z:-]{1,40}$/, { message: 'action must be an action name such as step:complete' })
  action?: string;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES })
  @LeftOutOrValid()
  @IsIn(AUDIT_OUTCOMES, { message: oneOfMessage('outcome', AUDIT_OUTCOMES) })
  outcome?: AuditOutcome;

  @ApiPropertyOptional({ format: 'date-time', pattern: MOMENT.source, example: '2027-01-01T00:00:00Z', description: 'From this moment (inclusive), with its offset (Z or +01:00)' })
  @LeftOutOrValid()
  @Matches(MOMENT, { message: 'from must be an ISO 8601 moment with its offset, such as 2027-01-01T00:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 moment' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', pattern: MOMENT.source, example: '2027-01-01T00:00:00Z', description: 'Up to this moment (exclusive), with its offset (Z or +01:00)' })
  @LeftOutOrValid()
  @Matches(MOMENT, { message: 'to must be an ISO 8601 moment with its offset, such as 2027-01-01T00:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 moment' })
  to?: string;

  @ApiPropertyOptional({ enum: FORMATS, default: 'json', description: 'csv: every matching entry as one CSV file' })
  @LeftOutOrValid()
  @IsIn(FORMATS, { message: oneOfMessage('format', FORMATS) })
  format?: (typeof FORMATS)[number];
}

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  @Get()
  @Does('audit:read')
  @ApiOperation({ summary: "The audit trail, newest first, paged: the operator everyone's, an organisation its own; format=csv for all matching entries in one file" })
  @Paged(
    { status: 200, file: 'text/csv', description: 'format=csv: every matching entry as one CSV file (limit and cursor do not apply)' },
    { status: 400, description: 'audit-export-too-large: more than 100,000 entries for one CSV (choose a shorter period)' },
    { status: 404, description: 'not-found: another organisation' },
    429,
    503,
  )
  async list(@Query() query: AuditQuery, @Access() access: RequestAccess, @Res({ passthrough: true }) res: Response) {
    const scope = auditScope(access.principal!);
    if (!scope) throw new RegieError('organisation-choice-required', 'forbidden', 'Kies eerst namens welke organisatie u werkt / First choose the organisation you act for');
    if ('organisation' in scope && query.organisation !== undefined && query.organisation !== scope.organisation) {
      throw new RegieError('not-found', 'not-found', 'Niet gevonden / Not found', 'organisation');
    }
    const organisation = 'organisation' in scope ? scope.organisation : query.organisation;
    const filter = { organisation, actor: query.actor, action: query.action, outcome: query.outcome, from: query.from, to: query.to };
    if (query.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', 'attachment; filename="regie-audit.csv"');
      return this.audit.csv(filter);
    }
    return this.audit.list(filter, pageOf(query));
  }
}
