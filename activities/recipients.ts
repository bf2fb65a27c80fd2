import type { EntityManager } from 'typeorm';
import { Language, MUNICIPALITY_ROLES, NotificationRequest, Role, STAKEHOLDER_KINDS } from '../libs/contracts';

export interface OwnerScope {
  code: string;
  name: string;
  /** The municipalities whose business this is: the owner itself, or a region's members. */
  municipalityCodes: string[];
  /** A municipality's region in the configured grouping (as onboarding uses), or the region itself. */
  region: { code: string; name: string } | null;
  provinceCodes: string[];
}

export interface Recipient {
  email: string;
  role: Role;
  /** Who the recipient receives this for: an organisation key, or a municipality's or region's code for addresses named at onboarding. */
  organisationKey: string;
  organisationName: string;
  language: Language;
}

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

/**
 * The recipients for these roles, about this owner's business only: programme managers and aldermen of the
 * municipalities in scope, the region's coordinators, the provinces' officers, and the stakeholder
 * organisations (corporations, tenant and care-welfare organisations) linked to a municipality in scope
 * (for a region: to one of its members). The addresses named at onboarding count as a programme manager
 * and a coordinator. One entry per address regardless of case, the first role in the rulebook's order winning.
 */
export async function resolveRecipients(tx: EntityManager, roles: Role[], scope: OwnerScope): Promise<Recipient[]> {
  const rows: { email: string; role: Role; organisation_key: string; organisation_name: string; language: Language }[] = await tx.query(
    `SELECT email, role, organisation_key, organisation_name, language FROM (
       SELECT o.programme_manager_email AS email, 'programme-manager' AS role, m.code AS organisation_key, m.name AS organisation_name, 'nl' AS language
       FROM onboarding o JOIN municipality m ON m.code = o.municipality_code
       WHERE o.municipality_code = ANY($2::text[]) AND o.programme_manager_email IS NOT NULL
       UNION ALL
       SELECT ro.coordinator_email, 'regional-coordinator', r.code, r.name, 'nl'
       FROM region_onboarding ro JOIN region r ON r.code = ro.region_code
       WHERE ro.region_code = $3 AND ro.coordinator_email IS NOT NULL
       UNION ALL
       SELECT c.email, c.role, o.key, o.name, c.language
       FROM contact c JOIN organisation o ON o.key = c.organisation_key
       WHERE (o.kind = 'municipality' AND o.code = ANY($2::text[]) AND c.role = ANY($5::text[]))
          OR (o.kind = 'region' AND o.code = $3 AND c.role = 'regional-coordinator')
          OR (o.kind = 'province' AND o.code = ANY($4::text[]) AND c.role = 'province')
          OR (o.kind = ANY($6::text[]) AND c.role = o.kind
              AND EXISTS (SELECT 1 FROM organisation_municipality om WHERE om.organisation_key = o.key AND om.municipality_code = ANY($2::text[])))
     ) found
     WHERE role = ANY($1::text[])
     ORDER BY array_position($1::text[], role), lower(email), organisation_key`,
    [roles, scope.municipalityCodes, scope.region?.code ?? null, scope.provinceCodes, MUNICIPALITY_ROLES, STAKEHOLDER_KINDS],
  );
  const seen = new Set<string>();
  return rows
    .map((r) => ({ email: r.email.toLowerCase(), role: r.role, organisationKey: r.organisation_key, organisationName: r.organisation_name, language: r.language }))
    .filter((r) => !seen.has(r.email) && !!seen.add(r.email));
}
