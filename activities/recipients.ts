import type { EntityManager } from 'typeorm';
import type { Language, OrganisationKind, Role } from '../libs/contracts';
import { chooseRecipients, OwnerScope, Recipient, RecipientCandidate } from '../libs/mail/recipient-rules';

export type { OwnerScope, Recipient } from '../libs/mail/recipient-rules';
export { findOwnerScope } from '../libs/db/owner-scope';

/**
 * The recipients for these roles, about this owner's business only. The query reads every address that
 * touches the scope (contacts of organisations with a code in it or linked to one of its municipalities, and
 * the addresses named at onboarding); which of them count, with which role, and one entry per address, is
 * decided by `chooseRecipients` (libs/mail/recipient-rules.ts), the rule the load simulation uses too.
 */
export async function resolveRecipients(tx: EntityManager, roles: Role[], scope: OwnerScope): Promise<Recipient[]> {
  const rows: {
    source: 'contact' | 'onboarding';
    email: string;
    role: string;
    language: Language;
    key: string;
    kind: OrganisationKind | 'municipality' | 'region';
    name: string;
    code: string | null;
    municipalities: string[];
  }[] = await tx.query(
    `SELECT 'onboarding' AS source, o.programme_manager_email AS email, 'programme-manager' AS role, 'nl' AS language,
         m.code::text AS key, 'municipality' AS kind, m.name, m.code::text AS code, '{}'::text[] AS municipalities
       FROM onboarding o JOIN municipality m ON m.code = o.municipality_code
       WHERE o.municipality_code = ANY($2::text[]) AND o.programme_manager_email IS NOT NULL
     UNION ALL
     SELECT 'onboarding', ro.coordinator_email, 'regional-coordinator', 'nl', r.code, 'region', r.name, r.code, '{}'::text[]
       FROM region_onboarding ro JOIN region r ON r.code = ro.region_code
       WHERE ro.region_code = $3 AND ro.coordinator_email IS NOT NULL
     UNION ALL
     SELECT 'contact', c.email, c.role, c.language, o.key, o.kind, o.name, o.code,
         coalesce((SELECT array_agg(om.municipality_code::text) FROM organisation_municipality om
                   WHERE om.organisation_key = o.key AND om.municipality_code = ANY($2::text[])), '{}'::text[])
       FROM contact c JOIN organisation o ON o.key = c.organisation_key
       WHERE c.role = ANY($1::text[])
         AND (o.code = ANY($2::text[]) OR o.code = $3 OR o.code = ANY($4::text[])
              OR EXISTS (SELECT 1 FROM organisation_municipality om WHERE om.organisation_key = o.key AND om.municipality_code = ANY($2::text[])))`,
    [roles, scope.municipalityCodes, scope.region?.code ?? null, scope.provinceCodes],
  );
  const candidates: RecipientCandidate[] = rows.map((r) =>
    r.source === 'onboarding'
      ? { source: 'onboarding', email: r.email, owner: { kind: r.kind as 'municipality' | 'region', code: r.code!, name: r.name } }
      : { source: 'contact', email: r.email, role: r.role, language: r.language, organisation: { key: r.key, kind: r.kind, name: r.name, code: r.code, municipalities: r.municipalities } },
  );
  return chooseRecipients(candidates, roles, scope);
}
