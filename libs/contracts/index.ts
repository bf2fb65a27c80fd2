/**
 * What the API, the worker and the workflows agree on: workflow names, inputs and outputs, updates,
 * queries, search attributes, and the notification activity's input; the business keys (`keys.ts`) and the
 * enumerations (`enums.ts`) are re-exported from here. Workflows import this module, so it holds only
 * types, pure functions and `@temporalio/workflow` / `@temporalio/common` definitions (no I/O).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { DateDerivation, IsoDate } from '../calendar';
import type { Rulebook } from '../rulebook/rulebook.schema';
import type {
  DateKind,
  DueSource,
  EvidenceKind,
  FiringOutcome,
  InitialStepStatus,
  NotificationKind,
  NotificationOutcomeKind,
  OwnerKind,
  ProgressStatus,
  Role,
  StepStatus,
} from './enums';

export * from './enums';
export * from './keys';

export const PROGRAMME_WORKFLOW_TYPE = 'programmeWorkflow';
export const REGION_WORKFLOW_TYPE = 'regionWorkflow';
export const RULEBOOK_ROLLOUT_WORKFLOW_TYPE = 'rulebookRolloutWorkflow';
export const WEEKLY_DIGEST_WORKFLOW_TYPE = 'weeklyDigestWorkflow';

/** Registered on the dev server at start and in tests (infra/start.ts, the worker), so the UI can filter on them. */
export const searchAttributes = {
  municipality: defineSearchAttributeKey('RegieMunicipality', SearchAttributeType.KEYWORD),
  province: defineSearchAttributeKey('RegieProvince', SearchAttributeType.KEYWORD),
  region: defineSearchAttributeKey('RegieRegion', SearchAttributeType.KEYWORD),
  openSteps: defineSearchAttributeKey('RegieOpenSteps', SearchAttributeType.KEYWORD_LIST),
  overdue: defineSearchAttributeKey('RegieOverdue', SearchAttributeType.BOOL),
};

export interface OwnerRef {
  kind: OwnerKind;
  code: string;
  name: string;
  provinceCode: string | null;
  provinceName: string | null;
  regionCode: string | null;
  regionName: string | null;
}

export interface Evidence {
  kind: EvidenceKind;
  /** A decision number, a publication link or a document reference. */
  reference: string;
  url?: string;
  date?: IsoDate;
  recordedBy: string;
  recordedAt: string;
}

export interface Extension {
  from: IsoDate | null;
  to: IsoDate;
  reason: string;
  grantedBy: string;
  grantedAt: string;
}

export interface Waiver {
  reason: string;
  grantedBy: string;
  grantedAt: string;
}

/** One step of one owner; yearly steps have one instance per cycle year (`prestatieafspraken:2027`). */
export interface StepInstance {
  key: string;
  stepKey: string;
  cycleYear: number | null;
  status: StepStatus;
  dateKind: DateKind;
  due: DateDerivation | null;
  dueSource: DueSource | null;
  checklist: Record<string, boolean>;
  evidence: Evidence[];
  extensions: Extension[];
  waiver: Waiver | null;
  warnings: string[];
  /** Statutory term passed while not done (set at its timer, never computed from a clock). */
  overdue: boolean;
  /** Target date passed while not done: late against plan, not overdue in law. */
  late: boolean;
  overdueSince: IsoDate | null;
  /** How many times the date moved (extension, rulebook, new target): the calendar entry's SEQUENCE. */
  sequence: number;
}

/** Initial state of a step at onboarding, so onboarding mid-way records the past instead of sending it. */
export interface InitialStepState {
  status?: InitialStepStatus;
  evidence?: Omit<Evidence, 'recordedAt'>[];
  targetDate?: IsoDate;
  checklist?: string[];
}

export interface ProgrammeWorkflowInput {
  owner: OwnerRef;
  /** The rulebook version as data, with its content hash: the workflow never imports the statute as code. */
  rulebook: Rulebook;
  rulebookHash: string;
  initialSteps?: Record<string, InitialStepState>;
  /** Carried across continue-as-new; absent on a first start. */
  carried?: CarriedState;
  /** Continue as new after this many history events even if the SDK has not suggested it yet (tests). */
  continueAsNewAfterEvents?: number;
  /**
   * The level of the workflow code the run was started for (`PROGRAMME_CODE_LEVEL`, set by the API's
   * onboarding and by continue-as-new): every change of `PROGRAMME_PATCHES` up to it is in force from the
   * start, without a patch marker. Absent in runs started before levels existed: they ask `patched()`.
   */
  codeLevel?: number;
}

/**
 * The changes to the programme workflow's logic, each with its level. A run started at a level has every
 * change up to it from its first task, with no `patched()` call, so none of the marker events and
 * `TemporalChangeVersion` search-attribute updates a patch costs; a run without a level (started earlier, or
 * by a client that sets none) asks `patched()` as before. Add a change at the next level; never renumber.
 */
export const PROGRAMME_PATCHES = {
  'batched-step-records': 1,
  'atw-term-rules': 2,
  'one-read-model-writer': 3,
  'batched-notices': 4,
  'local-notifications': 5,
} as const;
export type ProgrammePatch = keyof typeof PROGRAMME_PATCHES;
/** The level new runs start at: every change above. */
export const PROGRAMME_CODE_LEVEL: number = Math.max(...Object.values(PROGRAMME_PATCHES));

export interface CarriedState {
  steps: StepInstance[];
  handled: string[];
  seq: number;
  firings: FiringRecord[];
}

