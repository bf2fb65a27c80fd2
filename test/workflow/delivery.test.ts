/**
 * Delivery through the outbox, counted at a real SMTP server: SMTP down then up, a permanent refusal, a
 * mail overtaken by an extension while it waited, the weekly digest, a stop of optional mail (mandatory
 * escalations still arrive), and each recipient's language. The workflows run on the time-skipping server;
 * the real dispatcher sends in wall-clock time.
 */
import { grantExtension, notificationBusinessKey, OwnerRef, programmeStateQuery, programmeWorkflowId, WEEKLY_DIGEST_WORKFLOW_ID } from '../../libs/contracts';
import { storeRulebook } from '../../libs/db/rulebook-store';
import { messageIdOf } from '../../libs/mail/notification-message';
import { programmeWorkflow, weeklyDigestWorkflow } from '../../workflows';
import { testRulebook } from '../support/rulebooks';
import { CaughtMail, SmtpCatcher, SmtpCatcherOptions } from '../support/smtp';
import { until } from '../support/outbox';
import { workflowHarness } from '../support/workflow-harness';

const h = workflowHarness('delivery-test');
const names: Record<string, string> = { GM0014: 'Groningen', GM0034: 'Almere', GM0037: 'Stadskanaal' };
const owner = (code: string): OwnerRef => ({ kind: 'municipality', code, name: names[code], provinceCode: 'PV20', provinceName: 'Groningen', regionCode: 'CR01', regionName: 'Oost-Groningen' });
// The law in force on 1 July 2032: due Monday 3 July 2034; the 7-day reminder on Monday 26 June, the first rung on Tuesday 4 July.
const rulebook = testRulebook('test-delivery', {
  effectiveDate: '2032-07-01',
  reminders: [{ offsetDays: 7, roles: ['programme-manager', 'alderman'], mandatory: false }],
  escalations: [{ rung: 1, offsetDays: 0, roles: ['programme-manager', 'alderman'], mandatory: true }],
});
const key = (code: string, due: string, firing: string) => notificationBusinessKey(programmeWorkflowId(code), 'volkshuisvestingsprogramma', due, firing);
const queue = () => expect.getState().currentTestName!.replace(/\W+/g, '-').slice(0, 60);

beforeAll(async () => {
  await storeRulebook(h.dataSource, rulebook, 'operator');
});

async function onboard(code: string, aldermen: { email: string; language?: 'nl' | 'en' }[]) {
  await h.dataSource.query(`INSERT INTO onboarding (municipality_code, workflow_id, rulebook_id, programme_manager_email) VALUES ($1, $2, $3, $4)`, [
    code, programmeWorkflowId(code), rulebook.rulebook.id, `pm@${code.toLowerCase()}.example`,
  ]);
  await h.dataSource.query(`INSERT INTO organisation (key, kind, name, code) VALUES ($1, 'municipality', $2, $3)`, [code.toLowerCase(), names[code], code]);
  for (const a of aldermen) {
    await h.dataSource.query(`INSERT INTO contact (organisation_key, email, role, language) VALUES ($1, $2, 'alderman', $3)`, [code.toLowerCase(), a.email, a.language ?? 'nl']);
  }
  return h.env.client.workflow.start(programmeWorkflow, {
    workflowId: programmeWorkflowId(code),
    taskQueue: queue(),
    args: [{ owner: owner(code), rulebook: rulebook.rulebook, rulebookHash: rulebook.hash }],
  });
}

/** The SMTP server goes down (pooled connections dropped) until `up` starts another on the same port. */
async function smtpDown() {
  const port = h.smtp.port;
  await h.smtp.close();
  return {
    up: async (opts: SmtpCatcherOptions = {}) => {
      h.smtp = await SmtpCatcher.start({ ...opts, port });
    },
  };
}

const outbox = (businessKeyPrefix: string) =>
  h.dataSource.query(`SELECT business_key, recipient, status, status_reason, attempts, smtp_response, last_error FROM outbox WHERE business_key LIKE $1 ORDER BY business_key, recipient`, [`${businessKeyPrefix}%`]);

/** A header as sent (mailparser turns List-* headers into objects). */
const header = (mail: CaughtMail, name: string) =>
  mail.parsed.headerLines.find((l) => l.key === name)?.line.replace(/^[^:]+:\s*/, '').replace(/\r?\n\s+/g, ' ');

const byMessageId = (mails: CaughtMail[]) => {
  const counts = new Map<string, number>();
  for (const m of mails) counts.set(String(m.parsed.messageId), (counts.get(String(m.parsed.messageId)) ?? 0) + 1);
  return counts;
};

