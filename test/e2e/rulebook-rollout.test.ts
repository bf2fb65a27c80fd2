/**
 * A law change end to end: publish a new rulebook version, preview it from the read model, apply it to
 * every running workflow through the rollout workflow, and watch the read model and the SMTP server.
 * Real API, Temporal (time-skipping server, its clock left alone), worker Nest context, Postgres, SMTP.
 */
import { eventually } from '../support/outbox';
import { actorToken } from '../support/access';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { runCli } from '../../infra/rulebook-cli';
import { notificationBusinessKey, RULEBOOK_ROLLOUT_WORKFLOW_TYPE, rolloutWorkflowId } from '../../libs/contracts';
import { recordHistory } from '../support/histories';
import { parseRulebook } from '../../libs/rulebook/rulebook.schema';
import { TEST_ADMIN_TOKEN } from '../support/config';
import { testRulebook } from '../support/rulebooks';
import { startTestSystem, TestSystem } from '../support/system';

let sys: TestSystem;
let env: TestSystem['env'];
let smtp: TestSystem['smtp'];
let api: TestSystem['api'];
let worker: TestSystem['worker'];
let dataSource: DataSource;

const TASK_QUEUE = 'regie-test-e2e-rollout';

beforeAll(async () => {
  sys = await startTestSystem('e2e', { vars: { PUBLIC_BASE_URL: 'https://regie.example', TEMPORAL_TASK_QUEUE: TASK_QUEUE } });
  ({ env, smtp, api, worker } = sys);
  dataSource = worker.get(DataSource);
});

afterAll(() => sys?.stop());


const rolloutDone = (id: string) =>
  eventually(`rollout of ${id}`, async () => {
    const { body } = await api.request('GET', `/rulebooks/${id}/rollout`);
    return body.status === 'completed' ? body : undefined;
  });

const STEP = 'volkshuisvestingsprogramma';
const changeNotices = (code: string, due: string) => smtp.withBusinessKey(notificationBusinessKey(`programme-${code}`, STEP, due, 'change-notice'));
const rows = async () =>
  Object.fromEntries(
    (
      await dataSource.query(`SELECT owner_code, due_date::text, rulebook_id, status, overdue FROM step_state WHERE step = $1 ORDER BY owner_code`, [STEP])
    ).map((r: { owner_code: string }) => [r.owner_code, r]),
  );

// Onboarded under v1 (due Thursday 1 July 2032); Groningen gets an extension, Almere finishes its step.
const v1 = testRulebook('rollout-v1', { effectiveDate: '2030-07-01', escalations: [] });
// The law took effect two years earlier than thought: due Wednesday 1 July 2026, already past.
const past = testRulebook('rollout-v2-past', { effectiveDate: '2024-07-01' });
const moving = { GM0344: 'Utrecht', GM0363: 'Amsterdam', GM0518: "'s-Gravenhage", GM0599: 'Rotterdam' };
const codes = [...Object.keys(moving), 'GM0014', 'GM0034'];

