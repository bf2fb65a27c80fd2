/**
 * Outages answer, never hang: with the real Temporal server stopped mid-write (SIGSTOP: it accepts
 * nothing and answers nothing), a step write gets a 503 with Retry-After within 10 s; once the server runs
 * again, the retry with the same Idempotency-Key applies the write exactly once and answers as the first.
 * Onboarding and a rollout's start likewise: 503, then started once when asked again.
 * And a burst of 100 concurrent writes to one workflow: each answer a 2xx or a 429 with Retry-After,
 * and exactly the 2xx ones applied.
 */
import { actorToken } from '../support/access';
import { DataSource } from 'typeorm';
import { temporalServerPid, whilePaused } from '../support/faults';
import { startTestSystem, TestSystem } from '../support/system';

let sys: TestSystem;
const STEP = '/municipalities/GM0363/steps/volkshuisvestingsprogramma';
/** The programme manager's token: the one who writes this step. */
let pm: string;

beforeAll(async () => {
  sys = await startTestSystem('e2e-outage');
  const onboarded = await sys.api.request('POST', '/onboardings', { municipalityCode: 'GM0363', programmeManagerEmail: 'pm@amsterdam.example' });
  expect(onboarded.status).toBe(201);
  for (let i = 0; i < 100; i++) {
    if ((await sys.api.request('GET', STEP)).status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  pm = await actorToken(sys.api, 'programme-manager', 'GM0363');
});
afterAll(async () => {
  await sys?.stop();
});

const progressEvents = async (note: string) =>
  Number((await sys.worker.get(DataSource).query(`SELECT count(*)::int AS n FROM step_event WHERE event = 'progress' AND detail->>'note' = $1`, [note]))[0].n);

test('Temporal stopped mid-write: a 503 with Retry-After within 10 s, and the retry with the same key applies once', async () => {
  const body = { status: 'in-progress', note: 'na de storing' };
  const headers = { 'Idempotency-Key': 'storing-1' };
  const started = Date.now();
  const first = await whilePaused(temporalServerPid(sys.env.address), () => sys.api.request('POST', `${STEP}/progress`, body, pm, headers));
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(first).toMatchObject({ status: 503, body: { error: 'temporal-unavailable' } });
  expect(Number(first.headers['retry-after'])).toBeGreaterThan(0);

  const retry = await sys.api.request('POST', `${STEP}/progress`, body, pm, headers);
  expect(retry).toMatchObject({ status: 201, body: { status: 'in-progress' } });
  const again = await sys.api.request('POST', `${STEP}/progress`, body, pm, headers);
  expect(again.status).toBe(201);
  expect(await progressEvents('na de storing')).toBe(1);

  // The same key with another body is refused, and changes nothing.
  expect(await sys.api.request('POST', `${STEP}/progress`, { ...body, note: 'iets anders' }, pm, headers)).toMatchObject({ status: 422, body: { error: 'idempotency-key-reused' } });
  expect(await progressEvents('iets anders')).toBe(0);
});

test('Temporal stopped during an onboarding and a rollout: 503s with Retry-After within 10 s; the same requests again start each workflow once', async () => {
  const onboarding = { municipalityCode: 'GM0599', programmeManagerEmail: 'pm@rotterdam.example' };
  const started = Date.now();
  const [first, apply] = await whilePaused(temporalServerPid(sys.env.address), () =>
    Promise.all([sys.api.request('POST', '/onboardings', onboarding), sys.api.request('POST', '/rulebooks/wvrv-2025-07-01.3/apply', {})]),
  );
  expect(Date.now() - started).toBeLessThan(10_000);
  for (const answer of [first, apply]) {
    expect(answer).toMatchObject({ status: 503, body: { error: 'temporal-unavailable' } });
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
  }
  // Again: the start the stopped server may still have taken is adopted, never doubled.
  const again = await sys.api.request('POST', '/onboardings', onboarding);
  expect([200, 201]).toContain(again.status);
  expect(again.body).toMatchObject({ workflowId: 'programme-GM0599' });
  // One run, the one the onboarding recorded (the reuse policy refuses a second run under this id).
  expect((await sys.env.client.workflow.getHandle('programme-GM0599').describe()).runId).toBe(again.body.runId);
  expect([200, 202]).toContain((await sys.api.request('POST', '/rulebooks/wvrv-2025-07-01.3/apply', {})).status);
});

test('100 concurrent writes to one workflow: each a 2xx or a 429 with Retry-After, and exactly the 2xx applied', async () => {
  const answers = await Promise.all(
    Array.from({ length: 100 }, (_, i) => sys.api.request('POST', `${STEP}/progress`, { note: `burst ${i}` }, pm)),
  );
  const statuses = answers.map((a) => a.status);
  expect(statuses.filter((s) => s !== 201 && s !== 429)).toEqual([]);
  for (const a of answers.filter((x) => x.status === 429)) expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
  const applied = Number(
    (await sys.worker.get(DataSource).query(`SELECT count(*)::int AS n FROM step_event WHERE event = 'progress' AND detail->>'note' LIKE 'burst %'`))[0].n,
  );
  expect(applied).toBe(statuses.filter((s) => s === 201).length);
  console.log(`burst of 100: ${applied} applied (201), ${100 - applied} asked to wait (429)`);
});
