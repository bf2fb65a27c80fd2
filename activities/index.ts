import { ApplicationFailure, log } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import type { NotificationOutcome, NotificationRequest, StepEventWrite } from '../libs/contracts';
import { findRulebook } from '../libs/db/rulebook-store';
import { renderNotificationMail } from '../libs/mail/notification-template';
import type { Role } from '../libs/rulebook/rulebook.schema';

export interface ActivityDeps {
  dataSource: DataSource;
  mail: Transporter;
  mailFrom: string;
  publicBaseUrl: string;
}

/** Activities get their dependencies from this factory (the worker builds them from its Nest context). */
export function createActivities({ dataSource, mail, mailFrom, publicBaseUrl }: ActivityDeps) {
  return {
    /**
     * Writes one state change of a step: its history row and the step's read-model row. Idempotent and
     * ordered: a repeated `seq` inserts nothing, and a row already at a higher `seq` is never overwritten.
     */
    async recordStepEvent(write: StepEventWrite): Promise<void> {
      const { state } = write;
      await dataSource.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO step_event (workflow_id, seq, municipality_code, step_key, event, detail, occurred_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (workflow_id, seq) DO NOTHING`,
          [write.workflowId, write.seq, write.municipalityCode, write.stepKey, write.event, JSON.stringify(write.detail), write.occurredAt],
        );
        await tx.query(
          `INSERT INTO step_state (municipality_code, step_key, workflow_id, status, overdue, date_kind, due_date, derivation,
             rulebook_id, rulebook_hash, last_event, last_event_at, seq)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (municipality_code, step_key) DO UPDATE SET
             workflow_id = EXCLUDED.workflow_id, status = EXCLUDED.status, overdue = EXCLUDED.overdue,
             date_kind = EXCLUDED.date_kind, due_date = EXCLUDED.due_date, derivation = EXCLUDED.derivation,
             rulebook_id = EXCLUDED.rulebook_id, rulebook_hash = EXCLUDED.rulebook_hash,
             last_event = EXCLUDED.last_event, last_event_at = EXCLUDED.last_event_at, seq = EXCLUDED.seq
           WHERE step_state.seq < EXCLUDED.seq`,
          [
            write.municipalityCode, write.stepKey, write.workflowId, state.status, state.overdue, state.dateKind,
            state.due.date, JSON.stringify(state.due), state.rulebookId, state.rulebookHash, write.event, write.occurredAt, write.seq,
          ],
        );
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
        const [municipality] = await tx.query(
          `SELECT m.code, m.name, o.programme_manager_email FROM municipality m
           LEFT JOIN onboarding o ON o.municipality_code = m.code WHERE m.code = $1`,
          [req.municipalityCode],
        );
        if (!municipality) throw ApplicationFailure.nonRetryable(`Unknown municipality ${req.municipalityCode}`);
        const recipients = resolveRecipients(req.roles, municipality.programme_manager_email);
        await tx.query(
          `INSERT INTO notification (business_key, workflow_id, municipality_code, step_key, kind, due_date, rulebook_id, recipients, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (business_key) DO NOTHING`,
          [req.businessKey, req.workflowId, req.municipalityCode, req.stepKey, req.kind, req.due.date, req.rulebookId, recipients,
            recipients.length ? 'recorded' : 'no-recipients'],
        );
        const [row] = await tx.query(`SELECT status, recipients, message_id FROM notification WHERE business_key = $1 FOR UPDATE`, [req.businessKey]);
        if (row.status === 'sent') return { outcome: 'already-sent', recipients: row.recipients, messageId: row.message_id };
        if (row.status === 'no-recipients') {
          log.warn('No recipient for notification', { businessKey: req.businessKey, roles: req.roles });
          return { outcome: 'no-recipients', recipients: [] };
        }
        const rendered = renderNotificationMail({
          municipalityName: municipality.name,
          municipalityCode: municipality.code,
          stepNameNl: step.nameNl,
          legalBasis: step.legalBasis,
          kind: req.kind,
          offsetDays: req.offsetDays,
          rung: req.rung,
          dateKind: req.dateKind,
          due: req.due,
          checklist: step.checklist.map((c) => c.nl),
          stepUrl: `${publicBaseUrl}/municipalities/${req.municipalityCode}/steps/${req.stepKey}`,
          rulebookId: req.rulebookId,
        });
        // The Message-ID derives from the business key, so even a mail sent twice is recognisably one.
        const messageId = `<${createHash('sha256').update(req.businessKey).digest('hex').slice(0, 40)}@regie>`;
        await mail.sendMail({
          from: mailFrom,
          to: row.recipients,
          subject: rendered.subject,
          text: rendered.text,
          html: rendered.html,
          messageId,
          headers: { 'X-Regie-Business-Key': req.businessKey },
        });
        await tx.query(`UPDATE notification SET status = 'sent', sent_at = now(), message_id = $2, subject = $3 WHERE business_key = $1`, [
          req.businessKey, messageId, rendered.subject,
        ]);
        return { outcome: 'sent', recipients: row.recipients, messageId };
      });
    },
  };
}

/**
 * Until the contacts of the notifications issue exist, the one known recipient is the programme
 * manager named at onboarding; other roles are recorded on the notification but have no address yet.
 */
function resolveRecipients(roles: Role[], programmeManagerEmail: string | null): string[] {
  return roles.includes('programme-manager') && programmeManagerEmail ? [programmeManagerEmail] : [];
}

export type RegieActivities = ReturnType<typeof createActivities>;
