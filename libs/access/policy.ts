import type { OrganisationKind, Role } from '../contracts/enums';
import { isOneOf, STAKEHOLDER_KINDS } from '../contracts/enums';

/**
 * Who may do what: the one place every request is decided (apps/api/src/access/access.guard.ts asks it).
 * Controllers declare the action a route performs (`@Does('step:complete')`), never who may. Pure: the
 * facts it decides on (who the caller is, which owners its organisation reaches) are loaded beforehand.
 */

/** What a route does. Every route declares exactly one; a route without one is refused (and fails a test). */
export const ACTIONS = [
  // Anyone, signed in or not: health, the API docs, the mail-link pages (their signed token is the authority), asking for a sign-in link.
  'public',
  // The caller's own session: who am I, choose an organisation, sign out.
  'session',
  // Reference data: municipalities, regions, rulebook versions.
  'reference:read',
  // Every step of every owner in one list (the national overview of states).
  'overview:read',
  // An owner's steps and one step with its history (a municipality's or region's page).
  'owner:read',
  // An owner's sent log; personal data (addresses, SMTP answers) only for its own organisation, its province and the operator.
  'owner:sent-log',
  // A province's page: its municipalities' and regions' states side by side, and who was escalated to (target: the province's code).
  'province:read',
  // A step's own work: progress and checklist, completion with evidence, the streefdatum.
  'step:progress',
  'step:complete',
  'step:target-date',
  // The province's decisions on a step.
  'step:extension',
  'step:waiver',
  // Operator work.
  'onboarding:write',
  'rulebook:write',
  'rulebook:preview',
  // The rulebook pages (versions, what a version would move, a rollout's progress): the operator, and VNG to read (no personal data, no forms).
  'rulebook:pages',
  'regions:write',
  'organisations:list',
  'organisations:write',
  // One organisation (target: its key): read it, replace its contacts, manage its API tokens, read its audit trail.
  'organisation:read',
  'organisation:contacts',
  'organisation:tokens',
  'audit:read',
  // The API's Prometheus metrics (GET /metrics): the operator's (its admin token), as a scraper's credential.
  'metrics:read',
] as const;
export type Action = (typeof ACTIONS)[number];

/** What a caller acts as, derived from its organisation's kind and its contact role. */
export const ACCESS_CLASSES = ['operator', 'programme-manager', 'alderman', 'regional-coordinator', 'province', 'stakeholder', 'vng'] as const;
export type AccessClass = (typeof ACCESS_CLASSES)[number];

