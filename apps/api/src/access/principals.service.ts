import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { changedRows } from '../../../../libs/db/returning';
import { Principal, TokenScope } from '../../../../libs/access/policy';
import { loadReach } from '../../../../libs/access/reach';
import { API_TOKEN_PATTERN, hashSecret, sameSecret, SECRET_PATTERN, SESSION_COOKIE } from '../../../../libs/access/secrets';
import type { Role } from '../../../../libs/contracts/enums';
import type { RegieConfig } from '../../../../libs/config/config';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import { RegieError } from '../errors/regie-error';

/** How the caller proved who it is; a session's writes need a CSRF check, a bearer's do not (no ambient credential). */
export type Credential = { via: 'anonymous' } | { via: 'bearer' } | { via: 'session'; sessionIdHash: string };

export interface Caller {
  principal: Principal | null;
  credential: Credential;
}

/** A cookie's value by name from the Cookie header (no parser needed for one cookie). */
export function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const unauthorized = (code: string, nl: string, en: string) => new RegieError(code, 'unauthorized', `${nl} / ${en}`, 'Authorization');

/**
 * Who is calling: the operator (ADMIN_TOKEN), an organisation's API token, a person's session, or nobody.
 * A credential that is present but wrong, expired or revoked is a 401, never silently anonymous.
 */
@Injectable()
export class PrincipalsService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
  ) {}

  async identify(req: Request): Promise<Caller> {
    const header = req.headers.authorization;
    if (header !== undefined) return { principal: await this.bearer(header), credential: { via: 'bearer' } };
    const cookie = cookieValue(req, SESSION_COOKIE);
    if (cookie !== undefined && SECRET_PATTERN.test(cookie)) {
      const sessionIdHash = hashSecret(cookie);
      const principal = await this.session(sessionIdHash);
      if (principal) return { principal, credential: { via: 'session', sessionIdHash } };
    }
    return { principal: null, credential: { via: 'anonymous' } };
  }

  private async bearer(header: string): Promise<Principal> {
    const match = /^Bearer ([\x21-\x7e]+)$/i.exec(header);
    if (!match) {
      throw unauthorized('bearer-required', 'Stuur de sleutel als "Authorization: Bearer <sleutel>"', 'Send the token as "Authorization: Bearer <token>"');
    }
    const given = match[1];
    if (sameSecret(given, this.config.adminToken)) return { kind: 'operator', actor: 'operator' };
    if (!API_TOKEN_PATTERN.test(given)) throw unauthorized('token-invalid', 'Onbekende of ongeldige sleutel', 'Unknown or invalid token');
    const [row] = await changedRows(
      this.db,
      `UPDATE api_token SET last_used_at = now()
        WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
        RETURNING organisation_key, role, scope, prefix, name`,
      [hashSecret(given)],
    );
    if (!row) throw unauthorized('token-invalid', 'Onbekende, verlopen of ingetrokken sleutel', 'Unknown, expired or revoked token');
    return this.member('token', row.prefix, row.name, row.organisation_key, row.role, row.scope);
  }

  /** A live session: not ended, within its idle and absolute timeouts; seen now (which moves the idle timeout). */
  private async session(idHash: string): Promise<Principal | null> {
    const [row] = await changedRows(
      this.db,
      `UPDATE web_session s SET last_seen_at = now()
        WHERE id_hash = $1 AND ended_at IS NULL AND expires_at > now() AND last_seen_at > now() - make_interval(mins => $2)
        RETURNING email, organisation_key, role,
          (SELECT name FROM contact c WHERE c.organisation_key = s.organisation_key AND c.email = s.email AND c.role = s.role) AS name,
          (SELECT count(*) FROM contact c WHERE c.organisation_key = s.organisation_key AND c.email = s.email AND c.role = s.role)::int AS still`,
      [idHash, this.config.access.sessionIdleMinutes],
    );
    if (!row) return null;
    if (!row.organisation_key) return { kind: 'choosing', actor: row.email };
    // A contact removed from its organisation loses its session's rights at once.
    if (!row.still) return null;
    return this.member('person', row.email, row.name, row.organisation_key, row.role, 'read-write');
  }

  private async member(kind: 'person' | 'token', actor: string, name: string | null, organisationKey: string, role: Role, scope: TokenScope): Promise<Principal> {
    const [org] = await this.db.query(`SELECT key, kind, name, code FROM organisation WHERE key = $1`, [organisationKey]);
    if (!org) throw unauthorized('token-invalid', 'De organisatie van deze aanmelding bestaat niet meer', 'The organisation of this credential no longer exists');
    const organisation = { key: org.key, kind: org.kind, name: org.name, code: org.code };
    return { kind, actor, name, organisation, role, scope, reach: await loadReach(this.db, organisation) };
  }
}
