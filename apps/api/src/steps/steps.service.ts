import { ownerNotFound } from '../edge/path-params';
import { acknowledgementWithoutRecipient, detailWithoutPersonalData, sentLogCounts } from '../../../../libs/access/privacy';
import { Inject, Injectable } from '@nestjs/common';
import { ApplicationFailure, Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { DataSource } from 'typeorm';
import {
  CLOSED_STEP_STATUSES,
  completeStep,
  CompleteInput,
  ExtensionInput,
  grantExtension,
  ProgressInput,
  setTargetDate,
  StepInstance,
  TargetDateInput,
  updateProgress,
  waiveStep,
  WaiverInput,
  type OwnerKind,
} from '../../../../libs/contracts';
import { findRulebook } from '../../../../libs/db/rulebook-store';
import { escalationLadderOf } from '../../../../libs/rulebook/schedule';
import { isStepRuleError, STEP_RULE_CATEGORY, stepRuleMessage } from '../../../../libs/programme/errors';
import { RegieError } from '../errors/regie-error';
import { callTemporal } from '../temporal/temporal-calls';
import { WriteRequests } from './write-requests';
import { StepListQuery } from './steps.dto';
import { Keyset, keysetPage, mapPage, pageOf, PageRequest } from '../edge/paging';

export type { OwnerKind };

const STEP_COLUMNS = `s.owner_kind, s.owner_code, s.step, s.step_key, s.cycle_year, s.status, s.overdue, s.late, s.overdue_since::text,
  s.date_kind, s.due_date::text, s.derivation, s.detail, s.rulebook_id, s.rulebook_hash, s.workflow_id, s.last_event, s.last_event_at`;

/** The overview's order: owner code, then step instance (the read model's primary key). */
const STEP_KEYSET = new Keyset([
  { sql: 's.owner_code', type: 'text' },
  { sql: 's.step', type: 'text' },
]);

/** A timestamp inside JSON built by Postgres, written as JavaScript writes a Date (`2027-07-01T07:00:00.000Z`). */
const isoTime = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A sent-log row: the notification and, per recipient, its delivery from the outbox (digest included). */
const SENT_LOG_COLUMNS = `n.business_key, n.step, n.kind, n.rung, n.due_date::text, n.rulebook_id, n.recipients, n.subject, n.status,
  n.message_id, n.recorded_at, n.sent_at,
  COALESCE((
    SELECT json_agg(json_build_object(
      'recipient', o.recipient, 'language', o.language, 'delivery', o.delivery, 'status', o.status, 'statusReason', o.status_reason,
      'messageId', o.message_id, 'smtpResponse', o.smtp_response, 'attempts', o.attempts, 'sentAt', ${isoTime('o.sent_at')},
      'digest', CASE WHEN d.id IS NULL THEN NULL ELSE json_build_object('messageId', d.message_id, 'status', d.status, 'sentAt', ${isoTime('d.sent_at')}) END
    ) ORDER BY o.recipient)
    FROM outbox o LEFT JOIN outbox d ON d.id = o.digest_id
    WHERE o.business_key = n.business_key AND o.kind = 'notification'
  ), '[]'::json) AS deliveries`;

/** The sent log's order: as recorded, the business key (the primary key) between notifications of one moment. */
const SENT_LOG_KEYSET = new Keyset([
  { sql: 'n.recorded_at', type: 'timestamp' },
  { sql: 'n.business_key', type: 'text' },
]);

/** Step reads come from the Postgres read model; writes go to the owner's workflow as validated updates. */
@Injectable()
export class StepsService {
  private readonly writes: WriteRequests;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Client) private readonly temporal: Client,
  ) {
    this.writes = new WriteRequests(dataSource);
  }

  /** A municipality's own steps and its region's steps (which count for all members); a region's own steps. */
  async stepsOf(kind: OwnerKind, code: string, personal: boolean) {
    await this.requireOwner(kind, code);
    const rows =
      kind === 'municipality'
        ? await this.dataSource.query(
            `SELECT ${STEP_COLUMNS} FROM step_state s
             WHERE (s.owner_kind = 'municipality' AND s.owner_code = $1)
                OR (s.owner_kind = 'region' AND s.owner_code IN (SELECT region_code FROM region_member WHERE municipality_code = $1))
             ORDER BY s.owner_kind DESC, s.due_date NULLS LAST, s.step`,
            [code],
          )
        : await this.dataSource.query(`SELECT ${STEP_COLUMNS} FROM step_state s WHERE s.owner_kind = 'region' AND s.owner_code = $1 ORDER BY s.due_date NULLS LAST, s.step`, [code]);
    return rows.map(stepFor(personal));
  }

  async step(kind: OwnerKind, code: string, step: string, personal: boolean) {
    const row = await this.findStep(kind, code, step);
    const [history, notifications, acknowledgements, rulebook] = await Promise.all([
      this.dataSource.query(
        `SELECT seq, event, detail, occurred_at FROM step_event WHERE owner_kind = $1 AND owner_code = $2 AND step = $3 ORDER BY seq`,
        [row.owner_kind, row.owner_code, step],
      ),
      this.sentLog(row.owner_kind, row.owner_code, step),
      this.acknowledgements(row.owner_kind, row.owner_code, step),
      findRulebook(this.dataSource, row.rulebook_id),
    ]);
    const definition = rulebook?.rulebook.steps.find((d) => d.key === row.step_key);
    const view = {
      ...toStep(row),
      history: history.map((h: any) => ({ seq: h.seq, event: h.event, detail: h.detail, occurredAt: h.occurred_at })),
      escalationLadder: rulebook && definition ? escalationLadderOf(rulebook.rulebook, definition) : null,
    };
    if (personal) return { ...view, notifications, acknowledgements };
    // Others than the owner, its province and the operator: counts, no addresses (libs/access/privacy.ts).
    return { ...(detailWithoutPersonalData(view) as typeof view), notifications: notifications.map(sentLogCounts), acknowledgements: acknowledgements.map(acknowledgementWithoutRecipient) };
  }

  /** The sent log kept as proof, a page at a time: who was told what, when, under which rulebook version and due date. */
  async notificationsOf(kind: OwnerKind, code: string, personal: boolean, page: PageRequest) {
    await this.requireOwner(kind, code);
    const log = await this.sentLogPage(kind, code, undefined, page);
    return personal ? log : mapPage(log, sentLogCounts);
  }

  /** The sent log of one step, a page at a time (404 for an unknown step). */
  async stepNotifications(kind: OwnerKind, code: string, step: string, personal: boolean, page: PageRequest) {
    const row = await this.findStep(kind, code, step);
    const log = await this.sentLogPage(row.owner_kind, row.owner_code, step, page);
    return personal ? log : mapPage(log, sentLogCounts);
  }

  /**
   * Every notification with, per recipient, its outbox row: language, immediate or digest, the status and
   * why, the SMTP server's answer and the attempts; a mail that went out in a weekly digest names that
   * digest's Message-ID, status and time. One query, whatever the number of recipients. The whole log of one
   * step (its page shows it); `sentLogPage` reads the same rows a page at a time.
   */
  private async sentLog(kind: OwnerKind, code: string, step: string) {
    const rows = await this.dataSource.query(
      `SELECT ${SENT_LOG_COLUMNS} FROM notification n WHERE n.owner_kind = $1 AND n.owner_code = $2 AND n.step = $3 ORDER BY n.recorded_at, n.business_key`,
      [kind, code, step],
    );
    return rows.map(toSentLogEntry);
  }

  /** A page of an owner's or a step's sent log, in the order the notifications were recorded (business key last: unique). */
  private async sentLogPage(kind: OwnerKind, code: string, step: string | undefined, page: PageRequest) {
    const where = ['n.owner_kind = $1', 'n.owner_code = $2', ...(step ? ['n.step = $3'] : [])];
    const found = await keysetPage(this.dataSource, { select: SENT_LOG_COLUMNS, from: 'notification n', where, params: step ? [kind, code, step] : [kind, code] }, SENT_LOG_KEYSET, page);
    return mapPage(found, toSentLogEntry);
  }

  /** Who acknowledged an escalation or confirmed receipt of a notification of this step, through a signed link, in order. */
  private async acknowledgements(kind: OwnerKind, code: string, step: string) {
    const rows = await this.dataSource.query(
      `SELECT a.business_key, a.recipient, a.action, n.kind, n.rung, n.due_date::text, a.acknowledged_at
       FROM mail_acknowledgement a JOIN notification n ON n.business_key = a.business_key
       WHERE a.owner_kind = $1 AND a.owner_code = $2 AND a.step = $3
       ORDER BY a.acknowledged_at, a.recipient, a.business_key`,
      [kind, code, step],
    );
    return rows.map((a: any) => ({
      businessKey: a.business_key,
      recipient: a.recipient,
      action: a.action,
      kind: a.kind,
      rung: a.rung,
      dueDate: a.due_date,
      acknowledgedAt: a.acknowledged_at,
    }));
  }

  /**
   * One SQL query over the read model per page, whatever the filter: never a Temporal query per workflow.
   * Ordered by owner code and step instance, the table's primary key, so pages neither repeat nor skip a row.
   */
  async list(query: StepListQuery, personal: boolean) {
    const params: unknown[] = [];
    const where: string[] = [];
    if (query.step) where.push(`s.step_key = $${params.push(query.step)}`);
    if (query.status) where.push(`s.status = $${params.push(query.status)}`);
    if (query.overdue !== undefined) where.push(`s.overdue = $${params.push(query.overdue === 'true')}`);
    if (query.owner) where.push(`s.owner_kind = $${params.push(query.owner)}`);
    if (query.province) {
      where.push(`(s.owner_kind = 'municipality' AND s.owner_code IN (SELECT code FROM municipality WHERE province_code = $${params.push(query.province)})
        OR s.owner_kind = 'region' AND s.owner_code IN (SELECT rm.region_code FROM region_member rm JOIN municipality m ON m.code = rm.municipality_code WHERE m.province_code = $${params.length}))`);
    }
    if (query.region) {
      where.push(`(s.owner_kind = 'region' AND s.owner_code = $${params.push(query.region)}
        OR s.owner_kind = 'municipality' AND s.owner_code IN (SELECT municipality_code FROM region_member WHERE region_code = $${params.length}))`);
    }
    const page = await keysetPage(this.dataSource, { select: STEP_COLUMNS, from: 'step_state s', where, params }, STEP_KEYSET, pageOf(query));
    return mapPage(page, stepFor(personal));
  }

  // Who did it is the signed-in actor (ctx.actor), never a field the caller types: `by` and `grantedBy` in history, mail and the update.
  progress(kind: OwnerKind, code: string, step: string, input: Omit<ProgressInput, 'step' | 'by'>, ctx: WriteContext) {
    return this.update(kind, code, step, 'progress', input, ctx, (args) => ({ definition: updateProgress, args: [{ ...args, step, by: ctx.actor }] as const }));
  }

  async complete(kind: OwnerKind, code: string, step: string, input: Omit<CompleteInput, 'step' | 'unmetDependencies' | 'by'>, ctx: WriteContext) {
    const unmetDependencies = await this.unmetDependencies(kind, code, step);
    return this.update(kind, code, step, 'complete', input, ctx, (args) => ({ definition: completeStep, args: [{ ...args, step, unmetDependencies, by: ctx.actor }] as const }));
  }

  targetDate(kind: OwnerKind, code: string, step: string, input: Omit<TargetDateInput, 'step' | 'by'>, ctx: WriteContext) {
    return this.update(kind, code, step, 'target-date', input, ctx, (args) => ({ definition: setTargetDate, args: [{ ...args, step, by: ctx.actor }] as const }));
  }

  extension(kind: OwnerKind, code: string, step: string, input: Omit<ExtensionInput, 'step' | 'grantedBy'>, ctx: WriteContext) {
    return this.update(kind, code, step, 'extension', input, ctx, (args) => ({ definition: grantExtension, args: [{ ...args, step, grantedBy: ctx.actor }] as const }));
  }

  waiver(kind: OwnerKind, code: string, step: string, input: Omit<WaiverInput, 'step' | 'grantedBy'>, ctx: WriteContext) {
    return this.update(kind, code, step, 'waiver', input, ctx, (args) => ({ definition: waiveStep, args: [{ ...args, step, grantedBy: ctx.actor }] as const }));
  }

  /**
   * Sends a validated update and returns the step as the workflow changed it; the workflow answers only
   * after the read model holds the change. A rejected update changes nothing and says why. Every call to
   * Temporal has a deadline: an unreachable or slow server is a 503 with Retry-After, never a hang; with an
   * Idempotency-Key the retry reaches the same update, which Temporal applies once.
   */
  private async update<I extends object>(
    kind: OwnerKind,
    code: string,
    step: string,
    action: string,
    input: I,
    ctx: WriteContext,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    build: (input: I) => { definition: UpdateDefinition<StepInstance, any>; args: readonly unknown[] },
  ): Promise<StepInstance> {
    const row = await this.findStep(kind, code, step);
    const updateId = await this.writes.updateId({
      key: ctx.idempotencyKey,
      caller: ctx.caller,
      route: `${row.owner_kind}/${row.owner_code}/${step}/${action}`,
      body: input,
      workflowId: row.workflow_id,
    });
    const { definition, args } = build(input);
    try {
      return await callTemporal(this.temporal, () =>
        this.temporal.workflow.getHandle(row.workflow_id).executeUpdate(definition, { args: args as never, ...(updateId ? { updateId } : {}) }),
      );
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw refusal(err);
      if (err instanceof WorkflowNotFoundError) {
        throw new RegieError('workflow-not-found', 'not-found', `Geen lopende workflow voor ${code}: eerst aanmelden / not onboarded`, 'code');
      }
      throw err;
    }
  }

  /** Dependencies of a step not yet done or waived, looked up in the read model (also the region's steps). */
  private async unmetDependencies(kind: OwnerKind, code: string, step: string): Promise<string[]> {
    const row = await this.findStep(kind, code, step);
    const stored = await findRulebook(this.dataSource, row.rulebook_id);
    const dependsOn = stored?.rulebook.steps.find((d) => d.key === row.step_key)?.dependsOn ?? [];
    if (!dependsOn.length) return [];
    const owners = row.owner_kind === 'municipality' ? `(SELECT region_code FROM region_member WHERE municipality_code = $1)` : `($1)`;
    const closed: { step_key: string }[] = await this.dataSource.query(
      `SELECT DISTINCT step_key FROM step_state
       WHERE step_key = ANY($2) AND status = ANY($3) AND (owner_code = $1 OR owner_code IN ${owners})`,
      [row.owner_code, dependsOn, CLOSED_STEP_STATUSES],
    );
    return dependsOn.filter((d) => !closed.some((c) => c.step_key === d));
  }

  private async requireOwner(kind: OwnerKind, code: string): Promise<void> {
    const [row] = await this.dataSource.query(`SELECT 1 FROM ${kind === 'municipality' ? 'municipality' : 'region'} WHERE code = $1`, [code]);
    if (!row) throw ownerNotFound(kind, code);
  }

  private async findStep(kind: OwnerKind, code: string, step: string) {
    await this.requireOwner(kind, code);
    const [row] = await this.dataSource.query(`SELECT ${STEP_COLUMNS} FROM step_state s WHERE s.owner_kind = $1 AND s.owner_code = $2 AND s.step = $3`, [
      kind,
      code,
      step,
    ]);
    if (!row) {
      const hint = kind === 'municipality' ? ' (stappen 1 en 2 horen bij de regio: /regions/<code>/steps)' : '';
      throw new RegieError('step-not-found', 'not-found', `Stap ${step} van ${code} bestaat niet (nog)${hint} / Unknown step`, 'step');
    }
    return row;
  }
}

