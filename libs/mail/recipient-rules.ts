/**
 * Who receives a notification and how, as pure rules: which addresses (a contact of an organisation, or an
 * address named at onboarding) count for which role about which owner, one entry per address, and per
 * recipient whether the mail is optional, stopped, or waits for the weekly digest. The notification activity
 * (activities/recipients.ts, activities/index.ts) reads the candidates and preferences from Postgres and
 * decides with these functions; the load simulation (libs/simulation) decides with the same ones from
 * the contacts it read once. No I/O here.
 */
import {
  DEFAULT_DELIVERY,
  Delivery,
  isMandatoryNotice,
  isOneOf,
  Language,
  MUNICIPALITY_ROLES,
  NotificationRequest,
  OFFICE_HOLDER_ROLES,
  OrganisationKind,
  Role,
  STAKEHOLDER_KINDS,
} from '../contracts';

/** Where an owner belongs: a municipality with its region and province; a region with its members and their provinces. */
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

/**
 * An address that may receive mail: a contact of an organisation (with the municipalities a stakeholder is
 * linked to), or the programme manager or coordinator named at an owner's onboarding.
 */
export type RecipientCandidate =
  | {
      source: 'contact';
      email: string;
      role: string;
      language: Language;
      organisation: { key: string; kind: OrganisationKind; name: string; code: string | null; municipalities: readonly string[] };
    }
  | { source: 'onboarding'; email: string; owner: { kind: 'municipality' | 'region'; code: string; name: string } };

/**
 * Whether a candidate is about this owner's business, and with which role: programme managers and aldermen
 * of the municipalities in scope, the region's coordinators, the provinces' officers, and the stakeholder
 * organisations linked to a municipality in scope (for a region: to one of its members), each in the role of
 * its kind. The addresses named at onboarding count as a programme manager and a coordinator. Null: not in scope.
 */
export function roleInScope(c: RecipientCandidate, scope: OwnerScope): Role | null {
  if (c.source === 'onboarding') {
    if (c.owner.kind === 'municipality') return scope.municipalityCodes.includes(c.owner.code) ? 'programme-manager' : null;
    return scope.region?.code === c.owner.code ? 'regional-coordinator' : null;
  }
  const { kind, code, municipalities } = c.organisation;
  switch (kind) {
    case 'municipality':
      return code !== null && scope.municipalityCodes.includes(code) && isOneOf(MUNICIPALITY_ROLES, c.role) ? c.role : null;
    case 'region':
      return code !== null && scope.region?.code === code && c.role === 'regional-coordinator' ? 'regional-coordinator' : null;
    case 'province':
      return code !== null && scope.provinceCodes.includes(code) && c.role === 'province' ? 'province' : null;
    case 'vng':
      return null;
    default:
      return isOneOf(STAKEHOLDER_KINDS, kind) && c.role === kind && municipalities.some((m) => scope.municipalityCodes.includes(m)) ? kind : null;
  }
}

const recipientOf = (c: RecipientCandidate, role: Role): Recipient =>
  c.source === 'onboarding'
    ? { email: c.email.toLowerCase(), role, organisationKey: c.owner.code, organisationName: c.owner.name, language: 'nl' }
    : { email: c.email.toLowerCase(), role, organisationKey: c.organisation.key, organisationName: c.organisation.name, language: c.language };

/** Code-unit order, the same on every machine (a database's collation is not). */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The recipients for these roles about this owner, from candidates (a superset is fine: what is not in scope
 * is left out). One entry per address regardless of case, the first role in the rulebook's order winning,
 * then the address, then the organisation key.
 */
export function chooseRecipients(candidates: readonly RecipientCandidate[], roles: readonly Role[], scope: OwnerScope): Recipient[] {
  const found: (Recipient & { rank: number })[] = [];
  for (const c of candidates) {
    const role = roleInScope(c, scope);
    const rank = role === null ? -1 : roles.indexOf(role);
    if (rank >= 0) found.push({ ...recipientOf(c, role!), rank });
  }
  found.sort((a, b) => a.rank - b.rank || compare(a.email, b.email) || compare(a.organisationKey, b.organisationKey));
  const seen = new Set<string>();
  return found.filter((r) => !seen.has(r.email) && !!seen.add(r.email)).map(({ rank: _rank, ...r }) => r);
}

/** A recipient's preference (`mail_preference`): each mail or the weekly digest, and whether optional mail was stopped. */
export interface MailPreferenceState {
  delivery: Delivery;
  stopped: boolean;
}

/**
 * How one notification reaches one recipient: optional unless it is a mandatory notice (verplichte melding)
 * to an office holder; an optional mail to a recipient who stopped optional mail is recorded as unsubscribed,
 * never sent; the rest goes at once or waits for the weekly digest, as the recipient prefers.
 */
export function deliveryFor(
  req: Pick<NotificationRequest, 'kind' | 'mandatory' | 'statutory'>,
  recipient: Pick<Recipient, 'role'>,
  preference: MailPreferenceState | undefined,
): { delivery: Delivery; optional: boolean; unsubscribed: boolean } {
  const optional = !(isMandatoryNotice(req) && isOneOf(OFFICE_HOLDER_ROLES, recipient.role));
  return { delivery: preference?.delivery ?? DEFAULT_DELIVERY, optional, unsubscribed: optional && !!preference?.stopped };
}
