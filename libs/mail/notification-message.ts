import { createHash } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import type { NotificationRequest } from '../contracts';
import type { RulebookStep } from '../rulebook/rulebook.schema';
import { buildCalendarInvite } from './calendar-invite';
import { NotificationMailContext, renderNotificationMail } from './notification-mail';

export interface NotificationMessageInput {
  request: Pick<
    NotificationRequest,
    | 'businessKey'
    | 'workflowId'
    | 'step'
    | 'cycleYear'
    | 'kind'
    | 'offsetDays'
    | 'rung'
    | 'dateKind'
    | 'due'
    | 'previousDue'
    | 'overdueSince'
    | 'sequence'
    | 'openChecklist'
    | 'rulebookId'
  >;
  owner: { kind: 'municipality' | 'region'; code: string; name: string };
  /** The rulebook's definition of the step: names, legal basis, checklist. */
  definition: RulebookStep;
  recipients: string[];
  from: string;
  publicBaseUrl: string;
  told?: NotificationMailContext['told'];
}

/** The Message-ID derives from the business key, so even a mail sent twice is recognisably one. */
export const messageIdOf = (businessKey: string) => `<${createHash('sha256').update(businessKey).digest('hex').slice(0, 40)}@regie>`;

/**
 * The whole message for one notification: the rendered mail, its calendar invite (one entry per step,
 * UID from workflow and step, SEQUENCE counting the date's moves), the Message-ID and the business-key
 * header. The notification activity sends it; bench:mail measures exactly this.
 */
export function composeNotificationMessage(input: NotificationMessageInput): { message: SendMailOptions; subject: string; messageId: string } {
  const { request: req, owner, definition, recipients, from } = input;
  const stepUrl = `${input.publicBaseUrl}/${owner.kind === 'region' ? 'regions' : 'municipalities'}/${owner.code}/steps/${encodeURIComponent(req.step)}`;
  const rendered = renderNotificationMail({
    told: input.told,
    kind: req.kind,
    ownerName: owner.name,
    ownerCode: owner.code,
    ownerKind: owner.kind,
    stepNameNl: definition.nameNl,
    stepNameEn: definition.nameEn,
    cycleYear: req.cycleYear,
    legalBasis: definition.legalBasis,
    offsetDays: req.offsetDays,
    rung: req.rung,
    dateKind: req.dateKind,
    due: req.due,
    previousDue: req.previousDue ?? null,
    overdueSince: req.overdueSince ?? null,
    checklist: definition.checklist.filter((c) => req.openChecklist.includes(c.key)),
    stepUrl,
    rulebookId: req.rulebookId,
  });
  const invite = buildCalendarInvite({
    kind: req.kind,
    workflowId: req.workflowId,
    step: req.step,
    sequence: req.sequence,
    date: req.due.date,
    summary: rendered.calendar.summary,
    description: rendered.calendar.description,
    url: stepUrl,
    organizer: from,
    attendees: recipients,
    stampedAt: new Date(),
  });
  const messageId = messageIdOf(req.businessKey);
  return {
    subject: rendered.subject,
    messageId,
    message: {
      from,
      to: recipients,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      icalEvent: invite,
      messageId,
      headers: { 'X-Regie-Business-Key': req.businessKey },
    },
  };
}
