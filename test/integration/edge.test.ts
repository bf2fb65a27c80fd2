/**
 * The edge of the API over real HTTP, on a real Postgres and Temporal: every class of bad request gets its
 * exact 4xx in the error shape `{ error, message, field? }`, never a 500. Cases are generated: routes and
 * parameters come from the OpenAPI document, so a new route is covered without touching this file.
 * Rate limits run on two more API instances of the same system with low limits. A step write is sent as the
 * one who may make it (the programme manager, the province): a guard runs before validation, so the operator
 * (refused step writes) would never see the body checks.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { signLink } from '../../libs/mail/links';
import { STEP_LIMITS, TEXT_LIMITS } from '../../libs/programme/limits';
import { BODY_LIMITS, LIST_LIMITS } from '../../apps/api/src/edge/inputs';
import { PAGE_ROUTE } from '../../apps/api/src/edge/http-edge';
import { pageAssetPath } from '../../libs/mail/page-assets';
import { actorToken } from '../support/access';
import { TestApi } from '../support/api';
import { TEST_ADMIN_TOKEN, TEST_LINK_SECRET, testConfig, withEnv } from '../support/config';
import { startTestApi } from '../support/system';

let sys: Awaited<ReturnType<typeof startTestApi>>;
let api: TestApi;
/** Read-write tokens of GM0363's programme manager and of its province (Noord-Holland, PV27). */
let programmeManager: string;
let province: string;


beforeAll(async () => {
  sys = await withEnv({ REGIE_RATE_LIMIT: '1000000', REGIE_MAIL_LINK_REFUSAL_LIMIT: '1000000', REGIE_SIGN_IN_LIMIT: '1000000' }, () => startTestApi('edge'));
  api = sys.api;
  programmeManager = await actorToken(api, 'programme-manager', 'GM0363');
  province = await actorToken(api, 'province', 'PV27');
});

afterAll(() => sys?.stop());

interface Answer {
  /** `POST /path`, to name the case that failed. */
  request: string;
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** Every answer of this file, to prove at the end that none was a server error. */
const answers: { request: string; status: number }[] = [];

/** A raw request: any method, path (sent as written, percent-escapes and all), headers and body. */
async function send(
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Uint8Array | FormData | URLSearchParams; json?: unknown; token?: string | null; base?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(opts.token === null ? {} : { authorization: `Bearer ${opts.token ?? TEST_ADMIN_TOKEN}` }) };
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  Object.assign(headers, opts.headers);
  const res = await fetch(`${opts.base ?? api.baseUrl}${path}`, { method, headers, body: body as RequestInit['body'] });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const request = `${method} ${path}${typeof body === 'string' && body.length < 200 ? ` ${body}` : ''}${opts.headers ? ` ${JSON.stringify(opts.headers)}` : ''}`;
  answers.push({ request, status: res.status });
  return { request, status: res.status, headers: res.headers, text, body: parsed };
}

/** The project's error shape, exactly: a code, a message, and a field when one is named. */
function expectErrorShape(answer: Answer, status: number, error?: string, field?: string) {
  expect({ request: answer.request, status: answer.status, body: answer.body }).toMatchObject({
    request: answer.request,
    status,
    body: { ...(error ? { error } : {}), ...(field ? { field } : {}) },
  });
  expect(typeof answer.body.error).toBe('string');
  expect(typeof answer.body.message).toBe('string');
  expect(Object.keys(answer.body).every((k) => ['error', 'message', 'field'].includes(k))).toBe(true);
  if (field === undefined) expect(answer.body.field === undefined || typeof answer.body.field === 'string').toBe(true);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
}

// ---------------------------------------------------------------------------------------------------------
// The routes, from the OpenAPI document the API serves.

interface Operation {
  method: string;
  /** `/{collection}/{code}/steps/{step}` */
  template: string;
  pathParams: string[];
  queryParams: { name: string; schema: { enum?: string[] } }[];
  hasBody: boolean;
}

let operations: Operation[] = [];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let openapi: any;

beforeAll(async () => {
  openapi = (await send('GET', '/docs-json')).body;
  operations = Object.entries(openapi.paths as Record<string, Record<string, { parameters?: { in: string; name: string; schema: object }[]; requestBody?: unknown }>>).flatMap(
    ([template, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        method: method.toUpperCase(),
        template,
        pathParams: [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
        queryParams: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema as { enum?: string[] } })),
        hasBody: ['POST', 'PUT', 'PATCH'].includes(method.toUpperCase()),
      })),
  );
});

/** Page routes (apps/api/src/edge/http-edge.ts PAGE_ROUTE): the mail-link pages and sign-in take forms. */
const isPage = (op: Operation) => PAGE_ROUTE.test(op.template);
const VALID_PARAMS: Record<string, string> = {
  collection: 'municipalities',
  step: 'volkshuisvestingsprogramma',
  id: 'wvrv-2025-07-01.3',
  key: 'edge-organisation',
  grouping: 'edge-grouping',
  token: 'some-token',
  file: pageAssetPath('theme').replace('/assets/', ''),
};
const VALID_BY_ROUTE: { route: RegExp; name: string; value: string }[] = [
  { route: /^\/regions\//, name: 'code', value: 'CR23' },
  { route: /\/tokens\//, name: 'id', value: '0b6f2c1e-5d4a-4f3b-9c2d-1e0f9a8b7c6d' },
  { route: /^\/auth\/link\//, name: 'token', value: 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c' },
];
const validParam = (op: Operation, name: string) =>
  VALID_BY_ROUTE.find((v) => v.name === name && v.route.test(op.template))?.value ?? (name === 'code' ? 'GM0363' : VALID_PARAMS[name]);
const pathOf = (op: Operation, values: Record<string, string>) => op.template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? validParam(op, name));

/**
 * Who sends a write to `path`: a step's own work its programme manager, an extension or waiver the province,
 * anything else the operator (undefined: the admin token).
 */
function writerOf(path: string): string | undefined {
  const write = /\/steps\/[^/]+\/(progress|complete|target-date|extension|waiver)$/.exec(path.split('?')[0])?.[1];
  if (!write) return undefined;
  return write === 'extension' || write === 'waiver' ? province : programmeManager;
}

/** The request a route gets in these tests: JSON `{}` on API writes, the one-click form on pages. */
const requestOf = (op: Operation, path: string) =>
  send(op.method, path, op.hasBody ? (isPage(op) ? { body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }) } : { json: {} }) : {});

