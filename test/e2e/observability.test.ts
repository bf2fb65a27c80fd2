/**
 * Metrics and logs of the three processes, every part real: the HTTP API (built as production builds it),
 * the worker and the dispatcher as their own processes (`apps/*\/src/main.ts` through ts-node, as
 * `npm start` runs them), a Temporal test server, Postgres and an SMTP server. The test scrapes each
 * process's `/metrics` and reads the worker's stdout as the JSON lines a log collector would get.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DataSource } from 'typeorm';
import { createActivities } from '../../activities';
import { notificationBusinessKey, NotificationRequest } from '../../libs/contracts';
import { createDataSource } from '../../libs/db/data-source';
import { storeRulebook } from '../../libs/db/rulebook-store';
import { rulebookDueDate } from '../../libs/rulebook/schedule';
import { TestApi } from '../support/api';
import { TEST_ADMIN_TOKEN, TEST_LINK_SECRET, testConfig } from '../support/config';
import { createTestDatabase, TestDatabase } from '../support/database';
import { AppName, AppProcess, startApp } from '../support/faults';
import { eventually, until } from '../support/outbox';
import { testReferenceDataDir, testRulebookDir } from '../support/paths';
import { testRulebook } from '../support/rulebooks';
import { SmtpCatcher } from '../support/smtp';
import { createTimeSkippingEnv } from '../support/temporal';

const NAME = 'observability';
const rulebook = testRulebook('test-observability', { effectiveDate: '2032-07-01' });
const REFUSED = 'pm@gm0518.example';

let env: TestWorkflowEnvironment;
let db: TestDatabase;
let smtp: SmtpCatcher;
let api: TestApi;
let dataSource: DataSource;
/** The environment of the worker and dispatcher processes. */
let processVars: Record<string, string>;
const apps = {} as Record<AppName, { process: AppProcess; lines: Record<string, unknown>[]; metricsUrl: string }>;

/** A process started as production starts it, its stdout kept as parsed JSON lines (a line that is not JSON fails the test). */
async function start(name: AppName, vars: Record<string, string>) {
  const child = startApp(name, vars);
  const lines: Record<string, unknown>[] = [];
  apps[name] = { process: child, lines, metricsUrl: '' };
  const bad: string[] = [];
  let tail = '';
  child.child.stdout!.on('data', (chunk: Buffer) => {
    const text = tail + chunk.toString();
    const parts = text.split('\n');
    tail = parts.pop()!;
    for (const line of parts.filter(Boolean)) {
      try {
        lines.push(JSON.parse(line));
      } catch {
        bad.push(line);
      }
    }
  });
  await child.ready;
  const metricsUrl = await eventually(`${name}'s metrics address in its log`, async () => {
    const line = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('Metrics at '));
    return line ? String(line.msg).split(' ')[2] : undefined;
  });
  expect(bad).toEqual([]);
  apps[name].metricsUrl = metricsUrl;
}

const scrape = async (url: string, token?: string) => {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};

/** The value of one sample (`name{labels} value`), labels matched as a subset; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** The sum of one metric's samples whose labels include these. */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** One firing of the rulebook's first step for a municipality, queued by the real notification activity. */
function notification(code: string): NotificationRequest {
  const definition = rulebook.rulebook.steps[0];
  const due = rulebookDueDate(rulebook.rulebook, definition)!;
  const workflowId = `programme-${code}`;
  return {
    businessKey: notificationBusinessKey(workflowId, definition.key, due.date, 'reminder-1'),
    workflowId,
    owner: { kind: 'municipality', code },
    step: definition.key,
    stepKey: definition.key,
    cycleYear: null,
    kind: 'reminder',
    firingKey: 'reminder-1',
    offsetDays: 1,
    roles: ['programme-manager'],
    mandatory: false,
    dateKind: 'statutory',
    due,
    sequence: 0,
    openChecklist: [],
    rulebookId: rulebook.rulebook.id,
    rulebookHash: rulebook.hash,
    stateSeq: 1,
  };
}

