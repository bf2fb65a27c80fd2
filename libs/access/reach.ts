import type { DataSource } from 'typeorm';
import { isOneOf, STAKEHOLDER_KINDS } from '../contracts/enums';
import { OrganisationFacts, OwnerRef, ownerRef, Reach } from './policy';

/**
 * Which owners an organisation reaches, from the reference data and its links (libs/access/policy.ts
 * decides with it): a municipality its own and its regions; a region its own and its members; a province
 * its municipalities and the regions with a member there; a stakeholder the municipalities it is linked to.
 */
export async function loadReach(db: Pick<DataSource, 'query'>, org: OrganisationFacts): Promise<Reach> {
  const codes = async (sql: string, params: unknown[]) => ((await db.query(sql, params)) as { code: string }[]).map((r) => r.code);
  const municipalities = (list: string[]) => list.map((c) => ownerRef('municipality', c));
  const regions = (list: string[]) => list.map((c) => ownerRef('region', c));
  if (org.kind === 'municipality' && org.code) {
    const own = ownerRef('municipality', org.code);
    return { owns: [own], reads: [own, ...regions(await codes(`SELECT region_code AS code FROM region_member WHERE municipality_code = $1`, [org.code]))], governs: [] };
  }
  if (org.kind === 'region' && org.code) {
    const own = ownerRef('region', org.code);
    return { owns: [own], reads: [own, ...municipalities(await codes(`SELECT municipality_code AS code FROM region_member WHERE region_code = $1`, [org.code]))], governs: [] };
  }
  if (org.kind === 'province' && org.code) {
    const governs: OwnerRef[] = [
      ...municipalities(await codes(`SELECT code FROM municipality WHERE province_code = $1`, [org.code])),
      ...regions(
        await codes(
          `SELECT DISTINCT rm.region_code AS code FROM region_member rm JOIN municipality m ON m.code = rm.municipality_code WHERE m.province_code = $1`,
          [org.code],
        ),
      ),
    ];
    return { owns: [], reads: governs, governs };
  }
  if (isOneOf(STAKEHOLDER_KINDS, org.kind)) {
    return { owns: [], reads: municipalities(await codes(`SELECT municipality_code AS code FROM organisation_municipality WHERE organisation_key = $1`, [org.key])), governs: [] };
  }
  return { owns: [], reads: [], governs: [] };
}
