/**
 * Every list the API answers is paged with a cursor (apps/api/src/edge/paging.ts), over real HTTP on a real
 * Postgres: for each paged route, the pages of a small limit concatenate to exactly the rows the database
 * holds for that filter, in the route's order, with no duplicate and no gap; filters and paging together; a
 * row written between two pages moves no other row in or out; a limit past its maximum, a malformed or
 * altered cursor is a 400 naming the field; and the OpenAPI says `limit`, `cursor` and the page schema for
 * each of them. The read model (steps, the sent log) and extra rows with equal sort values (tokens and
 * rulebook versions of one moment) are fixtures written in SQL; organisations, tokens and the audit trail
 * come from real API calls.
 */
import { DataSource } from 'typeorm';
import { PAGE_LIMITS } from '../../apps/api/src/edge/paging';
import { TestApi } from '../support/api';
import { TEST_ADMIN_TOKEN, withEnv } from '../support/config';
import { startTestApi } from '../support/system';

let sys: Awaited<ReturnType<typeof startTestApi>>;
let api: TestApi;
let db: DataSource;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let openapi: any;

const RULEBOOK = 'wvrv-2025-07-01.3';
const TOKEN_ORGANISATION = 'paging-vng';
/** Steps of every municipality (one yearly, with its cycle) and of every COROP region, in the read model. */
const MUNICIPAL_STEPS = ['volkshuisvestingsprogramma', 'wmo-beleidsplan', 'prestatieafspraken:2027'];
const REGIONAL_STEPS = ['overlegstructuur', 'woonzorganalyse'];
/** GM0363's sent log: 23 notifications on two steps, several recorded at one and the same moment. */
const NOTIFICATIONS = 23;

