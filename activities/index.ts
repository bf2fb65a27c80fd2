import { ApplicationFailure, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { DataSource, EntityManager } from 'typeorm';
import { Delivery, digestBusinessKey, Language, NotificationAttempt, NotificationOutcome, NotificationRequest, StepEventWrite } from '../libs/contracts';
import { isPermanentDatabaseError, jsonbText } from '../libs/db/json';
import { findRulebook } from '../libs/db/rulebook-store';
import { OUTBOX_CHANNEL } from '../libs/mail/outbox';
import { outboxMessageId } from '../libs/mail/notification-message';
import { deliveryFor } from '../libs/mail/recipient-rules';
import { findOwnerScope, resolveRecipients } from './recipients';
import { createRolloutActivities } from './rollout.activities';

export interface ActivityDeps {
  dataSource: DataSource;
  /** Sends the rulebook rollout's updates to the owners' workflows; optional for workers and tests that run no rollout. */
  temporal?: Client;
  /** The regional grouping whose regions run steps 1 and 2 (REGION_GROUPING); default `corop`. */
  regionGrouping?: string;
}

/** Activities get their dependencies from this factory (the worker builds them from its Nest context). */
export function createActivities({ dataSource, temporal, regionGrouping = 'corop' }: ActivityDeps) {
  async function queueNotification(req: NotificationRequest): Promise<NotificationOutcome> {
    const stored = await findRulebook(dataSource, req.rulebookId);
    if (!stored || stored.hash !== req.rulebookHash) {
      throw ApplicationFailure.nonRetryable(`Rulebook ${req.rulebookId} with hash ${req.rulebookHash} is not in the database`);
    }
    if (!stored.rulebook.steps.some((s) => s.key === req.stepKey)) throw ApplicationFailure.nonRetryable(`Rulebook ${req.rulebookId} has no step ${req.stepKey}`);

    return permanentAsNonRetryable(`the notification ${req.businessKey}`, () => dataSource.transaction(async (tx) => {
      const [existing] = await tx.query(`SELECT status, recipients FROM notification WHERE business_key = $1`, [req.businessKey]);
      if (existing) return { outcome: existing.status === 'sent' ? 'already-sent' : existing.status === 'no-recipients' ? 'no-recipients' : 'queued', recipients: existing.recipients };
      const scope = await findOwnerScope(tx, req.owner, regionGrouping);
      if (!scope) throw ApplicationFailure.nonRetryable(`Unknown ${req.owner.kind} ${req.owner.code}`);
      const recipients = await resolveRecipients(tx, req.roles, scope);
      const inserted = await tx.query(
        `INSERT INTO notification (business_key, workflow_id, owner_kind, owner_code, step, step_key, cycle_year, kind, firing_key, rung,
           due_date, rulebook_id, recipients, status, request)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (business_key) DO NOTHING RETURNING business_key`,
        [req.businessKey, req.workflowId, req.owner.kind, req.owner.code, req.step, req.stepKey, req.cycleYear, req.kind, req.firingKey, req.rung ?? null,
          req.due.date, req.rulebookId, recipients.map((r) => r.email), recipients.length ? 'queued' : 'no-recipients', jsonbText(req)],
      );
      // A concurrent attempt recorded it first (this insert waited for its commit): that one's rows stand.
      if (!inserted.length) return { outcome: 'queued', recipients: recipients.map((r) => r.email) };
      if (!recipients.length) {
        log.warn('No recipient for notification', { businessKey: req.businessKey, roles: req.roles });
        return { outcome: 'no-recipients', recipients: [] };
      }
      const preferences: { recipient: string; delivery: Delivery; stopped: boolean }[] = await tx.query(
        `SELECT recipient, delivery, optional_stopped_at IS NOT NULL AS stopped FROM mail_preference WHERE recipient = ANY($1::text[])`,
        [recipients.map((r) => r.email)],
      );
      for (const r of recipients) {
        const preference = preferences.find((p) => p.recipient === r.email);
        const { delivery, optional, unsubscribed } = deliveryFor(req, r, preference);
        await tx.query(
          `INSERT INTO outbox (kind, business_key, recipient, organisation_key, organisation_name, language, delivery, optional, status, status_reason, message_id)
           VALUES ('notification', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (business_key, recipient) DO NOTHING`,
          [req.businessKey, r.email, r.organisationKey, r.organisationName, r.language, delivery, optional,
            unsubscribed ? 'unsubscribed' : 'pending', unsubscribed ? 'the recipient stopped optional mail' : null, outboxMessageId(req.businessKey, r.email)],
        );
      }
      // Wakes the dispatchers once this transaction commits (they also poll, so a lost wake-up only delays).
      await tx.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
      return { outcome: 'queued', recipients: recipients.map((r) => r.email) };
    }));
  }

  return {
    /**
     * Writes one state change of a step: its history row and the step's read-model row. Idempotent and
     * ordered: a repeated `seq` inserts nothing, and a row already at a higher `seq` is never overwritten.
     */
    async recordStepEvent(write: StepEventWrite): Promise<void> {
      await permanentAsNonRetryable(`the read-model write ${write.workflowId} #${write.seq}`, () => dataSource.transaction((tx) => writeStepEvents(tx, [write])));
    },

    /** Several state changes in one transaction (a workflow's new steps, skipped moments, a rulebook change). */
    async recordStepEvents(writes: StepEventWrite[]): Promise<void> {
      await permanentAsNonRetryable(`the read-model writes ${writes[0]?.workflowId} #${writes[0]?.seq}-${writes.at(-1)?.seq}`, () =>
        dataSource.transaction((tx) => writeStepEvents(tx, writes)),
      );
    },

    /**
     * Hands a firing to the outbox: the notification row and one outbox row per recipient, in one
     * transaction, unique by business key (and recipient), so a retried activity or a re-run workflow
     * records nothing twice. The dispatcher sends them (apps/dispatcher); a recipient who chose the weekly
     * digest gets the row bundled by the digest workflow, and a recipient who stopped optional mail gets it
     * recorded as `unsubscribed`, never sent. A mandatory notice (verplichte melding, `isMandatoryNotice`) to
     * an office holder is not optional: it may move to the digest, never be unsubscribed from. The facts
     * readers filter and join on (step key, cycle year, rung, firing key) get their own columns.
     */
    sendNotification: queueNotification,

    /**
     * Several notifications of one workflow at once (its change notices after a rulebook update), each as
     * `sendNotification` does in its own transaction. One that can never be queued (ApplicationFailure,
     * non-retryable) is answered as failed with its reason and the rest go on; any other error fails the
     * whole activity for a retry, in which what was queued already answers from its business key.
     */
    async sendNotifications(requests: NotificationRequest[]): Promise<NotificationAttempt[]> {
      const attempts: NotificationAttempt[] = [];
      for (const request of requests) {
        try {
          attempts.push({ result: await queueNotification(request) });
        } catch (err) {
          if (!(err instanceof ApplicationFailure && err.nonRetryable)) throw err;
          attempts.push({ failed: err.message });
        }
      }
      return attempts;
    },

    /**
     * The weekly digest: every pending digest row becomes part of one digest per recipient and organisation
     * for this week, itself an outbox row the dispatcher sends. One transaction, keyed by week, so a retry
     * bundles nothing twice; rows queued after it wait for next week's digest.
     */
    async composeWeeklyDigests(input: { weekOf: string }): Promise<{ digests: number; items: number }> {
      return dataSource.transaction(async (tx) => {
        const groups: { recipient: string; organisation_key: string; organisation_name: string; language: Language; optional: boolean }[] = await tx.query(
          `SELECT recipient, organisation_key, max(organisation_name) AS organisation_name, max(language) AS language, bool_and(optional) AS optional
           FROM outbox WHERE status = 'pending' AND delivery = 'digest' GROUP BY recipient, organisation_key ORDER BY recipient, organisation_key`,
        );
        let digests = 0;
        let items = 0;
        for (const g of groups) {
          const key = digestBusinessKey(input.weekOf, g.organisation_key, g.recipient);
          // A digest is sent at once; it is optional only if every mail it bundles is.
          const [digest] = await tx.query(
            `INSERT INTO outbox (kind, business_key, recipient, organisation_key, organisation_name, language, delivery, optional, status, message_id, week_of)
             VALUES ('digest', $1, $2, $3, $4, $5, 'immediate', $6, 'pending', $7, $8) ON CONFLICT (business_key, recipient) DO NOTHING RETURNING id`,
            [key, g.recipient, g.organisation_key, g.organisation_name, g.language, g.optional, outboxMessageId(key, g.recipient), input.weekOf],
          );
          if (!digest) continue;
          // An UPDATE answers [rows, count] through TypeORM's Postgres driver.
          const [bundled] = await tx.query(
            `UPDATE outbox SET status = 'in-digest', digest_id = $1 WHERE status = 'pending' AND delivery = 'digest' AND recipient = $2 AND organisation_key = $3 RETURNING id`,
            [digest.id, g.recipient, g.organisation_key],
          );
          digests += 1;
          items += bundled.length;
        }
        if (digests) await tx.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
        return { digests, items };
      });
    },

    ...createRolloutActivities({ dataSource, temporal }),
  };
}

/**
 * Writes state changes in two statements whatever their number: every history row, and each step's
 * read-model row at its highest `seq` (one row may change twice in one batch; an upsert touches it once).
 * The rows travel as one JSON array, so the round trips do not grow with the batch.
 */
async function writeStepEvents(tx: EntityManager, writes: StepEventWrite[]): Promise<void> {
  if (!writes.length) return;
  await tx.query(
    `INSERT INTO step_event (workflow_id, seq, owner_kind, owner_code, step, event, detail, occurred_at)
     SELECT workflow_id, seq, owner_kind, owner_code, step, event, detail, occurred_at
     FROM jsonb_to_recordset($1::jsonb) AS r(workflow_id text, seq integer, owner_kind text, owner_code text, step text, event text, detail jsonb, occurred_at timestamptz)
     ON CONFLICT (workflow_id, seq) DO NOTHING`,
    [jsonbText(writes.map((w) => ({ workflow_id: w.workflowId, seq: w.seq, owner_kind: w.owner.kind, owner_code: w.owner.code, step: w.step.key, event: w.event, detail: w.detail, occurred_at: w.occurredAt })))],
  );
  const latest = new Map<string, StepEventWrite>();
  for (const w of writes) {
    const key = `${w.owner.code} ${w.step.key}`;
    if ((latest.get(key)?.seq ?? -Infinity) < w.seq) latest.set(key, w);
  }
  const rows = [...latest.values()].map(({ step, ...w }) => ({
    owner_code: w.owner.code, step: step.key, owner_kind: w.owner.kind, step_key: step.stepKey, cycle_year: step.cycleYear, workflow_id: w.workflowId,
    status: step.status, overdue: step.overdue, late: step.late, overdue_since: step.overdueSince, date_kind: step.dateKind, due_date: step.due?.date ?? null,
    derivation: step.due ?? null, detail: step, rulebook_id: w.rulebookId, rulebook_hash: w.rulebookHash, last_event: w.event, last_event_at: w.occurredAt, seq: w.seq,
  }));
  await tx.query(
    `INSERT INTO step_state (owner_code, step, owner_kind, step_key, cycle_year, workflow_id, status, overdue, late, overdue_since,
       date_kind, due_date, derivation, detail, rulebook_id, rulebook_hash, last_event, last_event_at, seq)
     SELECT owner_code, step, owner_kind, step_key, cycle_year, workflow_id, status, overdue, late, overdue_since,
       date_kind, due_date, derivation, detail, rulebook_id, rulebook_hash, last_event, last_event_at, seq
     FROM jsonb_to_recordset($1::jsonb) AS r(owner_code text, step text, owner_kind text, step_key text, cycle_year integer, workflow_id text,
       status text, overdue boolean, late boolean, overdue_since date, date_kind text, due_date date, derivation jsonb, detail jsonb,
       rulebook_id text, rulebook_hash char(64), last_event text, last_event_at timestamptz, seq integer)
     ON CONFLICT (owner_code, step) DO UPDATE SET
       workflow_id = EXCLUDED.workflow_id, status = EXCLUDED.status, overdue = EXCLUDED.overdue, late = EXCLUDED.late,
       overdue_since = EXCLUDED.overdue_since, date_kind = EXCLUDED.date_kind, due_date = EXCLUDED.due_date,
       derivation = EXCLUDED.derivation, detail = EXCLUDED.detail, rulebook_id = EXCLUDED.rulebook_id,
       rulebook_hash = EXCLUDED.rulebook_hash, last_event = EXCLUDED.last_event, last_event_at = EXCLUDED.last_event_at,
       seq = EXCLUDED.seq
     WHERE step_state.seq < EXCLUDED.seq`,
    [jsonbText(rows)],
  );
}

/**
 * Runs a database write; an error no retry can mend (bad data, a violated constraint) fails the activity
 * for good, with a message a person can act on, instead of being retried for ever.
 */
async function permanentAsNonRetryable<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!isPermanentDatabaseError(err)) throw err;
    throw ApplicationFailure.nonRetryable(
      `The database refused ${what} (${(err as { code: string }).code}: ${(err as Error).message}); this input cannot be stored as it is: correct it or report it`,
      'database-refused',
    );
  }
}

export type RegieActivities = ReturnType<typeof createActivities>;
