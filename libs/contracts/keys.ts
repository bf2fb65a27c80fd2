/**
 * Every business key Regie builds, built and parsed here only. Pure (workflows import it). A key is an
 * identity (idempotency, Message-ID, calendar UID); a reader that needs a fact (rung, step, week) reads it
 * from a column or the stored request, never from a key's text. The parsers serve migrations that backfill
 * such columns for rows recorded before them, and tests.
 */
import type { IsoDate } from '../calendar';
import type { OwnerKind } from './enums';

/** Business-key workflow IDs, so a person finds each one in the Temporal UI. */
export const programmeWorkflowId = (municipalityCode: string) => `programme-${municipalityCode}`;
export const regionWorkflowId = (regionCode: string) => `region-${regionCode}`;
export const rolloutWorkflowId = (rulebookId: string) => `rulebook-rollout-${rulebookId}`;
/** The workflow that runs an owner's steps: a municipality's programme or a region's. */
export const ownerWorkflowId = (owner: { kind: OwnerKind; code: string }) =>
  owner.kind === 'region' ? regionWorkflowId(owner.code) : programmeWorkflowId(owner.code);
/** The weekly digest's timer: one workflow for the whole system, kept single by this ID. */
export const WEEKLY_DIGEST_WORKFLOW_ID = 'regie-weekly-digest';

/** A step instance: the rulebook step, and for a yearly step its cycle (`prestatieafspraken:2027`). */
export function stepInstanceKey(stepKey: string, cycleYear: number | null): string {
  return cycleYear === null ? stepKey : `${stepKey}:${cycleYear}`;
}

export function parseStepInstanceKey(key: string): { stepKey: string; cycleYear: number | null } {
  const m = /^([a-z][a-z0-9-]*)(?::(\d{4}))?$/.exec(key);
  if (!m) throw new Error(`not a step instance key: ${JSON.stringify(key)}`);
  return { stepKey: m[1], cycleYear: m[2] === undefined ? null : Number(m[2]) };
}

/** The key of one moment of a step for one due date: `reminder-180d`, `escalation-1`, `deadline-passed`. */
export const reminderFiringKey = (offsetDays: number) => `reminder-${offsetDays}d`;
export const escalationFiringKey = (rung: number) => `escalation-${rung}`;
export const DEADLINE_FIRING_KEY = 'deadline-passed';
/** A date change and a waiver's cancellation fire once per (new) due date, under their kind's name. */
export const CHANGE_NOTICE_FIRING_KEY = 'change-notice';
export const CANCELLATION_FIRING_KEY = 'cancellation';

export type FiringKeyParts =
  | { kind: 'reminder'; offsetDays: number }
  | { kind: 'escalation'; rung: number }
  | { kind: 'deadline' }
  | { kind: 'change-notice' }
  | { kind: 'cancellation' };

export function parseFiringKey(key: string): FiringKeyParts {
  if (key === DEADLINE_FIRING_KEY) return { kind: 'deadline' };
  if (key === CHANGE_NOTICE_FIRING_KEY) return { kind: 'change-notice' };
  if (key === CANCELLATION_FIRING_KEY) return { kind: 'cancellation' };
  const reminder = /^reminder-(\d+)d$/.exec(key);
  if (reminder) return { kind: 'reminder', offsetDays: Number(reminder[1]) };
  const escalation = /^escalation-(\d+)$/.exec(key);
  if (escalation) return { kind: 'escalation', rung: Number(escalation[1]) };
  throw new Error(`not a firing key: ${JSON.stringify(key)}`);
}

/**
 * One notification: `programme-GM0363:volkshuisvestingsprogramma:2027-07-01:reminder-180d`. Unique per
 * workflow, step instance, due date and firing, so a retried activity never records or sends twice.
 */
export function notificationBusinessKey(workflowId: string, step: string, dueDate: IsoDate, firingKey: string): string {
  return `${workflowId}:${step}:${dueDate}:${firingKey}`;
}

export function parseNotificationBusinessKey(key: string): { workflowId: string; step: string; dueDate: IsoDate; firingKey: string } {
  const m = /^([^:]+):(.+):(\d{4}-\d{2}-\d{2}):([a-z0-9-]+)$/.exec(key);
  if (!m) throw new Error(`not a notification business key: ${JSON.stringify(key)}`);
  return { workflowId: m[1], step: m[2], dueDate: m[3], firingKey: m[4] };
}

/**
 * One weekly digest, the outbox row that bundles one recipient's pending mail for one organisation:
 * `digest:2031-01-06:gemeente-amsterdam:pm@amsterdam.example`. Unique per week, organisation and recipient,
 * so a retried bundling adds no second digest. Its week is also the row's `week_of` column.
 */
export function digestBusinessKey(weekOf: IsoDate, organisationKey: string, recipient: string): string {
  return `digest:${weekOf}:${organisationKey}:${recipient}`;
}

export function parseDigestBusinessKey(key: string): { weekOf: IsoDate; organisationKey: string; recipient: string } {
  // An organisation key has no colon (`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`, or an owner's code); an address may.
  const m = /^digest:(\d{4}-\d{2}-\d{2}):([^:]+):(.+)$/.exec(key);
  if (!m) throw new Error(`not a digest business key: ${JSON.stringify(key)}`);
  return { weekOf: m[1], organisationKey: m[2], recipient: m[3] };
}

/**
 * What a Message-ID is derived from: one outbox row's business key (a notification's or a digest's) and its
 * recipient, so even a mail sent twice (after an interrupted attempt) is recognisably one message.
 */
export const messageIdSource = (businessKey: string, recipient: string) => `${businessKey}\n${recipient}`;

/** The Message-ID from the sha256 (hex) of its source: `<first 40 hex digits@regie>`. */
export const messageIdFromHash = (sha256Hex: string) => `<${sha256Hex.slice(0, 40)}@regie>`;

/**
 * The calendar entry of one step instance, whatever its date (`programme-GM0363.volkshuisvestingsprogramma@regie`):
 * a moved date sends the same UID with a higher SEQUENCE, so the recipient's calendar moves the entry
 * instead of adding a second one.
 */
export const calendarUid = (workflowId: string, step: string) => `${workflowId}.${step}@regie`;
