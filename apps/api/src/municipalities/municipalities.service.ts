import { Inject, Injectable } from '@nestjs/common';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import type { RegieConfig } from '../../../../libs/config/config';
import { DataSource } from 'typeorm';
import { RegieError } from '../errors/regie-error';
import { Keyset, keysetPage, mapPage, PageRequest } from '../edge/paging';

const MUNICIPALITY_COLUMNS = `m.code, m.name, m.province_code, p.name AS province_name, r.code AS region_code, r.name AS region_name,
  r.grouping AS region_grouping, o.workflow_id, o.rulebook_id, o.workflow_started_at`;

const BY_MUNICIPALITY_CODE = new Keyset([{ sql: 'm.code', type: 'text' }]);
const BY_REGION_CODE = new Keyset([{ sql: 'r.code', type: 'text' }]);

export interface MunicipalityFilter {
  province?: string;
  region?: string;
  onboarded?: boolean;
}

/** Reads from the Postgres read model only; it never asks Temporal. */
@Injectable()
export class MunicipalitiesService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
  ) {}

  /** A page of municipalities, by code (the primary key; each is in one region of the configured grouping, so one row each). */
  async list(filter: MunicipalityFilter, page: PageRequest) {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.province) where.push(`m.province_code = $${params.push(filter.province)}`);
    if (filter.region) where.push(`r.code = $${params.push(filter.region)}`);
    if (filter.onboarded !== undefined) where.push(filter.onboarded ? 'o.workflow_started_at IS NOT NULL' : 'o.workflow_started_at IS NULL');
    const found = await keysetPage(this.dataSource, { select: MUNICIPALITY_COLUMNS, from: this.municipalityTables(), where, params }, BY_MUNICIPALITY_CODE, page);
    return mapPage(found, toMunicipality);
  }

  async get(code: string) {
    const [row] = await this.dataSource.query(`SELECT ${MUNICIPALITY_COLUMNS} FROM ${this.municipalityTables()} WHERE m.code = $1`, [code]);
    if (!row) throw new RegieError('municipality-not-found', 'not-found', `Gemeente ${code} bestaat niet / Unknown municipality`, 'code');
    return toMunicipality(row);
  }

  /** A page of the regions of one grouping (default: the configured one that runs steps 1 and 2), by code. */
  async regions(grouping: string | undefined, page: PageRequest) {
    const found = await keysetPage(
      this.dataSource,
      {
        select: `r.code, r.name, r.grouping, (SELECT count(*)::int FROM region_member WHERE region_code = r.code) AS members, o.workflow_id, o.workflow_started_at`,
        from: 'region r LEFT JOIN region_onboarding o ON o.region_code = r.code',
        where: ['r.grouping = $1'],
        params: [grouping ?? this.config.regionGrouping],
      },
      BY_REGION_CODE,
      page,
    );
    return mapPage(found, toRegion);
  }

  async region(code: string) {
    const [row] = await this.dataSource.query(
      `SELECT r.code, r.name, r.grouping, o.workflow_id, o.workflow_started_at,
         (SELECT count(*)::int FROM region_member WHERE region_code = r.code) AS members
       FROM region r LEFT JOIN region_onboarding o ON o.region_code = r.code WHERE r.code = $1`,
      [code],
    );
    if (!row) throw new RegieError('region-not-found', 'not-found', `Regio ${code} bestaat niet / Unknown region`, 'code');
    const members = await this.dataSource.query(
      `SELECT m.code, m.name FROM region_member rm JOIN municipality m ON m.code = rm.municipality_code WHERE rm.region_code = $1 ORDER BY m.code`,
      [code],
    );
    return { ...toRegion(row), municipalities: members };
  }

  /** A municipality with its province, its region of the configured grouping and its onboarding. */
  private municipalityTables(): string {
    return `municipality m
            JOIN province p ON p.code = m.province_code
            LEFT JOIN region_member rm ON rm.municipality_code = m.code
              AND rm.region_code IN (SELECT code FROM region WHERE grouping = '${this.config.regionGrouping}')
            LEFT JOIN region r ON r.code = rm.region_code
            LEFT JOIN onboarding o ON o.municipality_code = m.code`;
  }
}

function toMunicipality(row: any) {
  return {
    code: row.code,
    name: row.name,
    province: { code: row.province_code, name: row.province_name },
    region: row.region_code ? { code: row.region_code, name: row.region_name, grouping: row.region_grouping } : null,
    onboarding: row.workflow_started_at
      ? { workflowId: row.workflow_id, rulebookId: row.rulebook_id, startedAt: row.workflow_started_at }
      : null,
  };
}

function toRegion(row: any) {
  return {
    code: row.code,
    name: row.name,
    grouping: row.grouping,
    members: row.members,
    onboarding: row.workflow_started_at ? { workflowId: row.workflow_id, startedAt: row.workflow_started_at } : null,
  };
}
