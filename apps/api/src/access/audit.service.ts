import { Inject, Injectable, Logger } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { DataSource } from 'typeorm';
import type { Principal } from '../../../../libs/access/policy';
import { Keyset, keysetPage, mapPage, Page, PageRequest } from '../edge/paging';
import { RegieError } from '../errors/regie-error';

export const AUDIT_OUTCOMES = ['allowed', 'refused', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditEntry {
  principal: Principal;
  /** For a person not yet acting for an organisation (a sign-in): the one it signs in for, when there is one. */
  on?: { organisationKey: string; role: string };
  action: string;
  target?: string;
  outcome: AuditOutcome;
  status: number;
  code?: string;
  requestId: string;
  method: string;
  path: string;
}

export interface AuditFilter {
  organisation?: string;
  actor?: string;
  action?: string;
  outcome?: AuditOutcome;
  from?: string;
  to?: string;
}

export const AUDIT_COLUMNS = ['id', 'at', 'actor_kind', 'actor', 'organisation_key', 'role', 'action', 'target', 'outcome', 'status', 'code', 'request_id', 'method', 'path'] as const;

/** Newest first: by id, descending. */
const NEWEST_FIRST = new Keyset([{ sql: 'audit_log.id', type: 'bigint' }], 'desc');

/** The filter's conditions on `audit_log` and their parameters. */
function filterSql(filter: AuditFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.organisation !== undefined) add('organisation_key = ?', filter.organisation);
  if (filter.actor !== undefined) add('actor = ?', filter.actor.toLowerCase());
  if (filter.action !== undefined) add('action = ?', filter.action);
  if (filter.outcome !== undefined) add('outcome = ?', filter.outcome);
  if (filter.from !== undefined) add('at >= ?::timestamptz', filter.from);
  if (filter.to !== undefined) add('at < ?::timestamptz', filter.to);
  return { where, params };
}

const toEntry = (r: Record<string, unknown>) => ({ ...r, id: String(r.id), at: (r.at as Date).toISOString() });

/**
 * The append-only audit log (the database refuses UPDATE, DELETE and TRUNCATE on it): every write and
 * every refused attempt by a signed-in caller or a token, sign-ins and sign-outs. Anonymous refusals are
 * counted per client and minute instead, so a flood cannot fill it.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async record(entry: AuditEntry): Promise<void> {
    const p = entry.principal;
    const member = p.kind === 'person' || p.kind === 'token' ? p : undefined;
    await this.db.query(
      `INSERT INTO audit_log (actor_kind, actor, organisation_key, role, action, target, outcome, status, code, request_id, method, path)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        p.kind === 'choosing' ? 'person' : p.kind,
        p.actor,
        member?.organisation.key ?? entry.on?.organisationKey ?? null,
        member?.role ?? entry.on?.role ?? null,
        entry.action,
        entry.target ?? null,
        entry.outcome,
        entry.status,
        entry.code ?? null,
        entry.requestId,
        entry.method,
        entry.path.slice(0, 500),
      ],
    );
  }

  /** Never lets a failing audit write turn an answer into a 500; logs it instead (the write itself was already decided). */
  async recordQuietly(entry: AuditEntry): Promise<void> {
    await this.record(entry).catch((err) => this.logger.error(`Audit entry not written for ${entry.method} ${entry.path}: ${(err as Error).message}`));
  }

  async countAnonymousRefusal(client: string): Promise<void> {
    await this.db
      .query(
        `INSERT INTO anonymous_refusal (client, minute, refusals) VALUES ($1, date_trunc('minute', now()), 1)
         ON CONFLICT (client, minute) DO UPDATE SET refusals = anonymous_refusal.refusals + 1`,
        [client.slice(0, 100)],
      )
      .catch((err) => this.logger.error(`Anonymous refusal not counted: ${(err as Error).message}`));
  }

  /** A page of the entries, newest first (by id, the primary key: entries of one moment keep their order). */
  async list(filter: AuditFilter, page: PageRequest): Promise<Page<Record<string, unknown>>> {
    const { where, params } = filterSql(filter);
    const found = await keysetPage(this.db, { select: AUDIT_COLUMNS.join(', '), from: 'audit_log', where, params }, NEWEST_FIRST, page);
    return mapPage(found, toEntry);
  }

  /** Every matching entry as CSV, header first, up to `max` rows (more is refused rather than cut silently). */
  async csv(filter: AuditFilter, max = 100_000): Promise<string> {
    const { where, params } = filterSql(filter);
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT ${AUDIT_COLUMNS.join(', ')} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.push(max + 1)}`,
      params,
    );
    if (rows.length > max) {
      throw new RegieError('audit-export-too-large', 'invalid-input', `Meer dan ${max} regels: kies een kortere periode (from, to) / More than ${max} rows: choose a shorter period (from, to)`, 'from');
    }
    return stringify(rows.map(toEntry), { header: true, columns: [...AUDIT_COLUMNS] });
  }
}
