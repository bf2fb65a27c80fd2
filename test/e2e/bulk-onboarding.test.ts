/**
 * One API call onboards all 342 municipalities and the 40 COROP regions, idempotently, with current step
 * states; the read model then answers the overview lists with SQL. Real API, Temporal, worker, Postgres, SMTP.
 */
import { DataSource } from 'typeorm';
import { allPages } from '../../infra/api-client';
import { defaultRulebook } from '../support/rulebooks';
import { startTestSystem, TestSystem } from '../support/system';

let sys: TestSystem;
let smtp: TestSystem['smtp'];
let api: TestSystem['api'];

beforeAll(async () => {
  sys = await startTestSystem('bulk');
  ({ smtp, api } = sys);
});

afterAll(() => sys?.stop());

async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s (last: ${JSON.stringify(value)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('all municipalities and regions in one call, with their current state, and again without effect', async () => {
  // The default rulebook with the law in force in 2040, so no date has passed whenever this test runs.
  const version = { ...defaultRulebook(), id: 'e2e-2040', effectiveDate: '2040-07-01' };
  expect((await api.request('POST', '/rulebooks', version)).status).toBe(201);
  const body = {
    rulebookId: 'e2e-2040',
    municipalities: {
      GM0363: {
        programmeManagerEmail: 'programma@amsterdam.example',
        steps: {
          volkshuisvestingsprogramma: { status: 'done', evidence: [{ kind: 'publication', reference: 'gmb-2027-1', url: 'https://example.org/gmb-2027-1', recordedBy: 'Import' }] },
          huisvestingsverordening: { status: 'in-progress', checklist: ['urgentie-mantelzorg'] },
          'wmo-beleidsplan': { targetDate: '2041-09-02' },
        },
      },
    },
    regions: { CR23: { coordinatorEmail: 'regio@groot-amsterdam.example', steps: { woonzorganalyse: { targetDate: '2041-03-01' } } } },
  };
  const first = await api.request('POST', '/onboardings/all', body);
  expect(first).toMatchObject({
    status: 201,
    body: { rulebookId: 'e2e-2040', municipalities: { total: 342, created: 342 }, regions: { total: 40, created: 40 }, alreadyOnboarded: 0, failed: [] },
  });
  const again = await api.request('POST', '/onboardings/all', body);
  expect(again.body).toMatchObject({ municipalities: { created: 0 }, regions: { created: 0 }, alreadyOnboarded: 382, failed: [] });

  // Every workflow has written its steps: 342 x 5 municipal steps (3, 4, 5 and both yearly ones) and 40 x 2 regional.
  const dataSource = api.app.get(DataSource);
  await until('read model filled', () => dataSource.query(`SELECT owner_kind, count(*)::int AS n FROM step_state GROUP BY owner_kind ORDER BY owner_kind`), (rows) =>
    JSON.stringify(rows) === JSON.stringify([{ owner_kind: 'municipality', n: 342 * 5 }, { owner_kind: 'region', n: 40 * 2 }]),
  );

  // The current state was taken over: nothing from the past is sent, the imported step is done with its evidence.
  const amsterdam = (await api.request('GET', '/municipalities/GM0363/steps')).body;
  const byStep = Object.fromEntries(amsterdam.map((s: { step: string }) => [s.step, s]));
  expect(byStep.volkshuisvestingsprogramma).toMatchObject({ status: 'done', evidence: [expect.objectContaining({ reference: 'gmb-2027-1' })] });
  expect(byStep.huisvestingsverordening).toMatchObject({ status: 'in-progress', dueDate: '2042-07-01', checklist: expect.objectContaining({ 'urgentie-mantelzorg': true }) });
  expect(byStep['wmo-beleidsplan']).toMatchObject({ dateKind: 'target', dueDate: '2041-09-02' });
  // The region's steps count for its members and show in the municipality's list.
  expect(byStep.woonzorganalyse).toMatchObject({ owner: expect.objectContaining({ kind: 'region', code: 'CR23' }), dueDate: '2041-03-01', dateKind: 'target' });

  // Overview lists come from SQL, a page at a time: per step, province, region, status.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const steps = (path: string): Promise<any[]> => allPages(async (page) => (await api.request('GET', page)).body, path);
  const programmes = await steps('/steps?step=volkshuisvestingsprogramma');
  expect(programmes).toHaveLength(342);
  expect(programmes.filter((s: { dueDate: string }) => s.dueDate === '2042-07-01')).toHaveLength(342);
  expect(await steps('/steps?step=volkshuisvestingsprogramma&province=PV27')).toHaveLength(44);
  expect((await steps('/steps?step=volkshuisvestingsprogramma&status=done')).map((s: { owner: { code: string } }) => s.owner.code)).toEqual(['GM0363']);
  expect(await steps('/steps?region=CR23&step=woonzorganalyse')).toHaveLength(1);
  expect((await api.request('GET', '/steps?overdue=true')).body).toEqual({ items: [], nextCursor: null });
  // All 342 x 5 + 40 x 2 rows: the default page is 100, and the pages add up to the whole read model.
  const firstPage = (await api.request('GET', '/steps')).body;
  expect(firstPage.items).toHaveLength(100);
  expect(firstPage.nextCursor).toEqual(expect.any(String));
  expect(new Set((await steps('/steps')).map((s: { owner: { code: string }; step: string }) => `${s.owner.code}/${s.step}`)).size).toBe(342 * 5 + 40 * 2);
  expect((await api.request('GET', '/steps?status=finished'))).toMatchObject({ status: 400, body: { field: 'status' } });
  expect(smtp.mails).toHaveLength(0);
}, 240_000);

test('bad bulk input names the field and starts nothing', async () => {
  const dataSource = api.app.get(DataSource);
  const before = await dataSource.query(`SELECT count(*)::int AS n FROM onboarding`);
  expect(await api.request('POST', '/onboardings/all', { municipalities: { GM9999: {} } })).toMatchObject({ status: 400, body: { field: 'municipalities.GM9999' } });
  expect(await api.request('POST', '/onboardings/all', { municipalities: { GM0014: { steps: { volkshuisvestingsprogramma: { status: 'klaar' } } } } })).toMatchObject({
    status: 400,
    body: { field: 'municipalities.GM0014.steps.volkshuisvestingsprogramma.status' },
  });
  expect(await api.request('POST', '/onboardings/all', { municipalities: { GM0014: { steps: { volkshuisvestingsprogramma: { status: 'done' } } } } })).toMatchObject({
    status: 400,
    body: { field: 'municipalities.GM0014.steps.volkshuisvestingsprogramma.evidence' },
  });
  expect(await api.request('POST', '/onboardings/all', { regions: { CR23: { steps: { volkshuisvestingsprogramma: {} } } } })).toMatchObject({
    status: 400,
    body: { field: 'regions.CR23.steps.volkshuisvestingsprogramma' },
  });
  expect(await dataSource.query(`SELECT count(*)::int AS n FROM onboarding`)).toEqual(before);
});
