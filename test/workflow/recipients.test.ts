/**
 * Who receives a notification, with real programme workflows, activities, Postgres and SMTP: contacts of
 * the municipality itself (alderman), and a housing corporation shared by two municipalities, which gets
 * one mail per municipality, each about that municipality only; for a region, the stakeholders of its members.
 */
import { notificationBusinessKey, NotificationRequest, OwnerRef, programmeWorkflowId } from '../../libs/contracts';
import { targetDateDerivation } from '../../libs/rulebook/schedule';
import { storeRulebook } from '../../libs/db/rulebook-store';
import { programmeWorkflow } from '../../workflows';
import { rulebookWithSteps } from '../support/rulebooks';
import { workflowHarness } from '../support/workflow-harness';

const h = workflowHarness('recipients-test');

async function ownerRef(code: string): Promise<OwnerRef> {
  const [row] = await h.dataSource.query(
    `SELECT m.code, m.name, p.code AS province_code, p.name AS province_name, r.code AS region_code, r.name AS region_name
     FROM municipality m JOIN province p ON p.code = m.province_code
     JOIN region_member rm ON rm.municipality_code = m.code JOIN region r ON r.code = rm.region_code AND r.grouping = 'corop'
     WHERE m.code = $1`,
    [code],
  );
  return { kind: 'municipality', code, name: row.name, provinceCode: row.province_code, provinceName: row.province_name, regionCode: row.region_code, regionName: row.region_name };
}

