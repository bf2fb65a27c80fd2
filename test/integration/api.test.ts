/**
 * The API on a real Postgres (a fresh clone of the migrated template) and a real Temporal server:
 * reference data, reads from the read model, onboarding idempotency, validation and auth.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DataSource } from 'typeorm';
import { createDataSource } from '../../libs/db/data-source';
import { migrate } from '../../libs/db/migrate';
import { loadReferenceData } from '../../libs/db/reference-data';
import { allPages } from '../../infra/api-client';
import { actorToken } from '../support/access';
import { TestApi } from '../support/api';
import { createTestDatabase, TestDatabase } from '../support/database';
import { startTestApi } from '../support/system';
import { testReferenceDataDir } from '../support/paths';

let sys: Awaited<ReturnType<typeof startTestApi>>;
let env: TestWorkflowEnvironment;
let db: TestDatabase;
let api: TestApi;

beforeAll(async () => {
  sys = await startTestApi('integration');
  ({ env, db, api } = sys);
});

afterAll(() => sys?.stop());

/** Every row of a paged list, following nextCursor (each page a 200). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const all = (path: string): Promise<any[]> =>
  allPages(async (page) => {
    const answer = await api.request('GET', page);
    expect(answer.status).toBe(200);
    return answer.body;
  }, path);

describe('reference data', () => {
  it('holds the 342 municipalities of 2026 with their 12 provinces and 40 COROP regions', async () => {
    expect(await all('/municipalities')).toHaveLength(342);
    const amsterdam = await api.request('GET', '/municipalities/GM0363');
    expect(amsterdam.body).toMatchObject({
      code: 'GM0363',
      name: 'Amsterdam',
      province: { code: 'PV27', name: 'Noord-Holland' },
      region: { code: 'CR23', name: 'Groot-Amsterdam', grouping: 'corop' },
    });
    expect(await all('/municipalities?province=PV27')).toHaveLength(44);
    expect(await all('/municipalities?region=CR23')).toHaveLength(12);
    const regions = await all('/regions');
    expect(regions).toHaveLength(40);
    expect(regions.reduce((n: number, r: { members: number }) => n + r.members, 0)).toBe(342);
    const groot = (await api.request('GET', '/regions/CR23')).body;
    expect(groot).toMatchObject({ code: 'CR23', name: 'Groot-Amsterdam', grouping: 'corop', members: 12 });
    expect(groot.municipalities).toContainEqual({ code: 'GM0363', name: 'Amsterdam' });
    expect(await api.request('GET', '/regions/CR99')).toMatchObject({ status: 404, body: { field: 'code' } });
  });

  it('loads idempotently: a second load changes no row', async () => {
    const dataSource = createDataSource(db.url, 'integration-reload');
    await dataSource.initialize();
    try {
      const snapshot = () =>
        dataSource.query(`SELECT (SELECT count(*) FROM municipality) m, (SELECT count(*) FROM province) p,
          (SELECT count(*) FROM region) r, (SELECT count(*) FROM region_member) rm`);
      const before = await snapshot();
      await loadReferenceData(dataSource, testReferenceDataDir);
      await loadReferenceData(dataSource, testReferenceDataDir);
      expect(await snapshot()).toEqual(before);
      expect(before).toEqual([{ m: '342', p: '12', r: '40', rm: '342' }]);
    } finally {
      await dataSource.destroy();
    }
  });
});

describe('regional groupings', () => {
  it('loads another grouping as data, beside COROP, and refuses an incomplete one', async () => {
    const municipalities: { code: string }[] = await all('/municipalities');
    const half = Math.ceil(municipalities.length / 2);
    const grouping = {
      regions: [
        { code: 'WM01', name: 'Woningmarktregio Noord', municipalities: municipalities.slice(0, half).map((m) => m.code) },
        { code: 'WM02', name: 'Woningmarktregio Zuid', municipalities: municipalities.slice(half).map((m) => m.code) },
      ],
    };
    expect(await api.request('PUT', '/regions/groupings/woningmarkt', grouping)).toMatchObject({ status: 200, body: { grouping: 'woningmarkt', regions: 2, municipalities: 342 } });
    expect((await all('/regions?grouping=woningmarkt')).map((r: { code: string; members: number }) => [r.code, r.members])).toEqual([
      ['WM01', half],
      ['WM02', 342 - half],
    ]);
    // COROP stays the grouping that runs steps 1 and 2, and loading it again changes nothing.
    expect(await all('/regions')).toHaveLength(40);
    expect((await api.request('GET', '/municipalities/GM0363')).body.region).toEqual({ code: 'CR23', name: 'Groot-Amsterdam', grouping: 'corop' });

    const incomplete = { regions: [{ ...grouping.regions[0] }] };
    expect(await api.request('PUT', '/regions/groupings/woningmarkt', incomplete)).toMatchObject({ status: 400, body: { field: 'rows' } });
    const clash = { regions: [{ ...grouping.regions[0], code: 'CR23' }, grouping.regions[1]] };
    expect(await api.request('PUT', '/regions/groupings/woningmarkt', clash)).toMatchObject({ status: 400, body: { field: 'rows' } });
    expect(await api.request('PUT', '/regions/groupings/woningmarkt', grouping, null)).toMatchObject({ status: 401, body: { error: 'sign-in-required' } });
    // Nothing half-written: the grouping is as it was loaded first.
    expect(await all('/regions?grouping=woningmarkt')).toHaveLength(2);
  });
});

describe('migrations', () => {
  it('run once when several processes start together (advisory lock)', async () => {
    const empty = await createTestDatabase({ empty: true });
    const sources = [1, 2, 3].map((i) => createDataSource(empty.url, `racer-${i}`));
    try {
      await Promise.all(sources.map((s) => s.initialize()));
      const applied = await Promise.all(sources.map((s) => migrate(s)));
      expect(applied.flat()).toEqual([
        'InitialSchema1764028800000',
        'StepsPerOwner1764115200000',
        'OrganisationsAndContacts1764201600000',
        'OutboxAndPreferences1764288000000',
        'NotificationFacts1796083200000',
        'RolloutOneAtATime1796097600000',
        'IdempotentWrites1796112000000',
        'Access1796198400000',
        'EvidenceDocuments1796284800000',
        'CalendarFeeds1796371200000',
        'ReadModelNotify1796457600000',
      ]);
      expect(await sources[0].query(`SELECT name FROM migrations ORDER BY id`)).toEqual([
        { name: 'InitialSchema1764028800000' },
        { name: 'StepsPerOwner1764115200000' },
        { name: 'OrganisationsAndContacts1764201600000' },
        { name: 'OutboxAndPreferences1764288000000' },
        { name: 'NotificationFacts1796083200000' },
        { name: 'RolloutOneAtATime1796097600000' },
        { name: 'IdempotentWrites1796112000000' },
        { name: 'Access1796198400000' },
        { name: 'EvidenceDocuments1796284800000' },
        { name: 'CalendarFeeds1796371200000' },
        { name: 'ReadModelNotify1796457600000' },
      ]);
    } finally {
      await Promise.all(sources.map((s) => s.destroy()));
      await empty.drop();
    }
  });
});

describe('schema', () => {
  it('the entities describe exactly the columns the migrations create (keys, indexes and checks live in the migrations)', async () => {
    const dataSource = createDataSource(db.url, 'integration-drift');
    await dataSource.initialize();
    try {
      const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
      const columnDrift = upQueries
        .map((q) => q.query)
        .filter((q) => /CREATE TABLE|DROP TABLE|ADD COLUMN|DROP COLUMN|ALTER COLUMN "[^"]+" TYPE|NOT NULL|RENAME/.test(q));
      expect(columnDrift).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});

describe('health', () => {
  it('reports Postgres and Temporal up', async () => {
    expect(await api.request('GET', '/health')).toMatchObject({
      status: 200,
      body: { status: 'up', checks: { postgres: { status: 'up' }, temporal: { status: 'up' } } },
    });
  });
});

describe('onboarding', () => {
  const amsterdam = { municipalityCode: 'GM0363', programmeManagerEmail: 'programma@amsterdam.example' };

  it('starts one workflow with a business-key ID, however often it is posted', async () => {
    const first = await api.request('POST', '/onboardings', amsterdam);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ created: true, workflowId: 'programme-GM0363', rulebookId: 'wvrv-2025-07-01.3' });
    const again = await Promise.all([1, 2, 3].map(() => api.request('POST', '/onboardings', amsterdam)));
    for (const response of again) {
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ created: false, runId: first.body.runId });
    }
    const description = await env.client.workflow.getHandle('programme-GM0363').describe();
    expect(description.runId).toBe(first.body.runId);
    const dataSource = api.app.get(DataSource);
    expect(await dataSource.query(`SELECT count(*)::int AS n FROM onboarding WHERE municipality_code = 'GM0363'`)).toEqual([{ n: 1 }]);
  });

  it('refuses to re-onboard with other settings, and changes nothing', async () => {
    const other = await api.request('POST', '/onboardings', { ...amsterdam, programmeManagerEmail: 'iemand@anders.example' });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ error: 'already-onboarded', field: 'programmeManagerEmail' });
    const [row] = await api.app.get(DataSource).query(`SELECT programme_manager_email FROM onboarding WHERE municipality_code = 'GM0363'`);
    expect(row.programme_manager_email).toBe('programma@amsterdam.example');
  });

  it.each([
    [{ programmeManagerEmail: 'a@b.example' }, 400, 'municipalityCode'],
    [{ municipalityCode: 'Amsterdam', programmeManagerEmail: 'a@b.example' }, 400, 'municipalityCode'],
    [{ municipalityCode: 'GM0364', programmeManagerEmail: 'a@b.example' }, 404, 'municipalityCode'],
    [{ municipalityCode: 'GM0014', programmeManagerEmail: 'not-an-email' }, 400, 'programmeManagerEmail'],
    [{ municipalityCode: 'GM0014', programmeManagerEmail: 'a@b.example', rulebookId: 'wvrv-1999' }, 400, 'rulebookId'],
    [{ municipalityCode: 'GM0014', programmeManagerEmail: 'a@b.example', extra: 1 }, 400, 'extra'],
  ])('rejects %j with %i naming the field', async (body, status, field) => {
    const response = await api.request('POST', '/onboardings', body);
    expect(response.status).toBe(status);
    expect(response.body.field).toBe(field);
    expect(response.body.message).toContain(field);
    const rows = await api.app.get(DataSource).query(`SELECT count(*)::int AS n FROM onboarding WHERE municipality_code = 'GM0014'`);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('is the operator’s: anonymous is a 401, a wrong token a 401, any other role a 403, and nothing is onboarded', async () => {
    const gm0014 = { municipalityCode: 'GM0014', programmeManagerEmail: 'programma@groningen.example' };
    expect(await api.request('POST', '/onboardings', gm0014, null)).toMatchObject({ status: 401, body: { error: 'sign-in-required' } });
    expect(await api.request('POST', '/onboardings', gm0014, 'wrong-token-wrong-token')).toMatchObject({ status: 401, body: { error: 'token-invalid' } });
    const programmeManager = await actorToken(api, 'programme-manager', 'GM0014');
    expect(await api.request('POST', '/onboardings', gm0014, programmeManager)).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    const rows = await api.app.get(DataSource).query(`SELECT count(*)::int AS n FROM onboarding WHERE municipality_code = 'GM0014'`);
    expect(rows).toEqual([{ n: 0 }]);
  });
});

describe('reads', () => {
  it('names the bad path parameter: a path that cannot exist is a 404', async () => {
    expect(await api.request('GET', '/municipalities/0363/steps')).toMatchObject({ status: 404, body: { error: 'not-found', field: 'code' } });
    expect(await api.request('GET', '/municipalities?province=Noord-Holland')).toMatchObject({ status: 400, body: { field: 'province' } });
  });
});

describe('rulebooks', () => {
  it('publishes an immutable version: same content is a no-op, other content under the id is refused', async () => {
    const base = (await api.request('GET', '/rulebooks/wvrv-2025-07-01.3')).body;
    delete base.hash;
    const version = { ...base, id: 'operator-2027-01-01', effectiveDate: '2027-01-01' };
    const stored = await api.request('POST', '/rulebooks', version);
    expect(stored).toMatchObject({ status: 201, body: { id: 'operator-2027-01-01', result: 'stored' } });
    expect(await api.request('POST', '/rulebooks', version)).toMatchObject({ status: 200, body: { result: 'unchanged', hash: stored.body.hash } });
    expect(await api.request('POST', '/rulebooks', { ...version, effectiveDate: '2026-01-01' })).toMatchObject({ status: 409, body: { field: 'id' } });
    // The shipped versions are there without a publish: the new default and the 1 July 2026 reading.
    for (const id of ['wvrv-2025-07-01.3', 'wvrv-2026-07-01']) expect((await api.request('GET', `/rulebooks/${id}`)).status).toBe(200);
  });

  it('refuses a version that mixes the old Atw flag into a term phrased as the statute does', async () => {
    const base = (await api.request('GET', '/rulebooks/wvrv-2025-07-01.3')).body;
    delete base.hash;
    base.steps[2].applyTermijnenwet = true;
    const response = await api.request('POST', '/rulebooks', { ...base, id: 'mixed' });
    expect(response).toMatchObject({ status: 400, body: { field: 'steps.2.applyTermijnenwet' } });
  });

  it('names the bad field of an invalid version', async () => {
    const base = (await api.request('GET', '/rulebooks/wvrv-2025-07-01.2')).body;
    delete base.hash;
    const response = await api.request('POST', '/rulebooks', { ...base, id: 'broken', reminderSchedule: { ...base.reminderSchedule, time: '9 uur' } });
    expect(response).toMatchObject({ status: 400, body: { field: 'reminderSchedule.time' } });
    expect((await api.request('GET', '/rulebooks/broken')).status).toBe(404);
  });
});
