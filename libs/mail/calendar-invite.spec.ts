import { calendarUid } from '../contracts/keys';
import { buildCalendarInvite, CalendarInviteInput } from './calendar-invite';

const input = (over: Partial<CalendarInviteInput> = {}): CalendarInviteInput => ({
  kind: 'reminder',
  workflowId: 'programme-GM0363',
  step: 'volkshuisvestingsprogramma',
  sequence: 0,
  date: '2028-07-03',
  summary: 'Uiterste datum: Volkshuisvestingsprogramma Amsterdam',
  description: 'Hoe deze datum is bepaald: zaterdag 1 juli 2028 valt op een zaterdag; verschoven naar maandag 3 juli 2028.',
  url: 'https://regie.example/municipalities/GM0363/steps/volkshuisvestingsprogramma',
  organizer: 'Regie <regie@test.example>',
  attendees: ['pm@gm0363.example', 'wethouder@gm0363.example'],
  stampedAt: new Date('2028-01-05T08:00:00Z'),
  ...over,
});

/** Content lines as RFC 5545 defines them: CRLF-separated, a line starting with a space or tab continues the previous one. */
const unfold = (ics: string) => ics.replace(/\r\n[ \t]/g, '').split('\r\n').filter(Boolean);

describe('buildCalendarInvite', () => {
  it('a reminder is a REQUEST for an all-day event on the due date, from the sender to every recipient', () => {
    const invite = buildCalendarInvite(input());
    expect(invite).toMatchObject({ method: 'REQUEST', filename: 'invite.ics' });
    const lines = unfold(invite.content);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines).toEqual(
      expect.arrayContaining([
        'VERSION:2.0',
        'METHOD:REQUEST',
        'BEGIN:VEVENT',
        'UID:programme-GM0363.volkshuisvestingsprogramma@regie',
        'SEQUENCE:0',
        'DTSTAMP:20280105T080000Z',
        'DTSTART;VALUE=DATE:20280703',
        'DTEND;VALUE=DATE:20280704',
        'SUMMARY:Uiterste datum: Volkshuisvestingsprogramma Amsterdam',
        'DESCRIPTION:Hoe deze datum is bepaald: zaterdag 1 juli 2028 valt op een zaterdag\\; verschoven naar maandag 3 juli 2028.',
        'URL:https://regie.example/municipalities/GM0363/steps/volkshuisvestingsprogramma',
        'STATUS:CONFIRMED',
        'TRANSP:TRANSPARENT',
        'ORGANIZER;CN="Regie":MAILTO:regie@test.example',
        'ATTENDEE;RSVP=FALSE;CN="pm@gm0363.example":mailto:pm@gm0363.example',
        'ATTENDEE;RSVP=FALSE;CN="wethouder@gm0363.example":mailto:wethouder@gm0363.example',
        'END:VEVENT',
      ]),
    );
    expect(lines.at(-1)).toBe('END:VCALENDAR');
    expect(lines.filter((l) => l.startsWith('ATTENDEE'))).toHaveLength(2);
    // One event, lines ended by CRLF and folded at 75 characters.
    expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
    expect(invite.content.endsWith('END:VCALENDAR\r\n')).toBe(true);
    for (const physical of invite.content.split('\r\n')) expect(physical.length).toBeLessThanOrEqual(75);
  });

  it('a moved date keeps the UID (derived from workflow and step, not the date) and carries the new SEQUENCE', () => {
    const lines = unfold(buildCalendarInvite(input({ kind: 'change-notice', date: '2028-10-02', sequence: 1 })).content);
    expect(lines).toEqual(
      expect.arrayContaining(['METHOD:REQUEST', 'UID:programme-GM0363.volkshuisvestingsprogramma@regie', 'SEQUENCE:1', 'DTSTART;VALUE=DATE:20281002', 'DTEND;VALUE=DATE:20281003']),
    );
    expect(calendarUid('programme-GM0363', 'prestatieafspraken:2028')).toBe('programme-GM0363.prestatieafspraken:2028@regie');
  });

  it('an escalation is a REQUEST too, so a late step still has its entry', () => {
    expect(unfold(buildCalendarInvite(input({ kind: 'escalation', sequence: 2 })).content)).toEqual(expect.arrayContaining(['METHOD:REQUEST', 'SEQUENCE:2']));
  });

  it('a waiver CANCELs the same entry, one SEQUENCE higher as RFC 5546 requires for CANCEL', () => {
    const invite = buildCalendarInvite(input({ kind: 'cancellation', sequence: 1 }));
    expect(invite).toMatchObject({ method: 'CANCEL', filename: 'cancel.ics' });
    const lines = unfold(invite.content);
    expect(lines).toEqual(
      expect.arrayContaining([
        'METHOD:CANCEL',
        'UID:programme-GM0363.volkshuisvestingsprogramma@regie',
        'SEQUENCE:2',
        'STATUS:CANCELLED',
        'DTSTART;VALUE=DATE:20280703',
        'ORGANIZER;CN="Regie":MAILTO:regie@test.example',
        'ATTENDEE;RSVP=FALSE;CN="pm@gm0363.example":mailto:pm@gm0363.example',
      ]),
    );
    expect(lines).not.toContain('STATUS:CONFIRMED');
  });

  it('ends an event on 31 December on 1 January, and takes a bare sender address as organizer', () => {
    const lines = unfold(buildCalendarInvite(input({ date: '2028-12-31', organizer: 'regie@gemeente.example' })).content);
    expect(lines).toEqual(expect.arrayContaining(['DTSTART;VALUE=DATE:20281231', 'DTEND;VALUE=DATE:20290101', 'ORGANIZER;CN="regie@gemeente.example":MAILTO:regie@gemeente.example']));
  });

  it('escapes text values (commas, semicolons, line breaks) as RFC 5545 requires', () => {
    const lines = unfold(buildCalendarInvite(input({ summary: 'Stap, gemeente; regio', description: 'regel 1\nregel 2' })).content);
    expect(lines).toEqual(expect.arrayContaining(['SUMMARY:Stap\\, gemeente\\; regio', 'DESCRIPTION:regel 1\\nregel 2']));
  });

  it('refuses an invite without an organizer address or without attendees', () => {
    expect(() => buildCalendarInvite(input({ organizer: 'Regie' }))).toThrow(/no organizer address/);
    expect(() => buildCalendarInvite(input({ attendees: [] }))).toThrow(/no attendees/);
  });
});
