/**
 * The programme workflow on the real time-skipping test server, with the real activities writing to a
 * real Postgres and sending through a real SMTP server in this process. Two years pass in seconds.
 */
import { Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { Transporter } from 'nodemailer';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { createActivities } from '../../activities';
import { notificationBusinessKey, programmeWorkflowId, ProgrammeWorkflowInput } from '../../libs/contracts';
import { createDataSource } from '../../libs/db/data-source';
import { storeRulebook } from '../../libs/db/rulebook-store';
import { createMailTransport } from '../../libs/mail/mailer';
import { HashedRulebook } from '../../libs/rulebook/rulebook-files';
import { programmeWorkflow } from '../../workflows';
import { createTestDatabase, TestDatabase } from '../support/database';
import { testRulebook } from '../support/rulebooks';
import { SmtpCatcher } from '../support/smtp';
import { createTimeSkippingEnv } from '../support/temporal';

const workflowsPath = require.resolve('../../workflows');
const amsterdam = { code: 'GM0363', name: 'Amsterdam', provinceCode: 'PV27', provinceName: 'Noord-Holland', regionCode: 'CR23', regionName: 'Groot-Amsterdam' };

let env: TestWorkflowEnvironment;
let db: TestDatabase;
let dataSource: DataSource;
let smtp: SmtpCatcher;
let mail: Transporter;

beforeAll(async () => {
  [db, smtp] = await Promise.all([createTestDatabase(), SmtpCatcher.start()]);
  dataSource = createDataSource(db.url, 'workflow-test');
  await dataSource.initialize();
  mail = createMailTransport(smtp.url, 2);
});

afterAll(async () => {
  mail?.close();
  await dataSource?.destroy();
  await Promise.all([smtp?.close(), db?.drop()]);
});

// Each test gets its own server: a time-skipping clock only moves forward, and one test's two years
// must not put the next test's moments in the past.
beforeEach(async () => {
  env = await createTimeSkippingEnv();
});
afterEach(async () => {
  await env?.teardown();
});

async function onboard(code: string, rulebook: HashedRulebook): Promise<ProgrammeWorkflowInput> {
  await storeRulebook(dataSource, rulebook, 'operator');
  await dataSource.query(
    `INSERT INTO onboarding (municipality_code, workflow_id, rulebook_id, programme_manager_email) VALUES ($1, $2, $3, $4)`,
    [code, programmeWorkflowId(code), rulebook.rulebook.id, `pm@${code.toLowerCase()}.example`],
  );
  return { municipality: { ...amsterdam, code }, rulebook: rulebook.rulebook, rulebookHash: rulebook.hash };
}

function worker(taskQueue: string, activities = createActivities({ dataSource, mail, mailFrom: 'Regie <regie@test.example>', publicBaseUrl: 'https://regie.example' })) {
  return Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities });
}

