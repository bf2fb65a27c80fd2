import { ApplicationFailure, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import { DataSource, EntityManager } from 'typeorm';
import type { NotificationOutcome, NotificationRequest, StepEventWrite } from '../libs/contracts';
import { findRulebook } from '../libs/db/rulebook-store';
import { composeNotificationMessage } from '../libs/mail/notification-message';
import type { Role } from '../libs/rulebook/rulebook.schema';
import { createRolloutActivities } from './rollout.activities';

export interface ActivityDeps {
  dataSource: DataSource;
  mail: Transporter;
  mailFrom: string;
  publicBaseUrl: string;
  /** Sends the rulebook rollout's updates to the owners' workflows; optional for workers and tests that run no rollout. */
  temporal?: Client;
  /** The regional grouping whose regions run steps 1 and 2 (REGION_GROUPING); default `corop`. */
  regionGrouping?: string;
}

/** Activities get their dependencies from this factory (the worker builds them from its Nest context). */
export function createActivities({ dataSource, mail, mailFrom, publicBaseUrl, temporal, regionGrouping = 'corop' }: ActivityDeps) {
  return {
    /**
     * Writes one state change of a step: its history row and the step's read-model row. Idempotent and
     * ordered: a repeated `seq` inserts nothing, and a row already at a higher `seq` is never overwritten.
     */
    async recordStepEvent(write: StepEventWrite): Promise<void> {
      await dataSource.transaction((tx) => writeStepEvent(tx, write));
    },

    /** Several state changes in one transaction (a workflow's new steps, skipped moments, a rulebook change). */
    async recordStepEvents(writes: StepEventWrite[]): Promise<void> {
      await dataSource.transaction(async (tx) => {
        for (const write of writes) await writeStepEvent(tx, write);
      });
    },

    /**
     * Records the notification under its business key, and only then sends one mail. The row is locked
     * while sending and marked sent in the same transaction, so a retry (or a concurrent duplicate
     * attempt) finds it sent and sends nothing. The one window left: SMTP accepted the mail and the
     * process died before the commit; the retry then sends again (see README, "Mail").
     */
    async sendNotification(req: NotificationRequest): Promise<NotificationOutcome> {
      const stored = await findRulebook(dataSource, req.rulebookId);
      if (!stored || stored.hash !== req.rulebookHash) {
        throw ApplicationFailure.nonRetryable(`Rulebook ${req.rulebookId} with hash ${req.rulebookHash} is not in the database`);
      }
      const step = stored.rulebook.steps.find((s) => s.key === req.stepKey);
      if (!step) throw ApplicationFailure.nonRetryable(`Rulebook ${req.rulebookId} has no step ${req.stepKey}`);

      return dataSource.transaction(async (tx) => {
        const owner = await findOwnerContacts(tx, req.owner, regionGrouping);
        if (!owner) throw ApplicationFailure.nonRetryable(`Unknown ${req.owner.kind} ${req.owner.code}`);
        const recipients = await resolveRecipients(tx, req.roles, owner);
        await tx.query(
          `INSERT INTO notification (business_key, workflow_id, owner_kind, owner_code, step, kind, due_date, rulebook_id, recipients, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (business_key) DO NOTHING`,
          [req.businessKey, req.workflowId, req.owner.kind, req.owner.code, req.step, req.kind, req.due.date, req.rulebookId, recipients,
            recipients.length ? 'recorded' : 'no-recipients'],
        );
        const [row] = await tx.query(`SELECT status, recipients, message_id FROM notification WHERE business_key = $1 FOR UPDATE`, [req.businessKey]);
        if (row.status === 'sent') return { outcome: 'already-sent', recipients: row.recipients, messageId: row.message_id };
        if (row.status === 'no-recipients') {
          log.warn('No recipient for notification', { businessKey: req.businessKey, roles: req.roles });
          return { outcome: 'no-recipients', recipients: [] };
        }
        // An escalation says who else was told: this rung's recipients and those of the earlier rungs for this date.
        const earlier: { business_key: string; recipients: string[] }[] =
          req.kind === 'escalation'
            ? await tx.query(
                `SELECT business_key, recipients FROM notification
                 WHERE workflow_id = $1 AND step = $2 AND due_date = $3 AND kind = 'escalation' AND status = 'sent' AND business_key <> $4
                 ORDER BY recorded_at`,
                [req.workflowId, req.step, req.due.date, req.businessKey],
              )
            : [];
        const { message, subject, messageId } = composeNotificationMessage({
          request: req,
          owner: { kind: req.owner.kind, code: owner.code, name: owner.name },
          definition: step,
          recipients: row.recipients,
          from: mailFrom,
          publicBaseUrl,
          told:
            req.kind === 'escalation'
              ? { now: row.recipients, earlier: earlier.map((e) => ({ rung: Number(/escalation-(\d+)$/.exec(e.business_key)?.[1]), recipients: e.recipients })) }
              : undefined,
        });
        await mail.sendMail(message);
        await tx.query(`UPDATE notification SET status = 'sent', sent_at = now(), message_id = $2, subject = $3 WHERE business_key = $1`, [
          req.businessKey, messageId, subject,
        ]);
        return { outcome: 'sent', recipients: row.recipients, messageId };
      });
    },

    ...createRolloutActivities({ dataSource, temporal }),
  };
}

async function writeStepEvent(tx: EntityManager, write: StepEventWrite): Promise<void> {
  const { step } = write;
  await tx.query(
    `INSERT INTO step_event (workflow_id, seq, owner_kind, owner_code, step, event, detail, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (workflow_id, seq) DO NOTHING`,
    [write.workflowId, write.seq, write.owner.kind, write.owner.code, step.key, write.event, JSON.stringify(write.detail), write.occurredAt],
  );
  await tx.query(
    `INSERT INTO step_state (owner_code, step, owner_kind, step_key, cycle_year, workflow_id, status, overdue, late, overdue_since,
       date_kind, due_date, derivation, detail, rulebook_id, rulebook_hash, last_event, last_event_at, seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
     ON CONFLICT (owner_code, step) DO UPDATE SET
       workflow_id = EXCLUDED.workflow_id, status = EXCLUDED.status, overdue = EXCLUDED.overdue, late = EXCLUDED.late,
       overdue_since = EXCLUDED.overdue_since, date_kind = EXCLUDED.date_kind, due_date = EXCLUDED.due_date,
       derivation = EXCLUDED.derivation, detail = EXCLUDED.detail, rulebook_id = EXCLUDED.rulebook_id,
       rulebook_hash = EXCLUDED.rulebook_hash, last_event = EXCLUDED.last_event, last_event_at = EXCLUDED.last_event_at,
       seq = EXCLUDED.seq
     WHERE step_state.seq < EXCLUDED.seq`,
    [
      write.owner.code, step.key, write.owner.kind, step.stepKey, step.cycleYear, write.workflowId, step.status, step.overdue,
      step.late, step.overdueSince, step.dateKind, step.due?.date ?? null, step.due ? JSON.stringify(step.due) : null,
      JSON.stringify(step), write.rulebookId, write.rulebookHash, write.event, write.occurredAt, write.seq,
    ],
  );
}

interface OwnerContacts {
  code: string;
  name: string;
  /** The municipality, its region (in the configured grouping, as onboarding uses) and its province; a region owner has only a region. */
  municipalityCode: string | null;
  regionCode: string | null;
  provinceCode: string | null;
  programmeManagerEmail: string | null;
  regionalCoordinatorEmail: string | null;
}

/** The owner's name, where it belongs, and the addresses known from onboarding (its own, and its region's coordinator). */
async function findOwnerContacts(tx: EntityManager, owner: NotificationRequest['owner'], grouping: string): Promise<OwnerContacts | null> {
  const [row] =
    owner.kind === 'municipality'
      ? await tx.query(
          `SELECT m.code, m.name, m.code AS municipality_code, rm.region_code, m.province_code, o.programme_manager_email, ro.coordinator_email
           FROM municipality m
           LEFT JOIN onboarding o ON o.municipality_code = m.code
           LEFT JOIN region_member rm ON rm.municipality_code = m.code AND rm.region_code IN (SELECT code FROM region WHERE grouping = $2)
           LEFT JOIN region_onboarding ro ON ro.region_code = rm.region_code
           WHERE m.code = $1`,
          [owner.code, grouping],
        )
      : await tx.query(
          `SELECT r.code, r.name, NULL AS municipality_code, r.code AS region_code, NULL AS province_code,
             NULL AS programme_manager_email, ro.coordinator_email
           FROM region r LEFT JOIN region_onboarding ro ON ro.region_code = r.code WHERE r.code = $1`,
          [owner.code],
        );
  return row
    ? {
        code: row.code,
        name: row.name,
        municipalityCode: row.municipality_code,
        regionCode: row.region_code,
        provinceCode: row.province_code,
        programmeManagerEmail: row.programme_manager_email,
        regionalCoordinatorEmail: row.coordinator_email,
      }
    : null;
}

/**
 * The addresses for these roles, about this owner only: the municipality's own programme managers and
 * aldermen, its region's coordinators, its province's officers, and the stakeholder organisations
 * (corporations, tenant and care-welfare organisations) linked to this municipality. Stakeholders are
 * resolved for municipality owners only. The addresses named at onboarding count as a programme manager
 * and a coordinator. Deduplicated regardless of case, in a stable order.
 */
async function resolveRecipients(tx: EntityManager, roles: Role[], owner: OwnerContacts): Promise<string[]> {
  const contacts: { email: string }[] = await tx.query(
    `SELECT c.email FROM contact c JOIN organisation o ON o.key = c.organisation_key
     WHERE c.role = ANY($1::text[]) AND (
          (o.kind = 'municipality' AND o.code = $2 AND c.role IN ('programme-manager', 'alderman'))
       OR (o.kind = 'region' AND o.code = $3 AND c.role = 'regional-coordinator')
       OR (o.kind = 'province' AND o.code = $4 AND c.role = 'province')
       OR (o.kind IN ('housing-corporation', 'tenant-organisation', 'care-welfare-organisation') AND c.role = o.kind
           AND EXISTS (SELECT 1 FROM organisation_municipality om WHERE om.organisation_key = o.key AND om.municipality_code = $2)))
     ORDER BY array_position($1::text[], c.role), c.email`,
    [roles, owner.municipalityCode, owner.regionCode, owner.provinceCode],
  );
  const found = [
    roles.includes('programme-manager') ? owner.programmeManagerEmail : null,
    roles.includes('regional-coordinator') ? owner.regionalCoordinatorEmail : null,
    ...contacts.map((c) => c.email),
  ].filter((e): e is string => !!e);
  const seen = new Set<string>();
  return found.filter((email) => !seen.has(email.toLowerCase()) && !!seen.add(email.toLowerCase()));
}

export type RegieActivities = ReturnType<typeof createActivities>;