test('SMTP down for a while: the queued mail is retried and delivered once when it is back; a refused address is marked, not retried', async () => {
  const smtp = await smtpDown();
  await h.withWorker(queue(), async () => {
    await onboard('GM0014', [{ email: 'wethouder@groningen.example' }, { email: 'vertrokken@groningen.example' }]);
    await h.advanceTo('2034-06-27T00:00:00Z');
  });
  const reminder = key('GM0014', '2034-07-03', 'reminder-7d');
  // The server is down: every row waits, retrying with backoff, the connection error recorded.
  await until('two failed attempts per row', async () => (await outbox(reminder)).every((r: { attempts: number }) => r.attempts >= 2), 20_000);
  for (const row of await outbox(reminder)) expect(row).toMatchObject({ status: expect.stringMatching(/^(pending|sending)$/), last_error: expect.stringContaining('ECONNREFUSED') });

  await smtp.up({ refuse: (address) => address === 'vertrokken@groningen.example' });
  await h.delivered();
  // Each address got its mail exactly once, with the Message-ID of its outbox row.
  const received = byMessageId(h.smtp.withBusinessKey(reminder));
  expect(received).toEqual(new Map([
    [messageIdOf(`${reminder}\npm@gm0014.example`), 1],
    [messageIdOf(`${reminder}\nwethouder@groningen.example`), 1],
  ]));
  const rows = await outbox(reminder);
  expect(rows.map((r: { recipient: string; status: string; status_reason: string | null }) => [r.recipient, r.status, r.status_reason])).toEqual([
    ['pm@gm0014.example', 'sent', null],
    ['vertrokken@groningen.example', 'failed', 'refused by the mail server'],
    ['wethouder@groningen.example', 'sent', null],
  ]);
  const refused = rows.find((r: { recipient: string }) => r.recipient === 'vertrokken@groningen.example');
  expect(refused.smtp_response).toMatch(/^550 5\.1\.1 <vertrokken@groningen\.example>: Recipient address rejected/);
  // Not retried: a while later it is still failed after the same number of attempts.
  await new Promise((r) => setTimeout(r, 1500));
  expect((await outbox(reminder)).find((r: { recipient: string }) => r.recipient === 'vertrokken@groningen.example')).toMatchObject({ status: 'failed', attempts: refused.attempts });
});

test('a reminder still waiting when the date moves is cancelled; the change notice moves the calendar entry (same UID, SEQUENCE 1), once', async () => {
  const smtp = await smtpDown();
  await h.withWorker(queue(), async () => {
    const handle = await onboard('GM0034', []);
    await h.advanceTo('2034-06-27T00:00:00Z');
    await handle.executeUpdate(grantExtension, { args: [{ step: 'volkshuisvestingsprogramma', to: '2034-10-02', reason: 'Herindeling', grantedBy: 'Provincie Flevoland' }] });
    await until('the read model shows the new date', async () => {
      const [row] = await h.dataSource.query(`SELECT due_date::text AS due FROM step_state WHERE owner_code = 'GM0034'`);
      return row?.due === '2034-10-02';
    }, 20_000);
    expect((await handle.query(programmeStateQuery)).steps[0].sequence).toBe(1);
  });
  await smtp.up();
  await h.delivered();
  const reminder = key('GM0034', '2034-07-03', 'reminder-7d');
  const notice = key('GM0034', '2034-10-02', 'change-notice');
  expect(await outbox(reminder)).toEqual([
    expect.objectContaining({ recipient: 'pm@gm0034.example', status: 'cancelled', status_reason: 'the date moved from 2034-07-03 to 2034-10-02' }),
  ]);
  expect(h.smtp.withBusinessKey(reminder)).toEqual([]);
  const [mail, ...more] = h.smtp.withBusinessKey(notice);
  expect(more).toEqual([]);
  expect(mail.parsed.subject).toBe('Nieuwe datum: Volkshuisvestingsprogramma Almere – uiterlijk maandag 2 oktober 2034');
  const ics = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar')!.content.toString();
  expect(ics).toContain('UID:programme-GM0034.volkshuisvestingsprogramma@regie');
  expect(ics).toContain('SEQUENCE:1');
  expect(ics).toContain('DTSTART;VALUE=DATE:20341002');
});

