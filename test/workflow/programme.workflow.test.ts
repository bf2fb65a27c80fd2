/**
 * The programme and region workflows on the real time-skipping test server, with the real activities
 * writing to a real Postgres and sending through a real SMTP server in this process. Years pass in seconds.
 */
import { Context } from '@temporalio/activity';
import { WorkflowHandle, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import * as path from 'node:path';
import {
  applyRulebook,
  completeStep,
  grantExtension,
  InitialStepState,
  notificationBusinessKey,
  OwnerRef,
  PROGRAMME_CODE_LEVEL,
  programmeStateQuery,
  programmeWorkflowId,
  updateProgress,
  waiveStep,
} from '../../libs/contracts';
import { storeRulebook } from '../../libs/db/rulebook-store';
import { HashedRulebook } from '../../libs/rulebook/rulebook-files';
import { programmeWorkflow } from '../../workflows';
import { workflowHarness } from '../support/workflow-harness';
import { recordHistory } from '../support/histories';
import { testRulebook } from '../support/rulebooks';

const workflowsPath = require.resolve('../../workflows');
const names: Record<string, string> = { GM0363: 'Amsterdam', GM0014: 'Groningen', GM0034: 'Almere', GM0037: 'Stadskanaal', GM0047: 'Veendam', GM0050: 'Zeewolde', GM0059: 'Achtkarspelen', GM0060: 'Ameland', GM0072: 'Harlingen' };
const owner = (code: string): OwnerRef => ({ kind: 'municipality', code, name: names[code], provinceCode: 'PV27', provinceName: 'Noord-Holland', regionCode: 'CR23', regionName: 'Groot-Amsterdam' });
const evidence = { kind: 'council-decision' as const, reference: 'Raadsbesluit 2028/17', date: '2034-03-30' };

const h = workflowHarness('workflow-test');

/** Started as the API's onboarding starts a run: at the workflow code's level (`codeLevel: null` starts one as a client that sets none). */
async function start(code: string, rulebook: HashedRulebook, opts: { initialSteps?: Record<string, InitialStepState>; continueAsNewAfterEvents?: number; codeLevel?: number | null } = {}) {
  const { codeLevel = PROGRAMME_CODE_LEVEL, ...rest } = opts;
  await storeRulebook(h.dataSource, rulebook, 'operator');
  await h.dataSource.query(
    `INSERT INTO onboarding (municipality_code, workflow_id, rulebook_id, programme_manager_email) VALUES ($1, $2, $3, $4)`,
    [code, programmeWorkflowId(code), rulebook.rulebook.id, `pm@${code.toLowerCase()}.example`],
  );
  return h.env.client.workflow.start(programmeWorkflow, {
    workflowId: programmeWorkflowId(code),
    taskQueue: queue(),
    args: [{ owner: owner(code), rulebook: rulebook.rulebook, rulebookHash: rulebook.hash, ...rest, ...(codeLevel === null ? {} : { codeLevel }) }],
  });
}

/** What a run's history holds: patch markers, local activity markers, activity tasks and workflow tasks. */
async function historyCounts(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  type Event = (typeof events)[number];
  const type = (e: Event) => String(e.eventType);
  const marker = (e: Event) => e.markerRecordedEventAttributes?.markerName;
  return {
    events: events.length,
    patchMarkers: events.filter((e) => marker(e) === 'core_patch').length,
    changeVersionUpserts: events.filter((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).includes('TemporalChangeVersion')).length,
    localActivities: events.filter((e) => marker(e) === 'core_local_activity').length,
    activityTasks: events.filter((e) => ['EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', '10'].includes(type(e))).length,
    workflowTasks: events.filter((e) => ['EVENT_TYPE_WORKFLOW_TASK_COMPLETED', '7'].includes(type(e))).length,
  };
}

const firings = async (handle: WorkflowHandle) =>
  (await handle.query(programmeStateQuery)).firings.map((f) => [f.step, f.key, f.day, f.roles.join('+'), f.outcome]);
const queue = () => expect.getState().currentTestName!.replace(/\W+/g, '-').slice(0, 60);
const mailsFor = (code: string) => h.smtp.mails.filter((m) => m.parsed.headers.get('x-regie-business-key')?.toString().startsWith(`programme-${code}:`));

test('a two-year timeline fires every reminder and rung once, on the right working day at 09:00 Amsterdam time', async () => {
  // The law in force on 1 July 2032: due Saturday 1 July 2034, moved to Monday 3 July 2034.
  await h.withWorker(queue(), async () => {
    const handle = await start('GM0363', testRulebook('test-2032-07-01', { effectiveDate: '2032-07-01' }));
    await h.advanceTo('2034-12-01T00:00:00Z');
    const state = await handle.query(programmeStateQuery);
    expect(state.steps).toEqual([
      expect.objectContaining({ key: 'volkshuisvestingsprogramma', status: 'open', overdue: true, overdueSince: '2034-07-04', due: expect.objectContaining({ date: '2034-07-03', nominal: '2034-07-01' }) }),
    ]);
    expect(state.firings.map((f) => [f.key, f.day, f.at, f.roles.join('+'), f.outcome])).toEqual([
      ['reminder-180d', '2034-01-04', '2034-01-04T08:00:00.000Z', 'programme-manager', 'queued'],
      ['reminder-90d', '2034-04-04', '2034-04-04T07:00:00.000Z', 'programme-manager', 'queued'],
      // 3 June 2034 is a Saturday: the reminder goes out on Friday 2 June.
      ['reminder-30d', '2034-06-02', '2034-06-02T07:00:00.000Z', 'programme-manager+alderman', 'queued'],
      ['reminder-7d', '2034-06-26', '2034-06-26T07:00:00.000Z', 'programme-manager+alderman', 'queued'],
      ['deadline-passed', '2034-07-04', '2034-07-04T07:00:00.000Z', '', 'recorded'],
      ['escalation-1', '2034-07-04', '2034-07-04T07:00:00.000Z', 'programme-manager+alderman', 'queued'],
      // No address is known yet for the regional coordinator or the province: recorded, not sent.
      ['escalation-2', '2034-07-17', '2034-07-17T07:00:00.000Z', 'regional-coordinator', 'no-recipients'],
      ['escalation-3', '2034-08-02', '2034-08-02T07:00:00.000Z', 'province', 'no-recipients'],
    ]);

    // Counted at the SMTP server: five mails, one per business key.
    await h.delivered();
    const mails = mailsFor('GM0363');
    expect(mails).toHaveLength(5);
    expect(new Set(mails.map((m) => m.parsed.headers.get('x-regie-business-key'))).size).toBe(5);
    const first = h.smtp.withBusinessKey(notificationBusinessKey('programme-GM0363', 'volkshuisvestingsprogramma', '2034-07-03', 'reminder-180d'));
    expect(first).toHaveLength(1);
    expect(first[0].envelopeTo).toEqual(['pm@gm0363.example']);
    expect(first[0].parsed.subject).toBe('Herinnering: Volkshuisvestingsprogramma Amsterdam – uiterlijk maandag 3 juli 2034');
    expect(first[0].parsed.text).toContain('Over 180 dagen verloopt de wettelijke termijn voor het volkshuisvestingsprogramma van Amsterdam (GM0363).');
    expect(first[0].parsed.text).toContain(
      'zaterdag 1 juli 2034 (testwet: uiterlijk 1 juli 2034) valt op een zaterdag; volgens de Algemene termijnenwet (art. 1 lid 1) verschoven naar maandag 3 juli 2034',
    );
    const overdue = h.smtp.withBusinessKey(notificationBusinessKey('programme-GM0363', 'volkshuisvestingsprogramma', '2034-07-03', 'escalation-1'));
    expect(overdue[0].parsed.subject).toBe('Termijn verstreken: Volkshuisvestingsprogramma Amsterdam – maandag 3 juli 2034 (escalatie, trede 1)');
    expect(overdue[0].parsed.text).toContain('(te laat sinds dinsdag 4 juli 2034)');
    expect(overdue[0].parsed.text).toContain('Geïnformeerd:\n- pm@gm0363.example (deze trede)\n');

    // The read model holds the step, its date and derivation, and the history in workflow order.
    const [step] = await h.dataSource.query(`SELECT * FROM step_state WHERE owner_code = 'GM0363'`);
    expect(step).toMatchObject({ step: 'volkshuisvestingsprogramma', overdue: true, last_event: 'escalation-no-recipients' });
    expect(step.derivation).toMatchObject({ date: '2034-07-03', shifted: true });
    const events = await h.dataSource.query(`SELECT event FROM step_event WHERE workflow_id = 'programme-GM0363' ORDER BY seq`);
    expect(events.map((e: { event: string }) => e.event)).toEqual([
      'created', 'reminder-queued', 'reminder-queued', 'reminder-queued', 'reminder-queued', 'overdue', 'escalation-queued', 'escalation-no-recipients', 'escalation-no-recipients',
    ]);

    // Started at the code's level: no patch marker, no TemporalChangeVersion update, and every write and mail a
    // local activity inside the workflow task its timer brings (no activity task through the server).
    const counts = await historyCounts(handle);
    expect(counts).toMatchObject({ patchMarkers: 0, changeVersionUpserts: 0, activityTasks: 0 });
    expect(counts.localActivities).toBeGreaterThanOrEqual(1 + 7 + 8);
    // The same rulebook from a client that sets no level asks patched(): a marker and a TemporalChangeVersion update per change it meets.
    const unlevelled = await start('GM0072', testRulebook('test-2032-07-01', { effectiveDate: '2032-07-01' }), { codeLevel: null });
    await h.advanceTo('2035-01-01T00:00:00Z');
    const asked = await historyCounts(unlevelled);
    expect(asked.patchMarkers).toBeGreaterThanOrEqual(3);
    expect(asked.changeVersionUpserts).toBe(asked.patchMarkers);
    console.log(`history of the same two years: at the code's level ${JSON.stringify(counts)}; without a level ${JSON.stringify(asked)}`);

    // Completing the step closes the workflow: nothing is left to remind.
    await handle.executeUpdate(completeStep, { args: [{ step: 'volkshuisvestingsprogramma', evidence, by: 'Programmamanager' }] });
    expect((await handle.result()).steps[0]).toMatchObject({ status: 'done' });
  });
});

test('an activity that fails after recording is retried, records nothing twice, and the SMTP server receives exactly one mail', async () => {
  const rulebook = testRulebook('test-retry', {
    effectiveDate: '2032-07-01',
    reminders: [{ offsetDays: 7, roles: ['programme-manager'], mandatory: false }],
    escalations: [],
  });
  const real = h.activities();
  const attempts: number[] = [];
  const flaky = {
    ...real,
    // The real activity records the firing and its outbox row; then the first attempt dies, as a worker crash would.
    async sendNotification(req: Parameters<typeof real.sendNotification>[0]) {
      const result = await real.sendNotification(req);
      attempts.push(Context.current().info.attempt);
      if (Context.current().info.attempt === 1) throw new Error('simulated crash after the firing was recorded');
      return result;
    },
  };
  await h.withWorker(
    queue(),
    async () => {
      const handle = await start('GM0014', rulebook);
      await h.advanceTo('2034-06-27T00:00:00Z');
      expect(attempts).toEqual([1, 2]);
      expect(await firings(handle)).toEqual([['volkshuisvestingsprogramma', 'reminder-7d', '2034-06-26', 'programme-manager', 'queued']]);
    },
    flaky,
  );
  const key = notificationBusinessKey('programme-GM0014', 'volkshuisvestingsprogramma', '2034-07-03', 'reminder-7d');
  await h.delivered();
  expect(h.smtp.withBusinessKey(key)).toHaveLength(1);
  expect(h.smtp.withBusinessKey(key)[0].parsed.subject).toBe('Herinnering: Volkshuisvestingsprogramma Groningen – uiterlijk maandag 3 juli 2034');
  const [row] = await h.dataSource.query(`SELECT status, recipients FROM notification WHERE business_key = $1`, [key]);
  expect(row).toEqual({ status: 'queued', recipients: ['pm@gm0014.example'] });
  expect(await h.dataSource.query(`SELECT recipient, status, attempts FROM outbox WHERE business_key = $1`, [key])).toEqual([
    { recipient: 'pm@gm0014.example', status: 'sent', attempts: 1 },
  ]);
});

test('completion stops everything: nothing fires after the step is done', async () => {
  await h.withWorker(queue(), async () => {
    const handle = await start('GM0034', testRulebook('test-2032-07-01', { effectiveDate: '2032-07-01' }));
    await h.advanceTo('2034-04-05T00:00:00Z');
    // The API passes the dependencies it found unmet in the read model: a warning on the step, never a block.
    const done = await handle.executeUpdate(completeStep, {
      args: [{ step: 'volkshuisvestingsprogramma', evidence, by: 'Griffie Almere', unmetDependencies: ['woonzorganalyse'] }],
    });
    expect(done).toMatchObject({
      status: 'done',
      evidence: [expect.objectContaining({ reference: 'Raadsbesluit 2028/17', recordedBy: 'Griffie Almere' })],
      warnings: ['afgerond terwijl woonzorganalyse nog niet is afgerond'],
    });
    const state = await handle.result();
    await recordHistory('done', handle);
    expect(state.firings.map((f) => f.key)).toEqual(['reminder-180d', 'reminder-90d']);
    await h.delivered();
    expect(mailsFor('GM0034')).toHaveLength(2);
    const [row] = await h.dataSource.query(`SELECT status, detail FROM step_state WHERE owner_code = 'GM0034'`);
    expect(row).toMatchObject({ status: 'done', detail: { warnings: ['afgerond terwijl woonzorganalyse nog niet is afgerond'] } });
  });
});

test('an extension mid-flight sends one change notice, skips what is past and fires the rest for the new date', async () => {
  await h.withWorker(queue(), async () => {
    const handle = await start('GM0037', testRulebook('test-2032-07-01', { effectiveDate: '2032-07-01' }));
    await h.advanceTo('2034-06-03T00:00:00Z');
    const extended = await handle.executeUpdate(grantExtension, {
      args: [{ step: 'volkshuisvestingsprogramma', to: '2034-10-02', reason: 'Herindeling', grantedBy: 'Provincie Groningen' }],
    });
    expect(extended).toMatchObject({ due: { date: '2034-10-02', rule: 'verlenging verleend door Provincie Groningen' }, sequence: 1, dueSource: 'extension' });
    // A second identical request is refused (the date is no longer later): nothing changes.
    await expect(
      handle.executeUpdate(grantExtension, { args: [{ step: 'volkshuisvestingsprogramma', to: '2034-10-02', reason: 'Herindeling', grantedBy: 'Provincie Groningen' }] }),
    ).rejects.toThrow(WorkflowUpdateFailedError);
    await h.advanceTo('2034-12-01T00:00:00Z');
    await recordHistory('extended', handle);
    expect(await firings(handle)).toEqual([
      ['volkshuisvestingsprogramma', 'reminder-180d', '2034-01-04', 'programme-manager', 'queued'],
      ['volkshuisvestingsprogramma', 'reminder-90d', '2034-04-04', 'programme-manager', 'queued'],
      ['volkshuisvestingsprogramma', 'reminder-30d', '2034-06-02', 'programme-manager+alderman', 'queued'],
      // For the new date 2 October 2034: 180 days before (5 April) had passed when it was granted.
      ['volkshuisvestingsprogramma', 'reminder-180d', '2034-04-05', 'programme-manager', 'skipped-past'],
      ['volkshuisvestingsprogramma', 'reminder-90d', '2034-07-04', 'programme-manager', 'queued'],
      // 2 September 2034 is a Saturday.
      ['volkshuisvestingsprogramma', 'reminder-30d', '2034-09-01', 'programme-manager+alderman', 'queued'],
      ['volkshuisvestingsprogramma', 'reminder-7d', '2034-09-25', 'programme-manager+alderman', 'queued'],
      ['volkshuisvestingsprogramma', 'deadline-passed', '2034-10-03', '', 'recorded'],
      ['volkshuisvestingsprogramma', 'escalation-1', '2034-10-03', 'programme-manager+alderman', 'queued'],
      ['volkshuisvestingsprogramma', 'escalation-2', '2034-10-16', 'regional-coordinator', 'no-recipients'],
      ['volkshuisvestingsprogramma', 'escalation-3', '2034-11-01', 'province', 'no-recipients'],
    ]);
    await h.delivered();
    const notices = h.smtp.withBusinessKey(notificationBusinessKey('programme-GM0037', 'volkshuisvestingsprogramma', '2034-10-02', 'change-notice'));
    expect(notices).toHaveLength(1);
    expect(notices[0].parsed.subject).toBe('Nieuwe datum: Volkshuisvestingsprogramma Stadskanaal – uiterlijk maandag 2 oktober 2034');
    expect(notices[0].parsed.text).toContain('is gewijzigd: was maandag 3 juli 2034, nu maandag 2 oktober 2034.');
    // 3 reminders for the old date, 1 notice, then 3 reminders and rung 1 for the new date (no address for rungs 2 and 3).
    await h.delivered();
    expect(mailsFor('GM0037')).toHaveLength(8);
  });
});

test('a rulebook change mid-flight re-dates the step like an extension, once per new date', async () => {
  await h.withWorker(queue(), async () => {
    const handle = await start('GM0047', testRulebook('test-2032-07-01', { effectiveDate: '2032-07-01' }));
    await h.advanceTo('2034-06-03T00:00:00Z');
    // The law now takes effect on 1 October 2032: due Sunday 1 October 2034, moved to Monday 2 October.
    const next = testRulebook('test-2032-10-01', { effectiveDate: '2032-10-01' });
    await storeRulebook(h.dataSource, next, 'operator');
    const result = await handle.executeUpdate(applyRulebook, { args: [{ rulebook: next.rulebook, rulebookHash: next.hash }] });
    expect(result).toEqual({ rulebookId: 'test-2032-10-01', changed: [{ step: 'volkshuisvestingsprogramma', from: '2034-07-03', to: '2034-10-02' }], alreadyApplied: false });
    expect(await handle.executeUpdate(applyRulebook, { args: [{ rulebook: next.rulebook, rulebookHash: next.hash }] })).toMatchObject({ alreadyApplied: true, changed: [] });
    await h.advanceTo('2034-09-26T00:00:00Z');
    await recordHistory('rulebook-change', handle);
    const state = await handle.query(programmeStateQuery);
    expect(state).toMatchObject({ rulebookId: 'test-2032-10-01', rulebookHash: next.hash });
    expect(state.firings.slice(3).map((f) => [f.key, f.day, f.outcome])).toEqual([
      ['reminder-180d', '2034-04-05', 'skipped-past'],
      ['reminder-90d', '2034-07-04', 'queued'],
      ['reminder-30d', '2034-09-01', 'queued'],
      ['reminder-7d', '2034-09-25', 'queued'],
    ]);
    await h.delivered();
    expect(h.smtp.withBusinessKey(notificationBusinessKey('programme-GM0047', 'volkshuisvestingsprogramma', '2034-10-02', 'change-notice'))).toHaveLength(1);
    const [row] = await h.dataSource.query(`SELECT due_date::text, rulebook_id, derivation FROM step_state WHERE owner_code = 'GM0047'`);
    expect(row).toMatchObject({ due_date: '2034-10-02', rulebook_id: 'test-2032-10-01' });
    expect(row.derivation.text).toContain('zondag 1 oktober 2034 (testwet: uiterlijk 1 oktober 2034) valt op een zondag');
  });
});

test('onboarding mid-way records the past and sends nothing from it', async () => {
  await h.withWorker(queue(), async () => {
    // Effective 1 July 2024: the programme was due Wednesday 1 July 2026, before this server's "now".
    const rulebook = testRulebook('test-2024-07-01', { effectiveDate: '2024-07-01' });
    const handle = await start('GM0050', rulebook);
    await h.env.sleep('1 hour');
    await recordHistory('onboarded-mid-way', handle);
    const state = await handle.query(programmeStateQuery);
    expect(state.firings.map((f) => [f.key, f.outcome])).toEqual([
      ['reminder-180d', 'skipped-past'],
      ['reminder-90d', 'skipped-past'],
      ['reminder-30d', 'skipped-past'],
      ['reminder-7d', 'skipped-past'],
      ['deadline-passed', 'recorded'],
      ['escalation-1', 'skipped-past'],
      ['escalation-2', 'skipped-past'],
      ['escalation-3', 'skipped-past'],
    ]);
    // It is overdue (set by the workflow when it recorded the passed moment), and nothing was sent.
    expect(state.steps[0]).toMatchObject({ overdue: true, overdueSince: '2026-07-02' });
    await h.delivered();
    expect(mailsFor('GM0050')).toHaveLength(0);
    const [row] = await h.dataSource.query(`SELECT overdue, last_event FROM step_state WHERE owner_code = 'GM0050'`);
    expect(row).toEqual({ overdue: true, last_event: 'moments-skipped' });
  });
});

test('a step imported as done with its evidence gets no reminders', async () => {
  await h.withWorker(queue(), async () => {
    const handle = await start('GM0059', testRulebook('test-2032-07-01', { effectiveDate: '2032-07-01' }), {
      initialSteps: { volkshuisvestingsprogramma: { status: 'done', evidence: [{ ...evidence, recordedBy: 'Import' }] } },
    });
    const state = await handle.result();
    expect(state.steps[0]).toMatchObject({ status: 'done', evidence: [expect.objectContaining({ reference: 'Raadsbesluit 2028/17' })] });
    expect(state.firings).toEqual([]);
    await h.delivered();
    expect(mailsFor('GM0059')).toHaveLength(0);
  });
});

test('a bad update is rejected with its reason and changes nothing', async () => {
  await h.withWorker(queue(), async () => {
    const handle = await start('GM0060', testRulebook('test-2032-07-01', { effectiveDate: '2032-07-01' }));
    const before = await handle.query(programmeStateQuery);
    const rejects = async (promise: Promise<unknown>, message: RegExp) => {
      const err = await promise.then(() => null, (e) => e);
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((err as WorkflowUpdateFailedError).cause?.message).toMatch(message);
    };
    await rejects(handle.executeUpdate(grantExtension, { args: [{ step: 'volkshuisvestingsprogramma', to: '2034-05-01', reason: 'x', grantedBy: 'Provincie' }] }), /to must be after the current date 2034-07-03/);
    await rejects(handle.executeUpdate(grantExtension, { args: [{ step: 'volkshuisvestingsprogramma', to: '2034-02-30', reason: 'x', grantedBy: 'Provincie' }] }), /to must be a date/);
    await rejects(handle.executeUpdate(waiveStep, { args: [{ step: 'volkshuisvestingsprogramma', reason: ' ', grantedBy: 'Provincie' }] }), /reason is required/);
    await rejects(handle.executeUpdate(updateProgress, { args: [{ step: 'volkshuisvestingsprogramma', checklist: { bestaat: true }, by: 'PM' }] }), /checklist item bestaat is not part of step/);
    await rejects(handle.executeUpdate(completeStep, { args: [{ step: 'woonzorganalyse', evidence, by: 'PM' }] }), /unknown step woonzorganalyse/);
    expect(await handle.query(programmeStateQuery)).toEqual(before);

    await handle.executeUpdate(waiveStep, { args: [{ step: 'volkshuisvestingsprogramma', reason: 'Ontheffing GS', grantedBy: 'Provincie Flevoland' }] });
    // The waiver closed the last open step: the run ends with it (its cancellation notice in the same task), and
    // a later update finds no running workflow (the rule that a waived step cannot change: programme-steps.spec.ts).
    const state = await handle.result();
    expect(await handle.executeUpdate(completeStep, { args: [{ step: 'volkshuisvestingsprogramma', evidence, by: 'PM' }] }).then(() => null, (e) => e)).toBeInstanceOf(WorkflowNotFoundError);
    await recordHistory('waived', handle);
    expect(state.steps[0]).toMatchObject({ status: 'waived', waiver: expect.objectContaining({ reason: 'Ontheffing GS' }) });
    // A waiver cancels the calendar entry: one cancellation, nothing else.
    await h.delivered();
    expect(mailsFor('GM0060').map((m) => m.parsed.subject)).toEqual(['Vervallen: Volkshuisvestingsprogramma Ameland – maandag 3 juli 2034']);
  });
});

describe('workflow bundle', () => {
  const quietLogger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

  it('bundles the workflows with only deterministic imports', async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
    expect(code).toContain('programmeWorkflow');
    // The step model and the planner are in it; the rulebook schema's zod is not (imported as types only).
    expect(code).toContain('class ProgrammeSteps');
    expect(code).not.toMatch(/node_modules\/zod\//);
  });

  it('fails on workflow code that imports I/O (proves the check has teeth)', async () => {
    await expect(
      bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'fixtures', 'workflow-with-io.ts'), logger: quietLogger }),
    ).rejects.toThrow(/fs|not allowed|disallowed/i);
  });
});
