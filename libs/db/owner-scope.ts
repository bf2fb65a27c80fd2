import type { EntityManager } from 'typeorm';
import type { NotificationRequest } from '../contracts';
import type { OwnerScope } from '../mail/recipient-rules';

type Owner = NotificationRequest['owner'];
export const ownerScopeKey = (owner: Owner) => `${owner.kind}:${owner.code}`;

/** Where the owner belongs: a municipality with its region and province; a region with its members and their provinces. */
export async function findOwnerScope(tx: EntityManager, owner: Owner, grouping: string): Promise<OwnerScope | null> {
  return (await findOwnerScopes(tx, [owner], grouping)).get(ownerScopeKey(owner)) ?? null;
}

/** The same for many owners at once (the load simulation reads every onboarded owner): keyed by `ownerScopeKey`. */
export async function findOwnerScopes(tx: EntityManager, owners: Owner[], grouping: string): Promise<Map<string, OwnerScope>> {
  const scopes = new Map<string, OwnerScope>();
  const codes = (kind: Owner['kind']) => owners.filter((o) => o.kind === kind).map((o) => o.code);
  if (codes('municipality').length) {
    const rows = await tx.query(
      `SELECT DISTINCT ON (m.code) m.code, m.name, m.province_code, r.code AS region_code, r.name AS region_name
       FROM municipality m
       LEFT JOIN region_member rm ON rm.municipality_code = m.code AND rm.region_code IN (SELECT code FROM region WHERE grouping = $2)
       LEFT JOIN region r ON r.code = rm.region_code
       WHERE m.code = ANY($1::text[])
       ORDER BY m.code`,
      [codes('municipality'), grouping],
    );
    for (const row of rows) {
      scopes.set(ownerScopeKey({ kind: 'municipality', code: row.code }), {
        code: row.code,
        name: row.name,
        municipalityCodes: [row.code],
        region: row.region_code ? { code: row.region_code, name: row.region_name } : null,
        provinceCodes: [row.province_code],
      });
    }
  }
  if (codes('region').length) {
    const rows = await tx.query(
      `SELECT r.code, r.name,
         coalesce(array_agg(DISTINCT m.code) FILTER (WHERE m.code IS NOT NULL), '{}') AS members,
         coalesce(array_agg(DISTINCT m.province_code) FILTER (WHERE m.code IS NOT NULL), '{}') AS provinces
       FROM region r LEFT JOIN region_member rm ON rm.region_code = r.code LEFT JOIN municipality m ON m.code = rm.municipality_code
       WHERE r.code = ANY($1::text[]) GROUP BY r.code, r.name`,
      [codes('region')],
    );
    for (const row of rows) {
      scopes.set(ownerScopeKey({ kind: 'region', code: row.code }), { code: row.code, name: row.name, municipalityCodes: row.members, region: { code: row.code, name: row.name }, provinceCodes: row.provinces });
    }
  }
  return scopes;
}