export interface FiringRecord {
  step: string;
  dueDate: IsoDate;
  key: string;
  kind: NotificationKind | 'deadline';
  day: IsoDate;
  at: string;
  roles: Role[];
  outcome: FiringOutcome;
}

export interface ProgrammeState {
  owner: OwnerRef;
  rulebookId: string;
  rulebookHash: string;
  steps: StepInstance[];
  firings: FiringRecord[];
}

export const programmeStateQuery = defineQuery<ProgrammeState>('programmeState');

interface Actor {
  /** Who makes the change (a person or an organisation), kept in the step's history. */
  by: string;
}
export interface ProgressInput extends Actor {
  step: string;
  status?: ProgressStatus;
  checklist?: Record<string, boolean>;
  note?: string;
}
export interface CompleteInput extends Actor {
  step: string;
  evidence: Omit<Evidence, 'recordedAt' | 'recordedBy'>;
  /** Unmet dependencies the caller found in the read model (also across owners): recorded as warnings, never a block. */
  unmetDependencies?: string[];
}
export interface TargetDateInput extends Actor {
  step: string;
  date: IsoDate;
}
export interface ExtensionInput {
  step: string;
  to: IsoDate;
  reason: string;
  grantedBy: string;
}
export interface WaiverInput {
  step: string;
  reason: string;
  grantedBy: string;
}
export interface ApplyRulebookInput {
  rulebook: Rulebook;
  rulebookHash: string;
}
export interface ApplyRulebookResult {
  rulebookId: string;
  changed: { step: string; from: IsoDate | null; to: IsoDate | null }[];
  alreadyApplied: boolean;
}

export const updateProgress = defineUpdate<StepInstance, [ProgressInput]>('updateProgress');
export const completeStep = defineUpdate<StepInstance, [CompleteInput]>('completeStep');
export const setTargetDate = defineUpdate<StepInstance, [TargetDateInput]>('setTargetDate');
export const grantExtension = defineUpdate<StepInstance, [ExtensionInput]>('grantExtension');
export const waiveStep = defineUpdate<StepInstance, [WaiverInput]>('waiveStep');
export const applyRulebook = defineUpdate<ApplyRulebookResult, [ApplyRulebookInput]>('applyRulebook');

/**
 * The notification activity's input: one call per firing, keyed by a stable business key
 * (`programme-GM0363:volkshuisvestingsprogramma:2027-07-01:reminder-180d`), so a retried call never
 * sends twice. Later mail features (outbox, digest, calendar invites) build on exactly this shape.
 */
export interface NotificationRequest {
  businessKey: string;
  workflowId: string;
  owner: { kind: OwnerRef['kind']; code: string };
  /** Step instance key and the rulebook step it belongs to. */
  step: string;
  stepKey: string;
  cycleYear: number | null;
  kind: NotificationKind;
  firingKey: string;
  offsetDays: number;
  rung?: number;
  roles: Role[];
  /**
   * The rung may not be unsubscribed from: a verplichte melding, project policy (the escalation ladder is the
   * project's, not the statute's). Read it with `isMandatoryNotice`, never directly.
   */
  mandatory?: boolean;
  /**
   * @deprecated Requests recorded before 2026-12 carry the rung's mandatory flag as `statutory`; new
   * requests set `mandatory` only. Read it with `isMandatoryNotice`. (Whether the DATE is statutory is `dateKind`.)
   */
  statutory?: boolean;
  dateKind: DateKind;
  due: DateDerivation;
  /** For a change notice: the date it moved from. */
  previousDue?: DateDerivation | null;
  /** How many times this step's date has moved: the calendar entry's SEQUENCE. */
  sequence: number;
  openChecklist: string[];
  overdueSince?: IsoDate | null;
  rulebookId: string;
  rulebookHash: string;
  /**
   * The workflow's last read-model `seq` when it fired. The dispatcher cancels a queued mail only when the
   * read model shows a later change (the step closed, or its date moved), never because it lags behind.
   */
  stateSeq?: number;
}

/**
 * `queued`: the firing and one outbox row per recipient are recorded (the dispatcher sends them);
 * `sent`/`already-sent`: outcomes of workflows that ran before the outbox (kept in their histories).
 */
export interface NotificationOutcome {
  outcome: NotificationOutcomeKind;
  recipients: string[];
  messageId?: string;
}

/** One notification of a batch (`sendNotifications`): its outcome, or why it can never be queued. */
export type NotificationAttempt = { result: NotificationOutcome } | { failed: string };

/** One ordered change to the read model; `seq` rises per workflow, so an older retried write never wins. */
export interface StepEventWrite {
  workflowId: string;
  seq: number;
  owner: { kind: OwnerRef['kind']; code: string };
  event: string;
  occurredAt: string;
  detail: Record<string, unknown>;
  step: StepInstance;
  rulebookId: string;
  rulebookHash: string;
}

/**
 * Whether a notification is a mandatory notice (verplichte melding): an escalation whose rung the project's
 * policy says may not be unsubscribed from (its office holders may still move it to the weekly digest).
 * Reads `mandatory`, and `statutory` on requests recorded before it existed.
 */
export function isMandatoryNotice(req: Pick<NotificationRequest, 'kind' | 'mandatory' | 'statutory'>): boolean {
  return req.kind === 'escalation' && (req.mandatory ?? req.statutory ?? false);
}

/** The weekly digest goes out on Monday at 08:00 Europe/Amsterdam, from one workflow (`WEEKLY_DIGEST_WORKFLOW_ID`). */
export const DIGEST_WEEKDAY = 1;
export const DIGEST_TIME = '08:00';