test('a shared corporation hears about each municipality separately; an alderman gets the 30-day reminder; no contact means no recipients', async () => {
  // Under the law in force on 1 July 2029 the programme is due Tuesday 1 July 2031; the corporation's bid
  // for 2031 is due Monday 30 June 2031. Both 30-day reminders go out on Friday 30 May 2031.
  const rulebook = rulebookWithSteps('test-recipients', ['volkshuisvestingsprogramma', 'prestatieafspraken-bod'], { effectiveDate: '2029-07-01' });
  await storeRulebook(h.dataSource, rulebook, 'operator');
  const codes = ['GM0363', 'GM0384', 'GM0599'];
  for (const code of codes) {
    await h.dataSource.query(`INSERT INTO onboarding (municipality_code, workflow_id, rulebook_id, programme_manager_email) VALUES ($1, $2, $3, $4)`, [
      code, programmeWorkflowId(code), rulebook.rulebook.id, code === 'GM0363' ? 'pm@gm0363.example' : null,
    ]);
  }
  await h.dataSource.query(`INSERT INTO organisation (key, kind, name, code) VALUES
    ('amsterdam', 'municipality', 'Gemeente Amsterdam', 'GM0363'), ('rotterdam', 'municipality', 'Gemeente Rotterdam', 'GM0599'),
    ('ymere', 'housing-corporation', 'Ymere', NULL), ('elders', 'housing-corporation', 'Elders', NULL)`);
  await h.dataSource.query(`INSERT INTO organisation_municipality (organisation_key, municipality_code) VALUES ('ymere', 'GM0363'), ('ymere', 'GM0384'), ('elders', 'GM0014')`);
  await h.dataSource.query(`INSERT INTO contact (organisation_key, email, role) VALUES
    ('amsterdam', 'wethouder@amsterdam.example', 'alderman'),
    -- The programme manager named at onboarding, again as a contact: one address, one recipient.
    ('amsterdam', 'PM@gm0363.example', 'programme-manager'),
    ('rotterdam', 'wethouder@rotterdam.example', 'alderman'),
    ('ymere', 'bod@ymere.example', 'housing-corporation'),
    ('elders', 'bod@elders.example', 'housing-corporation')`);

  await h.withWorker('recipients', async () => {
    for (const code of codes) {
      await h.env.client.workflow.start(programmeWorkflow, {
        workflowId: programmeWorkflowId(code),
        taskQueue: 'recipients',
        args: [{ owner: await ownerRef(code), rulebook: rulebook.rulebook, rulebookHash: rulebook.hash }],
      });
    }
    await h.advanceTo('2031-06-03T00:00:00Z');
  });
  await h.delivered();

  const notifications: { owner_code: string; step: string; recipients: string[]; status: string }[] = await h.dataSource.query(
    `SELECT owner_code, step, recipients, status FROM notification WHERE business_key LIKE '%:reminder-30d' ORDER BY owner_code, step`,
  );
  expect(notifications).toEqual([
    { owner_code: 'GM0363', step: 'prestatieafspraken-bod:2031', recipients: ['bod@ymere.example', 'pm@gm0363.example'], status: 'queued' },
    { owner_code: 'GM0363', step: 'volkshuisvestingsprogramma', recipients: ['pm@gm0363.example', 'wethouder@amsterdam.example'], status: 'queued' },
    { owner_code: 'GM0384', step: 'prestatieafspraken-bod:2031', recipients: ['bod@ymere.example'], status: 'queued' },
    // Diemen has no programme manager and no alderman.
    { owner_code: 'GM0384', step: 'volkshuisvestingsprogramma', recipients: [], status: 'no-recipients' },
    // Rotterdam has an alderman but no corporation and no programme manager: only the bid reminder has no one.
    { owner_code: 'GM0599', step: 'prestatieafspraken-bod:2031', recipients: [], status: 'no-recipients' },
    { owner_code: 'GM0599', step: 'volkshuisvestingsprogramma', recipients: ['wethouder@rotterdam.example'], status: 'queued' },
  ]);

  // At the SMTP server: the corporation got the bid reminder once per municipality, each naming only its own.
  const toCorporation = h.smtp.mails.filter((m) => m.envelopeTo.includes('bod@ymere.example'));
  const bidReminders = toCorporation.filter((m) => String(m.parsed.headers.get('x-regie-business-key')).endsWith(':reminder-30d'));
  expect(bidReminders.map((m) => m.parsed.headers.get('x-regie-business-key')).sort()).toEqual([
    'programme-GM0363:prestatieafspraken-bod:2031:2031-06-30:reminder-30d',
    'programme-GM0384:prestatieafspraken-bod:2031:2031-06-30:reminder-30d',
  ]);
  const about = (code: string) => bidReminders.find((m) => String(m.parsed.headers.get('x-regie-business-key')).startsWith(`programme-${code}:`))!;
  expect(about('GM0363').parsed.subject).toContain('Amsterdam');
  expect(about('GM0384').parsed.subject).toContain('Diemen');
  for (const [mail, other] of [[about('GM0363'), 'Diemen'], [about('GM0384'), 'Amsterdam']] as const) {
    expect(`${mail.parsed.subject}\n${mail.parsed.text}\n${mail.parsed.html}`).not.toContain(other);
  }
  expect(about('GM0384').parsed.text).toContain('Diemen');
  expect(about('GM0384').envelopeTo).toEqual(['bod@ymere.example']);
  // Every mail the corporation got is about a municipality it works in; the other corporation got none about these.
  expect(toCorporation.every((m) => /^programme-(GM0363|GM0384):/.test(String(m.parsed.headers.get('x-regie-business-key'))))).toBe(true);
  expect(h.smtp.mails.filter((m) => m.envelopeTo.includes('bod@elders.example'))).toEqual([]);

  // The alderman's 30-day reminder for the programme: one mail per recipient, each addressed to that recipient only.
  const programmeReminders = h.smtp.withBusinessKey('programme-GM0363:volkshuisvestingsprogramma:2031-07-01:reminder-30d');
  expect(programmeReminders.map((m) => m.envelopeTo).sort()).toEqual([['pm@gm0363.example'], ['wethouder@amsterdam.example']]);
  for (const mail of programmeReminders) expect(mail.parsed.subject).toBe('Herinnering: Volkshuisvestingsprogramma Amsterdam – uiterlijk dinsdag 1 juli 2031');
  expect(h.smtp.withBusinessKey('programme-GM0599:volkshuisvestingsprogramma:2031-07-01:reminder-30d')[0].envelopeTo).toEqual(['wethouder@rotterdam.example']);
  expect(h.smtp.mails.filter((m) => String(m.parsed.headers.get('x-regie-business-key')).startsWith('programme-GM0599:prestatieafspraken-bod'))).toEqual([]);
});

