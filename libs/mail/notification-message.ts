import { createHash } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import type { IsoDate } from '../calendar';
import type { NotificationRequest } from '../contracts';
import { OWNER_COLLECTIONS, type OwnerKind } from '../contracts/enums';
import { messageIdFromHash, messageIdSource } from '../contracts/keys';
import type { RulebookStep } from '../rulebook/rulebook.schema';
import { buildCalendarInvite, CalendarInvite } from './calendar-invite';
import { renderDigestMail } from './digest-mail';
import type { MailLinks } from './links';
import { MailLanguage, NotificationMailContext, renderNotificationMail } from './notification-mail';

export type NotificationFields = Pick<
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

/** One notification as one recipient reads it. */
export interface NotificationMessageInput {
  request: NotificationFields;
  owner: { kind: OwnerKind; code: string; name: string };
  /** The rulebook's definition of the step: names, legal basis, checklist. */
  definition: RulebookStep;
  recipient: { email: string; language: MailLanguage };
  links: MailLinks;
  publicBaseUrl: string;
  told?: NotificationMailContext['told'];
}

/** The Message-ID of a source (`messageIdSource` in libs/contracts/keys.ts): a hash, so it reveals neither key nor address. */
export const messageIdOf = (source: string) => messageIdFromHash(createHash('sha256').update(source).digest('hex'));

/** The Message-ID of one outbox row: from its business key and recipient, so even a mail sent twice is recognisably one. */
export const outboxMessageId = (businessKey: string, recipient: string) => messageIdOf(messageIdSource(businessKey, recipient));

export const stepUrlOf = (publicBaseUrl: string, owner: { kind: OwnerKind; code: string }, step: string) =>
  `${publicBaseUrl}/${OWNER_COLLECTIONS[owner.kind]}/${owner.code}/steps/${encodeURIComponent(step)}`;

/** What the templates need of one notification for one recipient (also one entry of a digest). */
export function notificationMailContext(input: NotificationMessageInput): NotificationMailContext {
  const { request: req, owner, definition } = input;
  return {
    language: input.recipient.language,
    links: input.links,
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
    stepUrl: stepUrlOf(input.publicBaseUrl, owner, req.step),
    rulebookId: req.rulebookId,
  };
}

/**
 * One mail to one recipient: the business-key header, and on optional mail the RFC 8058 one-click headers
 * (a mandatory notice, verplichte melding, to an office holder has none).
 */
function message(
  envelope: { from: string; to: string; messageId: string; businessKey: string; links: Pick<MailLinks, 'unsubscribeUrl'> },
  rendered: { subject: string; text: string; html: string },
  calendar: Pick<SendMailOptions, 'icalEvent' | 'attachments'>,
): { message: SendMailOptions; subject: string } {
  const { unsubscribeUrl } = envelope.links;
  return {
    subject: rendered.subject,
    message: {
      from: envelope.from,
      to: envelope.to,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      ...calendar,
      messageId: envelope.messageId,
      headers: {
        'X-Regie-Business-Key': envelope.businessKey,
        ...(unsubscribeUrl ? { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
      },
    },
  };
}

function inviteFor(input: NotificationMessageInput, calendar: { summary: string; description: string }, from: string): CalendarInvite {
  const { request: req } = input;
  return buildCalendarInvite({
    kind: req.kind,
    workflowId: req.workflowId,
    step: req.step,
    sequence: req.sequence,
    date: req.due.date,
    summary: calendar.summary,
    description: calendar.description,
    url: stepUrlOf(input.publicBaseUrl, input.owner, req.step),
    organizer: from,
    attendees: [input.recipient.email],
    stampedAt: new Date(),
  });
}

/**
 * The whole message for one notification to one recipient: the rendered mail in the recipient's language,
 * its calendar invite (one entry per step: UID from workflow and step, SEQUENCE counting the date's moves),
 * the Message-ID, the business-key header and, on optional mail, the one-click unsubscribe headers. The
 * dispatcher sends it; bench:mail measures exactly this.
 */
export function composeNotificationMessage(input: NotificationMessageInput & { from: string; messageId: string }): { message: SendMailOptions; subject: string } {
  const rendered = renderNotificationMail(notificationMailContext(input));
  const envelope = { from: input.from, to: input.recipient.email, messageId: input.messageId, businessKey: input.request.businessKey, links: input.links };
  return message(envelope, rendered, { icalEvent: inviteFor(input, rendered.calendar, input.from) });
}

/**
 * A weekly digest to one recipient for one organisation: every entry in one mail, each entry's calendar
 * invite attached as its own `.ics` file (one calendar object per entry, as RFC 5546 wants one UID per object).
 */
export function composeDigestMessage(input: {
  businessKey: string;
  from: string;
  messageId: string;
  recipient: { email: string; language: MailLanguage };
  organisationName: string;
  weekOf: IsoDate;
  entries: NotificationMessageInput[];
  links: Pick<MailLinks, 'preferencesUrl' | 'unsubscribeUrl'>;
}): { message: SendMailOptions; subject: string } {
  const contexts = input.entries.map(notificationMailContext);
  const rendered = renderDigestMail({
    language: input.recipient.language,
    organisationName: input.organisationName,
    weekOf: input.weekOf,
    entries: contexts,
    links: input.links,
  });
  const attachments = input.entries.map((entry, i) => {
    const calendar = renderNotificationMail(contexts[i]).calendar;
    const invite = inviteFor(entry, calendar, input.from);
    return { filename: `${i + 1}-${invite.filename}`, content: invite.content, contentType: `text/calendar; charset=utf-8; method=${invite.method}` };
  });
  const envelope = { from: input.from, to: input.recipient.email, messageId: input.messageId, businessKey: input.businessKey, links: input.links };
  return message(envelope, rendered, { attachments });
}