/** The names a lookup by `obj[param]` would find on every object. */
const PROTOTYPE_NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), ...Object.getOwnPropertyNames(Function.prototype), 'prototype', '__proto__'])];

test('the OpenAPI document lists the routes these tests walk', () => {
  expect(operations.length).toBeGreaterThan(20);
  expect(operations.filter((op) => op.pathParams.length).length).toBeGreaterThan(15);
  expect(PROTOTYPE_NAMES).toEqual(expect.arrayContaining(['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', 'call', 'bind']));
});

describe('path parameters', () => {
  const CONTROL = ['%00', 'a%00b', '%01', '%09', '%0A', '%0D', '%1B', '%1F', '%7F'];
  const UNDECODABLE = ['%zz', '%E0%A4%A', '%', 'a%'];

  test('a control character (NUL above all) or an undecodable escape in any path parameter of any route is a 404', async () => {
    let cases = 0;
    for (const op of operations) {
      for (const name of op.pathParams) {
        for (const bad of [...CONTROL, ...UNDECODABLE]) {
          const answer = await requestOf(op, pathOf(op, { [name]: bad }));
          expectErrorShape(answer, 404, 'not-found');
          expect(answer.text).not.toMatch(/[\u0000-\u001f]|\\u00/);
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(400);
  });

  const MISSES: Record<string, string[]> = {
    collection: ['Municipalities', 'municipality', 'steps', 'rulebooks', ...PROTOTYPE_NAMES],
    code: ['G0363', 'gm0363', 'GM03630', 'GM%200363', '0363', 'Amsterdam', ...PROTOTYPE_NAMES],
    step: ['Volkshuisvestingsprogramma', '1step', 'step_x', 'step:20', 'step:20271', '-step'],
    id: ['-wvrv', '.wvrv', 'w'.repeat(65), 'wvrv%20x', 'wvrv~1'],
    key: ['-key', '.key', 'k'.repeat(65), 'bad%20key', 'key~1'],
    grouping: ['Corop', 'c', '1corop', 'g'.repeat(41), 'co_rop'],
    token: ['t'.repeat(4097)],
    // A calendar feed's file (its secret and .ics) or, in the revoke form's action, its id (a UUID).
    feed: ['A'.repeat(42) + '.ics', 'A'.repeat(43), 'A'.repeat(43) + '.ICS', '00000000-0000-4000-8000-00000000000G', 'A'.repeat(43) + '.ics.ics'],
    file: ['regie-theme.css', '..%2Fpackage.json', 'regie-theme.0123456789ab.js', 'Regie-theme.0123456789ab.css', 'x'.repeat(60) + '.0123456789ab.css'],
  };

  test('every path parameter is checked against its own pattern: a path that cannot exist is a 404 naming the parameter', async () => {
    for (const op of operations) {
      for (const name of op.pathParams) {
        expect(MISSES[name]).toBeDefined();
        for (const bad of MISSES[name]) {
          const answer = await requestOf(op, pathOf(op, { [name]: bad }));
          expectErrorShape(answer, 404, 'not-found', name);
        }
      }
    }
  });

  test('prototype names in any path parameter find nothing: a 4xx, never a 2xx or a 500', async () => {
    for (const op of operations.filter((o) => o.method === 'GET')) {
      for (const name of op.pathParams) {
        for (const proto of PROTOTYPE_NAMES) {
          const answer = await requestOf(op, pathOf(op, { [name]: proto }));
          expect({ request: answer.request, clientError: answer.status >= 400 && answer.status < 500 }).toEqual({ request: answer.request, clientError: true });
        }
      }
    }
  });

  test('each prototype name as the collection of every step route is a 404 naming the collection', async () => {
    const stepRoutes = operations.filter((op) => op.template.startsWith('/{collection}/'));
    expect(stepRoutes.length).toBeGreaterThanOrEqual(9);
    for (const op of stepRoutes) {
      for (const proto of PROTOTYPE_NAMES) {
        expectErrorShape(await requestOf(op, pathOf(op, { collection: proto })), 404, 'not-found', 'collection');
      }
    }
  });

  test('a route that does not exist is a 404 in the error shape, without echoing the path', async () => {
    for (const path of ['/nope', '/municipalities/GM0363/unknown', '/%00', '/toString', '/__proto__/x']) {
      const answer = await send('GET', path);
      expectErrorShape(answer, 404, 'not-found');
      expect(answer.text).not.toContain('Cannot GET');
    }
  });
});

describe('query parameters', () => {
  test('every boolean query parameter takes exactly true or false: 1, 0, yes, TRUE, an empty value and a repeat are a 400 naming it', async () => {
    const booleans = operations.flatMap((op) => op.queryParams.filter((q) => q.schema.enum?.join() === 'true,false').map((q) => ({ op, name: q.name })));
    expect(booleans.map((b) => b.name).sort()).toEqual(['onboarded', 'overdue']);
    for (const { op, name } of booleans) {
      for (const bad of ['1', '0', 'yes', 'no', 'on', 'TRUE', 'False', '', 'true%20', 't']) {
        expectErrorShape(await send('GET', `${op.template}?${name}=${bad}`), 400, 'invalid-input', name);
      }
      expectErrorShape(await send('GET', `${op.template}?${name}=true&${name}=true`), 400, 'invalid-input', name);
      for (const good of ['true', 'false']) expect((await send('GET', `${op.template}?${name}=${good}`)).status).toBe(200);
    }
  });

  test('onboarded=true and onboarded=false split the municipalities: no value reads as its opposite', async () => {
    await send('POST', '/onboardings', { json: { municipalityCode: 'GM0363' } });
    const codes = async (path: string) => {
      const answer = await send('GET', `${path}limit=500`);
      expect(answer.body.nextCursor).toBeNull();
      return answer.body.items as { code: string }[];
    };
    const all = await codes('/municipalities?');
    const yes = await codes('/municipalities?onboarded=true&');
    const no = await codes('/municipalities?onboarded=false&');
    expect(yes.map((m) => m.code)).toEqual(['GM0363']);
    expect(yes.length + no.length).toBe(all.length);
    expect(no.map((m) => m.code)).not.toContain('GM0363');
  });

  test('an audit moment is one Postgres can hold: a year before 1000, an offset past 14 hours or an unreal day is a 400 naming it', async () => {
    for (const name of ['from', 'to']) {
      for (const bad of ['0617-08-23T03:37:36-20:55', '0000-01-01T00:00:00Z', '0617-08-23T03:37:36Z', '2027-02-30T00:00:00Z', '2027-01-01T25:00:00Z', '2027-01-01', '2027-01-01T00:00:00', 'now']) {
        expectErrorShape(await send('GET', `/audit?${name}=${encodeURIComponent(bad)}`), 400, 'invalid-input', name);
      }
      for (const good of ['2027-01-01T00:00:00Z', '2027-01-01T00:00:00.123+01:00', '1617-08-23T03:37:36-10:55']) {
        expect((await send('GET', `/audit?${name}=${encodeURIComponent(good)}`)).status).toBe(200);
      }
    }
  });

  test('a control character in any query parameter of any route, or in its name, is a 400', async () => {
    let cases = 0;
    for (const op of operations.filter((o) => o.method === 'GET')) {
      for (const name of [...op.queryParams.map((q) => q.name), 'unknown']) {
        for (const bad of ['%00', 'a%00', '%01', '%0A', '%1F', '%7F']) {
          expectErrorShape(await send('GET', `${pathOf(op, {})}?${name}=${bad}`), 400, 'control-character', name);
          cases++;
        }
      }
      expectErrorShape(await send('GET', `${pathOf(op, {})}?a%00b=1`), 400, 'control-character');
    }
    expect(cases).toBeGreaterThan(50);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Bodies: every text, date, link, list and map field of every DTO.

const BY = 'Programmamanager Amsterdam';
const EVIDENCE = { kind: 'document', reference: 'Raadsbesluit 2027/88', url: 'https://example.org/besluit', date: '2027-05-20' };
const INITIAL_EVIDENCE = { ...EVIDENCE, recordedBy: BY };
const STEP = '/municipalities/GM0363/steps/volkshuisvestingsprogramma';

/** A valid body per write route, and the text fields in it with their kind (libs/programme/limits.ts) or limit. */
const TEXT_FIELDS: { route: string; method: string; base: Record<string, unknown>; field: string; max: number; multiline?: boolean; optional?: boolean }[] = [
  { route: `${STEP}/progress`, method: 'POST', base: { note: 'n' }, field: 'note', max: TEXT_LIMITS.note, multiline: true, optional: true },
  { route: `${STEP}/complete`, method: 'POST', base: { evidence: EVIDENCE }, field: 'evidence.reference', max: TEXT_LIMITS.reference },
  { route: `${STEP}/extension`, method: 'POST', base: { to: '2028-01-03', reason: 'r' }, field: 'reason', max: TEXT_LIMITS.reason, multiline: true },
  { route: `${STEP}/waiver`, method: 'POST', base: { reason: 'r' }, field: 'reason', max: TEXT_LIMITS.reason, multiline: true },
  ...['reference', 'recordedBy'].map((f) => ({
    route: '/onboardings',
    method: 'POST',
    base: { municipalityCode: 'GM0014', steps: { volkshuisvestingsprogramma: { status: 'done', evidence: [INITIAL_EVIDENCE] } } },
    field: `steps.volkshuisvestingsprogramma.evidence.0.${f}`,
    max: f === 'reference' ? TEXT_LIMITS.reference : TEXT_LIMITS.actor,
  })),
  {
    route: '/onboardings/all',
    method: 'POST',
    base: { municipalities: { GM0014: { steps: { volkshuisvestingsprogramma: { status: 'done', evidence: [INITIAL_EVIDENCE] } } } } },
    field: 'municipalities.GM0014.steps.volkshuisvestingsprogramma.evidence.0.reference',
    max: TEXT_LIMITS.reference,
  },
  { route: '/organisations/edge-organisation', method: 'PUT', base: { kind: 'vng', name: 'VNG' }, field: 'name', max: TEXT_LIMITS.actor },
  { route: '/organisations/load', method: 'POST', base: { organisations: [{ key: 'edge', kind: 'vng', name: 'VNG' }] }, field: 'organisations.0.name', max: TEXT_LIMITS.actor },
  { route: '/organisations/edge-organisation/tokens', method: 'POST', base: { name: 'BI-koppeling', scope: 'read' }, field: 'name', max: TEXT_LIMITS.actor },
  {
    route: '/organisations/edge-organisation/contacts',
    method: 'PUT',
    base: { contacts: [{ email: 'a@edge.example', name: 'A', role: 'alderman' }] },
    field: 'contacts.0.name',
    max: TEXT_LIMITS.actor,
    optional: true,
  },
  {
    route: '/regions/groupings/edge-grouping',
    method: 'PUT',
    base: { regions: [{ code: 'ED01', name: 'Edge', municipalities: ['GM0363'] }] },
    field: 'regions.0.name',
    max: TEXT_LIMITS.actor,
  },
];

/** A copy of `base` with the value at a dotted path replaced (`evidence.0.url`). */
function withField(base: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  const keys = path.split('.');
  let at: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
  if (value === undefined) delete at[keys.at(-1)!];
  else at[keys.at(-1)!] = value;
  return copy;
}

/**
 * The names of the schemas a request can carry (the DTOs): those its request bodies reach through every
 * `$ref`. The response bodies (the error shape, the health body) are in the document too, but are no input.
 */
function requestSchemaNames(doc: any): Set<string> {
  const names = new Set<string>();
  const stack: unknown[] = Object.values(doc.paths as Record<string, Record<string, { requestBody?: unknown }>>).flatMap((ops) => Object.values(ops).map((op) => op.requestBody));
  while (stack.length) {
    const value = stack.pop();
    if (!value || typeof value !== 'object') continue;
    const ref = (value as { $ref?: unknown }).$ref;
    if (typeof ref === 'string') {
      const name = ref.split('/').pop()!;
      if (!names.has(name)) {
        names.add(name);
        stack.push(doc.components.schemas[name]);
      }
    }
    stack.push(...Object.values(value));
  }
  return names;
}

describe('text fields', () => {
  test('every text field of every DTO in the OpenAPI document is bounded (maxLength, a pattern, an enum or a format) and every list and map too', () => {
    const unbounded: string[] = [];
    const dtos = requestSchemaNames(openapi);
    expect(dtos.size).toBeGreaterThan(10);
    for (const [name, schema] of Object.entries(openapi.components.schemas as Record<string, { properties?: Record<string, Record<string, unknown>> }>)) {
      if (!dtos.has(name)) continue;
      for (const [property, p] of Object.entries(schema.properties ?? {})) {
        const where = `${name}.${property}`;
        if (p.type === 'string' && !(p.maxLength || p.enum || p.pattern || p.format === 'date')) unbounded.push(where);
        if (p.type === 'string' && p.maxLength === undefined && !p.enum && !/^\^[^*+]*\$$/.test(String(p.pattern ?? '')) && p.format !== 'date') unbounded.push(`${where} (no maxLength)`);
        if (p.type === 'array' && p.maxItems === undefined) unbounded.push(where);
        if (p.type === 'object' && p.maxProperties === undefined) unbounded.push(where);
      }
    }
    // Patterns of fixed-size codes (GM\d{4}) bound themselves; an open pattern needs a maxLength.
    expect(unbounded.filter((u) => !/(code|key|municipalityCode|rulebookId|municipality|province|region|grouping|step)( \(no maxLength\))?$/.test(u.split('.')[1]))).toEqual([]);
  });

  test('every text field refuses one character over its limit (text-too-long), a NUL and other control characters (control-character), and takes its limit', async () => {
    for (const { route, method, base, field, max, multiline, optional } of TEXT_FIELDS) {
      const token = writerOf(route);
      const over = await send(method, route, { json: withField(base, field, 'x'.repeat(max + 1)), token });
      expectErrorShape(over, 400, 'text-too-long', field);
      expect(over.body.message).toContain(String(max));
      for (const control of ['\u0000', 'a\u0000b', '\u0001', '\u001b', '\u007f', ...(multiline ? [] : ['\n', '\t'])]) {
        expectErrorShape(await send(method, route, { json: withField(base, field, `ok${control}`), token }), 400, 'control-character', field);
      }
      // At the limit the field passes the DTO (whatever the service answers next, it is not about this field).
      const atLimit = await send(method, route, { json: withField(base, field, 'x'.repeat(max)), token });
      expect(atLimit.status).toBeLessThan(500);
      expect([401, 403]).not.toContain(atLimit.status);
      if (atLimit.status === 400) expect(atLimit.body.field).not.toBe(field);
      // A required text is more than white space; an optional one may be left out, never sent as null.
      for (const empty of optional ? [] : ['', '   ', undefined]) {
        expectErrorShape(await send(method, route, { json: withField(base, field, empty), token }), 400, 'field-required', field);
      }
      if (optional) expectErrorShape(await send(method, route, { json: withField(base, field, null), token }), 400, 'field-invalid', field);
    }
  });

  test('who wrote a step is the signed-in actor, no input: a by or grantedBy in the body is a 400 naming it', async () => {
    const writes: [string, Record<string, unknown>][] = [
      [`${STEP}/progress`, { note: 'n' }],
      [`${STEP}/complete`, { evidence: EVIDENCE }],
      [`${STEP}/target-date`, { date: '2027-01-04' }],
      [`${STEP}/extension`, { to: '2028-01-03', reason: 'r' }],
      [`${STEP}/waiver`, { reason: 'r' }],
    ];
    for (const [route, base] of writes) {
      for (const field of ['by', 'grantedBy']) {
        expectErrorShape(await send('POST', route, { json: { ...base, [field]: BY }, token: writerOf(route) }), 400, 'invalid-input', field);
      }
    }
  });

  test('a text that is not text is refused', async () => {
    for (const { route, method, base, field } of TEXT_FIELDS) {
      for (const value of [42, true, ['x'], { a: 1 }]) {
        const answer = await send(method, route, { json: withField(base, field, value), token: writerOf(route) });
        expectErrorShape(answer, 400, undefined, field);
      }
    }
  });
});

describe('dates, links, booleans, lists', () => {
  const DATE_FIELDS = [
    { route: `${STEP}/target-date`, base: { date: '2027-01-04' }, field: 'date', optional: false },
    { route: `${STEP}/extension`, base: { to: '2028-01-03', reason: 'r' }, field: 'to', optional: false },
    { route: `${STEP}/complete`, base: { evidence: EVIDENCE }, field: 'evidence.date', optional: true },
    { route: '/onboardings', base: { municipalityCode: 'GM0014', steps: { 'wmo-beleidsplan': { targetDate: '2027-01-04' } } }, field: 'steps.wmo-beleidsplan.targetDate', optional: true },
    {
      route: '/onboardings',
      base: { municipalityCode: 'GM0014', steps: { volkshuisvestingsprogramma: { status: 'done', evidence: [INITIAL_EVIDENCE] } } },
      field: 'steps.volkshuisvestingsprogramma.evidence.0.date',
      optional: true,
    },
  ];

  test('every date must be a real day (2027-02-30 is not) within the range the planner supports, both ends named', async () => {
    for (const { route, base, field: at, optional } of DATE_FIELDS) {
      for (const impossible of ['2027-02-30', '2027-02-29', '2026-13-01', '2026-00-10', '2027-2-3', '27-02-03', 'morgen', '2027-02-03T00:00:00Z', 20270203, '']) {
        expectErrorShape(await send('POST', route, { json: withField(base, at, impossible), token: writerOf(route) }), 400, 'date-invalid', at);
      }
      for (const outside of ['2013-12-31', '1970-01-01', '2100-01-01', '9999-12-31']) {
        const answer = await send('POST', route, { json: withField(base, at, outside), token: writerOf(route) });
        expectErrorShape(answer, 400, 'date-out-of-range', at);
        expect(answer.body.message).toContain('2014-01-01');
        expect(answer.body.message).toContain('2099-12-31');
      }
      if (optional) expectErrorShape(await send('POST', route, { json: withField(base, at, null), token: writerOf(route) }), 400, 'field-invalid', at);
    }
  });

  test('evidence links are http(s) only: javascript:, data:, ftp: and links with spaces or control characters are refused', async () => {
    const urlFields = [
      { route: `${STEP}/complete`, base: { evidence: EVIDENCE }, field: 'evidence.url' },
      {
        route: '/onboardings',
        base: { municipalityCode: 'GM0014', steps: { volkshuisvestingsprogramma: { status: 'done', evidence: [INITIAL_EVIDENCE] } } },
        field: 'steps.volkshuisvestingsprogramma.evidence.0.url',
      },
    ];
    for (const { route, base, field } of urlFields) {
      for (const bad of ['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,<script>', 'ftp://example.org/x', 'file:///etc/passwd', '//example.org', 'https://', 'https://a b', 'example.org', '']) {
        expectErrorShape(await send('POST', route, { json: withField(base, field, bad), token: writerOf(route) }), 400, 'url-invalid', field);
      }
      expectErrorShape(await send('POST', route, { json: withField(base, field, 'https://example.org/\u0000'), token: writerOf(route) }), 400, 'control-character', field);
      expectErrorShape(await send('POST', route, { json: withField(base, field, `https://example.org/${'x'.repeat(TEXT_LIMITS.url)}`), token: writerOf(route) }), 400, 'text-too-long', field);
    }
  });

  test('a checklist value is true or false, nothing else', async () => {
    for (const value of ['nope', 'true', 'false', 1, 0, null, {}, [], 'yes']) {
      expectErrorShape(await send('POST', `${STEP}/progress`, { json: { checklist: { doorstroming: value } }, token: programmeManager }), 400, 'checklist-value-invalid', 'checklist.doorstroming');
    }
    for (const checklist of ['doorstroming', ['doorstroming'], 1, null]) {
      expectErrorShape(await send('POST', `${STEP}/progress`, { json: { checklist }, token: programmeManager }), 400, 'invalid-input', 'checklist');
    }
    const tooMany = Object.fromEntries(Array.from({ length: STEP_LIMITS.checklistItems + 1 }, (_, i) => [`item-${i}`, true]));
    expectErrorShape(await send('POST', `${STEP}/progress`, { json: { checklist: tooMany }, token: programmeManager }), 400, 'invalid-input', 'checklist');
    expectErrorShape(await send('POST', `${STEP}/progress`, { json: { checklist: { 'Bad Key\u0000': true } }, token: programmeManager }), 400, 'invalid-input', 'checklist');
  });

  test('every list and map is bounded', async () => {
    const many = (n: number, make: (i: number) => unknown) => Array.from({ length: n }, (_, i) => make(i));
    const gm = (i: number) => `GM${String(i).padStart(4, '0')}`;
    const cases: [string, string, unknown, string][] = [
      ['POST', '/onboardings', { municipalityCode: 'GM0014', steps: { volkshuisvestingsprogramma: { status: 'done', evidence: many(STEP_LIMITS.evidence + 1, () => INITIAL_EVIDENCE) } } }, 'steps.volkshuisvestingsprogramma.evidence'],
      ['POST', '/onboardings', { municipalityCode: 'GM0014', steps: { volkshuisvestingsprogramma: { checklist: many(STEP_LIMITS.checklistItems + 1, (i) => `item-${i}`) } } }, 'steps.volkshuisvestingsprogramma.checklist'],
      ['POST', '/onboardings', { municipalityCode: 'GM0014', steps: Object.fromEntries(many(LIST_LIMITS.initialSteps + 1, (i) => [`step-${i}`, {}]) as [string, unknown][]) }, 'steps'],
      ['POST', '/onboardings/all', { municipalities: Object.fromEntries(many(LIST_LIMITS.owners + 1, (i) => [gm(i), {}]) as [string, unknown][]) }, 'municipalities'],
      ['PUT', '/organisations/edge-organisation', { kind: 'housing-corporation', name: 'X', municipalities: many(LIST_LIMITS.municipalities + 1, gm) }, 'municipalities'],
      ['PUT', '/organisations/edge-organisation/contacts', { contacts: many(LIST_LIMITS.contacts + 1, (i) => ({ email: `c${i}@edge.example`, role: 'alderman' })) }, 'contacts'],
      ['POST', '/organisations/load', { organisations: many(LIST_LIMITS.organisations + 1, (i) => ({ key: `k${i}`, kind: 'vng', name: 'V' })) }, 'organisations'],
      ['PUT', '/regions/groupings/edge-grouping', { regions: many(LIST_LIMITS.regions + 1, (i) => ({ code: `ED${String(i).padStart(3, '0')}`, name: 'E', municipalities: ['GM0363'] })) }, 'regions'],
    ];
    for (const [method, route, json, field] of cases) expectErrorShape(await send(method, route, { json }), 400, 'invalid-input', field);
  });

  test('map keys and codes in bodies have their formats; e-mail addresses their length', async () => {
    expectErrorShape(await send('POST', '/onboardings', { json: { municipalityCode: 'GM0014', steps: { 'Not A Step': {} } } }), 400, 'invalid-input', 'steps');
    expectErrorShape(await send('POST', '/onboardings/all', { json: { regions: { __proto__x: {} } } }), 400, 'invalid-input', 'regions');
    // A key every object has is no field name and no map key: refused, not silently dropped.
    for (const proto of Object.getOwnPropertyNames(Object.prototype)) {
      const body = `{"municipalities":{"GM0014":{},${JSON.stringify(proto)}:{}}}`;
      expectErrorShape(await send('POST', '/onboardings/all', { headers: { 'content-type': 'application/json' }, body }), 400, 'invalid-input', `municipalities.${proto}`);
    }
    expectErrorShape(await send('POST', '/onboardings', { json: { municipalityCode: 'GM0014', programmeManagerEmail: `${'a'.repeat(250)}@x.example` } }), 400, 'invalid-input', 'programmeManagerEmail');
    expectErrorShape(await send('POST', '/onboardings', { json: { municipalityCode: 'GM0014', programmeManagerEmail: null } }), 400, 'invalid-input', 'programmeManagerEmail');
    expectErrorShape(await send('PUT', '/organisations/edge-organisation', { json: { kind: 'vng', name: 'V', code: 'XX' } }), 400, 'invalid-input', 'code');
    expectErrorShape(await send('POST', '/organisations/load', { json: { organisations: [{ key: 'bad key', kind: 'vng', name: 'V' }] } }), 400, 'invalid-input', 'organisations.0.key');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Media types and the body parsers.

describe('media types and body parsing', () => {
  const apiWrites = () => operations.filter((op) => op.hasBody && !isPage(op));
  const pageWrites = () => operations.filter((op) => op.hasBody && isPage(op));

  test('every API write takes application/json only: text/plain, forms, XML, no type at all: 415', async () => {
    expect(apiWrites().length).toBeGreaterThanOrEqual(12);
    for (const op of apiWrites()) {
      const path = pathOf(op, {});
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json-patch+json', 'text/json']) {
        expectErrorShape(await send(op.method, path, { headers: { 'content-type': type }, body: '{}', token: writerOf(path) }), 415, 'unsupported-media-type');
      }
      expectErrorShape(await send(op.method, path, { body: new Uint8Array(Buffer.from('{}')), token: writerOf(path) }), 415, 'unsupported-media-type');
    }
  });

  test('a charset other than UTF-8 (latin1 and friends) is a 415 on every write', async () => {
    for (const op of [...apiWrites(), ...pageWrites()]) {
      const type = isPage(op) ? 'application/x-www-form-urlencoded' : 'application/json';
      for (const charset of ['latin1', 'ISO-8859-1', 'windows-1252', 'utf-16', 'utf8x', '"us-ascii"']) {
        const answer = await send(op.method, pathOf(op, {}), { headers: { 'content-type': `${type}; charset=${charset}` }, body: isPage(op) ? 'a=1' : '{}', token: writerOf(pathOf(op, {})) });
        expectErrorShape(answer, 415, 'unsupported-charset');
      }
      const utf8 = await send(op.method, pathOf(op, {}), { headers: { 'content-type': `${type}; charset=UTF-8` }, body: isPage(op) ? 'a=1' : '{}', token: writerOf(pathOf(op, {})) });
      expect(utf8.status).not.toBe(415);
    }
  });

  test('page routes take form bodies only: JSON or text is a 415', async () => {
    expect(pageWrites().map((op) => `${op.method} ${op.template}`).sort()).toEqual([
      'POST /app/rulebooks/{id}/apply',
      'POST /app/{collection}/{code}/steps/{step}/checklist',
      'POST /app/{collection}/{code}/steps/{step}/complete',
      'POST /app/{collection}/{code}/steps/{step}/extension',
      'POST /app/{collection}/{code}/steps/{step}/progress',
      'POST /app/{collection}/{code}/steps/{step}/target-date',
      'POST /app/{collection}/{code}/steps/{step}/waiver',
      'POST /auth/calendar-feeds',
      'POST /auth/calendar-feeds/{feed}/revoke',
      'POST /auth/choose',
      'POST /auth/link/{token}',
      'POST /auth/sign-in',
      'POST /auth/sign-out',
      'POST /mail/actions/{token}',
      'POST /mail/preferences/{token}',
      'POST /mail/unsubscribe/{token}',
    ]);
    for (const op of pageWrites()) {
      for (const type of ['application/json', 'text/plain', 'application/xml']) {
        expectErrorShape(await send(op.method, pathOf(op, {}), { headers: { 'content-type': type }, body: '{}' }), 415, 'unsupported-media-type');
      }
    }
  });

  test('a bodiless write needs no type (an apply, a one-click POST)', async () => {
    expect((await send('POST', '/rulebooks/wvrv-1999/apply')).status).toBe(404);
    expect((await send('POST', '/mail/unsubscribe/x', { token: null })).status).toBe(400);
  });

  test('malformed JSON is a 400, on every API write', async () => {
    for (const op of apiWrites()) {
      for (const body of ['{', '{"a":}', 'nope', '{"a":1}}', "{'a':1}", '"text"', '1']) {
        expectErrorShape(await send(op.method, pathOf(op, {}), { headers: { 'content-type': 'application/json' }, body, token: writerOf(pathOf(op, {})) }), 400, 'malformed-body');
      }
    }
  });

  test('a JSON body over 1 MB is a 413, on every API write; a form over its limit too', async () => {
    const big = JSON.stringify({ note: 'x'.repeat(BODY_LIMITS.json) });
    for (const op of apiWrites()) {
      expectErrorShape(await send(op.method, pathOf(op, {}), { headers: { 'content-type': 'application/json' }, body: big, token: writerOf(pathOf(op, {})) }), 413, 'body-too-large');
    }
    const gzipped = gzipSync(Buffer.from(big));
    expect(gzipped.length).toBeLessThan(BODY_LIMITS.json / 10);
    expectErrorShape(
      await send('POST', `${STEP}/progress`, { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: new Uint8Array(gzipped), token: programmeManager }),
      413,
      'body-too-large',
    );
    for (const op of pageWrites()) {
      expectErrorShape(await send(op.method, pathOf(op, {}), { body: new URLSearchParams({ a: 'x'.repeat(BODY_LIMITS.form) }) }), 413, 'body-too-large');
    }
  });

  test('a Content-Encoding the parser does not know is a 415; a body that does not decompress a 400; a good one is read', async () => {
    for (const encoding of ['compress', 'x-unknown', 'gzip, compress', 'gzip, gzip', 'identity, br, x', 'base64']) {
      expectErrorShape(
        await send('POST', `${STEP}/progress`, { headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: '{"note":"x"}', token: programmeManager }),
        415,
        'unsupported-content-encoding',
      );
    }
    const compress: Record<string, (b: Buffer) => Buffer> = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };
    for (const encoding of ['gzip', 'deflate', 'br', 'zstd']) {
      const broken = await send('POST', `${STEP}/progress`, { headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: 'not compressed at all', token: programmeManager });
      expectErrorShape(broken, 400, 'malformed-body');
      if (!compress[encoding]) continue;
      // A good body is read: its NUL is found by the DTO, as in a plain one.
      const good = await send('POST', `${STEP}/progress`, {
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        body: new Uint8Array(compress[encoding](Buffer.from(JSON.stringify({ note: 'n\u0000' })))),
        token: programmeManager,
      });
      expectErrorShape(good, 400, 'control-character', 'note');
    }
  });

  test('deeply nested JSON is a 400 before any validator recurses; so is a __proto__ key', async () => {
    for (const depth of [BODY_LIMITS.jsonDepth + 1, 100, 10_000, 100_000]) {
      const nested = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const arrays = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      for (const body of [nested, arrays]) {
        for (const op of apiWrites().slice(0, 4)) {
          expectErrorShape(await send(op.method, pathOf(op, {}), { headers: { 'content-type': 'application/json' }, body, token: writerOf(pathOf(op, {})) }), 400, 'body-too-deep');
        }
      }
    }
    for (const body of ['{"__proto__":{"admin":true},"note":"x"}', '{"note":"x","checklist":{"__proto__":true}}', '{"evidence":[{"__proto__":{}}]}']) {
      expectErrorShape(await send('POST', `${STEP}/progress`, { headers: { 'content-type': 'application/json' }, body, token: programmeManager }), 400, 'invalid-input');
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  test('1,500 fields: in JSON a 400 naming an unknown field, in a form a 413', async () => {
    const fields = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`f${i}`, 'x']));
    for (const op of apiWrites()) {
      const answer = await send(op.method, pathOf(op, {}), { json: fields, token: writerOf(pathOf(op, {})) });
      expectErrorShape(answer, 400);
    }
    for (const op of pageWrites()) {
      expectErrorShape(await send(op.method, pathOf(op, {}), { body: new URLSearchParams(fields) }), 413, 'too-many-fields');
      // Nested form syntax is not parsed into objects: a[b][c] is one field name.
      expect((await send(op.method, pathOf(op, {}), { body: new URLSearchParams({ 'a[b][c][d]': 'x' }) })).status).toBeLessThan(500);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Headers.

describe('response headers', () => {
  const samples = () => [
    send('GET', '/municipalities'),
    send('GET', '/municipalities/GM0363/steps'),
    send('GET', '/steps?overdue=true'),
    send('GET', '/municipalities/GM0363/notifications'),
    send('GET', '/organisations'),
    send('GET', '/health'),
    send('GET', '/nope'),
    send('GET', '/municipalities/%00'),
    send('POST', `${STEP}/progress`, { json: { note: '\u0000' }, token: programmeManager }),
    send('POST', '/onboardings', { headers: { 'content-type': 'text/plain' }, body: 'x' }),
    send('GET', `/mail/preferences/${signLink(TEST_LINK_SECRET, { act: 'preferences', rcp: 'a@edge.example', lang: 'nl', exp: Math.floor(Date.now() / 1000) + 3600 })}`, { token: null }),
    send('GET', '/mail/actions/forged.token', { token: null }),
  ];

  test('helmet headers on every response, no X-Powered-By, and no-store on all but the docs', async () => {
    for (const answer of await Promise.all(samples())) {
      expect(answer.headers.get('x-powered-by')).toBeNull();
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toMatch(/^(SAMEORIGIN|DENY)$/);
      expect(answer.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(answer.headers.get('content-security-policy')).toMatch(/default-src/);
      expect(answer.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(answer.headers.get('referrer-policy')).toMatch(/no-referrer/);
      expect(answer.headers.get('x-dns-prefetch-control')).toBe('off');
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
  });

  test('the docs page loads (its CSP allows it) and may be cached', async () => {
    const page = await send('GET', '/docs/');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).not.toBe('no-store');
    expect(page.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(page.headers.get('x-powered-by')).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------------
// Rate limits, on instances of their own.

describe('rate limits', () => {
  const config = (name: string) => testConfig(name, { DATABASE_URL: sys.db.url, TEMPORAL_ADDRESS: sys.env.address, SMTP_URL: 'smtp://127.0.0.1:2525' });

  test('past REGIE_RATE_LIMIT requests a minute a client gets 429 with Retry-After, on every route; /health never', async () => {
    const limited = await withEnv({ REGIE_RATE_LIMIT: '5', REGIE_MAIL_LINK_REFUSAL_LIMIT: '100' }, () => TestApi.start(config('edge-rate')));
    try {
      const base = limited.baseUrl;
      for (let i = 0; i < 5; i++) expect((await send('GET', i % 2 ? '/municipalities/GM0363' : '/regions', { base })).status).toBe(200);
      for (const [method, path] of [
        ['GET', '/municipalities'],
        ['GET', '/steps'],
        ['POST', `${STEP}/progress`],
        ['GET', '/mail/preferences/x'],
      ]) {
        const answer = await send(method, path, { base, ...(method === 'POST' ? { json: { note: 'x' }, token: writerOf(path) } : {}) });
        expectErrorShape(answer, 429, 'rate-limited');
        const retryAfter = Number(answer.headers.get('retry-after'));
        expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
      }
      for (let i = 0; i < 10; i++) expect((await send('GET', '/health', { base })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  test('past REGIE_MAIL_LINK_REFUSAL_LIMIT refused links a client gets 429 on the mail-link pages, even with a good link; other routes go on', async () => {
    const limited = await withEnv({ REGIE_RATE_LIMIT: '1000', REGIE_MAIL_LINK_REFUSAL_LIMIT: '3' }, () => TestApi.start(config('edge-refusals')));
    try {
      const base = limited.baseUrl;
      const good = signLink(TEST_LINK_SECRET, { act: 'preferences', rcp: 'b@edge.example', lang: 'nl', exp: Math.floor(Date.now() / 1000) + 3600 });
      // Good links do not count, however many.
      for (let i = 0; i < 5; i++) expect((await send('GET', `/mail/preferences/${good}`, { base, token: null })).status).toBe(200);
      const refused = [
        await send('GET', '/mail/preferences/forged', { base, token: null }),
        await send('POST', '/mail/actions/forged', { base, token: null }),
        await send('GET', `/mail/actions/${good}`, { base, token: null }),
      ];
      expect(refused.map((r) => r.status)).toEqual([400, 400, 400]);
      for (const path of [`/mail/preferences/${good}`, '/mail/unsubscribe/forged', `/mail/unsubscribe/${good}`]) {
        const answer = await send('GET', path, { base, token: null });
        expectErrorShape(answer, 429, 'rate-limited');
        const retryAfter = Number(answer.headers.get('retry-after'));
        expect(Number.isInteger(retryAfter) && retryAfter > 60 && retryAfter <= 15 * 60).toBe(true);
      }
      expect((await send('GET', '/municipalities/GM0363', { base })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  test('past REGIE_SIGN_IN_LIMIT sign-in requests a client gets 429 on POST /auth/sign-in, whatever the address; other routes go on', async () => {
    const limited = await withEnv({ REGIE_RATE_LIMIT: '1000', REGIE_MAIL_LINK_REFUSAL_LIMIT: '100', REGIE_SIGN_IN_LIMIT: '3' }, () => TestApi.start(config('edge-sign-ins')));
    try {
      const base = limited.baseUrl;
      // A bad address counts as much as a good one: the answer never says which addresses are known.
      const asked = [
        await send('POST', '/auth/sign-in', { base, token: null, body: new URLSearchParams({ email: 'nobody@edge.example' }) }),
        await send('POST', '/auth/sign-in', { base, token: null, body: new URLSearchParams({ email: 'not an address' }) }),
        await send('POST', '/auth/sign-in', { base, token: null, body: new URLSearchParams({ email: 'someone@edge.example' }) }),
      ];
      expect(asked.map((a) => a.status)).toEqual([202, 400, 202]);
      const answer = await send('POST', '/auth/sign-in', { base, token: null, body: new URLSearchParams({ email: 'nobody@edge.example' }) });
      expectErrorShape(answer, 429, 'rate-limited');
      const retryAfter = Number(answer.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter > 60 && retryAfter <= 15 * 60).toBe(true);
      expect((await send('GET', '/auth/sign-in', { base, token: null })).status).toBe(200);
      expect((await send('GET', '/municipalities/GM0363', { base })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  test('a bad limit stops the start with a message naming the variable', async () => {
    for (const [name, value] of [
      ['REGIE_RATE_LIMIT', 'many'],
      ['REGIE_RATE_LIMIT', '0'],
      ['REGIE_MAIL_LINK_REFUSAL_LIMIT', '-1'],
      ['REGIE_SIGN_IN_LIMIT', '0'],
    ]) {
      await expect(withEnv({ [name]: value }, () => TestApi.start(config('edge-bad-limit')))).rejects.toThrow(name);
    }
  });
});

test('no request of this file got a server error', () => {
  expect(answers.length).toBeGreaterThan(2000);
  expect(answers.filter((a) => a.status >= 500)).toEqual([]);
});