/** Who writes: the signed-in actor as history and mail name it, and the caller an Idempotency-Key is scoped to. */
export interface WriteContext {
  idempotencyKey?: string;
  caller: string;
  actor: string;
}

/**
 * A refused update as the caller sees it: the step model's code, its category's HTTP status and the field,
 * read from the failure's type and details. A refusal without a rule error is an internal fault.
 */
function refusal(err: WorkflowUpdateFailedError): Error {
  const failure = err.cause;
  if (!(failure instanceof ApplicationFailure)) return err;
  const rule = failure.details?.[0];
  if (!isStepRuleError(rule) || rule.code !== failure.type) return err;
  return new RegieError(rule.code, STEP_RULE_CATEGORY[rule.code], `Wijziging geweigerd: ${stepRuleMessage(rule)}`, rule.field);
}

/** A read-model row as the caller may see it: in full, or without personal data (libs/access/privacy.ts). */
const stepFor = (personal: boolean) => (row: any) => (personal ? toStep(row) : detailWithoutPersonalData(toStep(row)));

function toSentLogEntry(n: any) {
  return {
    businessKey: n.business_key,
    step: n.step,
    kind: n.kind,
    rung: n.rung,
    dueDate: n.due_date,
    rulebookId: n.rulebook_id,
    recipients: n.recipients,
    subject: n.subject,
    status: n.status,
    messageId: n.message_id,
    recordedAt: n.recorded_at,
    sentAt: n.sent_at,
    deliveries: n.deliveries,
  };
}

function toStep(row: any) {
  const detail = row.detail ?? {};
  return {
    owner: { kind: row.owner_kind, code: row.owner_code, workflowId: row.workflow_id },
    step: row.step,
    stepKey: row.step_key,
    cycleYear: row.cycle_year,
    status: row.status,
    overdue: row.overdue,
    late: row.late,
    overdueSince: row.overdue_since,
    dateKind: row.date_kind,
    dueDate: row.due_date,
    derivation: row.derivation,
    checklist: detail.checklist ?? {},
    evidence: detail.evidence ?? [],
    extensions: detail.extensions ?? [],
    waiver: detail.waiver ?? null,
    warnings: detail.warnings ?? [],
    rulebook: { id: row.rulebook_id, hash: row.rulebook_hash },
    lastEvent: row.last_event,
    lastEventAt: row.last_event_at,
  };
}
