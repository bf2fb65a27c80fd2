/**
 * End to end through every real part: HTTP API -> Temporal (time-skipping server) -> the worker process's
 * Nest context and activities -> Postgres read model and SMTP. Nothing is mocked.
 */
import { actorToken } from '../support/access';
import { DataSource } from 'typeorm';
import { outboxSettled } from '../support/outbox';
import { testRulebook } from '../support/rulebooks';
import { startTestSystem, TestSystem } from '../support/system';
import { advanceTo as advance } from '../support/temporal';

let sys: TestSystem;
let env: TestSystem['env'];
let smtp: TestSystem['smtp'];
let api: TestSystem['api'];
let worker: TestSystem['worker'];

beforeAll(async () => {
  sys = await startTestSystem('e2e', { vars: { PUBLIC_BASE_URL: 'https://regie.example' } });
  ({ env, smtp, api, worker } = sys);
});

afterAll(() => sys?.stop());

const onboarding = { municipalityCode: 'GM0363', programmeManagerEmail: 'programma@amsterdam.example', rulebookId: 'e2e-2032-07-01' };

const advanceTo = (iso: string) => advance(env, iso);

test('an onboarding posted through the API becomes a Dutch reminder at the SMTP server, and a GET shows the step', async () => {
  // Publish a version of the law in force on 1 July 2032 (so no date has passed whenever this runs),
  // with one reminder a week before the term.
  const { rulebook } = testRulebook('e2e-2032-07-01', {
    effectiveDate: '2032-07-01',
    reminders: [{ offsetDays: 7, roles: ['programme-manager'], mandatory: false }],
    escalations: [],
  });
  expect((await api.request('POST', '/rulebooks', rulebook)).status).toBe(201);

  const first = await api.request('POST', '/onboardings', onboarding);
  expect(first).toMatchObject({ status: 201, body: { created: true, workflowId: 'programme-GM0363', region: null } });

  await advanceTo('2034-06-27T00:00:00Z');
  await outboxSettled(worker.get(DataSource));
  expect(smtp.mails).toHaveLength(1);
  const [mail] = smtp.mails;
  expect(mail.envelopeTo).toEqual(['programma@amsterdam.example']);
  expect(mail.parsed.subject).toBe('Herinnering: Volkshuisvestingsprogramma Amsterdam – uiterlijk maandag 3 juli 2034');
  expect(mail.parsed.text).toContain('Gemeente:\nAmsterdam (GM0363)');
  expect(mail.parsed.text).toContain('Uiterste datum (wettelijke termijn):\nmaandag 3 juli 2034');
  expect(mail.parsed.text).toContain('https://regie.example/municipalities/GM0363/steps/volkshuisvestingsprogramma');

  // The mail's own links, used as a recipient would: the receipt link asks first (a GET changes nothing), the button confirms.
  const receipt = new URL(/Bevestig ontvangst: (\S+)/.exec(mail.parsed.text!)![1]).pathname;
  expect((await api.page('GET', receipt)).html).toContain('<button');
  const view = (await api.request('GET', '/municipalities/GM0363/steps/volkshuisvestingsprogramma')).body;
  expect(view.acknowledgements).toEqual([]);
  // The ladder is the project's policy, and its rungs are mandatory notices, never "statutory".
  expect(view.escalationLadder).toMatchObject({ basis: 'project-policy', nl: expect.stringContaining('geen wettelijke plicht') });
  expect(view.escalationLadder.rungs).toEqual([]); // this version has no rungs
  expect((await api.page('POST', receipt)).status).toBe(200);
  expect((await api.page('POST', receipt)).status).toBe(409);
  expect((await api.request('GET', '/municipalities/GM0363/steps/volkshuisvestingsprogramma')).body.acknowledgements).toEqual([
    expect.objectContaining({ recipient: 'programma@amsterdam.example', action: 'confirm-receipt', kind: 'reminder', dueDate: '2034-07-03' }),
  ]);
  // The one-click unsubscribe header (RFC 8058): a GET shows a button and changes nothing; the POST stops optional mail.
  const unsubscribe = new URL(/^<(.+)>$/.exec(mail.parsed.headerLines.find((l) => l.key === 'list-unsubscribe')!.line.replace(/^[^:]+:\s*/, '').replace(/\r?\n\s+/g, ''))![1]).pathname;
  const stopped = () => worker.get(DataSource).query(`SELECT optional_stopped_at IS NOT NULL AS stopped FROM mail_preference WHERE recipient = 'programma@amsterdam.example'`);
  expect((await api.page('GET', unsubscribe)).html).toMatch(/<form method="post">[\s\S]*name="List-Unsubscribe" value="One-Click"[\s\S]*<button/);
  expect(await stopped()).toEqual([]);
  expect((await api.page('POST', unsubscribe, { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);
  expect(await stopped()).toEqual([{ stopped: true }]);

  const steps = await api.request('GET', '/municipalities/GM0363/steps');
  expect(steps.body).toEqual([
    expect.objectContaining({
      step: 'volkshuisvestingsprogramma',
      dateKind: 'statutory',
      dueDate: '2034-07-03',
      status: 'open',
      lastEvent: 'reminder-queued',
      rulebook: { id: 'e2e-2032-07-01', hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      derivation: expect.objectContaining({
        nominal: '2034-07-01',
        shifted: true,
        text: expect.stringContaining('zaterdag 1 juli 2034 (testwet: uiterlijk 1 juli 2034) valt op een zaterdag'),
      }),
    }),
  ]);

  // A programme manager records progress and the council decision; each write returns once the read model shows it.
  const pm = await actorToken(api, 'programme-manager', 'GM0363');
  const progress = await api.request(
    'POST',
    '/municipalities/GM0363/steps/volkshuisvestingsprogramma/progress',
    { status: 'submitted', checklist: { doorstroming: true, ouderen: true } },
    pm,
  );
  expect(progress).toMatchObject({ status: 201, body: { status: 'submitted', checklist: expect.objectContaining({ doorstroming: true }) } });
  expect((await api.request('GET', '/municipalities/GM0363/steps/volkshuisvestingsprogramma')).body).toMatchObject({ status: 'submitted', lastEvent: 'progress' });

  const bad = await api.request('POST', '/municipalities/GM0363/steps/volkshuisvestingsprogramma/extension', { to: '2034-01-01', reason: 'x' }, await actorToken(api, 'province', 'PV27'));
  // The step model's code and field cross the boundary as such; the message is Dutch first.
  expect(bad).toMatchObject({ status: 400, body: { error: 'extension-not-later', field: 'to', message: expect.stringMatching(/^Wijziging geweigerd: Veld to moet na de huidige datum 2034-07-03 liggen \//) } });

  const done = await api.request('POST', '/municipalities/GM0363/steps/volkshuisvestingsprogramma/complete', {
    evidence: { kind: 'council-decision', reference: 'Raadsbesluit 2028/88', url: 'https://amsterdam.example/besluit/88', date: '2034-06-29' },
  }, pm);
  expect(done).toMatchObject({ status: 201, body: { status: 'done' } });
  const step = (await api.request('GET', '/municipalities/GM0363/steps/volkshuisvestingsprogramma')).body;
  expect(step).toMatchObject({ status: 'done', evidence: [expect.objectContaining({ reference: 'Raadsbesluit 2028/88', recordedBy: 'API-sleutel test programme-manager (municipality GM0363, programme-manager)' })] });
  expect(step.history.map((h: { event: string }) => h.event)).toEqual(['created', 'reminder-queued', 'progress', 'done']);
  expect(step.notifications).toEqual([
    expect.objectContaining({ kind: 'reminder', status: 'queued', recipients: ['programma@amsterdam.example'], dueDate: '2034-07-03' }),
  ]);
  // The sent log per municipality, kept as proof: who, what, when, which rulebook version and due date.
  expect((await api.request('GET', '/municipalities/GM0363/notifications')).body.nextCursor).toBeNull();
  expect((await api.request('GET', '/municipalities/GM0363/notifications')).body.items).toEqual([
    expect.objectContaining({
      step: 'volkshuisvestingsprogramma',
      kind: 'reminder',
      recipients: ['programma@amsterdam.example'],
      rulebookId: 'e2e-2032-07-01',
      dueDate: '2034-07-03',
      deliveries: [
        expect.objectContaining({
          recipient: 'programma@amsterdam.example',
          language: 'nl',
          status: 'sent',
          messageId: mail.parsed.messageId,
          smtpResponse: expect.stringMatching(/^250 /),
          sentAt: expect.any(String),
        }),
      ],
    }),
  ]);
  expect(await api.request('GET', '/municipalities/GM9999/notifications')).toMatchObject({ status: 404, body: { field: 'code' } });
  // Every step is closed: the workflow completes, and no further mail arrives.
  expect((await env.client.workflow.getHandle('programme-GM0363').result()).steps[0].status).toBe('done');
  expect(smtp.mails).toHaveLength(1);
});

test('onboarding again after the workflow has closed is harmless: same run, no new mail', async () => {
  const description = await env.client.workflow.getHandle('programme-GM0363').describe();
  expect(description.status.name).toBe('COMPLETED');
  const firstRun = description.runId;

  expect(await api.request('POST', '/onboardings', onboarding)).toMatchObject({ status: 200, body: { created: false, runId: firstRun } });

  // As if the API had died between starting the workflow and recording it: the ID reuse policy
  // refuses a second run of the closed workflow and the API adopts the existing one.
  await worker.get(DataSource).query(`UPDATE onboarding SET workflow_started_at = NULL, workflow_run_id = NULL WHERE municipality_code = 'GM0363'`);
  expect(await api.request('POST', '/onboardings', onboarding)).toMatchObject({ status: 200, body: { created: false, runId: firstRun } });
  expect((await env.client.workflow.getHandle('programme-GM0363').describe()).runId).toBe(firstRun);
  expect(smtp.mails).toHaveLength(1);
});
