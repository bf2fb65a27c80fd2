/**
 * Every enumeration Regie shares, each defined once as an `as const` list with its type. Pure (no zod, no
 * class-validator, no Node): workflows import it, DTOs pass the lists to `@IsIn(…)` and Swagger's `enum`,
 * the rulebook schema to `z.enum(…)`, SQL queries take them as parameters. The migrations' CHECK
 * constraints hold the same values as written when each migration was made (a migration never changes).
 */

/** Who owns steps: a municipality (its programme workflow) or a region (its region workflow). */
export const OWNER_KINDS = ['municipality', 'region'] as const;
export type OwnerKind = (typeof OWNER_KINDS)[number];

/** The URL collection of each owner kind: `/municipalities/GM0363/…`, `/regions/CR23/…`. */
export const OWNER_COLLECTIONS = { municipality: 'municipalities', region: 'regions' } as const satisfies Record<OwnerKind, string>;
export type OwnerCollection = (typeof OWNER_COLLECTIONS)[OwnerKind];

export const STEP_STATUSES = ['open', 'in-progress', 'submitted', 'done', 'waived'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** The statuses a progress update may set (done takes evidence, waived a waiver). */
export const PROGRESS_STATUSES = ['open', 'in-progress', 'submitted'] as const satisfies readonly StepStatus[];
export type ProgressStatus = (typeof PROGRESS_STATUSES)[number];

/** The statuses a step may have at onboarding (done with its evidence; a waiver is granted later, never given). */
export const INITIAL_STEP_STATUSES = ['open', 'in-progress', 'submitted', 'done'] as const satisfies readonly StepStatus[];
export type InitialStepStatus = (typeof INITIAL_STEP_STATUSES)[number];

/** A step that is closed: nothing is sent for it any more. */
export const CLOSED_STEP_STATUSES = ['done', 'waived'] as const satisfies readonly StepStatus[];

export const EVIDENCE_KINDS = ['council-decision', 'publication', 'document'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** Where a step's due date came from. */
export const DUE_SOURCES = ['rulebook', 'target', 'extension'] as const;
export type DueSource = (typeof DUE_SOURCES)[number];

/** A statutory term (wettelijke termijn) or a planned date (streefdatum) a municipality or region sets. */
export const DATE_KINDS = ['statutory', 'target'] as const;
export type DateKind = (typeof DATE_KINDS)[number];

/** Who receives notifications, in the rulebook's order (the rulebook schema's `roleSchema` is `z.enum(ROLES)`). */
export const ROLES = [
  'programme-manager',
  'alderman',
  'regional-coordinator',
  'province',
  'housing-corporation',
  'tenant-organisation',
  'care-welfare-organisation',
] as const;
export type Role = (typeof ROLES)[number];

/** Office holders: a mandatory notice (verplichte melding) to them may move to the weekly digest, never be silenced. */
export const OFFICE_HOLDER_ROLES = ['programme-manager', 'alderman', 'regional-coordinator', 'province'] as const satisfies readonly Role[];
export type OfficeHolderRole = (typeof OFFICE_HOLDER_ROLES)[number];

/** The roles a municipality's own contacts have. */
export const MUNICIPALITY_ROLES = ['programme-manager', 'alderman'] as const satisfies readonly Role[];

/** Organisations that have contacts; a municipality, region or province stands for its reference code. */
export const ORGANISATION_KINDS = [
  'municipality',
  'region',
  'province',
  'housing-corporation',
  'tenant-organisation',
  'care-welfare-organisation',
  'vng',
] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** The stakeholder organisations: linked to the municipalities they work in; each kind is also its contacts' role. */
export const STAKEHOLDER_KINDS = ['housing-corporation', 'tenant-organisation', 'care-welfare-organisation'] as const satisfies readonly (OrganisationKind & Role)[];
export type StakeholderKind = (typeof STAKEHOLDER_KINDS)[number];

/** The languages of mail and pages; Dutch is the default. */
export const LANGUAGES = ['nl', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'nl';

/** Each mail at once, or bundled in the weekly digest. */
export const DELIVERIES = ['immediate', 'digest'] as const;
export type Delivery = (typeof DELIVERIES)[number];
export const DEFAULT_DELIVERY: Delivery = 'immediate';

export const NOTIFICATION_KINDS = ['reminder', 'escalation', 'change-notice', 'cancellation'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * What became of a firing. `queued`: handed to the outbox (the dispatcher sends it); `sent`/`already-sent` in
 * runs from before the outbox; `skipped-past` a moment already past at onboarding or re-dating; `recorded`
 * the deadline moment, which notifies no one; `failed` a notification that could not be queued for good.
 */
export const FIRING_OUTCOMES = ['queued', 'sent', 'already-sent', 'no-recipients', 'skipped-past', 'recorded', 'failed'] as const;
export type FiringOutcome = (typeof FIRING_OUTCOMES)[number];

/** What the notification activity answers (`sent`/`already-sent`: workflows that ran before the outbox). */
export const NOTIFICATION_OUTCOMES = ['queued', 'sent', 'already-sent', 'no-recipients'] as const satisfies readonly FiringOutcome[];
export type NotificationOutcomeKind = (typeof NOTIFICATION_OUTCOMES)[number];

/** An outbox row is one notification's mail to one recipient, or a weekly digest. */
export const OUTBOX_KINDS = ['notification', 'digest'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/**
 * Where an outbox row stands (the migration's CHECK holds the same list): `pending` waits to be sent (due, or
 * after a transient failure at `next_attempt_at`), `sending` is claimed under a lease, `in-digest` went into a
 * digest row; `sent`, `failed`, `cancelled` and `unsubscribed` are final.
 */
export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled', 'unsubscribed', 'in-digest'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** What a signed link does: open the preferences (and one-click unsubscribe), or acknowledge a notification. */
export const LINK_ACTIONS = ['preferences', 'acknowledge', 'confirm-receipt'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

/** The link actions recorded in `mail_acknowledgement`: "I have seen this escalation", "received". */
export const ACKNOWLEDGEMENT_ACTIONS = ['acknowledge', 'confirm-receipt'] as const satisfies readonly LinkAction[];
export type AcknowledgementAction = (typeof ACKNOWLEDGEMENT_ACTIONS)[number];

/** The preferences page's `optional` field: stop or resume optional mail. */
export const OPTIONAL_MAIL_CHOICES = ['stop', 'resume'] as const;
export type OptionalMailChoice = (typeof OPTIONAL_MAIL_CHOICES)[number];

/** Whether `value` is one of `list`, narrowing its type (for input read without a DTO). */
export const isOneOf = <T extends string>(list: readonly T[], value: unknown): value is T => typeof value === 'string' && (list as readonly string[]).includes(value);

/**
 * The state of one step of one owner in the national overview (libs/overview/states.ts decides it), in the
 * legend's order: the map's colours (regie-theme.css `.regie-state--<state>`), the table, the exports.
 * `overdue`: a statutory term has passed (the workflow's timer said so); `late`: a streefdatum has passed,
 * which is not overdue in law; `due-soon`: due within DUE_SOON_DAYS.
 */
export const OVERVIEW_STATES = ['done', 'waived', 'not-onboarded', 'on-track', 'due-soon', 'overdue', 'late'] as const;
export type OverviewState = (typeof OVERVIEW_STATES)[number];

/** The overview's two map views: each municipality by its own state, or each region (steps of region scope). */
export const OVERVIEW_VIEWS = ['municipalities', 'regions'] as const;
export type OverviewView = (typeof OVERVIEW_VIEWS)[number];

/** What the overview's table sorts by. */
export const OVERVIEW_SORTS = ['name', 'province', 'region', 'state', 'due'] as const;
export type OverviewSort = (typeof OVERVIEW_SORTS)[number];

/** The overview's exports. */
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