test("a region's notification reaches its coordinators, its members' province and the stakeholders linked to its members, no one else", async () => {
  // The first test left Ymere linked to Amsterdam and Diemen (both in COROP region CR23) and Elders to Groningen (elsewhere).
  const rulebook = rulebookWithSteps('test-region-recipients', ['woonzorganalyse']);
  await storeRulebook(h.dataSource, rulebook, 'operator');
  await h.dataSource.query(`INSERT INTO organisation (key, kind, name, code) VALUES
    ('groot-amsterdam', 'region', 'Regio Groot-Amsterdam', 'CR23'),
    ('noord-holland', 'province', 'Provincie Noord-Holland', 'PV27'), ('groningen-provincie', 'province', 'Provincie Groningen', 'PV20')`);
  await h.dataSource.query(`INSERT INTO contact (organisation_key, email, role, language) VALUES
    ('groot-amsterdam', 'regio@groot-amsterdam.example', 'regional-coordinator', 'nl'),
    ('noord-holland', 'wonen@noord-holland.example', 'province', 'en'),
    ('groningen-provincie', 'wonen@provinciegroningen.example', 'province', 'nl'),
    ('ymere', 'regio@ymere.example', 'housing-corporation', 'nl'),
    ('elders', 'regio@elders.example', 'housing-corporation', 'nl')`);
  const due = targetDateDerivation('2031-03-03', 'Regio Groot-Amsterdam');
  const request: NotificationRequest = {
    businessKey: notificationBusinessKey('region-CR23', 'woonzorganalyse', due.date, 'reminder-30d'),
    workflowId: 'region-CR23',
    owner: { kind: 'region', code: 'CR23' },
    step: 'woonzorganalyse',
    stepKey: 'woonzorganalyse',
    cycleYear: null,
    kind: 'reminder',
    firingKey: 'reminder-30d',
    offsetDays: 30,
    roles: ['regional-coordinator', 'province', 'housing-corporation'],
    statutory: false,
    dateKind: 'target',
    due,
    sequence: 0,
    openChecklist: [],
    rulebookId: rulebook.rulebook.id,
    rulebookHash: rulebook.hash,
    stateSeq: 1,
  };
  expect(await h.activities().sendNotification(request)).toEqual({
    outcome: 'queued',
    // Both of Ymere's contacts (the first test added bod@ymere.example); not Elders, not Groningen's province.
    recipients: ['regio@groot-amsterdam.example', 'wonen@noord-holland.example', 'bod@ymere.example', 'regio@ymere.example'],
  });
  // Again (a retried activity): nothing new.
  expect((await h.activities().sendNotification(request)).outcome).toBe('queued');
  expect(await h.dataSource.query(`SELECT recipient, organisation_key, language FROM outbox WHERE business_key = $1 ORDER BY recipient`, [request.businessKey])).toEqual([
    { recipient: 'bod@ymere.example', organisation_key: 'ymere', language: 'nl' },
    { recipient: 'regio@groot-amsterdam.example', organisation_key: 'groot-amsterdam', language: 'nl' },
    { recipient: 'regio@ymere.example', organisation_key: 'ymere', language: 'nl' },
    { recipient: 'wonen@noord-holland.example', organisation_key: 'noord-holland', language: 'en' },
  ]);
  await h.delivered();
  const mails = h.smtp.withBusinessKey(request.businessKey);
  expect(mails.map((m) => [m.envelopeTo[0], m.parsed.subject]).sort()).toEqual([
    ['bod@ymere.example', 'Herinnering: Woonzorganalyse (behoefteanalyse wonen en zorg) Groot-Amsterdam – gepland maandag 3 maart 2031'],
    ['regio@groot-amsterdam.example', 'Herinnering: Woonzorganalyse (behoefteanalyse wonen en zorg) Groot-Amsterdam – gepland maandag 3 maart 2031'],
    ['regio@ymere.example', 'Herinnering: Woonzorganalyse (behoefteanalyse wonen en zorg) Groot-Amsterdam – gepland maandag 3 maart 2031'],
    ['wonen@noord-holland.example', expect.stringMatching(/^Reminder: .* Groot-Amsterdam – planned Monday 3 March 2031$/)],
  ]);
});
