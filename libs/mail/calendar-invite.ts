import { createEvent, type DateArray, type EventAttributes } from 'ics';
import addressparser from 'nodemailer/lib/addressparser';
import { addDays, dateParts, type IsoDate } from '../calendar';
import type { NotificationKind } from '../contracts/enums';
import { calendarUid } from '../contracts/keys';

/** `REQUEST` puts or moves the deadline in the recipient's calendar; `CANCEL` removes it (RFC 5546). */
export type InviteMethod = 'REQUEST' | 'CANCEL';

export interface CalendarInviteInput {
  kind: NotificationKind;
  /** The workflow and step instance (`programme-GM0363`, `prestatieafspraken:2027`): the entry's identity. */
  workflowId: string;
  step: string;
  /** How many times the step's date has moved (`NotificationRequest.sequence`). */
  sequence: number;
  /** The deadline: an all-day event on this date. */
  date: IsoDate;
  summary: string;
  description: string;
  url: string;
  /** MAIL_FROM, e.g. `Regie <regie@gemeente.example>`. */
  organizer: string;
  attendees: string[];
  /** DTSTAMP: when this version of the invite was made. */
  stampedAt: Date;
}

/** The shape nodemailer's `icalEvent` option takes: a `text/calendar; method=…` alternative plus an `.ics` attachment. */
export interface CalendarInvite {
  method: InviteMethod;
  filename: string;
  content: string;
}

export const inviteMethod = (kind: NotificationKind): InviteMethod => (kind === 'cancellation' ? 'CANCEL' : 'REQUEST');

/**
 * The iCalendar object (RFC 5545) for one notification, as an iTIP message (RFC 5546): one entry per step
 * instance whatever its date (`calendarUid` in libs/contracts/keys.ts), ORGANIZER is the
 * sender, one ATTENDEE per recipient, an all-day event from the due date to the next day. A request's
 * SEQUENCE is the number of date moves; a CANCEL goes one higher, since RFC 5546 (2.1.4) requires the
 * organizer to increment SEQUENCE each time it uses CANCEL (and STATUS changes to CANCELLED).
 */
export function buildCalendarInvite(input: CalendarInviteInput): CalendarInvite {
  const method = inviteMethod(input.kind);
  const organizer = addressparser(input.organizer, { flatten: true })[0];
  if (!organizer?.address) throw new Error(`calendar invite: no organizer address in "${input.organizer}"`);
  if (!input.attendees.length) throw new Error('calendar invite: no attendees');
  const event: EventAttributes & { timestamp: number } = {
    productId: '-//Regie//Wvrv deadlines//NL',
    method,
    uid: calendarUid(input.workflowId, input.step),
    sequence: method === 'CANCEL' ? input.sequence + 1 : input.sequence,
    timestamp: input.stampedAt.getTime(),
    start: dateArray(input.date),
    end: dateArray(addDays(input.date, 1)),
    title: input.summary,
    description: input.description,
    url: input.url,
    status: method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED',
    // A deadline, not a meeting: it shows as free time and asks for no reply.
    transp: 'TRANSPARENT',
    organizer: { name: organizer.name || organizer.address, email: organizer.address },
    attendees: input.attendees.map((email) => ({ name: email, email, rsvp: false })),
  };
  const { error, value } = createEvent(event);
  if (error || !value) throw new Error(`calendar invite for ${event.uid}: ${error?.message ?? 'no output'}`);
  return { method, filename: method === 'CANCEL' ? 'cancel.ics' : 'invite.ics', content: value };
}

function dateArray(date: IsoDate): DateArray {
  const { year, month, day } = dateParts(date);
  return [year, month, day];
}
