/**
 * The calendar invite in the mails a real programme workflow sends, read back at a real SMTP server: one
 * entry per step (a stable UID), moved by a change notice (SEQUENCE + 1) and removed by a waiver (CANCEL).
 */
import type { Attachment } from 'mailparser';
import { grantExtension, notificationBusinessKey, OwnerRef, programmeWorkflowId, waiveStep } from '../../libs/contracts';
import { storeRulebook } from '../../libs/db/rulebook-store';
import { programmeWorkflow } from '../../workflows';
import type { CaughtMail } from '../support/smtp';
import { testRulebook } from '../support/rulebooks';
import { workflowHarness } from '../support/workflow-harness';

const h = workflowHarness('mail-calendar-test');
const queue = () => expect.getState().currentTestName!.replace(/\W+/g, '-').slice(0, 60);
const owner: OwnerRef = { kind: 'municipality', code: 'GM0363', name: 'Amsterdam', provinceCode: 'PV27', provinceName: 'Noord-Holland', regionCode: 'CR23', regionName: 'Groot-Amsterdam' };
const workflowId = programmeWorkflowId('GM0363');
const uid = 'UID:programme-GM0363.volkshuisvestingsprogramma@regie';

/** Nodemailer's `icalEvent` gives a `text/calendar; method=…` alternative and the same file as an `.ics` attachment. */
function calendar(mail: CaughtMail): { method: string | undefined; lines: string[]; attachment: Attachment | undefined } {
  const part = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');
  expect(part).toBeDefined();
  const contentType = part!.headers.get('content-type') as { value: string; params: Record<string, string> };
  return {
    method: contentType.params.method,
    lines: part!.content.toString('utf8').replace(/\r\n[ \t]/g, '').split('\r\n'),
    attachment: mail.parsed.attachments.find((a) => a.contentType === 'application/ics'),
  };
}

test('a reminder invites, an extension moves the same calendar entry, a waiver cancels it', async () => {
  const rulebook = testRulebook('test-calendar', {
    effectiveDate: '2032-07-01',
    reminders: [{ offsetDays: 180, roles: ['programme-manager'], mandatory: false }],
    escalations: [],
  });
  await storeRulebook(h.dataSource, rulebook, 'operator');
  await h.dataSource.query(`INSERT INTO onboarding (municipality_code, workflow_id, rulebook_id, programme_manager_email) VALUES ($1, $2, $3, $4)`, [
    'GM0363', workflowId, rulebook.rulebook.id, 'pm@gm0363.example',
  ]);
  const mailFor = (dueDate: string, firing: string) => h.smtp.withBusinessKey(notificationBusinessKey(workflowId, 'volkshuisvestingsprogramma', dueDate, firing));

  await h.withWorker(queue(), async () => {
    const handle = await h.env.client.workflow.start(programmeWorkflow, {
      workflowId,
      taskQueue: queue(),
      args: [{ owner, rulebook: rulebook.rulebook, rulebookHash: rulebook.hash }],
    });

    // Under the law in force on 1 July 2032, due Monday 3 July 2034; the 180-day reminder goes out on 4 January 2034.
    await h.advanceTo('2034-01-05T00:00:00Z');
    await h.delivered();
    const [reminder] = mailFor('2034-07-03', 'reminder-180d');
    expect(reminder.parsed.subject).toBe('Herinnering: Volkshuisvestingsprogramma Amsterdam – uiterlijk maandag 3 juli 2034');
    const invite = calendar(reminder);
    expect(invite.method).toBe('REQUEST');
    expect(invite.lines).toEqual(
      expect.arrayContaining([
        'METHOD:REQUEST',
        uid,
        'SEQUENCE:0',
        'DTSTART;VALUE=DATE:20340703',
        'DTEND;VALUE=DATE:20340704',
        'STATUS:CONFIRMED',
        'ORGANIZER;CN="Regie":MAILTO:regie@test.example',
        'ATTENDEE;RSVP=FALSE;CN="pm@gm0363.example":mailto:pm@gm0363.example',
        'SUMMARY:Uiterste datum: Volkshuisvestingsprogramma Amsterdam',
      ]),
    );
    expect(invite.lines.find((l) => l.startsWith('DESCRIPTION:'))).toContain('valt op een zaterdag\\; volgens de Algemene termijnenwet (art. 1 lid 1) verschoven naar maandag 3 juli 2034');
    expect(invite.attachment).toMatchObject({ filename: 'invite.ics', contentDisposition: 'attachment' });
    expect(reminder.parsed.text).toContain('Agenda:\nDeze mail bevat een agenda-uitnodiging voor maandag 3 juli 2034.');

    // An extension moves the date: the change notice updates the same entry.
    await handle.executeUpdate(grantExtension, { args: [{ step: 'volkshuisvestingsprogramma', to: '2034-10-02', reason: 'Herindeling', grantedBy: 'Provincie Noord-Holland' }] });
    await h.advanceTo('2034-01-06T00:00:00Z');
    await h.delivered();
    const notices = mailFor('2034-10-02', 'change-notice');
    expect(notices).toHaveLength(1);
    expect(notices[0].parsed.subject).toBe('Nieuwe datum: Volkshuisvestingsprogramma Amsterdam – uiterlijk maandag 2 oktober 2034');
    const moved = calendar(notices[0]);
    expect(moved.method).toBe('REQUEST');
    expect(moved.lines).toEqual(expect.arrayContaining(['METHOD:REQUEST', uid, 'SEQUENCE:1', 'DTSTART;VALUE=DATE:20341002', 'DTEND;VALUE=DATE:20341003']));

    // A waiver cancels the entry: same UID, one SEQUENCE higher.
    await handle.executeUpdate(waiveStep, { args: [{ step: 'volkshuisvestingsprogramma', reason: 'Ontheffing GS', grantedBy: 'Provincie Noord-Holland' }] });
    await handle.result();
    await h.delivered();
    const [cancellation] = mailFor('2034-10-02', 'cancellation');
    expect(cancellation.parsed.subject).toBe('Vervallen: Volkshuisvestingsprogramma Amsterdam – maandag 2 oktober 2034');
    const cancelled = calendar(cancellation);
    expect(cancelled.method).toBe('CANCEL');
    expect(cancelled.lines).toEqual(expect.arrayContaining(['METHOD:CANCEL', uid, 'SEQUENCE:2', 'STATUS:CANCELLED', 'DTSTART;VALUE=DATE:20341002']));
    expect(cancelled.attachment).toMatchObject({ filename: 'cancel.ics' });
  });

  // One mail per business key: the reminder, the change notice, the cancellation.
  expect(h.smtp.mails.map((m) => m.parsed.headers.get('x-regie-business-key'))).toEqual([
    notificationBusinessKey(workflowId, 'volkshuisvestingsprogramma', '2034-07-03', 'reminder-180d'),
    notificationBusinessKey(workflowId, 'volkshuisvestingsprogramma', '2034-10-02', 'change-notice'),
    notificationBusinessKey(workflowId, 'volkshuisvestingsprogramma', '2034-10-02', 'cancellation'),
  ]);
});
