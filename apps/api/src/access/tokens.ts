import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Injectable, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { changedRows } from '../../../../libs/db/returning';
import { TOKEN_SCOPES } from '../../../../libs/access/policy';
import type { Principal, TokenScope } from '../../../../libs/access/policy';
import { newApiToken } from '../../../../libs/access/secrets';
import { ROLES, type Role } from '../../../../libs/contracts/enums';
import { Keyset, keysetPage, Paged, pageOf, PageQuery, PageRequest } from '../edge/paging';
import { PathParams } from '../edge/path-params';
import { Responds } from '../edge/responses';
import { organisationNotFound } from '../organisations/organisations.service';
import { LeftOutOrValid, StepText } from '../edge/validators';
import { RegieError } from '../errors/regie-error';
import { oneOfMessage } from '../errors/validation';
import { Access } from './access.guard';
import type { RequestAccess } from './access.guard';
import { Does } from './does';

/** Tokens live at most a year; 90 days unless the creator says otherwise. */
export const TOKEN_DAYS = { default: 90, max: 365 } as const;

export class CreateTokenDto {
  @StepText('actor', { example: 'BI-koppeling VNG' })
  name!: string;

  @ApiPropertyOptional({ enum: ROLES, description: "The role it acts as: one of the organisation's contact roles. Default: the creator's own role" })
  @LeftOutOrValid()
  @IsIn(ROLES, { message: oneOfMessage('role', ROLES) })
  role?: Role;

  @ApiProperty({ enum: TOKEN_SCOPES })
  @IsIn(TOKEN_SCOPES, { message: oneOfMessage('scope', TOKEN_SCOPES) })
  scope!: TokenScope;

  @ApiPropertyOptional({ minimum: 1, maximum: TOKEN_DAYS.max, default: TOKEN_DAYS.default })
  @LeftOutOrValid()
  @IsInt({ message: 'expiresInDays must be a whole number' })
  @Min(1, { message: 'expiresInDays must be at least 1' })
  @Max(TOKEN_DAYS.max, { message: `expiresInDays must be at most ${TOKEN_DAYS.max}` })
  expiresInDays?: number;
}

const TOKEN_VIEW = `id, name, prefix, role, scope, created_by AS "createdBy", created_at AS "createdAt", expires_at AS "expiresAt",
  revoked_at AS "revokedAt", last_used_at AS "lastUsedAt"`;

/** Newest first; the id (the primary key) between tokens created in one transaction. */
const NEWEST_FIRST = new Keyset(
  [
    { sql: 'api_token.created_at', type: 'timestamp' },
    { sql: 'api_token.id', type: 'uuid' },
  ],
  'desc',
);

/**
 * API tokens for machines (a municipality's own system, VNG's BI), per organisation: shown once at
 * creation, kept as a hash with a visible prefix, acting as one role with a scope, until they expire or
 * are revoked. Created and revoked by the operator or by the organisation's programme manager or
 * coordinator (libs/access/policy.ts, `organisation:tokens`).
 */
@Injectable()
export class TokensService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async create(organisationKey: string, dto: CreateTokenDto, by: Principal) {
    const [org] = await this.db.query(`SELECT kind FROM organisation WHERE key = $1`, [organisationKey]);
    if (!org) throw organisationNotFound(organisationKey);
    const own = by.kind === 'person' || by.kind === 'token' ? by.role : undefined;
    const role = dto.role ?? own;
    if (!role) throw new RegieError('role-required', 'invalid-input', 'Kies de rol waarin de sleutel werkt / Choose the role the token acts as', 'role');
    // Nobody hands a machine more than they have: a person creates tokens of their own role only.
    if (own && role !== own) throw new RegieError('role-not-yours', 'forbidden', `U kunt alleen sleutels in uw eigen rol (${own}) maken / You can only create tokens in your own role (${own})`, 'role');
    const [{ fits }] = await this.db.query(`SELECT EXISTS (SELECT 1 FROM contact WHERE organisation_key = $1 AND role = $2) OR $3 AS fits`, [organisationKey, role, org.kind === 'vng']);
    if (!fits) throw new RegieError('role-not-in-organisation', 'invalid-input', `Deze organisatie heeft geen contact in de rol ${role} / This organisation has no contact with role ${role}`, 'role');
    const { token, prefix, hash } = newApiToken();
    const [row] = await this.db.query(
      `INSERT INTO api_token (organisation_key, role, scope, name, prefix, token_hash, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(days => $8)) RETURNING ${TOKEN_VIEW}`,
      [organisationKey, role, dto.scope, dto.name, prefix, hash, by.actor, dto.expiresInDays ?? TOKEN_DAYS.default],
    );
    return { ...row, token, notice: 'Bewaar deze sleutel nu: hij wordt niet opnieuw getoond / Store this token now: it is not shown again' };
  }

  /** A page of the organisation's tokens, newest first; an organisation that does not exist has no list (404), not an empty one. */
  async list(organisationKey: string, page: PageRequest) {
    const [org] = await this.db.query(`SELECT 1 FROM organisation WHERE key = $1`, [organisationKey]);
    if (!org) throw organisationNotFound(organisationKey);
    return keysetPage(this.db, { select: TOKEN_VIEW, from: 'api_token', where: ['organisation_key = $1'], params: [organisationKey] }, NEWEST_FIRST, page);
  }

  async revoke(organisationKey: string, id: string, by: Principal) {
    const [row] = await changedRows(
      this.db,
      `UPDATE api_token SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $3) WHERE organisation_key = $1 AND id = $2 RETURNING ${TOKEN_VIEW}`,
      [organisationKey, id, by.actor],
    );
    if (!row) throw new RegieError('token-not-found', 'not-found', 'Sleutel niet gevonden / Token not found', 'id');
    return row;
  }
}

@ApiTags('tokens')
@Controller('organisations/:key/tokens')
export class TokensController {
  constructor(@Inject(TokensService) private readonly tokens: TokensService) {}

  @Post()
  @PathParams({ key: 'organisationKey' })
  @ApiOperation({ summary: 'Create an API token for this organisation: shown once in the answer, kept only as a hash' })
  @Responds({ status: 201, description: 'The token (field token) with its prefix, role, scope and expiry' }, { status: 400, description: 'role-required, role-not-in-organisation' }, { status: 404, description: 'organisation-not-found' }, 413, 415, 429, 503)
  @Does('organisation:tokens', 'organisation')
  create(@Param('key') key: string, @Body() dto: CreateTokenDto, @Access() access: RequestAccess) {
    return this.tokens.create(key, dto, access.principal!);
  }

  @Get()
  @PathParams({ key: 'organisationKey' })
  @ApiOperation({ summary: "The organisation's tokens, newest first, paged: prefix, name, role, scope, expiry, last use, revocation (never the token)" })
  @Paged({ status: 404, description: 'organisation-not-found' }, 429, 503)
  @Does('organisation:tokens', 'organisation')
  list(@Param('key') key: string, @Query() page: PageQuery) {
    return this.tokens.list(key, pageOf(page));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.OK)
  @PathParams({ key: 'organisationKey', id: 'tokenId' })
  @ApiOperation({ summary: 'Revoke a token at once (again: the same answer)' })
  @Responds(200, { status: 404, description: 'token-not-found' }, 429, 503)
  @Does('organisation:tokens', 'organisation')
  revoke(@Param('key') key: string, @Param('id') id: string, @Access() access: RequestAccess) {
    return this.tokens.revoke(key, id, access.principal!);
  }
}