beforeAll(async () => {
  // Hundreds of pages from one client: above the per-minute rate limit.
  sys = await withEnv({ REGIE_RATE_LIMIT: '1000000' }, () => startTestApi('paging'));
  api = sys.api;
  db = api.app.get(DataSource);
  const [{ content_hash: hash }] = await db.query(`SELECT content_hash FROM rulebook_version WHERE id = $1`, [RULEBOOK]);

  // The read model: 342 x 3 municipal steps and 40 x 2 regional ones, statuses and overdue spread over them.
  await db.query(
    `INSERT INTO step_state (owner_code, step, owner_kind, step_key, cycle_year, workflow_id, status, overdue, date_kind, due_date, derivation, detail,
       rulebook_id, rulebook_hash, last_event, last_event_at, seq)
     SELECT o.code, s.step, o.kind, split_part(s.step, ':', 1), nullif(split_part(s.step, ':', 2), '')::int, o.workflow,
       (ARRAY['open', 'in-progress', 'submitted', 'done'])[1 + (o.n + s.n::int) % 4], (o.n + s.n::int) % 3 = 0, 'statutory', '2027-07-01', '{}', '{}',
       $1, $2, 'created', now(), 1
     FROM (SELECT code, 'municipality' AS kind, 'programme-' || code AS workflow, row_number() OVER (ORDER BY code)::int AS n FROM municipality
           UNION ALL SELECT code, 'region', 'region-' || code, row_number() OVER (ORDER BY code)::int FROM region) o
     JOIN (SELECT step, n, kind FROM unnest($3::text[]) WITH ORDINALITY AS m(step, n), (VALUES ('municipality')) k(kind)
           UNION ALL SELECT step, n, 'region' FROM unnest($4::text[]) WITH ORDINALITY AS r(step, n)) s ON s.kind = o.kind`,
    [RULEBOOK, hash, MUNICIPAL_STEPS, REGIONAL_STEPS],
  );

  // GM0363's sent log: recorded in fours at one moment (the business key decides between them), two steps.
  await db.query(
    `INSERT INTO notification (business_key, workflow_id, owner_kind, owner_code, step, step_key, kind, firing_key, rung, due_date, rulebook_id, recipients, status,
       request, recorded_at)
     SELECT 'paging-' || lpad(i::text, 2, '0'), 'programme-GM0363', 'municipality', 'GM0363', s, s, 'reminder', 'reminder-' || i, NULL, '2027-07-01', $1,
       ARRAY['pm@amsterdam.example'], 'queued', '{}', timestamptz '2027-04-01T07:00:00.123456Z' + (i / 4) * interval '1 microsecond'
     FROM generate_series(1, $2::int) i, LATERAL (SELECT CASE WHEN i % 3 = 0 THEN 'wmo-beleidsplan' ELSE 'volkshuisvestingsprogramma' END AS s) x`,
    [RULEBOOK, NOTIFICATIONS],
  );

  // Organisations through the API (each write is audited): 20 stakeholders, half of them in Amsterdam, and the bodies around it.
  const put = async (key: string, body: object) => expect((await api.request('PUT', `/organisations/${key}`, body)).status).toBeLessThan(300);
  await put('amsterdam', { kind: 'municipality', name: 'Gemeente Amsterdam', code: 'GM0363' });
  await put('noord-holland', { kind: 'province', name: 'Provincie Noord-Holland', code: 'PV27' });
  await put('groot-amsterdam', { kind: 'region', name: 'Regio Groot-Amsterdam', code: 'CR23' });
  await put(TOKEN_ORGANISATION, { kind: 'vng', name: 'VNG' });
  for (let i = 1; i <= 20; i++) {
    const kind = ['housing-corporation', 'tenant-organisation', 'care-welfare-organisation'][i % 3];
    await put(`stakeholder-${String(i).padStart(2, '0')}`, { kind, name: `Organisatie ${i}`, municipalities: i % 2 ? ['GM0363'] : ['GM0599'] });
  }

  // Tokens: 12 through the API, 6 more created in one transaction (one created_at: the id decides).
  for (let i = 1; i <= 12; i++) {
    expect((await api.request('POST', `/organisations/${TOKEN_ORGANISATION}/tokens`, { name: `koppeling ${i}`, role: 'programme-manager', scope: 'read' })).status).toBe(201);
  }
  await db.query(
    `INSERT INTO api_token (organisation_key, role, scope, name, prefix, token_hash, created_by, created_at, expires_at)
     SELECT $1, 'programme-manager', 'read', 'gelijk ' || i, 'paging' || i, 'hash-' || i, 'operator', timestamptz '2030-01-01T00:00:00Z', timestamptz '2031-01-01T00:00:00Z'
     FROM generate_series(1, 6) i`,
    [TOKEN_ORGANISATION],
  );

  // Rulebook versions: the shipped ones and 8 published at one moment (the id decides).
  await db.query(
    `INSERT INTO rulebook_version (id, content, content_hash, source, published_at)
     SELECT 'paging-' || i, jsonb_set(content, '{id}', to_jsonb('paging-' || i)), content_hash, 'operator', timestamptz '2030-01-01T00:00:00.5Z'
     FROM rulebook_version, generate_series(1, 8) i WHERE id = $1`,
    [RULEBOOK],
  );

  // The audit trail is written just after each answer: wait until it holds every write above.
  const writes = 4 + 20 + 12;
  for (let i = 0; i < 100 && (await db.query(`SELECT count(*)::int AS n FROM audit_log`))[0].n < writes; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect((await db.query(`SELECT count(*)::int AS n FROM audit_log`))[0].n).toBe(writes);

  openapi = (await api.request('GET', '/docs-json')).body;
});

afterAll(() => sys?.stop());

interface Walk {
  /** Each page's rows, in order. */
  pages: Record<string, unknown>[][];
  /** Every row, the pages concatenated. */
  rows: Record<string, unknown>[];
}

/** Reads a list page by page with `limit`, following nextCursor; every page a 200 in the page shape, full but the last. */
async function walk(path: string, limit: number): Promise<Walk> {
  const pages: Record<string, unknown>[][] = [];
  const separator = path.includes('?') ? '&' : '?';
  let cursor: string | null = null;
  do {
    const answer = await api.request('GET', `${path}${separator}limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`);
    expect({ path, status: answer.status }).toEqual({ path, status: 200 });
    expect(Object.keys(answer.body).sort()).toEqual(['items', 'nextCursor']);
    const { items, nextCursor } = answer.body as { items: Record<string, unknown>[]; nextCursor: string | null };
    if (nextCursor !== null) {
      // Not the last page: full, and its cursor as the OpenAPI says.
      expect(items).toHaveLength(limit);
      expect(nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    } else {
      expect(items.length).toBeLessThanOrEqual(limit);
    }
    pages.push(items);
    cursor = nextCursor;
    expect(pages.length).toBeLessThan(1000);
  } while (cursor !== null);
  return { pages, rows: pages.flat() };
}

/** Walks `path` with `limit` and checks the rows' ids against `expected` (the database's own answer, in order): exactly, no duplicate, no gap. */
async function expectPages(path: string, limit: number, id: (row: Record<string, unknown>) => string, expected: string[], minPages = 3) {
  const { pages, rows } = await walk(path, limit);
  const ids = rows.map(id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).toEqual(expected);
  expect(pages.length).toBe(Math.max(1, Math.ceil(expected.length / limit)));
  expect(pages.length).toBeGreaterThanOrEqual(minPages);
  // Nothing lost against one page of everything the route would answer at once (where it fits in one).
  if (expected.length <= PAGE_LIMITS.max) {
    const whole = await api.request('GET', `${path}${path.includes('?') ? '&' : '?'}limit=${PAGE_LIMITS.max}`);
    expect(whole.body.nextCursor).toBeNull();
    expect(whole.body.items).toEqual(rows);
  }
  return rows;
}

const ids = async (sql: string, params: unknown[] = []) => ((await db.query(sql, params)) as { id: string }[]).map((r) => r.id);
const stepId = (s: Record<string, unknown>) => `${(s.owner as { code: string }).code}/${s.step}`;
const code = (r: Record<string, unknown>) => String(r.code);
const key = (r: Record<string, unknown>) => String(r.key);

describe('pages concatenate to exactly the whole list', () => {
  test('GET /steps: 1,106 rows in pages of the default 100, and with a small limit', async () => {
    const expected = await ids(`SELECT owner_code || '/' || step AS id FROM step_state ORDER BY owner_code, step`);
    expect(expected).toHaveLength(342 * 3 + 40 * 2);
    await expectPages('/steps', PAGE_LIMITS.default, stepId, expected, 12);
    await expectPages('/steps?province=PV27', 7, stepId, await ids(
      `SELECT owner_code || '/' || step AS id FROM step_state s
       WHERE (owner_kind = 'municipality' AND owner_code IN (SELECT code FROM municipality WHERE province_code = 'PV27'))
          OR (owner_kind = 'region' AND owner_code IN (SELECT rm.region_code FROM region_member rm JOIN municipality m ON m.code = rm.municipality_code WHERE m.province_code = 'PV27'))
       ORDER BY owner_code, step`,
    ));
  });

  test('GET /municipalities and GET /regions', async () => {
    await expectPages('/municipalities', 7, code, await ids(`SELECT code AS id FROM municipality ORDER BY code`), 49);
    await expectPages('/regions', 7, code, await ids(`SELECT code AS id FROM region WHERE grouping = 'corop' ORDER BY code`), 6);
  });

  test('GET /organisations, all and those working in a municipality', async () => {
    await expectPages('/organisations', 7, key, await ids(`SELECT key AS id FROM organisation ORDER BY kind, key`), 4);
    const inAmsterdam = await expectPages('/organisations?municipality=GM0363', 3, key, await ids(
      `SELECT key AS id FROM organisation o WHERE o.code IN ('GM0363', 'PV27', 'CR23')
          OR EXISTS (SELECT 1 FROM organisation_municipality om WHERE om.organisation_key = o.key AND om.municipality_code = 'GM0363')
       ORDER BY kind, key`,
    ));
    expect(inAmsterdam).toHaveLength(13);
    // Each row in full: the organisation with its municipalities and contacts, as GET /organisations/{key} shows it.
    expect(inAmsterdam[0]).toEqual((await api.request('GET', `/organisations/${inAmsterdam[0].key}`)).body);
  });

  test("GET /organisations/{key}/tokens: newest first, tokens of one moment by id", async () => {
    const expected = await ids(`SELECT id::text AS id FROM api_token WHERE organisation_key = $1 ORDER BY api_token.created_at DESC, api_token.id DESC`, [TOKEN_ORGANISATION]);
    expect(expected).toHaveLength(18);
    const rows = await expectPages(`/organisations/${TOKEN_ORGANISATION}/tokens`, 4, (t) => String(t.id), expected, 5);
    expect(rows.slice(0, 6).map((t) => t.name).sort()).toEqual(['gelijk 1', 'gelijk 2', 'gelijk 3', 'gelijk 4', 'gelijk 5', 'gelijk 6']);
    expect(rows[0]).toEqual(expect.objectContaining({ prefix: expect.any(String), scope: 'read', revokedAt: null }));
    expect(JSON.stringify(rows)).not.toMatch(/token_hash|hash-1/);
  });

  test('GET /rulebooks: in the order published, versions of one moment by id', async () => {
    const expected = await ids(`SELECT id FROM rulebook_version ORDER BY published_at, id`);
    expect(expected.length).toBeGreaterThanOrEqual(12);
    const rows = await expectPages('/rulebooks', 3, (r) => String(r.id), expected, 4);
    expect(rows.find((r) => r.id === RULEBOOK)).toEqual(expect.objectContaining({ title: expect.any(String), hash: expect.any(String), source: 'file' }));
  });

  test('GET /audit: newest first, with and without a filter', async () => {
    await expectPages('/audit', 7, (e) => String(e.id), await ids(`SELECT id::text AS id FROM audit_log ORDER BY audit_log.id DESC`), 6);
    await expectPages('/audit?action=organisation:tokens&outcome=allowed', 5, (e) => String(e.id), await ids(
      `SELECT id::text AS id FROM audit_log WHERE action = 'organisation:tokens' AND outcome = 'allowed' ORDER BY audit_log.id DESC`,
    ));
  });

  test("the sent logs: an owner's and one step's, in the order recorded, notifications of one moment by business key", async () => {
    const owner = await expectPages('/municipalities/GM0363/notifications', 4, (n) => String(n.businessKey), await ids(
      `SELECT business_key AS id FROM notification WHERE owner_kind = 'municipality' AND owner_code = 'GM0363' ORDER BY recorded_at, business_key`,
    ), 6);
    expect(owner).toHaveLength(NOTIFICATIONS);
    // Microseconds count: the cursor carries the moment as Postgres holds it, not as a JavaScript Date rounds it.
    expect(new Set(owner.map((n) => n.recordedAt)).size).toBe(1);
    const step = await expectPages('/municipalities/GM0363/steps/volkshuisvestingsprogramma/notifications', 4, (n) => String(n.businessKey), await ids(
      `SELECT business_key AS id FROM notification WHERE owner_code = 'GM0363' AND step = 'volkshuisvestingsprogramma' ORDER BY recorded_at, business_key`,
    ));
    expect(step.every((n) => n.step === 'volkshuisvestingsprogramma')).toBe(true);
    // Another municipality's log is empty: one page, no cursor.
    expect((await api.request('GET', '/municipalities/GM0599/notifications')).body).toEqual({ items: [], nextCursor: null });
  });
});

describe('filters and paging together', () => {
  const STEP_FILTERS: [string, string, unknown[]][] = [
    ['step=volkshuisvestingsprogramma', `step_key = $1`, ['volkshuisvestingsprogramma']],
    ['status=open&overdue=true', `status = $1 AND overdue`, ['open']],
    ['owner=region&status=done', `owner_kind = $1 AND status = $2`, ['region', 'done']],
    ['overdue=false&step=prestatieafspraken', `NOT overdue AND step_key = $1`, ['prestatieafspraken']],
    [
      'region=CR23&owner=municipality',
      `owner_kind = $2 AND ((owner_kind = 'region' AND owner_code = $1) OR (owner_kind = 'municipality' AND owner_code IN (SELECT municipality_code FROM region_member WHERE region_code = $1)))`,
      ['CR23', 'municipality'],
    ],
    [
      'province=PV27&status=in-progress',
      `status = $2 AND ((owner_kind = 'municipality' AND owner_code IN (SELECT code FROM municipality WHERE province_code = $1))
        OR (owner_kind = 'region' AND owner_code IN (SELECT rm.region_code FROM region_member rm JOIN municipality m ON m.code = rm.municipality_code WHERE m.province_code = $1)))`,
      ['PV27', 'in-progress'],
    ],
  ];

  test.each(STEP_FILTERS)('GET /steps?%s', async (query, where, params) => {
    const expected = await ids(`SELECT owner_code || '/' || step AS id FROM step_state WHERE ${where} ORDER BY owner_code, step`, params);
    expect(expected.length).toBeGreaterThan(7 * 2);
    const rows = await expectPages(`/steps?${query}`, 7, stepId, expected);
    expect(rows.length).toBe(expected.length);
  });

  test('GET /municipalities?province=&onboarded=, GET /municipalities?region=', async () => {
    await expectPages('/municipalities?province=PV27&onboarded=false', 7, code, await ids(`SELECT code AS id FROM municipality WHERE province_code = 'PV27' ORDER BY code`));
    await expectPages('/municipalities?region=CR23', 5, code, await ids(`SELECT municipality_code AS id FROM region_member WHERE region_code = 'CR23' ORDER BY municipality_code`));
    expect((await api.request('GET', '/municipalities?onboarded=true&limit=7')).body).toEqual({ items: [], nextCursor: null });
  });

  test("a cursor goes on with its own list's filter: the next page of one filter is not another filter's", async () => {
    const first = (await api.request('GET', '/steps?step=wmo-beleidsplan&limit=7')).body;
    const next = (await api.request('GET', `/steps?step=wmo-beleidsplan&limit=7&cursor=${first.nextCursor}`)).body;
    const expected = await ids(`SELECT owner_code || '/' || step AS id FROM step_state WHERE step_key = 'wmo-beleidsplan' ORDER BY owner_code, step LIMIT 14`);
    expect([...first.items, ...next.items].map(stepId)).toEqual(expected);
    // The same cursor under another filter: the rows after that position which that filter finds.
    const other = (await api.request('GET', `/steps?step=volkshuisvestingsprogramma&limit=7&cursor=${first.nextCursor}`)).body;
    expect(other.items.every((s: { stepKey: string }) => s.stepKey === 'volkshuisvestingsprogramma')).toBe(true);
  });
});

describe('stable under writes', () => {
  test('an organisation created between two pages shifts no other row: no duplicate, no gap (keyset, not OFFSET)', async () => {
    const before = await ids(`SELECT key AS id FROM organisation ORDER BY kind, key`);
    const first = (await api.request('GET', '/organisations?limit=7')).body;
    // Sorts before everything on the first page (kind care-welfare-organisation, key "0...").
    expect((await api.request('PUT', '/organisations/0-nieuw', { kind: 'care-welfare-organisation', name: 'Nieuw' })).status).toBe(201);
    const seen = first.items.map(key);
    for (let cursor = first.nextCursor; cursor !== null; ) {
      const page = (await api.request('GET', `/organisations?limit=7&cursor=${cursor}`)).body;
      seen.push(...page.items.map(key));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(before);
  });
});

describe('refusals', () => {
  /** A cursor as this API writes them: base64url of the JSON of the sort key. */
  const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const PAGED_PATHS = [
    '/steps',
    '/municipalities',
    '/regions',
    '/organisations',
    `/organisations/${TOKEN_ORGANISATION}/tokens`,
    '/rulebooks',
    '/audit',
    '/municipalities/GM0363/notifications',
    '/municipalities/GM0363/steps/volkshuisvestingsprogramma/notifications',
  ];

  const expectRefused = (answer: { status: number; body: Record<string, unknown> }, error: string, field: string) => {
    expect({ status: answer.status, error: answer.body.error, field: answer.body.field }).toEqual({ status: 400, error, field });
    expect(answer.body.message).toEqual(expect.stringContaining(field));
    expect(Object.keys(answer.body).sort()).toEqual(['error', 'field', 'message']);
  };

  test.each(PAGED_PATHS)('%s: a limit past its maximum, below 1 or not a whole number is a 400 naming limit', async (path) => {
    for (const limit of [String(PAGE_LIMITS.max + 1), '0', '-1', '1.5', '1e2', 'abc', '', '%20' + '5', '10000000']) {
      expectRefused(await api.request('GET', `${path}?limit=${limit}`), 'invalid-input', 'limit');
    }
    expectRefused(await api.request('GET', `${path}?limit=5&limit=6`), 'invalid-input', 'limit');
    expect((await api.request('GET', `${path}?limit=${PAGE_LIMITS.max}`)).status).toBe(200);
    expect((await api.request('GET', `${path}?limit=1`)).body.items.length).toBeLessThanOrEqual(1);
  });

  test.each(PAGED_PATHS)('%s: a malformed or altered cursor is a 400 cursor-invalid naming cursor', async (path) => {
    const good = (await api.request('GET', `${path}?limit=1`)).body.nextCursor as string | null;
    const bad = [
      'not a cursor',
      '%3D%3D',
      `${cursorOf(['GM0363', 'x'])}=`,
      'x'.repeat(PAGE_LIMITS.cursorLength + 1),
      Buffer.from('not json').toString('base64url'),
      Buffer.from([0xff, 0xfe, 0x5b, 0x5d]).toString('base64url'),
      cursorOf({ owner: 'GM0363' }),
      cursorOf([]),
      cursorOf(['a', 'b', 'c']),
      cursorOf([1, 2]),
      cursorOf([null]),
      cursorOf(['a\u0000b', 'c']),
    ];
    if (good) {
      // A cursor this list gave, altered by a character: another base64url text that is no cursor of this list.
      bad.push(good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A'), good.slice(1), good + 'A');
    }
    for (const cursor of bad) {
      const answer = await api.request('GET', `${path}?cursor=${encodeURIComponent(cursor)}`);
      if (answer.status === 200) throw new Error(`${path}: cursor ${cursor} (${Buffer.from(cursor, 'base64url').toString()}) was taken`);
      expectRefused(answer, 'cursor-invalid', 'cursor');
    }
  });

  test('a cursor of a timestamp that Postgres would not take is refused before the query', async () => {
    for (const moment of ['0000-01-01T00:00:00.000000Z', '2027-01-01T24:00:00.000000Z', '2027-01-01T00:00:00Z', 'now', '2027-01-01 00:00:00.000000+00']) {
      expectRefused(await api.request('GET', `/rulebooks?cursor=${cursorOf([moment, 'x'])}`), 'cursor-invalid', 'cursor');
      expectRefused(await api.request('GET', `/organisations/${TOKEN_ORGANISATION}/tokens?cursor=${cursorOf([moment, '0b6f2c1e-5d4a-4f3b-9c2d-1e0f9a8b7c6d'])}`), 'cursor-invalid', 'cursor');
    }
    expectRefused(await api.request('GET', `/organisations/${TOKEN_ORGANISATION}/tokens?cursor=${cursorOf(['2030-01-01T00:00:00.000000Z', 'not-a-uuid'])}`), 'cursor-invalid', 'cursor');
    expectRefused(await api.request('GET', `/audit?cursor=${cursorOf(['12a'])}`), 'cursor-invalid', 'cursor');
    expectRefused(await api.request('GET', `/audit?cursor=${cursorOf(['99999999999999999999'])}`), 'cursor-invalid', 'cursor');
  });

  test("the audit log's CSV still holds every matching entry, whatever the page", async () => {
    const csv = await fetch(`${api.baseUrl}/audit?format=csv&action=organisation:tokens`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await csv.text()).trim().split('\n')).toHaveLength(1 + 12);
  });
});

describe('the contract (/docs-json)', () => {
  const PAGED = [
    '/steps',
    '/municipalities',
    '/regions',
    '/organisations',
    '/organisations/{key}/tokens',
    '/rulebooks',
    '/audit',
    '/{collection}/{code}/notifications',
    '/{collection}/{code}/steps/{step}/notifications',
  ];

  test.each(PAGED)('GET %s declares limit, cursor, the page schema and the 400', (path) => {
    const op = openapi.paths[path].get;
    const query = Object.fromEntries((op.parameters as { in: string; name: string; required?: boolean; schema: Record<string, unknown> }[]).filter((p) => p.in === 'query').map((p) => [p.name, p]));
    expect(query.limit).toMatchObject({ required: false, schema: { type: 'integer', minimum: 1, maximum: PAGE_LIMITS.max, default: PAGE_LIMITS.default } });
    expect(query.cursor).toMatchObject({ required: false, schema: { type: 'string', maxLength: PAGE_LIMITS.cursorLength, pattern: `^[A-Za-z0-9_-]{1,${PAGE_LIMITS.cursorLength}}$` } });
    const schema = op.responses['200'].content['application/json'].schema;
    expect(schema).toEqual({
      type: 'object',
      required: ['items', 'nextCursor'],
      additionalProperties: false,
      properties: {
        items: expect.objectContaining({ type: 'array', maxItems: PAGE_LIMITS.max, items: { type: 'object' } }),
        nextCursor: expect.objectContaining({ type: 'string', nullable: true, maxLength: PAGE_LIMITS.cursorLength }),
      },
    });
    expect(op.responses['400'].description).toContain('cursor-invalid');
    expect(op.responses['400'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  });

  test('these are all the lists: no other route answers the page, and an owner’s own steps say why they are not paged', () => {
    const paged = Object.entries(openapi.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: { properties?: object } }> }> }>>)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })))
      .filter(({ op }) => op.responses?.['200']?.content?.['application/json']?.schema?.properties && 'nextCursor' in op.responses['200'].content!['application/json'].schema!.properties!)
      .map(({ path, method }) => `${method} ${path}`);
    expect(paged.sort()).toEqual(PAGED.map((p) => `get ${p}`).sort());
    expect(openapi.paths['/{collection}/{code}/steps'].get.summary).toMatch(/Not paged: the rulebook bounds it/);
  });
});
