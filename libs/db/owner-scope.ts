import type { EntityManager } from 'typeorm';
import type { NotificationRequest } from '../contracts';
import type { OwnerScope } from '../mail/recipient-rules';

/** Where the owner belongs: a municipality with its region and province; a region with its members and their provinces. */
export async function findOwnerScope(tx: EntityManager, owner: NotificationRequest['owner'], grouping: string): Promise<OwnerScope | null> {
  if (owner.kind === 'municipality') {
    const [row] = await tx.query(
      `SELECT m.code, m.name, m.province_code, r.code AS region_code, r.name AS region_name
       FROM municipality m
       LEFT JOIN region_member rm ON rm.municipality_code = m.code AND rm.region_code IN (SELECT code FROM region WHERE grouping = $2)
       LEFT JOIN region r ON r.code = rm.region_code
       WHERE m.code = $1`,
      [owner.code, grouping],
    );
    return row
      ? {
          code: row.code,
          name: row.name,
          municipalityCodes: [row.code],
          region: row.region_code ? { code: row.region_code, name: row.region_name } : null,
          provinceCodes: [row.province_code],
        }
      : null;
  }
  const [row] = await tx.query(
    `SELECT r.code, r.name,
       coalesce(array_agg(DISTINCT m.code) FILTER (WHERE m.code IS NOT NULL), '{}') AS members,
       coalesce(array_agg(DISTINCT m.province_code) FILTER (WHERE m.code IS NOT NULL), '{}') AS provinces
     FROM region r LEFT JOIN region_member rm ON rm.region_code = r.code LEFT JOIN municipality m ON m.code = rm.municipality_code
     WHERE r.code = $1 GROUP BY r.code, r.name`,
    [owner.code],
  );
  return row ? { code: row.code, name: row.name, municipalityCodes: row.members, region: { code: row.code, name: row.name }, provinceCodes: row.provinces } : null;
}