test('a two-year timeline fires every reminder and rung once, on the right working day at 09:00 Amsterdam time', async () => {
  // The law in force on 1 July 2026: due Saturday 1 July 2028, moved to Monday 3 July 2028.
  const input = await onboard('GM0363', testRulebook('test-2026-07-01', { effectiveDate: '2026-07-01' }));
  const taskQueue = 'timeline';
  const w = await worker(taskQueue);
  const state = await w.runUntil(
    env.client.workflow.execute(programmeWorkflow, {
      workflowId: programmeWorkflowId('GM0363'),
      taskQueue,
      args: [input],
    }),
  );

  expect(state.steps).toEqual([
    expect.objectContaining({ stepKey: 'volkshuisvestingsprogramma', overdue: true, due: expect.objectContaining({ date: '2028-07-03', nominal: '2028-07-01' }) }),
  ]);
  expect(state.firings.map((f) => [f.key, f.day, f.at, f.roles.join('+'), f.outcome])).toEqual([
    ['reminder-180d', '2028-01-05', '2028-01-05T08:00:00.000Z', 'programme-manager', 'sent'],
    ['reminder-90d', '2028-04-04', '2028-04-04T07:00:00.000Z', 'programme-manager', 'sent'],
    // 3 June 2028 is a Saturday: the reminder goes out on Friday 2 June.
    ['reminder-30d', '2028-06-02', '2028-06-02T07:00:00.000Z', 'programme-manager+alderman', 'sent'],
    ['reminder-7d', '2028-06-26', '2028-06-26T07:00:00.000Z', 'programme-manager+alderman', 'sent'],
    ['escalation-1', '2028-07-04', '2028-07-04T07:00:00.000Z', 'programme-manager+alderman', 'sent'],
    // No address is known yet for the regional coordinator or the province (contacts come later): recorded, not sent.
    ['escalation-2', '2028-07-17', '2028-07-17T07:00:00.000Z', 'regional-coordinator', 'no-recipients'],
    ['escalation-3', '2028-08-02', '2028-08-02T07:00:00.000Z', 'province', 'no-recipients'],
  ]);

  // Counted at the SMTP server: five mails, one per business key.
  expect(smtp.mails).toHaveLength(5);
  const keys = smtp.mails.map((m) => m.parsed.headers.get('x-regie-business-key'));
  expect(new Set(keys).size).toBe(5);
  const first = smtp.withBusinessKey(notificationBusinessKey('programme-GM0363', 'volkshuisvestingsprogramma', '2028-07-03', 'reminder-180d'));
  expect(first).toHaveLength(1);
  expect(first[0].envelopeTo).toEqual(['pm@gm0363.example']);
  expect(first[0].parsed.subject).toBe('Herinnering: Volkshuisvestingsprogramma Amsterdam – uiterlijk maandag 3 juli 2028');
  expect(first[0].parsed.text).toContain('Over 180 dagen verloopt de wettelijke termijn voor het volkshuisvestingsprogramma van Amsterdam (GM0363).');
  expect(first[0].parsed.text).toContain(
    'zaterdag 1 juli 2028 (inwerkingtreding woensdag 1 juli 2026 + 2 jaar) valt op een zaterdag; volgens de Algemene termijnenwet (art. 1) verschoven naar maandag 3 juli 2028',
  );
  const overdue = smtp.withBusinessKey(notificationBusinessKey('programme-GM0363', 'volkshuisvestingsprogramma', '2028-07-03', 'escalation-1'));
  expect(overdue[0].parsed.subject).toBe('Termijn verstreken: Volkshuisvestingsprogramma Amsterdam – maandag 3 juli 2028 (escalatie, trede 1)');

  // The read model holds the step, its date and derivation, and the history in workflow order.
  const [step] = await dataSource.query(`SELECT * FROM step_state WHERE municipality_code = 'GM0363'`);
  expect(step).toMatchObject({ step_key: 'volkshuisvestingsprogramma', overdue: true, last_event: 'escalation-no-recipients', seq: 8 });
  expect(step.derivation).toMatchObject({ date: '2028-07-03', shifted: true });
  const events = await dataSource.query(`SELECT seq, event FROM step_event WHERE workflow_id = 'programme-GM0363' ORDER BY seq`);
  expect(events.map((e: { event: string }) => e.event)).toEqual([
    'planned', 'reminder-sent', 'reminder-sent', 'reminder-sent', 'reminder-sent', 'escalation-sent', 'escalation-no-recipients', 'escalation-no-recipients',
  ]);
});

test('an activity that fails after sending is retried, and the SMTP server still receives exactly one mail', async () => {
  const rulebook = testRulebook('test-retry', {
    effectiveDate: '2028-07-01',
    reminders: [{ offsetDays: 7, roles: ['programme-manager'], statutory: false }],
    escalations: [],
  });
  const input = { ...(await onboard('GM0014', rulebook)), municipality: { ...amsterdam, code: 'GM0014', name: 'Groningen' } };
  const activities = createActivities({ dataSource, mail, mailFrom: 'Regie <regie@test.example>', publicBaseUrl: 'https://regie.example' });
  const attempts: number[] = [];
  const w = await worker('retry', {
    ...activities,
    // The real activity sends and records; then the first attempt dies, as a worker crash would.
    async sendNotification(req) {
      const result = await activities.sendNotification(req);
      attempts.push(Context.current().info.attempt);
      if (Context.current().info.attempt === 1) throw new Error('simulated crash after the mail was sent');
      return result;
    },
  });
  const state = await w.runUntil(
    env.client.workflow.execute(programmeWorkflow, { workflowId: programmeWorkflowId('GM0014'), taskQueue: 'retry', args: [input] }),
  );

  expect(attempts).toEqual([1, 2]);
  expect(state.firings.map((f) => [f.key, f.outcome])).toEqual([['reminder-7d', 'already-sent']]);
  const key = notificationBusinessKey('programme-GM0014', 'volkshuisvestingsprogramma', '2030-07-01', 'reminder-7d');
  expect(smtp.withBusinessKey(key)).toHaveLength(1);
  expect(smtp.withBusinessKey(key)[0].parsed.subject).toBe('Herinnering: Volkshuisvestingsprogramma Groningen – uiterlijk maandag 1 juli 2030');
  const [row] = await dataSource.query(`SELECT status, recipients FROM notification WHERE business_key = $1`, [key]);
  expect(row).toEqual({ status: 'sent', recipients: ['pm@gm0014.example'] });
});

describe('workflow bundle', () => {
  it('bundles the workflows with only deterministic imports', async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
    expect(code).toContain('programmeWorkflow');
  });

  it('fails on workflow code that imports I/O (proves the check has teeth)', async () => {
    await expect(
      bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'fixtures', 'workflow-with-io.ts'), logger: quietLogger }),
    ).rejects.toThrow(/fs|not allowed|disallowed/i);
  });
});

const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
