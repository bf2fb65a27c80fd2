/**
 * No request wedges a programme: every class of input that once broke a workflow (a NUL character, a date
 * the planner cannot plan, an impossible day at onboarding, text without bound, a notification that cannot
 * be queued) is refused with its code or recorded on the step, and the same workflow then still fires its
 * next reminder. On the time-skipping server with the real activities, Postgres and SMTP.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { grantExtension, OwnerRef, programmeStateQuery, programmeWorkflowId, setTargetDate, updateProgress, waiveStep } from '../../libs/contracts';
import { storeRulebook } from '../../libs/db/rulebook-store';
import { STEP_LIMITS, TEXT_LIMITS } from '../../libs/programme/limits';
import { hashRulebook, HashedRulebook } from '../../libs/rulebook/rulebook-files';
import { programmeWorkflow } from '../../workflows';
import { rulebookWithSteps } from '../support/rulebooks';
import { workflowHarness } from '../support/workflow-harness';

const h = workflowHarness('survival-test');
const amsterdam: OwnerRef = { kind: 'municipality', code: 'GM0363', name: 'Amsterdam', provinceCode: 'PV27', provinceName: 'Noord-Holland', regionCode: 'CR23', regionName: 'Groot-Amsterdam' };
const groningen: OwnerRef = { ...amsterdam, code: 'GM0014', name: 'Groningen', provinceCode: 'PV20', provinceName: 'Groningen', regionCode: 'CR02', regionName: 'Overig Groningen' };
const queue = () => expect.getState().currentTestName!.replace(/\W+/g, '-').slice(0, 60);
// In force 1 July 2032: the programme due Thursday 1 July 2034 (a term in years), the Wmo plan a target date.
const rulebook = rulebookWithSteps('survival-2032', ['volkshuisvestingsprogramma', 'wmo-beleidsplan'], { effectiveDate: '2032-07-01' });

async function start(owner: OwnerRef, version: HashedRulebook, initialSteps = {}, store = true) {
  if (store) {
    await storeRulebook(h.dataSource, version, 'operator');
    await h.dataSource.query(`INSERT INTO onboarding (municipality_code, workflow_id, rulebook_id, programme_manager_email) VALUES ($1, $2, $3, $4)`, [
      owner.code,
      programmeWorkflowId(owner.code),
      version.rulebook.id,
      `pm@${owner.code.toLowerCase()}.example`,
    ]);
  }
  return h.env.client.workflow.start(programmeWorkflow, {
    workflowId: programmeWorkflowId(owner.code),
    taskQueue: queue(),
    args: [{ owner, rulebook: version.rulebook, rulebookHash: version.hash, initialSteps }],
  });
}

/** The refusal's code and field, as the API reads them (the failure's type and details). */
async function refusal(update: Promise<unknown>): Promise<[string, string]> {
  const err = await update.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe((cause.details?.[0] as { code: string }).code);
  return [cause.type!, (cause.details?.[0] as { field: string }).field];
}

const events = async (owner: OwnerRef, step: string) =>
  (await h.dataSource.query(`SELECT event FROM step_event WHERE owner_code = $1 AND step = $2 ORDER BY seq`, [owner.code, step])).map((r: { event: string }) => r.event);

