/**
 * Who may do what, cell by cell, with real sessions (signed in by the link in a real mail) and real API
 * tokens on a real Postgres and Temporal. The expected outcome of every (caller, route) is written here by
 * hand from the table, never computed by the policy module; a route the API serves that is
 * missing from this table fails the test.
 *
 * Outcomes: `ok` the access layer let it through (any status but 401, 403 and 404: a 400 from a
 * deliberately invalid body counts, as validation runs after the access check); `401`, `403`, `404` the
 * access refusal; `pub` a public route: the same status for everyone, never 401 or 403.
 */
import { DataSource } from 'typeorm';
import { DocumentsService } from '../../apps/api/src/documents/documents.service';
import { Browser, createPeople, PEOPLE, signInByMail, signInLink, tokenFor } from '../support/access';
import { pageAssetPath } from '../../libs/mail/page-assets';
import { minimalPdf } from '../support/pdf';
import { withEnv } from '../support/config';
import { until } from '../support/outbox';
import { startTestSystem, TestSystem } from '../support/system';

let sys: TestSystem;

type Caller = 'anon' | 'operator' | 'pm' | 'alderman' | 'coordinator' | 'province' | 'stakeholder' | 'vng' | 'otherPm' | 'pmRead';
const CALLERS: Caller[] = ['anon', 'operator', 'pm', 'alderman', 'coordinator', 'province', 'stakeholder', 'vng', 'otherPm', 'pmRead'];
type Outcome = 'ok' | '401' | '403' | '404' | 'pub';

interface Row {
  /** The route as the OpenAPI document names it. */
  route: string;
  /** The request sent: its path, and a body for writes. */
  path: string;
  body?: unknown;
  /** One outcome per caller, in CALLERS order. */
  expect: Outcome[];
  /** A 404 with this code is the route's own answer to a caller it let through (nothing there yet), not a refusal. */
  okNotFound?: string;
}

