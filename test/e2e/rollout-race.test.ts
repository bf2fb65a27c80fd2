/**
 * One rollout at a time, and versions in order, against the real API, Temporal (time-skipping server, its
 * clock left alone), worker and Postgres. Two applies really race: both HTTP requests are in flight at
 * once (Promise.all), and the database lets exactly one take the lock.
 */
import { eventually } from '../support/outbox';
import { WorkflowFailedError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { RULEBOOK_ROLLOUT_WORKFLOW_TYPE, rolloutWorkflowId } from '../../libs/contracts';
import { testRulebook } from '../support/rulebooks';
import { startTestSystem, TestSystem } from '../support/system';

let sys: TestSystem;
let dataSource: DataSource;
const TASK_QUEUE = 'regie-test-e2e-rollout-race';

beforeAll(async () => {
  sys = await startTestSystem('e2e', { vars: { PUBLIC_BASE_URL: 'https://regie.example', TEMPORAL_TASK_QUEUE: TASK_QUEUE } });
  dataSource = sys.worker.get(DataSource);
});

afterAll(() => sys?.stop());


const apply = (id: string, body?: unknown) => sys.api.request('POST', `/rulebooks/${id}/apply`, body);
const rolloutDone = (id: string) =>
  eventually(`rollout of ${id}`, async () => {
    const { body } = await sys.api.request('GET', `/rulebooks/${id}/rollout`);
    return body.status === 'completed' ? body : undefined;
  });
const runningLocks = async () => dataSource.query(`SELECT rulebook_id, workflow_id, status FROM rulebook_rollout_run WHERE status = 'running'`);
const runsOf = async (id: string) =>
  dataSource.query(`SELECT status, requested_via, previous_rulebook_id, override, override_reason FROM rulebook_rollout_run WHERE rulebook_id = $1 ORDER BY id`, [id]);
/** Publishes a fresh version; a later call publishes a newer one (versions are ordered by publication). */
let published = 0;
async function publish(id: string): Promise<string> {
  const month = String((published++ % 12) + 1).padStart(2, '0');
  const { rulebook } = testRulebook(id, { effectiveDate: `2031-${month}-01`, escalations: [] });
  expect((await sys.api.request('POST', '/rulebooks', rulebook)).status).toBe(201);
  return id;
}
const followed = async () =>
  (await dataSource.query(`SELECT DISTINCT rulebook_id FROM step_state WHERE step = 'volkshuisvestingsprogramma' AND status <> 'done'`)).map(
    (r: { rulebook_id: string }) => r.rulebook_id,
  );

const codes = ['GM0344', 'GM0363', 'GM0518', 'GM0599'];
const winners: string[] = [];

test('two versions applied at the same instant: one 202, one 409 naming the running rollout, every time', async () => {
  const start = await publish('race-start');
  for (const code of codes) {
    const onboarded = await sys.api.request('POST', '/onboardings', { municipalityCode: code, programmeManagerEmail: `pm@${code.toLowerCase()}.example`, rulebookId: start });
    expect(onboarded.status).toBe(201);
  }
  await eventually('read model', async () => ((await followed()).length === 1 ? true : undefined));

  for (let round = 1; round <= 4; round++) {
    const a = await publish(`race-${round}-a`);
    const b = await publish(`race-${round}-b`);
    const [first, second] = await Promise.all([apply(a), apply(b)]);
    expect([first.status, second.status].sort()).toEqual([202, 409]);
    const [winner, loser, refusal] = first.status === 202 ? [a, b, second] : [b, a, first];
    expect(refusal.body).toMatchObject({ error: 'rollout-running', field: 'id' });
    expect(refusal.body.message).toContain(`Regelboek ${winner} wordt nu uitgerold (workflow ${rolloutWorkflowId(winner)}`);
    expect(refusal.body.message).toContain(`apply ${loser}`);
    // The lock is the winner's until its rollout completes (which may already have happened); the loser left no trace.
    expect([[], [{ rulebook_id: winner, workflow_id: rolloutWorkflowId(winner), status: 'running' }]]).toContainEqual(await runningLocks());
    await rolloutDone(winner);
    expect(await runningLocks()).toEqual([]);
    expect(await runsOf(winner)).toEqual([{ status: 'completed', requested_via: 'api', previous_rulebook_id: winners.at(-1) ?? start, override: false, override_reason: null }]);
    expect(await runsOf(loser)).toEqual([]);
    await expect(eventually('workflows on the winner', async () => ((await followed()).join() === winner ? true : undefined))).resolves.toBe(true);
    winners.push(winner);
  }
});

test('the same version applied twice at once: both 202, attached to one run (re-applying stays harmless)', async () => {
  const id = await publish('race-same');
  const [first, second] = await Promise.all([apply(id), apply(id)]);
  expect([first.status, second.status]).toEqual([202, 202]);
  expect(second.body.runId).toBe(first.body.runId);
  await rolloutDone(id);
  expect(await runsOf(id)).toHaveLength(1);
  // And once it has completed, applying it again runs it again (no newer version since): 202.
  expect((await apply(id)).status).toBe(202);
  await rolloutDone(id);
  winners.push(id);
});

test('versions are ordered by publication; revisions of one id (.2, .3) by their number, whatever order the files were stored in', async () => {
  const order = await dataSource.query(`SELECT id FROM rulebook_version WHERE source = 'file' ORDER BY seq`);
  expect(order.map((r: { id: string }) => r.id)).toEqual(['wvrv-2025-07-01', 'wvrv-2025-07-01.2', 'wvrv-2025-07-01.3', 'wvrv-2026-07-01']);
  const [last] = await dataSource.query(`SELECT id FROM rulebook_version ORDER BY seq DESC LIMIT 1`);
  expect(last.id).toBe(winners.at(-1));
  // A revision published later but numbered lower still sorts below the higher one; another id sorts by publication.
  await publish('race-family.3');
  await publish('race-family.2');
  await publish('race-family');
  const family = await dataSource.query(`SELECT id FROM rulebook_version WHERE id LIKE 'race-family%' ORDER BY seq`);
  expect(family.map((r: { id: string }) => r.id)).toEqual(['race-family', 'race-family.2', 'race-family.3']);
});

test('an older version is refused without override, and applied with one, the reason recorded with the rollout', async () => {
  const current = winners.at(-1)!;
  const older = winners[0];
  const refused = await apply(older);
  expect(refused).toMatchObject({ status: 409, body: { error: 'rulebook-older-than-current', field: 'override' } });
  expect(refused.body.message).toContain(`Regelboek ${older} is ouder dan ${current}, dat de workflows nu volgen`);
  expect(await runsOf(older)).toHaveLength(1); // only its first, completed rollout

  expect(await apply(older, { override: true })).toMatchObject({ status: 400, body: { error: 'override-reason-required', field: 'reason' } });
  expect(await apply(older, { override: 'yes', reason: 'x' })).toMatchObject({ status: 400, body: { field: 'override' } });
  expect(await apply(older, { reason: 'x\u0000' })).toMatchObject({ status: 400, body: { field: 'reason' } });

  const reason = 'Terug naar de eerdere lezing na uitspraak van de Raad van State';
  const accepted = await apply(older, { override: true, reason });
  expect(accepted).toMatchObject({ status: 202, body: { rulebookId: older, previousRulebookId: current, override: { reason } } });
  const progress = await rolloutDone(older);
  expect(progress.lastApply).toMatchObject({ status: 'completed', requestedVia: 'api', previousRulebookId: current, override: { reason } });
  expect((await runsOf(older)).at(-1)).toEqual({ status: 'completed', requested_via: 'api', previous_rulebook_id: current, override: true, override_reason: reason });
  expect(await eventually('workflows back on the older version', async () => ((await followed()).join() === older ? true : undefined))).toBe(true);

  // The older version is now the one followed: applying it again needs no override, nor does the newer one.
  expect((await apply(older)).status).toBe(202);
  await rolloutDone(older);
  expect((await apply(current)).status).toBe(202);
  await rolloutDone(current);
  winners.push(current);
});

test('a lock whose workflow is gone is released; one whose request is still starting is respected; a direct start respects it too', async () => {
  const current = winners.at(-1)!;
  // A rollout terminated by hand (or a request that died an hour ago before starting it): released, and recorded so.
  const [{ id: gone }] = await dataSource.query(
    `INSERT INTO rulebook_rollout_run (rulebook_id, workflow_id, workflow_run_id, status, requested_via, requested_at)
     VALUES ($1, 'rulebook-rollout-gone', 'gone', 'running', 'api', now() - interval '1 hour') RETURNING id`,
    [current],
  );
  const next = await publish('race-after-stale');
  expect((await apply(next)).status).toBe(202);
  expect(await dataSource.query(`SELECT status, error FROM rulebook_rollout_run WHERE id = $1`, [gone])).toEqual([
    { status: 'interrupted', error: 'workflow rulebook-rollout-gone loopt niet meer / no longer runs' },
  ]);
  await rolloutDone(next);

  // A lock taken a moment ago whose workflow has not started yet: its request is still starting it.
  const [{ id: starting }] = await dataSource.query(
    `INSERT INTO rulebook_rollout_run (rulebook_id, workflow_id, status, requested_via) VALUES ($1, $2, 'running', 'api') RETURNING id`,
    [next, rolloutWorkflowId(next)],
  );
  const other = await publish('race-while-starting');
  expect(await apply(other)).toMatchObject({ status: 409, body: { error: 'rollout-running' } });
  // A rollout started straight from a Temporal client takes the same lock, so it fails at once and says why.
  const direct = await sys.env.client.workflow.start(RULEBOOK_ROLLOUT_WORKFLOW_TYPE, { workflowId: rolloutWorkflowId(other), taskQueue: TASK_QUEUE, args: [{ rulebookId: other }] });
  const failure = await direct.result().then(
    () => null,
    (err) => err,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  expect(String(failure.cause?.cause?.message)).toContain(`Regelboek ${next} wordt al uitgerold`);
  expect(await runningLocks()).toEqual([{ rulebook_id: next, workflow_id: rolloutWorkflowId(next), status: 'running' }]);
  await dataSource.query(`DELETE FROM rulebook_rollout_run WHERE id = $1`, [starting]);

  // Without a lock held, a direct start takes it and gives it back when done.
  await sys.env.client.workflow.execute(RULEBOOK_ROLLOUT_WORKFLOW_TYPE, { workflowId: rolloutWorkflowId(other), taskQueue: TASK_QUEUE, args: [{ rulebookId: other }] });
  expect((await runsOf(other)).at(-1)).toMatchObject({ status: 'completed', requested_via: 'workflow', previous_rulebook_id: next });
  expect(await runningLocks()).toEqual([]);
  winners.push(other);
});

test('a rollout cancelled half-way releases the lock, and the next version may roll out', async () => {
  // One target never answers: a workflow on a task queue no worker polls, listed like an onboarded owner.
  const stuck = await sys.env.client.workflow.start('nobodyRunsThis', { workflowId: 'programme-GM0014', taskQueue: 'regie-test-nobody-polls' });
  await dataSource.query(
    `INSERT INTO onboarding (municipality_code, workflow_id, rulebook_id, workflow_run_id, workflow_started_at) VALUES ('GM0014', 'programme-GM0014', $1, $2, now())`,
    [winners.at(-1), stuck.firstExecutionRunId],
  );
  try {
    const id = await publish('race-cancelled');
    expect((await apply(id)).status).toBe(202);
    // The batch's counters are written when it ends; the targets show each one as it finishes.
    await eventually('every other target applied', async () => {
      const targets: { workflow_id: string; status: string }[] = await dataSource.query(
        `SELECT workflow_id, status FROM rulebook_rollout_target WHERE rulebook_id = $1 ORDER BY workflow_id`,
        [id],
      );
      return targets.filter((t) => t.status === 'applied').length === codes.length && targets.find((t) => t.workflow_id === 'programme-GM0014')?.status === 'pending'
        ? true
        : undefined;
    });
    await sys.env.client.workflow.getHandle(rolloutWorkflowId(id)).cancel();
    const released = await eventually('lock released', async () => {
      const [run] = await runsOf(id);
      return run.status === 'failed' ? run : undefined;
    });
    expect(released).toMatchObject({ requested_via: 'api' });
    expect((await dataSource.query(`SELECT error FROM rulebook_rollout_run WHERE rulebook_id = $1`, [id]))[0].error).toMatch(/cancel/i);
    expect((await sys.api.request('GET', `/rulebooks/${id}/rollout`)).body).toMatchObject({ status: 'interrupted', lastApply: { status: 'failed' } });
    expect(await runningLocks()).toEqual([]);

    const next = await publish('race-after-cancel');
    await stuck.terminate('test done');
    expect((await apply(next)).status).toBe(202);
    await rolloutDone(next);
  } finally {
    await stuck.terminate('test done').catch(() => undefined);
    await dataSource.query(`DELETE FROM rulebook_rollout_target WHERE workflow_id = 'programme-GM0014'`);
    await dataSource.query(`DELETE FROM onboarding WHERE municipality_code = 'GM0014'`);
  }
});