test('a version whose date is past: the preview names who moves and who becomes overdue, the rollout re-dates exactly those', async () => {
  expect((await api.request('POST', '/rulebooks', v1.rulebook)).status).toBe(201);
  for (const code of codes) {
    const onboarded = await api.request('POST', '/onboardings', { municipalityCode: code, programmeManagerEmail: `pm@${code.toLowerCase()}.example`, rulebookId: v1.rulebook.id });
    expect(onboarded).toMatchObject({ status: 201, body: { created: true, region: null } });
  }
  // Onboarding answers once the workflow runs; its first read-model write follows.
  await eventually('read-model rows', async () => (Object.keys(await rows()).length === codes.length ? true : undefined));
  const extension = await api.request('POST', `/municipalities/GM0014/steps/${STEP}/extension`, { to: '2033-01-03', reason: 'Herindeling' }, await actorToken(api, 'province', 'PV20'));
  expect(extension).toMatchObject({ status: 201, body: { due: { date: '2033-01-03' }, dueSource: 'extension' } });
  const done = await api.request(
    'POST',
    `/municipalities/GM0034/steps/${STEP}/complete`,
    { evidence: { kind: 'council-decision', reference: 'Raadsbesluit 2026/1' } },
    await actorToken(api, 'programme-manager', 'GM0034'),
  );
  expect(done).toMatchObject({ status: 201, body: { status: 'done' } });
  await eventually('Almere workflow closed', async () => ((await env.client.workflow.getHandle('programme-GM0034').describe()).status.name === 'COMPLETED' ? true : undefined));
  await eventually('extension notice', async () => (changeNotices('GM0014', '2033-01-03').length === 1 ? true : undefined));
  const mailsBefore = smtp.mails.length;

  expect((await api.request('POST', '/rulebooks', past.rulebook)).status).toBe(201);
  const preview = await api.request('GET', `/rulebooks/${past.rulebook.id}/preview`);
  expect(preview.status).toBe(200);
  expect(preview.body.rulebook).toEqual({ id: 'rollout-v2-past', hash: past.hash, title: past.rulebook.title, effectiveDate: '2024-07-01' });
  expect(preview.body.moved).toEqual(
    Object.entries(moving).map(([code, name]) => ({
      owner: { kind: 'municipality', code, name },
      step: STEP,
      stepKey: STEP,
      cycleYear: null,
      from: '2032-07-01',
      to: '2026-07-01',
      becomesOverdue: true,
      noLongerOverdue: false,
      currentRulebookId: 'rollout-v1',
    })),
  );
  expect(preview.body.totals).toEqual({
    owners: 6,
    ownersMoving: 4,
    steps: 6,
    moved: 4,
    becomesOverdue: 4,
    noLongerOverdue: 0,
    kept: { sameDate: 0, extension: 1, targetDate: 0, closed: 1 },
    removed: 0,
    alreadyApplied: 0,
  });
  expect(preview.body).toMatchObject({ removed: [] });

  const applied = await api.request('POST', `/rulebooks/${past.rulebook.id}/apply`);
  expect(applied).toMatchObject({ status: 202, body: { workflowId: 'rulebook-rollout-rollout-v2-past', progress: '/rulebooks/rollout-v2-past/rollout' } });
  const progress = await rolloutDone(past.rulebook.id);
  expect(progress).toMatchObject({ status: 'completed', total: 6, applied: 6, failed: 0, pending: 0, changedSteps: 4, failures: [] });
  await recordHistory('rulebook-rollout', env.client.workflow.getHandle(rolloutWorkflowId(past.rulebook.id)));
  // Almere's workflow closed with its step done: nothing left to re-date, so applied with a note.
  expect(progress.notes).toEqual([{ workflowId: 'programme-GM0034', note: expect.stringContaining('workflow afgesloten (COMPLETED)') }]);

  const after = await rows();
  for (const code of Object.keys(moving)) expect(after[code]).toMatchObject({ due_date: '2026-07-01', rulebook_id: 'rollout-v2-past', status: 'open' });
  expect(after.GM0014).toMatchObject({ due_date: '2033-01-03', rulebook_id: 'rollout-v2-past', overdue: false });
  expect(after.GM0034).toMatchObject({ due_date: '2032-07-01', rulebook_id: 'rollout-v1', status: 'done' });
  // The workflows mark the passed term overdue (recorded, never a late burst of reminders).
  const overdue = await eventually('all four overdue', async () => {
    const now = await rows();
    return Object.keys(moving).every((c) => now[c].overdue) ? now : undefined;
  });
  expect(Object.keys(moving).map((c) => overdue[c].overdue)).toEqual([true, true, true, true]);
  await recordHistory('rulebook-applied-by-rollout', env.client.workflow.getHandle(`programme-${Object.keys(moving)[0]}`));

  // Exactly one change notice per moved step, and nothing else.
  await eventually('change notices', async () => (smtp.mails.length >= mailsBefore + 4 ? true : undefined));
  await new Promise((r) => setTimeout(r, 1000));
  for (const code of Object.keys(moving)) expect(changeNotices(code, '2026-07-01')).toHaveLength(1);
  expect(smtp.mails.length).toBe(mailsBefore + 4);
  expect(changeNotices('GM0363', '2026-07-01')[0].parsed.subject).toBe('Nieuwe datum: Volkshuisvestingsprogramma Amsterdam – uiterlijk woensdag 1 juli 2026');
});