const STEP = '/municipalities/GM0363/steps/volkshuisvestingsprogramma';
const REGION_STEP = '/regions/CR23/steps/overlegstructuur';
const ALL_PUB: Outcome[] = Array(CALLERS.length).fill('pub');
//                              anon   oper  pm    alder coord prov  stake vng   other pmRead
const READ_MUNICIPALITY: Outcome[] = ['401', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', '404', 'ok'];
const SIGNED_IN: Outcome[] = ['401', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'];
const OPERATOR: Outcome[] = ['401', 'ok', '403', '403', '403', '403', '403', '403', '403', '403'];
const PM_WRITES: Outcome[] = ['401', '403', 'ok', '403', '403', '403', '403', '403', '404', '403'];
const PROVINCE_WRITES: Outcome[] = ['401', '403', '403', '403', '403', 'ok', '403', '403', '404', '403'];

/** Rows in the order they run: destructive ones (the waiver, sign-out) last. */
const ROWS: Row[] = [
  { route: 'GET /health', path: '/health', expect: ALL_PUB },
  { route: 'GET /auth/sign-in', path: '/auth/sign-in', expect: ALL_PUB },
  { route: 'POST /auth/sign-in', path: '/auth/sign-in', body: { form: { email: 'nobody@nowhere.example' } }, expect: ALL_PUB },
  { route: 'GET /auth/link/{token}', path: '/auth/link/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', expect: ALL_PUB },
  { route: 'POST /auth/link/{token}', path: '/auth/link/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', body: { form: {} }, expect: ALL_PUB },
  { route: 'GET /auth/oidc/start', path: '/auth/oidc/start', expect: ALL_PUB },
  { route: 'GET /auth/oidc/callback', path: '/auth/oidc/callback?state=x&code=y', expect: ALL_PUB },
  { route: 'GET /mail/unsubscribe/{token}', path: '/mail/unsubscribe/not-a-token', expect: ALL_PUB },
  { route: 'POST /mail/unsubscribe/{token}', path: '/mail/unsubscribe/not-a-token', body: { form: { 'List-Unsubscribe': 'One-Click' } }, expect: ALL_PUB },
  { route: 'GET /mail/preferences/{token}', path: '/mail/preferences/not-a-token', expect: ALL_PUB },
  { route: 'POST /mail/preferences/{token}', path: '/mail/preferences/not-a-token', body: { form: { delivery: 'digest' } }, expect: ALL_PUB },
  { route: 'GET /mail/actions/{token}', path: '/mail/actions/not-a-token', expect: ALL_PUB },
  { route: 'POST /mail/actions/{token}', path: '/mail/actions/not-a-token', body: { form: {} }, expect: ALL_PUB },
  { route: 'GET /auth/session', path: '/auth/session', expect: SIGNED_IN },
  // The pages' style sheets: anyone, cached.
  { route: 'GET /assets/{file}', path: pageAssetPath('theme'), expect: ALL_PUB },

  // Reference data: anyone signed in.
  { route: 'GET /municipalities', path: '/municipalities', expect: SIGNED_IN },
  { route: 'GET /municipalities/{code}', path: '/municipalities/GM0599', expect: SIGNED_IN },
  { route: 'GET /regions', path: '/regions', expect: SIGNED_IN },
  { route: 'GET /regions/{code}', path: '/regions/CR23', expect: SIGNED_IN },
  { route: 'GET /rulebooks', path: '/rulebooks', expect: SIGNED_IN },
  { route: 'GET /rulebooks/{id}', path: '/rulebooks/wvrv-2025-07-01.3', expect: SIGNED_IN },

  // The national overview of states: VNG, provinces and the operator.
  { route: 'GET /steps', path: '/steps?step=volkshuisvestingsprogramma', expect: ['401', 'ok', '403', '403', '403', 'ok', '403', 'ok', '403', '403'] },
  // The national overview, its page and its exports: the same callers as the list of all steps.
  { route: 'GET /overview', path: '/overview', expect: ['401', 'ok', '403', '403', '403', 'ok', '403', 'ok', '403', '403'] },
  { route: 'GET /overview/export', path: '/overview/export?format=csv', expect: ['401', 'ok', '403', '403', '403', 'ok', '403', 'ok', '403', '403'] },
  // The rulebook pages: the operator, and VNG to read.
  //                                                                       anon   oper  pm     alder  coord  prov   stake  vng   other  pmRead
  { route: 'GET /app/rulebooks', path: '/app/rulebooks', expect: ['401', 'ok', '403', '403', '403', '403', '403', 'ok', '403', '403'] },
  { route: 'GET /app/rulebooks/{id}', path: '/app/rulebooks/wvrv-2025-07-01.3', expect: ['401', 'ok', '403', '403', '403', '403', '403', 'ok', '403', '403'] },
  { route: 'GET /app/rulebooks/{id}/rollout/events', path: '/app/rulebooks/wvrv-2025-07-01.3/rollout/events', okNotFound: 'rollout-not-found', expect: ['401', 'ok', '403', '403', '403', '403', '403', 'ok', '403', '403'] },
  { route: 'POST /app/rulebooks/{id}/apply', path: '/app/rulebooks/no-such-version/apply', body: { form: {} }, okNotFound: 'rulebook-not-found', expect: OPERATOR },
  // Calendar feeds: the secret is the authority; a person makes and revokes their own.
  { route: 'GET /calendar/{feed}', path: `/calendar/${'A'.repeat(43)}.ics`, expect: ALL_PUB },
  { route: 'POST /auth/calendar-feeds', path: '/auth/calendar-feeds', body: { form: { covers: 'organisation' } }, expect: ['401', '403', 'ok', '403', '403', 'ok', '403', '403', '403', '403'] },
  { route: 'POST /auth/calendar-feeds/{feed}/revoke', path: '/auth/calendar-feeds/00000000-0000-4000-8000-000000000000/revoke', body: { form: {} }, okNotFound: 'calendar-feed-not-found', expect: ['401', '403', 'ok', '403', '403', 'ok', '403', '403', '403', '403'] },
  // A municipality's steps and sent log: its own people, its region, its province, its linked stakeholders, VNG; not another municipality.
  { route: 'GET /{collection}/{code}/steps', path: '/municipalities/GM0363/steps', expect: READ_MUNICIPALITY },
  { route: 'GET /{collection}/{code}/notifications', path: '/municipalities/GM0363/notifications', expect: READ_MUNICIPALITY },
  { route: 'GET /{collection}/{code}/steps/{step}', path: STEP, expect: READ_MUNICIPALITY },
  { route: 'GET /{collection}/{code}/steps/{step}/notifications', path: `${STEP}/notifications`, expect: READ_MUNICIPALITY },
  // An evidence document of a step: whoever may read the step (a real document, stored in beforeAll).
  { route: 'GET /{collection}/{code}/steps/{step}/documents/{id}', path: `${STEP}/documents/{documentId}`, expect: READ_MUNICIPALITY },

  // A province's overview: its own officers, VNG and the operator; nobody else (provinces are public reference data: 403, not 404).
  //                                                                            anon   oper  pm     alder  coord  prov  stake  vng   other  pmRead
  { route: 'GET /provinces/{code}', path: '/provinces/PV27', expect: ['401', 'ok', '403', '403', '403', 'ok', '403', 'ok', '403', '403'] },

  // Step work: the programme manager on its own municipality; the coordinator on its region; the province's decisions.
  { route: 'POST /{collection}/{code}/steps/{step}/progress', path: `${STEP}/progress`, body: { status: 'in-progress' }, expect: PM_WRITES },
  { route: 'POST /{collection}/{code}/steps/{step}/target-date', path: `${STEP}/target-date`, body: { date: '2027-03-01' }, expect: PM_WRITES },
  { route: 'POST /{collection}/{code}/steps/{step}/complete', path: '/municipalities/GM0363/steps/wmo-beleidsplan/complete', body: { evidence: { kind: 'council-decision', reference: 'Raadsbesluit 2026/12' } }, expect: PM_WRITES },
  { route: 'POST /{collection}/{code}/steps/{step}/extension', path: `${STEP}/extension`, body: { to: '2027-12-01', reason: 'Verlenging wegens herindeling' }, expect: PROVINCE_WRITES },
  // The region's own step: its coordinator writes, its members' programme managers and the province read.
  //                                                                                                   anon   oper   pm     alder  coord  prov   stake  vng    other  pmRead
  { route: 'POST /{collection}/{code}/steps/{step}/progress (region)', path: `${REGION_STEP}/progress`, body: { status: 'in-progress' }, expect: ['401', '403', '403', '403', 'ok', '403', '404', '403', '404', '403'] },

  // The step page's forms (a page route: form bodies): the same actions as the JSON writes, so the same cells. Bodies the
  // step model refuses (a 400 page) prove the access check passed and change nothing; the progress form applies.
  { route: 'POST /app/{collection}/{code}/steps/{step}/progress', path: `/app${STEP}/progress`, body: { form: { status: 'in-progress' } }, expect: PM_WRITES },
  { route: 'POST /app/{collection}/{code}/steps/{step}/checklist', path: `/app${STEP}/checklist`, body: { form: { 'checklist.no-such-item': 'true' } }, expect: PM_WRITES },
  { route: 'POST /app/{collection}/{code}/steps/{step}/complete', path: `/app${STEP}/complete`, body: { form: { kind: 'nope', reference: 'x' } }, expect: PM_WRITES },
  { route: 'POST /app/{collection}/{code}/steps/{step}/target-date', path: `/app${STEP}/target-date`, body: { form: { date: 'nope' } }, expect: PM_WRITES },
  { route: 'POST /app/{collection}/{code}/steps/{step}/extension', path: `/app${STEP}/extension`, body: { form: { to: 'nope', reason: 'x' } }, expect: PROVINCE_WRITES },
  { route: 'POST /app/{collection}/{code}/steps/{step}/waiver', path: `/app${STEP}/waiver`, body: { form: { reason: '' } }, expect: PROVINCE_WRITES },

  // Operator work (deliberately invalid bodies: a 400 proves the access check passed, and nothing is changed).
  { route: 'POST /onboardings', path: '/onboardings', body: { municipalityCode: 'nope' }, expect: OPERATOR },
  { route: 'POST /onboardings/all', path: '/onboardings/all', body: { municipalities: 'nope' }, expect: OPERATOR },
  { route: 'POST /rulebooks', path: '/rulebooks', body: { id: '' }, expect: OPERATOR },
  { route: 'GET /rulebooks/{id}/preview', path: '/rulebooks/wvrv-2025-07-01.3/preview', expect: OPERATOR },
  { route: 'POST /rulebooks/{id}/apply', path: '/rulebooks/wvrv-2025-07-01.3/apply', body: { override: 'nope' }, expect: OPERATOR },
  { route: 'GET /rulebooks/{id}/rollout', path: '/rulebooks/wvrv-2025-07-01.3/rollout', expect: OPERATOR, okNotFound: 'rollout-not-found' },
  { route: 'PUT /regions/groupings/{grouping}', path: '/regions/groupings/test', body: { regions: 'nope' }, expect: OPERATOR },
  { route: 'GET /organisations', path: '/organisations', expect: OPERATOR },
  // The API's Prometheus metrics: the operator's admin token (a scraper's credential), nobody else.
  { route: 'GET /metrics', path: '/metrics', expect: OPERATOR },
  { route: 'PUT /organisations/{key}', path: '/organisations/amsterdam', body: { kind: 'nope' }, expect: OPERATOR },
  { route: 'POST /organisations/load', path: '/organisations/load', body: { organisations: 'nope' }, expect: OPERATOR },

  // One organisation: its own people read it; its programme manager writes its contacts; programme manager or coordinator its tokens.
  { route: 'GET /organisations/{key}', path: '/organisations/amsterdam', expect: ['401', 'ok', 'ok', 'ok', '404', '404', '404', '404', '404', 'ok'] },
  { route: 'PUT /organisations/{key}/contacts', path: '/organisations/amsterdam/contacts', body: { contacts: 'nope' }, expect: ['401', 'ok', 'ok', '403', '404', '404', '404', '404', '404', '403'] },
  { route: 'POST /organisations/{key}/tokens', path: '/organisations/amsterdam/tokens', body: { name: '', scope: 'nope' }, expect: ['401', 'ok', 'ok', '403', '404', '404', '404', '404', '404', '403'] },
  { route: 'GET /organisations/{key}/tokens', path: '/organisations/amsterdam/tokens', expect: ['401', 'ok', 'ok', '403', '404', '404', '404', '404', '404', '403'] },
  { route: 'POST /organisations/{key}/tokens (coordinator)', path: '/organisations/groot-amsterdam/tokens', body: { name: '', scope: 'nope' }, expect: ['401', 'ok', '404', '404', 'ok', '404', '404', '404', '404', '404'] },
  { route: 'DELETE /organisations/{key}/tokens/{id}', path: '/organisations/amsterdam/tokens/{tokenId}', expect: ['401', 'ok', 'ok', '403', '404', '404', '404', '404', '404', '403'] },
  { route: 'GET /audit', path: '/audit', expect: SIGNED_IN },

  // Last: the waiver closes the step, sign-out ends the sessions, choose answers 400 for a non-member choice.
  { route: 'POST /{collection}/{code}/steps/{step}/waiver', path: '/municipalities/GM0363/steps/huisvestingsverordening/waiver', body: { reason: 'Vervalt door samenvoeging' }, expect: PROVINCE_WRITES },
  { route: 'POST /auth/choose', path: '/auth/choose', body: { form: { organisationKey: 'rotterdam', role: 'programme-manager' } }, expect: SIGNED_IN },
  { route: 'POST /auth/sign-out', path: '/auth/sign-out', body: { form: {} }, expect: SIGNED_IN },
];

const tokens = {} as Record<Caller, string>;
/** A token of Amsterdam's to revoke (revoking again answers the same). */
let revocable = '';
/** An evidence document of GM0363's step, stored as the complete form stores it. */
let documentId = '';
const sessions = {} as Record<Caller, Browser>;

// The rate limits are read from the environment when the API module is built: raised for the start.
const LIMITS = { REGIE_RATE_LIMIT: '100000', REGIE_SIGN_IN_LIMIT: '1000', REGIE_MAIL_LINK_REFUSAL_LIMIT: '100000' };

beforeAll(async () => {
  sys = await withEnv(LIMITS, () => startTestSystem('access-matrix'));
  await createPeople(sys.api);
  const onboarded = await sys.api.request('POST', '/onboardings', { municipalityCode: 'GM0363', programmeManagerEmail: PEOPLE['programme-manager'].email });
  expect(onboarded.status).toBe(201);
  await waitForSteps(sys.worker.get(DataSource));
  sessions.pm = await signInByMail(sys.api, sys.smtp, PEOPLE['programme-manager'].email);
  sessions.province = await signInByMail(sys.api, sys.smtp, PEOPLE.province.email);
  tokens.alderman = await tokenFor(sys.api, 'alderman');
  tokens.coordinator = await tokenFor(sys.api, 'regional-coordinator');
  tokens.stakeholder = await tokenFor(sys.api, 'stakeholder');
  tokens.vng = await tokenFor(sys.api, 'vng');
  tokens.otherPm = await tokenFor(sys.api, 'other-programme-manager');
  tokens.pmRead = await tokenFor(sys.api, 'programme-manager', 'read');
  revocable = (await sys.api.request('POST', '/organisations/amsterdam/tokens', { name: 'to revoke', role: 'programme-manager', scope: 'read' })).body.id;
  documentId = (
    await sys.api.app.get(DocumentsService).store({ ownerKind: 'municipality', ownerCode: 'GM0363', step: 'volkshuisvestingsprogramma', filename: 'besluit.pdf', content: minimalPdf(), uploadedBy: 'access matrix' })
  ).id;
});

afterAll(() => sys?.stop());

async function waitForSteps(db: DataSource) {
  await until('the onboarded steps in the read model', async () => (await db.query(`SELECT count(*)::int AS n FROM step_state WHERE owner_code IN ('GM0363', 'CR23')`))[0].n >= 7, 20_000);
}

async function send(caller: Caller, row: Row): Promise<{ status: number; text: string }> {
  const method = row.route.split(' ')[0];
  const form = (row.body as { form?: Record<string, string> } | undefined)?.form;
  const headers: Record<string, string> = {};
  if (caller === 'operator') headers.authorization = `Bearer ${process.env.TEST_ADMIN_TOKEN ?? 'test-admin-token-0123456789'}`;
  else if (tokens[caller]) headers.authorization = `Bearer ${tokens[caller]}`;
  else if (sessions[caller]) Object.assign(headers, sessions[caller].headers());
  let body: string | URLSearchParams | undefined;
  if (form) {
    const params = new URLSearchParams(form);
    if (sessions[caller]) params.set('_csrf', sessions[caller].csrf);
    body = params;
  } else if (row.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(row.body);
  }
  const res = await fetch(`${sys.api.baseUrl}${row.path.replace('{tokenId}', revocable).replace('{documentId}', documentId)}`, { method, headers, body, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

function outcomeOf(status: number, text: string, row: Row): Exclude<Outcome, 'pub'> {
  if (status === 404 && row.okNotFound && text.includes(`"error":"${row.okNotFound}"`)) return 'ok';
  return status === 401 ? '401' : status === 403 ? '403' : status === 404 ? '404' : 'ok';
}

describe('the role x route matrix', () => {
  it('covers every route the API serves', async () => {
    const doc = (await (await fetch(`${sys.api.baseUrl}/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const served = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const covered = new Set(ROWS.map((r) => r.route.replace(/ \(.*\)$/, '')));
    expect(served.filter((r) => !covered.has(r))).toEqual([]);
    expect([...covered].filter((r) => !served.includes(r))).toEqual([]);
  });

  it('gives each caller exactly the outcome the table names, cell by cell', async () => {
    const wrong: string[] = [];
    for (const row of ROWS) {
      expect(row.expect).toHaveLength(CALLERS.length);
      const statuses: number[] = [];
      for (const [i, caller] of CALLERS.entries()) {
        const { status, text } = await send(caller, row);
        statuses.push(status);
        const expected = row.expect[i];
        if (expected === 'pub' ? status === 401 || status === 403 : outcomeOf(status, text, row) !== expected) {
          wrong.push(`${row.route} as ${caller}: expected ${expected}, got ${status} ${text.slice(0, 160)}`);
        }
      }
      if (row.expect.every((e) => e === 'pub') && new Set(statuses).size !== 1) wrong.push(`${row.route}: a public route answered differently by caller: ${statuses.join(', ')}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('the promises behind the cells', () => {
  // The matrix's last row signed its sessions out: fresh ones.
  beforeAll(async () => {
    sessions.pm = await signInByMail(sys.api, sys.smtp, PEOPLE['programme-manager'].email);
    sessions.province = await signInByMail(sys.api, sys.smtp, PEOPLE.province.email);
  });

  it('keeps a municipality out of another municipality: a 404 like a code that does not exist', async () => {
    const other = await fetch(`${sys.api.baseUrl}/municipalities/GM0363/steps`, { headers: { authorization: `Bearer ${tokens.otherPm}` } });
    const none = await fetch(`${sys.api.baseUrl}/municipalities/GM9999/steps`, { headers: { authorization: `Bearer ${tokens.otherPm}` } });
    expect(other.status).toBe(404);
    expect(none.status).toBe(404);
    const [a, b] = [(await other.json()) as Record<string, unknown>, (await none.json()) as Record<string, unknown>];
    expect(Object.keys(a)).toEqual(Object.keys(b));
    expect(a.error).toBe(b.error);
  });

  it('shows a stakeholder and VNG no addresses, the owner and its province all of them', async () => {
    const as = async (auth: Record<string, string>) => (await fetch(`${sys.api.baseUrl}${STEP}`, { headers: auth })).text();
    for (const caller of ['stakeholder', 'vng'] as const) {
      const body = await as({ authorization: `Bearer ${tokens[caller]}` });
      expect(body).not.toMatch(/@[a-z-]+\.example/);
      expect(JSON.parse(body).history.length).toBeGreaterThan(0);
    }
    const notifications = await fetch(`${sys.api.baseUrl}/municipalities/GM0363/notifications`, { headers: { authorization: `Bearer ${tokens.stakeholder}` } });
    expect(await notifications.text()).not.toMatch(/@/);
    // The owner's own people and the province see the addresses (the onboarding named the programme manager).
    expect(await as(sessions.province.headers())).toMatch(/@/);
  });

  it('lets a province extend only its own municipalities’ terms', async () => {
    const res = await fetch(`${sys.api.baseUrl}/municipalities/GM0599/steps/volkshuisvestingsprogramma/extension`, {
      method: 'POST',
      headers: { ...sessions.province.headers(), 'content-type': 'application/json' },
      body: JSON.stringify({ to: '2028-01-01', reason: 'Niet onze gemeente' }),
    });
    expect(res.status).toBe(404);
  });

  it('refuses a cross-site form post and a replayed sign-in link, and changes nothing', async () => {
    const db = sys.worker.get(DataSource);
    const before = await db.query(`SELECT count(*)::int AS n FROM step_event WHERE owner_code = 'GM0363'`);
    const fresh = sessions.pm;
    // The other site's page has no CSRF token, and its Origin is its own.
    const forged = await fetch(`${sys.api.baseUrl}${STEP}/progress`, {
      method: 'POST',
      headers: { cookie: fresh.cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'submitted' }),
    });
    expect(forged.status).toBe(403);
    // Same Origin but without the token: refused too.
    const tokenless = await fetch(`${sys.api.baseUrl}${STEP}/progress`, {
      method: 'POST',
      headers: { cookie: fresh.cookie, origin: new URL(sys.api.publicBaseUrl).origin, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'submitted' }),
    });
    expect(tokenless.status).toBe(403);
    expect(await db.query(`SELECT count(*)::int AS n FROM step_event WHERE owner_code = 'GM0363'`)).toEqual(before);

    const mails = sys.smtp.mails.length;
    await sys.api.page('POST', '/auth/sign-in', { email: PEOPLE.alderman.email });
    const link = (await signInLink(sys.smtp, PEOPLE.alderman.email, mails)).replace(sys.api.publicBaseUrl, sys.api.baseUrl);
    expect((await fetch(link, { method: 'POST', redirect: 'manual' })).status).toBe(303);
    const replay = await fetch(link, { method: 'POST', redirect: 'manual' });
    expect(replay.status).toBe(410);
    expect(replay.headers.get('set-cookie')).toBeNull();
  });
});