beforeAll(async () => {
  [env, db, smtp] = await Promise.all([createTimeSkippingEnv(), createTestDatabase(), SmtpCatcher.start({ refuse: (address) => address === REFUSED })]);
  const vars = { DATABASE_URL: db.url, TEMPORAL_ADDRESS: env.address, SMTP_URL: smtp.url };
  api = await TestApi.start(testConfig(NAME, vars));
  dataSource = createDataSource(db.url, NAME);
  await dataSource.initialize();
  await storeRulebook(dataSource, rulebook, 'operator');
  processVars = {
    ...vars,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LINK_SECRET: TEST_LINK_SECRET,
    REFERENCE_DATA_DIR: testReferenceDataDir,
    RULEBOOK_DIR: testRulebookDir,
    TEMPORAL_TASK_QUEUE: testConfig(NAME, vars).temporal.taskQueue,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'debug',
  };
  await start('worker', processVars);
}, 240_000);

afterAll(async () => {
  for (const app of Object.values(apps)) {
    app.process.kill('SIGTERM');
    await app.process.exited;
  }
  await api?.close();
  await dataSource?.destroy();
  await Promise.all([env?.teardown(), smtp?.close(), db?.drop()]);
});

describe('the API', () => {
  it('serves /metrics to the operator only, in the text format, with requests counted by route template, never by raw path', async () => {
    expect((await scrape(`${api.baseUrl}/metrics`)).status).toBe(401);
    const before = await scrape(`${api.baseUrl}/metrics`, TEST_ADMIN_TOKEN);
    expect(before.status).toBe(200);
    expect(before.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(before.text).toMatch(/^process_cpu_seconds_total \d/m);
    const labels = { method: 'GET', route: '/municipalities/:code', status: '200' };
    const counted = sample(before.text, 'regie_http_requests_total', labels) ?? 0;
    for (const code of ['GM0363', 'GM0599', 'GM0518']) expect((await api.request('GET', `/municipalities/${code}`)).status).toBe(200);
    expect((await api.request('GET', '/municipalities/GM9999')).status).toBe(404);
    expect((await api.request('GET', '/no/such/path')).status).toBe(404);
    const after = await scrape(`${api.baseUrl}/metrics`, TEST_ADMIN_TOKEN);
    expect(sample(after.text, 'regie_http_requests_total', labels)).toBe(counted + 3);
    expect(sample(after.text, 'regie_http_requests_total', { route: '/municipalities/:code', status: '404' })).toBe(1);
    expect(sample(after.text, 'regie_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(sample(after.text, 'regie_http_request_duration_seconds_count', labels)).toBe(counted + 3);
    expect(sample(after.text, 'regie_http_requests_total', { route: '/metrics', status: '401' })).toBe(1);
    // Labels are templates: no code, no path, no address in the whole answer.
    expect(after.text).not.toMatch(/GM\d{4}|no\/such|@/);
  });

  it('answers every request with its X-Request-Id: the client’s when it is a sane one, else a new one', async () => {
    const given = await api.request('GET', '/health', undefined, null, { 'x-request-id': 'client-id-1' });
    expect(given.headers['x-request-id']).toBe('client-id-1');
    const made = await api.request('GET', '/health', undefined, null);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await api.request('GET', '/health', undefined, null, { 'x-request-id': 'has spaces and is { odd }' });
    expect(refused.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('the correlation id', () => {
  it('goes from the onboarding request into the workflow’s and its activities’ log lines in the worker, as JSON', async () => {
    const id = `e2e-${Date.now()}`;
    const res = await api.request('POST', '/onboardings', { municipalityCode: 'GM0363', programmeManagerEmail: 'pm@gm0363.example', rulebookId: rulebook.rulebook.id }, TEST_ADMIN_TOKEN, {
      'x-request-id': id,
    });
    expect(res.status).toBe(201);
    expect(res.headers['x-request-id']).toBe(id);
    const { lines } = apps.worker;
    const activity = await eventually('an activity log line with the request’s id', async () =>
      lines.find((l) => l.correlationId === id && l.msg === 'Activity completed' && l.workflowId === 'programme-GM0363'),
    );
    expect(activity).toMatchObject({ level: 'debug', process: 'regie-worker', context: 'Temporal', activityType: expect.any(String), workflowType: 'programmeWorkflow' });
    const workflow = lines.find((l) => l.correlationId === id && l.msg === 'Workflow started');
    expect(workflow).toMatchObject({ workflowId: 'programme-GM0363', workflowType: 'programmeWorkflow', sdkComponent: 'worker' });
    // Only this request's work carries its id: the weekly digest, started by the worker itself, has none.
    expect(lines.filter((l) => l.workflowId === 'regie-weekly-digest').every((l) => l.correlationId === undefined)).toBe(true);
    // Every line is an object with a level, a time and the process.
    expect(lines.every((l) => typeof l.level === 'string' && typeof l.time === 'string' && l.process === 'regie-worker')).toBe(true);
  });
});

describe('the worker', () => {
  it('serves its process metrics and the Temporal SDK’s, whose workflow task and activity figures move once workflows ran', async () => {
    // The onboarding above ran workflow tasks and activities on this worker.
    const text = await eventually('the SDK’s local activity figures', async () => {
      const { status, type, text } = await scrape(apps.worker.metricsUrl);
      expect(status).toBe(200);
      expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
      // The programme's read-model writes are local activities.
      return total(text, 'temporal_local_activity_execution_latency_seconds_count', { workflow_type: 'programmeWorkflow' }) > 0 ? text : undefined;
    });
    expect(sample(text, 'regie_temporal_sdk_metrics_up')).toBe(1);
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(total(text, 'temporal_workflow_task_execution_latency_seconds_count', { workflow_type: 'programmeWorkflow' })).toBeGreaterThan(0);
    expect(total(text, 'temporal_workflow_task_schedule_to_start_latency_seconds_count')).toBeGreaterThan(0);
    expect(sample(text, 'temporal_workflow_task_queue_poll_succeed_total')).toBeGreaterThan(0);
    expect(total(text, 'temporal_worker_task_slots_available', { worker_type: 'WorkflowWorker' })).toBeGreaterThan(0);
  });
});

describe('the dispatcher', () => {
  it('shows the outbox by status and the oldest pending mail, then the send latency and the failure by reason once they went out', async () => {
    for (const [code, email] of [
      ['GM0599', 'pm@gm0599.example'],
      ['GM0518', REFUSED],
    ]) {
      await dataSource.query(`INSERT INTO onboarding (municipality_code, workflow_id, rulebook_id, programme_manager_email) VALUES ($1, $2, $3, $4)`, [code, `programme-${code}`, rulebook.rulebook.id, email]);
    }
    // Two mails queued by the real activity before the dispatcher runs, then held back as after a transient
    // failure (not due for an hour), queued ten minutes ago.
    const { sendNotification } = createActivities({ dataSource });
    await Promise.all(['GM0599', 'GM0518'].map((code) => sendNotification(notification(code))));
    await dataSource.query(`UPDATE outbox SET next_attempt_at = now() + interval '1 hour', created_at = now() - interval '10 minutes' WHERE status = 'pending'`);
    const held = await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`);
    expect(held[0].n).toBe(2);
    await start('dispatcher', processVars);

    const before = await scrape(apps.dispatcher.metricsUrl);
    expect(before.status).toBe(200);
    expect(before.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sample(before.text, 'regie_outbox_rows', { status: 'pending' })).toBe(2);
    expect(sample(before.text, 'regie_outbox_rows', { status: 'sent' })).toBe(0);
    expect(sample(before.text, 'regie_outbox_oldest_pending_seconds')).toBeGreaterThanOrEqual(600);
    expect(sample(before.text, 'regie_outbox_stats_up')).toBe(1);
    expect(sample(before.text, 'regie_mail_send_duration_seconds_count', { kind: 'notification' })).toBe(0);
    expect(sample(before.text, 'regie_mail_send_failures_total', { reason: 'smtp-5xx', outcome: 'failed' })).toBe(0);

    await dataSource.query(`UPDATE outbox SET next_attempt_at = now() WHERE status = 'pending'`);
    await until('both mails decided', async () => (await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE status IN ('sent', 'failed')`))[0].n === 2, 30_000);
    const after = await scrape(apps.dispatcher.metricsUrl);
    expect(sample(after.text, 'regie_outbox_rows', { status: 'pending' })).toBe(0);
    expect(sample(after.text, 'regie_outbox_rows', { status: 'sent' })).toBe(1);
    expect(sample(after.text, 'regie_outbox_rows', { status: 'failed' })).toBe(1);
    expect(sample(after.text, 'regie_outbox_oldest_pending_seconds')).toBe(0);
    expect(sample(after.text, 'regie_mail_send_duration_seconds_count', { kind: 'notification' })).toBe(1);
    expect(sample(after.text, 'regie_mail_send_failures_total', { reason: 'smtp-5xx', outcome: 'failed' })).toBe(1);
    expect(smtp.mails.map((m) => m.envelopeTo)).toEqual([['pm@gm0599.example']]);
  });
});