test('applying again is harmless: a finished rollout re-runs, skips what is applied, and sends nothing', async () => {
  const id = past.rulebook.id;
  const mailsBefore = smtp.mails.length;
  const firstRun = (await env.client.workflow.getHandle(rolloutWorkflowId(id)).describe()).runId;

  const again = await api.request('POST', `/rulebooks/${id}/apply`);
  expect(again.status).toBe(202);
  expect(again.body.runId).not.toBe(firstRun);
  expect(await rolloutDone(id)).toMatchObject({ total: 6, applied: 6, failed: 0, changedSteps: 4 });

  // As if a rollout had been interrupted before marking Amsterdam: resuming re-sends, the workflow answers "already applied".
  await dataSource.query(`UPDATE rulebook_rollout_target SET status = 'pending', changed = NULL WHERE rulebook_id = $1 AND workflow_id = 'programme-GM0363'`, [id]);
  await dataSource.query(`UPDATE rulebook_rollout SET status = 'running' WHERE rulebook_id = $1`, [id]);
  expect((await api.request('GET', `/rulebooks/${id}/rollout`)).body).toMatchObject({ status: 'interrupted', pending: 1 });
  expect((await api.request('POST', `/rulebooks/${id}/apply`)).status).toBe(202);
  const resumed = await rolloutDone(id);
  expect(resumed).toMatchObject({ total: 6, applied: 6, failed: 0, changedSteps: 3 });
  expect(resumed.notes).toContainEqual({ workflowId: 'programme-GM0363', note: 'al toegepast / already applied' });

  await new Promise((r) => setTimeout(r, 1500));
  expect(smtp.mails.length).toBe(mailsBefore);
  expect((await rows()).GM0363).toMatchObject({ due_date: '2026-07-01', rulebook_id: id });
});