/** An API token reads only, or reads and writes within its role. */
export const TOKEN_SCOPES = ['read', 'read-write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** An owner of steps, as `municipality:GM0363` or `region:CR23`. */
export type OwnerRef = `municipality:${string}` | `region:${string}`;
export const ownerRef = (kind: 'municipality' | 'region', code: string): OwnerRef => `${kind}:${code}`;

/** Which owners an organisation reaches (loaded from the reference data and its links). */
export interface Reach {
  /** Its own: a municipality's own municipality, a region's region. */
  owns: OwnerRef[];
  /** What it may read: its own, its region and members, a province's municipalities and regions, a stakeholder's linked municipalities. */
  reads: OwnerRef[];
  /** Where it is the province: extensions, waivers and personal data. */
  governs: OwnerRef[];
}

export interface OrganisationFacts {
  key: string;
  kind: OrganisationKind;
  name: string;
  code: string | null;
}

/** The caller, once authenticated. A person signed in or a token acts for one (organisation, role). */
export type Principal =
  | { kind: 'operator'; actor: 'operator' }
  | {
      kind: 'person' | 'token';
      /** The person's address, or the token's visible prefix. */
      actor: string;
      /** The contact's name, or the token's. */
      name: string | null;
      organisation: OrganisationFacts;
      role: Role;
      scope: TokenScope;
      reach: Reach;
    }
  /** Signed in, but a person with several organisations or roles has not chosen one yet: only `session` actions. */
  | { kind: 'choosing'; actor: string };

export function accessClass(p: Principal): AccessClass | null {
  if (p.kind === 'operator') return 'operator';
  if (p.kind === 'choosing') return null;
  const { kind } = p.organisation;
  if (kind === 'municipality') return p.role === 'alderman' ? 'alderman' : p.role === 'programme-manager' ? 'programme-manager' : null;
  if (kind === 'region') return p.role === 'regional-coordinator' ? 'regional-coordinator' : null;
  if (kind === 'province') return p.role === 'province' ? 'province' : null;
  if (kind === 'vng') return 'vng';
  if (isOneOf(STAKEHOLDER_KINDS, kind)) return 'stakeholder';
  return null;
}

/** Why a request is refused; each maps to one HTTP status (401, 403, 404) in the API. */
export const REFUSALS = ['unauthenticated', 'choose-organisation', 'forbidden', 'read-only', 'not-found'] as const;
export type Refusal = (typeof REFUSALS)[number];

export type Decision = { allow: true; personalData: boolean } | { allow: false; refusal: Refusal };

/** What a route's action is about: an owner of steps, or an organisation (by key). */
export type Target = { owner: OwnerRef } | { organisation: string } | { province: string } | undefined;

const STEP_WRITES: ReadonlySet<Action> = new Set<Action>(['step:progress', 'step:complete', 'step:target-date', 'step:extension', 'step:waiver']);
const WRITES: ReadonlySet<Action> = new Set<Action>([
  ...STEP_WRITES,
  'onboarding:write',
  'rulebook:write',
  'regions:write',
  'organisations:write',
  'organisation:contacts',
  'organisation:tokens',
]);
export const isWrite = (action: Action) => WRITES.has(action);

/** The operator's own work: nobody else does these. */
const OPERATOR_ONLY: ReadonlySet<Action> = new Set<Action>(['onboarding:write', 'rulebook:write', 'rulebook:preview', 'regions:write', 'organisations:list', 'organisations:write', 'metrics:read']);

const allow = (personalData: boolean): Decision => ({ allow: true, personalData });
const refuse = (refusal: Refusal): Decision => ({ allow: false, refusal });

/** Decides one request. `caller` is null for an anonymous request. */
export function decide(caller: Principal | null, action: Action, target?: Target): Decision {
  if (action === 'public') return allow(false);
  if (!caller) return refuse('unauthenticated');
  if (action === 'session') return allow(true);
  if (caller.kind === 'choosing') return refuse('choose-organisation');
  // The operator runs the system; a step's own work and the province's decisions are not its to make.
  if (caller.kind === 'operator') return STEP_WRITES.has(action) ? refuse('forbidden') : allow(true);
  const cls = accessClass(caller);
  if (!cls) return refuse('forbidden');
  if (OPERATOR_ONLY.has(action)) return refuse('forbidden');
  const decision = decideWithin(caller, cls, action, target);
  // A read-only token is refused a write it could otherwise make; out of reach stays a 404.
  return decision.allow && isWrite(action) && caller.scope === 'read' ? refuse('read-only') : decision;
}

function decideWithin(caller: Extract<Principal, { organisation: OrganisationFacts }>, cls: AccessClass, action: Action, target: Target): Decision {
  const { reach } = caller;

  switch (action) {
    case 'reference:read':
      return allow(false);
    case 'overview:read':
      return cls === 'vng' || cls === 'province' ? allow(false) : refuse('forbidden');
    case 'rulebook:pages':
      return cls === 'vng' ? allow(false) : refuse('forbidden');
    case 'audit:read':
      return allow(true);
    case 'province:read':
      // The province's own officers (with personal data, as for the owners it governs) and VNG (without); the operator passed above.
      if (cls === 'vng') return allow(false);
      return cls === 'province' && !!target && 'province' in target && target.province === caller.organisation.code ? allow(true) : refuse('forbidden');
    case 'organisation:read':
      return ownOrganisation(caller, target) ? allow(true) : refuse('not-found');
    case 'organisation:contacts':
      if (!ownOrganisation(caller, target)) return refuse('not-found');
      return cls === 'programme-manager' ? allow(true) : refuse('forbidden');
    case 'organisation:tokens':
      if (!ownOrganisation(caller, target)) return refuse('not-found');
      return cls === 'programme-manager' || cls === 'regional-coordinator' ? allow(true) : refuse('forbidden');
  }

  // Owner actions: an owner out of reach does not exist for this caller (404: existence does not leak).
  const owner = target && 'owner' in target ? target.owner : undefined;
  if (!owner) return refuse('forbidden');
  const reads = cls === 'vng' || reach.reads.includes(owner);
  if (!reads) return refuse('not-found');
  const owns = reach.owns.includes(owner);
  const governs = reach.governs.includes(owner);
  switch (action) {
    case 'owner:read':
    case 'owner:sent-log':
      return allow(owns || governs);
    case 'step:progress':
    case 'step:complete':
    case 'step:target-date':
      return owns && (cls === 'programme-manager' || cls === 'regional-coordinator') ? allow(true) : refuse('forbidden');
    case 'step:extension':
    case 'step:waiver':
      return governs && cls === 'province' ? allow(true) : refuse('forbidden');
  }
  return refuse('forbidden');
}

function ownOrganisation(caller: Extract<Principal, { organisation: OrganisationFacts }>, target: Target): boolean {
  return !!target && 'organisation' in target && target.organisation === caller.organisation.key;
}

/** Whose audit trail a caller reads: the operator everyone's, an organisation its own. */
export function auditScope(caller: Principal): { all: true } | { organisation: string } | null {
  if (caller.kind === 'operator') return { all: true };
  if (caller.kind === 'choosing') return null;
  return { organisation: caller.organisation.key };
}

/** How a step write names who did it, in history and mail: a person by name (or role), a token by its organisation. */
export function actorLabel(caller: Principal): string {
  if (caller.kind === 'operator') return 'beheerder';
  if (caller.kind === 'choosing') return caller.actor;
  const who = caller.kind === 'token' ? `API-sleutel ${caller.name ?? caller.actor}` : caller.name?.trim() || caller.role;
  return `${who} (${caller.organisation.name}, ${caller.role})`;
}

/** Who a caller is, as one key (an Idempotency-Key is scoped to it): a person in one organisation and role, a token, the operator. */
export function callerKey(caller: Principal): string {
  if (caller.kind === 'operator') return 'operator';
  if (caller.kind === 'choosing') return `person:${caller.actor}`;
  return `${caller.kind}:${caller.actor}:${caller.organisation.key}:${caller.role}`;
}