test('every class of bad input is refused with its code, and the workflow still fires its next reminder', async () => {
  await h.withWorker(queue(), async () => {
    // An impossible day at onboarding is left out with a warning; the workflow's first task does not fail.
    const handle = await start(amsterdam, rulebook, { 'wmo-beleidsplan': { targetDate: '2027-02-30' } });
    const step = 'volkshuisvestingsprogramma';
    const nul = 'raadsbesluit\u0000volgt';
    const long = 'x'.repeat(TEXT_LIMITS.reason + 1);
    const cases: [Promise<unknown>, string, string][] = [
      [handle.executeUpdate(updateProgress, { args: [{ step, by: 'PM', note: nul }] }), 'control-character', 'note'],
      [handle.executeUpdate(updateProgress, { args: [{ step, by: nul }] }), 'control-character', 'by'],
      [handle.executeUpdate(updateProgress, { args: [{ step, by: 'PM', checklist: { doorstroming: 'nope' as unknown as boolean } }] }), 'checklist-value-invalid', 'checklist.doorstroming'],
      [handle.executeUpdate(grantExtension, { args: [{ step, to: '9999-12-31', reason: 'r', grantedBy: 'Provincie' }] }), 'date-out-of-range', 'to'],
      [handle.executeUpdate(grantExtension, { args: [{ step, to: '2035-01-01', reason: long, grantedBy: 'Provincie' }] }), 'text-too-long', 'reason'],
      [handle.executeUpdate(grantExtension, { args: [{ step, to: '2035-01-01', reason: nul, grantedBy: 'Provincie' }] }), 'control-character', 'reason'],
      [handle.executeUpdate(setTargetDate, { args: [{ step: 'wmo-beleidsplan', date: '2013-05-01', by: 'PM' }] }), 'date-out-of-range', 'date'],
      [handle.executeUpdate(setTargetDate, { args: [{ step: 'wmo-beleidsplan', date: '2027-02-30', by: 'PM' }] }), 'date-invalid', 'date'],
      [handle.executeUpdate(waiveStep, { args: [{ step, reason: 'r', grantedBy: 'x'.repeat(TEXT_LIMITS.actor + 1) }] }), 'text-too-long', 'grantedBy'],
    ];
    for (const [update, code, field] of cases) expect(await refusal(update)).toEqual([code, field]);

    // Long reasons up to the limit, as many extensions as a step may hold: then the step refuses more.
    for (let i = 1; i <= STEP_LIMITS.extensions; i++) {
      await handle.executeUpdate(grantExtension, { args: [{ step, to: `2034-07-${String(1 + i).padStart(2, '0')}`, reason: 'r'.repeat(TEXT_LIMITS.reason), grantedBy: 'Provincie' }] });
    }
    expect(await refusal(handle.executeUpdate(grantExtension, { args: [{ step, to: '2034-08-30', reason: 'r', grantedBy: 'Provincie' }] }))).toEqual(['limit-reached', 'to']);

    const state = await handle.query(programmeStateQuery);
    expect(state.steps.find((s) => s.key === 'wmo-beleidsplan')).toMatchObject({ due: null, warnings: [expect.stringContaining('bij aanmelding genegeerd: Veld targetDate moet een bestaande datum zijn')] });
    const programme = state.steps.find((s) => s.key === step)!;
    expect(programme).toMatchObject({ due: { date: '2034-07-21' }, sequence: STEP_LIMITS.extensions });

    // The same workflow still fires: the 180-day reminder of the last date (Friday 21 July 2034), in January 2034.
    await h.advanceTo('2034-01-25T00:00:00Z');
    await h.delivered();
    expect((await handle.query(programmeStateQuery)).firings.filter((f) => f.key === 'reminder-180d').map((f) => [f.dueDate, f.outcome])).toEqual([['2034-07-21', 'queued']]);
    expect(h.smtp.mails.filter((m) => m.parsed.subject?.startsWith('Herinnering: Volkshuisvestingsprogramma Amsterdam'))).toHaveLength(1);
  });
});

test('a notification that cannot be queued is recorded on the step, and the loop goes on to the next moment', async () => {
  // A version the database does not hold: the notification activity refuses each firing for good.
  const unknown = hashRulebook({ ...rulebook.rulebook, id: 'not-stored' });
  await h.withWorker(queue(), async () => {
    const handle = await start(groningen, unknown, {}, false);
    await h.advanceTo('2034-04-10T00:00:00Z');
    const fired = (await handle.query(programmeStateQuery)).firings.filter((f) => f.step === 'volkshuisvestingsprogramma');
    expect(fired.map((f) => [f.key, f.outcome])).toEqual([
      ['reminder-180d', 'failed'],
      ['reminder-90d', 'failed'],
    ]);
    expect(await events(groningen, 'volkshuisvestingsprogramma')).toEqual(expect.arrayContaining(['reminder-failed']));
    const [row] = await h.dataSource.query(`SELECT detail FROM step_event WHERE owner_code = $1 AND event = 'reminder-failed' ORDER BY seq LIMIT 1`, [groningen.code]);
    expect(row.detail.reason).toContain('not-stored');
    expect((await handle.describe()).status.name).toBe('RUNNING');
  });
});

test('a write that holds a NUL character (from before the limits) is stored, not retried for ever', async () => {
  const activities = h.activities();
  const step = { key: 'volkshuisvestingsprogramma', stepKey: 'volkshuisvestingsprogramma', cycleYear: null, status: 'open', dateKind: 'statutory', due: null, dueSource: null, checklist: {}, evidence: [], extensions: [{ from: null, to: '2034-08-01', reason: 'a\u0000b', grantedBy: 'P', grantedAt: '2026-01-01T00:00:00.000Z' }], waiver: null, warnings: [], overdue: false, late: false, overdueSince: null, sequence: 1 } as const;
  await activities.recordStepEvent({
    workflowId: 'programme-GM0599',
    seq: 1,
    owner: { kind: 'municipality', code: 'GM0599' },
    event: 'extended',
    occurredAt: '2026-01-01T00:00:00.000Z',
    detail: { reason: 'a\u0000b' },
    step: step as never,
    rulebookId: rulebook.rulebook.id,
    rulebookHash: rulebook.hash,
  });
  const [row] = await h.dataSource.query(`SELECT detail->'extensions'->0->>'reason' AS reason FROM step_state WHERE owner_code = 'GM0599'`);
  expect(row.reason).toBe('a\uFFFDb');
});