test('weekly digest, a stop of optional mail, and each recipient in their own language', async () => {
  // The programme manager wants a weekly digest; one alderman reads English; another stopped optional mail.
  await h.dataSource.query(`INSERT INTO mail_preference (recipient, delivery, updated_via) VALUES ('pm@gm0037.example', 'digest', 'test')`);
  await h.dataSource.query(`INSERT INTO mail_preference (recipient, delivery, optional_stopped_at, updated_via) VALUES ('gestopt@stadskanaal.example', 'immediate', now(), 'one-click')`);
  await h.withWorker(queue(), async () => {
    await h.env.client.workflow.start(weeklyDigestWorkflow, { workflowId: WEEKLY_DIGEST_WORKFLOW_ID, taskQueue: queue() });
    await onboard('GM0037', [{ email: 'alderman@stadskanaal.example', language: 'en' }, { email: 'gestopt@stadskanaal.example' }]);
    await h.advanceTo('2034-06-27T00:00:00Z');
    await h.delivered();
    // The reminder: at once to the English-reading alderman, in English with the one-click headers; not to the one who stopped it.
    const reminder = key('GM0037', '2034-07-03', 'reminder-7d');
    const [english, ...others] = h.smtp.withBusinessKey(reminder);
    expect(others).toEqual([]);
    expect(english.envelopeTo).toEqual(['alderman@stadskanaal.example']);
    expect(english.parsed.subject).toBe('Reminder: Housing programme Stadskanaal – due Monday 3 July 2034');
    expect(header(english, 'list-unsubscribe')).toMatch(/^<https:\/\/regie\.example\/mail\/unsubscribe\/[\w-]+\.[\w-]+>$/);
    expect(header(english, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(english.parsed.text).toMatch(/Confirm receipt: https:\/\/regie\.example\/mail\/actions\/[\w-]+\.[\w-]+\n/);
    expect((await outbox(reminder)).map((r: { recipient: string; status: string }) => [r.recipient, r.status])).toEqual([
      ['alderman@stadskanaal.example', 'sent'],
      ['gestopt@stadskanaal.example', 'unsubscribed'],
      ['pm@gm0037.example', 'pending'],
    ]);

    // Monday 3 July 2034, 08:00: the programme manager's digest holds the reminder.
    await h.advanceTo('2034-07-03T06:30:00Z');
    await until('the digest is queued', async () => (await outbox('digest:2034-07-03:')).length === 1, 20_000);
    await h.delivered();
    // Tuesday 4 July: the first rung is a mandatory notice; it reaches the alderman who stopped optional mail too, without one-click headers.
    await h.advanceTo('2034-07-05T00:00:00Z');
    await h.delivered();
    const escalation = key('GM0037', '2034-07-03', 'escalation-1');
    const escalations = h.smtp.withBusinessKey(escalation);
    expect(escalations.map((m) => m.envelopeTo[0]).sort()).toEqual(['alderman@stadskanaal.example', 'gestopt@stadskanaal.example']);
    for (const m of escalations) {
      expect(header(m, 'list-unsubscribe')).toBeUndefined();
      expect(header(m, 'list-unsubscribe-post')).toBeUndefined();
    }
    const dutch = escalations.find((m) => m.envelopeTo[0] === 'gestopt@stadskanaal.example')!;
    expect(dutch.parsed.text).toContain('Dit is een verplichte melding (beleid van het project, geen wettelijke plicht) en kan niet worden uitgezet. U kunt haar wel in het wekelijkse overzicht ontvangen: https://regie.example/mail/preferences/');
    expect(dutch.parsed.text).toMatch(/Bevestig dat u deze escalatie hebt gezien: https:\/\/regie\.example\/mail\/actions\/[\w-]+\.[\w-]+\n/);
    // Monday 10 July: the next digest holds the escalation.
    await h.advanceTo('2034-07-10T06:30:00Z');
    await until('the second digest is queued', async () => (await outbox('digest:2034-07-10:')).length === 1, 20_000);
    await h.delivered();
  });

  const digests = h.smtp.mails.filter((m) => String(m.parsed.headers.get('x-regie-business-key')).startsWith('digest:'));
  expect(digests.map((m) => [m.envelopeTo[0], m.parsed.subject])).toEqual([
    ['pm@gm0037.example', 'Regie: weekoverzicht week van maandag 3 juli 2034 voor Stadskanaal (1 melding)'],
    ['pm@gm0037.example', 'Regie: weekoverzicht week van maandag 10 juli 2034 voor Stadskanaal (1 melding)'],
  ]);
  const [first, second] = digests;
  expect(first.parsed.text).toContain('Herinnering: Volkshuisvestingsprogramma, Stadskanaal (GM0037)\nUiterste datum (wettelijke termijn): maandag 3 juli 2034\n');
  expect(header(first, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  expect(second.parsed.text).toContain('Escalatie (trede 1): Volkshuisvestingsprogramma, Stadskanaal (GM0037)\nUiterste datum (wettelijke termijn): maandag 3 juli 2034 (verstreken)\n');
  expect(second.parsed.text).toContain('Dit overzicht bevat een verplichte melding (beleid van het project, geen wettelijke plicht) en kan daarom niet worden uitgezet.');
  expect(header(second, 'list-unsubscribe')).toBeUndefined();
  // Each entry's calendar entry rides along as its own file.
  expect(first.parsed.attachments.map((a) => a.filename)).toEqual(['1-invite.ics']);
  // The bundled rows point at their digest; nothing of the programme manager's went out on its own.
  expect(h.smtp.mails.filter((m) => m.envelopeTo[0] === 'pm@gm0037.example' && !String(m.parsed.headers.get('x-regie-business-key')).startsWith('digest:'))).toEqual([]);
  const bundled = await h.dataSource.query(`SELECT o.business_key, d.business_key AS digest FROM outbox o JOIN outbox d ON d.id = o.digest_id WHERE o.recipient = 'pm@gm0037.example' ORDER BY o.id`);
  expect(bundled).toEqual([
    { business_key: key('GM0037', '2034-07-03', 'reminder-7d'), digest: 'digest:2034-07-03:GM0037:pm@gm0037.example' },
    { business_key: key('GM0037', '2034-07-03', 'escalation-1'), digest: 'digest:2034-07-10:GM0037:pm@gm0037.example' },
  ]);
});
