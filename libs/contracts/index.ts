/**
 * What the API, the worker and the workflows agree on: workflow names and IDs, inputs and outputs,
 * queries, and the notification activity's input. Workflows import this module, so it holds only
 * types and `@temporalio/workflow` definitions (no I/O).
 */
import { defineQuery } from '@temporalio/workflow';
import type { DateDerivation, IsoDate } from '../calendar';
import type { Role, Rulebook } from '../rulebook/rulebook.schema';

export const PROGRAMME_WORKFLOW_TYPE = 'programmeWorkflow';

/** Business-key workflow ID, so a person finds a municipality's programme in the Temporal UI. */
export function programmeWorkflowId(municipalityCode: string): string {
  return `programme-${municipalityCode}`;
}

export interface MunicipalityRef {
  code: string;
  name: string;
  provinceCode: string;
  provinceName: string;
  regionCode: string | null;
  regionName: string | null;
}

export interface ProgrammeWorkflowInput {
  municipality: MunicipalityRef;
  /** The rulebook version as data, with its content hash: the workflow never imports the statute as code. */
  rulebook: Rulebook;
  rulebookHash: string;
}

export type FiringOutcome = 'sent' | 'already-sent' | 'skipped-past' | 'no-recipients';

export interface FiringRecord {
  stepKey: string;
  dueDate: IsoDate;
  key: string;
  kind: 'reminder' | 'escalation';
  day: IsoDate;
  at: string;
  roles: Role[];
  outcome: FiringOutcome;
}

export interface ProgrammeState {
  municipalityCode: string;
  rulebookId: string;
  rulebookHash: string;
  steps: { stepKey: string; status: StepStatus; overdue: boolean; due: DateDerivation }[];
  firings: FiringRecord[];
}

export type StepStatus = 'open' | 'in-progress' | 'submitted' | 'done' | 'waived';

export const programmeStateQuery = defineQuery<ProgrammeState>('programmeState');

/**
 * The notification activity's input: one call per firing, keyed by a stable business key
 * (`programme-GM0363:volkshuisvestingsprogramma:2027-07-01:reminder-180d`), so a retried call never
 * sends twice. Later mail features (outbox, digest, calendar invites) build on exactly this shape.
 */
export interface NotificationRequest {
  businessKey: string;
  workflowId: string;
  municipalityCode: string;
  stepKey: string;
  kind: 'reminder' | 'escalation';
  firingKey: string;
  offsetDays: number;
  rung?: number;
  roles: Role[];
  statutory: boolean;
  dateKind: 'statutory' | 'target';
  due: DateDerivation;
  rulebookId: string;
  rulebookHash: string;
}

export interface NotificationOutcome {
  outcome: 'sent' | 'already-sent' | 'no-recipients';
  recipients: string[];
  messageId?: string;
}

/** One ordered change to the read model; `seq` rises per workflow, so an older retried write never wins. */
export interface StepEventWrite {
  workflowId: string;
  seq: number;
  municipalityCode: string;
  stepKey: string;
  event: string;
  occurredAt: string;
  detail: Record<string, unknown>;
  state: {
    status: StepStatus;
    overdue: boolean;
    dateKind: 'statutory' | 'target';
    due: DateDerivation;
    rulebookId: string;
    rulebookHash: string;
  };
}

export function notificationBusinessKey(workflowId: string, stepKey: string, dueDate: IsoDate, firingKey: string): string {
  return `${workflowId}:${stepKey}:${dueDate}:${firingKey}`;
}