test('a rollout continues as new between batches and lifts the overdue state when the date moves ahead; the CLI shows it', async () => {
  // Due Thursday 1 January 2032, New Year's Day, so Friday 2 January 2032.
  const later = testRulebook('rollout-v3-later', { effectiveDate: '2030-01-01' });
  const lines: string[] = [];
  const cli = (...argv: string[]) => runCli(argv, { apiUrl: api.baseUrl, token: TEST_ADMIN_TOKEN, out: (l) => lines.push(l), cwd: process.cwd(), pollMs: 200 });
  expect((await api.request('POST', '/rulebooks', later.rulebook)).status).toBe(201);

  expect(await cli('preview', later.rulebook.id)).toBe(0);
  expect(lines.join('\n')).toContain('4 verschuiven / move, 0 worden te laat / become overdue, 4 niet meer te laat / no longer overdue');
  expect(lines.find((l) => l.includes('GM0363'))).toMatch(/gemeente\s+GM0363\s+Amsterdam\s+volkshuisvestingsprogramma\s+2026-07-01\s+2032-01-02\s+niet meer \/ no longer/);

  // Small batches and a forced continue-as-new after each one: the targets come from Postgres, not the history.
  const workflowId = rolloutWorkflowId(later.rulebook.id);
  const handle = await env.client.workflow.start(RULEBOOK_ROLLOUT_WORKFLOW_TYPE, {
    workflowId,
    taskQueue: TASK_QUEUE,
    args: [{ rulebookId: later.rulebook.id, batchSize: 2, concurrency: 2, continueAsNewAfterBatches: 1 }],
  });
  const progress = await rolloutDone(later.rulebook.id);
  expect(progress).toMatchObject({ total: 6, applied: 6, failed: 0, changedSteps: 4 });
  expect((await env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');

  const now = await eventually('overdue lifted', async () => {
    const r = await rows();
    return Object.keys(moving).every((c) => r[c].due_date === '2032-01-02' && !r[c].overdue) ? r : undefined;
  });
  expect(now.GM0014).toMatchObject({ due_date: '2033-01-03', rulebook_id: 'rollout-v3-later' });
  await eventually('change notices', async () => (Object.keys(moving).every((c) => changeNotices(c, '2032-01-02').length === 1) ? true : undefined));

  lines.length = 0;
  expect(await cli('status', later.rulebook.id)).toBe(0);
  expect(lines[0]).toBe('Uitrol / rollout rulebook-rollout-rollout-v3-later: voltooid / completed');
  expect(lines[1]).toContain('doelen / targets 6, toegepast / applied 6, mislukt / failed 0, open / pending 0; 4 datums verschoven / dates moved');
});

test('a version without the step: preview lists it as removed, the CLI publishes and applies it; bad calls get a 404 or 401 that says why', async () => {
  const base = testRulebook('rollout-v4-renamed', { effectiveDate: '2030-07-01' }).rulebook;
  const renamed = parseRulebook({ ...base, steps: [{ ...base.steps[0], key: 'programma' }] }, 'test');
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'regie-rulebook-')), 'renamed.json');
  writeFileSync(file, JSON.stringify(renamed));
  const lines: string[] = [];
  const cli = (...argv: string[]) => runCli(argv, { apiUrl: api.baseUrl, token: TEST_ADMIN_TOKEN, out: (l) => lines.push(l), cwd: path.dirname(file), pollMs: 200 });
  expect(await cli('publish', 'renamed.json')).toBe(0);
  expect(lines[0]).toMatch(/^Gepubliceerd \/ published: rollout-v4-renamed \(hash [0-9a-f]{12}\)$/);

  const preview = (await api.request('GET', `/rulebooks/${renamed.id}/preview`)).body;
  expect(preview.totals).toMatchObject({ moved: 0, removed: 6 });
  expect(preview.removed[0]).toEqual({ owner: { kind: 'municipality', code: 'GM0014', name: 'Groningen' }, step: STEP, stepKey: STEP, status: 'open' });
  expect(preview.removed.find((r: { owner: { code: string } }) => r.owner.code === 'GM0034')).toMatchObject({ status: 'done' });

  // Applied anyway, from the CLI: the steps keep their dates and carry a warning.
  lines.length = 0;
  expect(await cli('apply', renamed.id, '--wait')).toBe(0);
  expect(lines).toContain('Uitrol / rollout rulebook-rollout-rollout-v4-renamed: voltooid / completed');
  const [amsterdam] = await dataSource.query(`SELECT due_date::text, rulebook_id, detail FROM step_state WHERE owner_code = 'GM0363' AND step = $1`, [STEP]);
  expect(amsterdam).toMatchObject({ due_date: '2032-01-02', rulebook_id: renamed.id, detail: { warnings: ['stap komt niet meer voor in regelboek rollout-v4-renamed'] } });

  // Back to the older version: refused without --override, applied with it and its reason recorded.
  await expect(cli('apply', 'rollout-v3-later')).rejects.toThrow(/409 .*ouder dan/);
  await expect(cli('apply', 'rollout-v3-later', '--override')).rejects.toThrow(/--override vraagt de reden/);
  lines.length = 0;
  expect(await cli('apply', 'rollout-v3-later', '--override', 'Terug: v4 was te vroeg gepubliceerd', '--wait')).toBe(0);
  expect(await dataSource.query(`SELECT override, override_reason FROM rulebook_rollout_run WHERE rulebook_id = $1 ORDER BY id DESC LIMIT 1`, ['rollout-v3-later'])).toEqual([
    { override: true, override_reason: 'Terug: v4 was te vroeg gepubliceerd' },
  ]);

  for (const [method, url] of [
    ['GET', '/rulebooks/wvrv-1999/preview'],
    ['POST', '/rulebooks/wvrv-1999/apply'],
    ['GET', '/rulebooks/wvrv-1999/rollout'],
  ]) {
    const response = await api.request(method, url);
    expect(response).toMatchObject({ status: 404, body: { error: 'rulebook-not-found', field: 'id' } });
    expect(response.body.message).toContain('id');
    expect(await api.request(method, url, undefined, null)).toMatchObject({ status: 401, body: { error: 'sign-in-required' } });
  }
  expect(await api.request('GET', '/rulebooks/rollout-v1/rollout')).toMatchObject({ status: 404, body: { error: 'rollout-not-found', field: 'id' } });
});
