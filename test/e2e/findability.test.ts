/**
 * A person finds any programme or region workflow in the Temporal UI by its business key and search
 * attributes. The time-skipping server cannot list workflows, so this runs on the real dev server.
 */
import { actorToken } from '../support/access';
import { defaultRulebook } from '../support/rulebooks';
import { startTestSystem, TestSystem } from '../support/system';

let sys: TestSystem;
let env: TestSystem['env'];
let api: TestSystem['api'];

beforeAll(async () => {
  sys = await startTestSystem('find', { devServer: true });
  ({ env, api } = sys);
});

afterAll(() => sys?.stop());

async function list(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of env.client.workflow.list({ query })) ids.push(wf.workflowId);
  return ids.sort();
}

/** Visibility is eventually consistent: ask until the answer is the expected one, or give up. */
async function eventually(query: string, expected: string[]): Promise<void> {
  let last: string[] = [];
  for (const end = Date.now() + 20_000; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
    last = await list(query);
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
  }
  expect(last).toEqual(expected);
}

test('programme and region workflows are found by municipality, province, region, open step and overdue', async () => {
  // The law in force in 2040: nothing is overdue whenever this test runs.
  expect((await api.request('POST', '/rulebooks', { ...defaultRulebook(), id: 'find-2040', effectiveDate: '2040-07-01' })).status).toBe(201);
  for (const municipalityCode of ['GM0363', 'GM0384', 'GM0014']) {
    expect((await api.request('POST', '/onboardings', { municipalityCode, rulebookId: 'find-2040' })).status).toBe(201);
  }
  await eventually(`WorkflowId = 'programme-GM0363'`, ['programme-GM0363']);
  await eventually(`RegieMunicipality = 'GM0363'`, ['programme-GM0363']);
  // Diemen (GM0384) is in Groot-Amsterdam too; the region workflow carries the region and its province.
  await eventually(`RegieRegion = 'CR23'`, ['programme-GM0363', 'programme-GM0384', 'region-CR23']);
  await eventually(`RegieProvince = 'PV20'`, ['programme-GM0014', 'region-CR03']);
  await eventually(`RegieOpenSteps = 'huisvestingsverordening' AND RegieProvince = 'PV27'`, ['programme-GM0363', 'programme-GM0384']);
  await eventually(`RegieOpenSteps = 'woonzorganalyse'`, ['region-CR03', 'region-CR23']);
  await eventually(`RegieOverdue = true`, []);
  await eventually(`RegieOverdue = false AND ExecutionStatus = 'Running'`, ['programme-GM0014', 'programme-GM0363', 'programme-GM0384', 'region-CR03', 'region-CR23']);

  // Recording the programme as done takes it off the open-steps list.
  const done = await api.request(
    'POST',
    '/municipalities/GM0384/steps/volkshuisvestingsprogramma/complete',
    { evidence: { kind: 'council-decision', reference: 'Raadsbesluit 2027/5' } },
    await actorToken(api, 'programme-manager', 'GM0384'),
  );
  expect(done.status).toBe(201);
  await eventually(`RegieOpenSteps = 'volkshuisvestingsprogramma'`, ['programme-GM0014', 'programme-GM0363']);
});
