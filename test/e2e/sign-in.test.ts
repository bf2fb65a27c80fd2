/**
 * Sign-in end to end, every part real: the link read from the mail the SMTP server received, the session
 * cookie, a step completed with evidence and a term extended by the province, and the audit log, the
 * step history and the change mail naming those people. Also: no account probing, links single-use and
 * superseded, sessions ended on the server and timed out, API tokens (Bearer only, revocable), the audit
 * log append-only in the database, anonymous refusals counted rather than written, and OpenID Connect
 * against a real provider process.
 */
import { DataSource } from 'typeorm';
import { SessionsService } from '../../apps/api/src/access/sessions.service';
import { Browser, browser, createPeople, PEOPLE, signInByMail, signInLink, tokenFor } from '../support/access';
import { until } from '../support/outbox';
import { RunningOidcProvider, signInAt, startOidcProvider } from '../support/oidc-provider';
import { startTestSystem, TestSystem } from '../support/system';

const OIDC_CLIENT = { clientId: 'regie', clientSecret: 'regie-oidc-test-secret-0123456789' };
const PUBLIC_BASE_URL = 'http://localhost:3000';

let sys: TestSystem;
let oidc: RunningOidcProvider;
let db: DataSource;

beforeAll(async () => {
  oidc = await startOidcProvider({
    ...OIDC_CLIENT,
    redirectUri: `${PUBLIC_BASE_URL}/auth/oidc/callback`,
    accounts: [
      { sub: 'ria', email: PEOPLE['regional-coordinator'].email, email_verified: true },
      { sub: 'stranger', email: 'stranger@elsewhere.example', email_verified: true },
    ],
  });
  sys = await startTestSystem('sign-in', {
    vars: { PUBLIC_BASE_URL, OIDC_ISSUER: oidc.issuer, OIDC_CLIENT_ID: OIDC_CLIENT.clientId, OIDC_CLIENT_SECRET: OIDC_CLIENT.clientSecret },
  });
  db = sys.worker.get(DataSource);
  await createPeople(sys.api);
  expect((await sys.api.request('POST', '/onboardings', { municipalityCode: 'GM0363', programmeManagerEmail: PEOPLE['programme-manager'].email })).status).toBe(201);
  await until('the onboarded steps in the read model', async () => (await db.query(`SELECT count(*)::int AS n FROM step_state WHERE owner_code = 'GM0363'`))[0].n >= 5, 20_000);
});

afterAll(async () => {
  await sys?.stop();
  await oidc?.stop();
});

const url = (path: string) => `${sys.api.baseUrl}${path}`;
const settled = () => sys.api.app.get(SessionsService).settled();

async function write(who: Browser, path: string, body: object) {
  const res = await fetch(url(path), { method: 'POST', headers: who.headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

test('a programme manager signs in by mail and completes a step; the province extends a term; audit, history and mail name them', async () => {
  const pm = await signInByMail(sys.api, sys.smtp, PEOPLE['programme-manager'].email);
  const session = await (await fetch(url('/auth/session'), { headers: { cookie: pm.cookie } })).json();
  expect(session).toMatchObject({ email: PEOPLE['programme-manager'].email, current: { organisationKey: 'amsterdam', role: 'programme-manager' } });

  const done = await write(pm, '/municipalities/GM0363/steps/wmo-beleidsplan/complete', {
    evidence: { kind: 'council-decision', reference: 'Raadsbesluit 2026/88', url: 'https://zoek.officielebekendmakingen.nl/gmb-2026-88.html' },
  });
  expect(done.status).toBe(201);
  const step = (await (await fetch(url('/municipalities/GM0363/steps/wmo-beleidsplan'), { headers: { cookie: pm.cookie } })).json()) as {
    status: string;
    history: { event: string; detail: Record<string, unknown> }[];
  };
  expect(step.status).toBe('done');
  const completed = step.history.find((h) => h.event === 'done');
  expect(JSON.stringify(completed?.detail)).toContain('Pim Programma (Gemeente Amsterdam, programme-manager)');

  const province = await signInByMail(sys.api, sys.smtp, PEOPLE.province.email);
  const before = sys.smtp.mails.length;
  const extended = await write(province, '/municipalities/GM0363/steps/volkshuisvestingsprogramma/extension', { to: '2027-12-01', reason: 'Herindeling' });
  expect(extended.status).toBe(201);
  const changeNotice = () => sys.smtp.mails.slice(before).find((m) => /gewijzigd/.test(m.parsed.text ?? ''));
  await until('the change notice at the SMTP server', async () => !!changeNotice());
  expect(changeNotice()!.parsed.text).toContain('Piet Provincie (Provincie Noord-Holland, province)');

  const audit = (await (await fetch(url('/audit'), { headers: { cookie: pm.cookie } })).json()) as { items: Record<string, unknown>[]; nextCursor: string | null };
  expect(audit.nextCursor).toBeNull();
  expect(audit.items).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ actor: PEOPLE['programme-manager'].email, organisation_key: 'amsterdam', action: 'step:complete', outcome: 'allowed', status: 201, target: 'municipality:GM0363' }),
      expect.objectContaining({ actor: PEOPLE['programme-manager'].email, action: 'sign-in', outcome: 'allowed' }),
    ]),
  );
  // Amsterdam sees its own trail only; the operator sees the province's too, and as CSV.
  expect(audit.items.every((e) => e.organisation_key === 'amsterdam' || e.organisation_key === null)).toBe(true);
  const csv = await (await fetch(url('/audit?format=csv&action=step:extension'), { headers: { authorization: `Bearer ${process.env.TEST_ADMIN_TOKEN ?? 'test-admin-token-0123456789'}` } })).text();
  expect(csv.split('\n')[0]).toBe('id,at,actor_kind,actor,organisation_key,role,action,target,outcome,status,code,request_id,method,path');
  expect(csv).toContain(`${PEOPLE.province.email},noord-holland,province,step:extension,municipality:GM0363,allowed,201`);
});

test('asking for a link answers the same for an unknown address and sends it nothing; a newer link makes the older useless; a link works once', async () => {
  const mails = sys.smtp.mails.length;
  const unknown = await sys.api.page('POST', '/auth/sign-in', { email: 'nobody@nowhere.example' });
  const known = await sys.api.page('POST', '/auth/sign-in', { email: PEOPLE.alderman.email });
  expect(unknown.status).toBe(known.status);
  expect(unknown.html.replace('nobody@nowhere.example', 'X')).toBe(known.html.replace(PEOPLE.alderman.email, 'X'));
  await settled();
  expect(sys.smtp.mails.slice(mails).filter((m) => m.envelopeTo.includes('nobody@nowhere.example'))).toEqual([]);
  const first = (await signInLink(sys.smtp, PEOPLE.alderman.email, mails)).replace(PUBLIC_BASE_URL, sys.api.baseUrl);
  // The stored link is a hash: the secret in the mail is nowhere in the database.
  const secret = first.split('/').pop()!;
  expect(JSON.stringify(await db.query(`SELECT * FROM sign_in_link`))).not.toContain(secret);

  const later = sys.smtp.mails.length;
  await sys.api.page('POST', '/auth/sign-in', { email: PEOPLE.alderman.email });
  const second = (await signInLink(sys.smtp, PEOPLE.alderman.email, later)).replace(PUBLIC_BASE_URL, sys.api.baseUrl);
  // Opening a link (as a mail scanner does) spends nothing; the superseded one is refused.
  expect((await fetch(second)).status).toBe(200);
  expect((await fetch(first, { method: 'POST', redirect: 'manual' })).status).toBe(410);
  const signedIn = await fetch(second, { method: 'POST', redirect: 'manual' });
  expect(signedIn.status).toBe(303);
  expect(signedIn.headers.get('set-cookie')).toMatch(/^regie_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
  expect((await fetch(second, { method: 'POST', redirect: 'manual' })).status).toBe(410);
});

test('sign-out ends the session on the server; an idle session times out; the cookie rotates at sign-in', async () => {
  const pm = await signInByMail(sys.api, sys.smtp, PEOPLE['programme-manager'].email);
  expect((await fetch(url('/auth/session'), { headers: { cookie: pm.cookie } })).status).toBe(200);
  const out = await fetch(url('/auth/sign-out'), { method: 'POST', headers: pm.headers(), body: new URLSearchParams({ _csrf: pm.csrf }) });
  expect(out.status).toBe(200);
  expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
  // The same cookie, kept by an attacker, no longer works.
  expect((await fetch(url('/municipalities/GM0363/steps'), { headers: { cookie: pm.cookie } })).status).toBe(401);

  const again = await signInByMail(sys.api, sys.smtp, PEOPLE['programme-manager'].email);
  await db.query(`UPDATE web_session SET last_seen_at = now() - interval '31 minutes' WHERE ended_at IS NULL AND email = $1`, [PEOPLE['programme-manager'].email]);
  expect((await fetch(url('/municipalities/GM0363/steps'), { headers: { cookie: again.cookie } })).status).toBe(401);

  const third = await signInByMail(sys.api, sys.smtp, PEOPLE['programme-manager'].email);
  const mails = sys.smtp.mails.length;
  await sys.api.page('POST', '/auth/sign-in', { email: PEOPLE['programme-manager'].email });
  const link = (await signInLink(sys.smtp, PEOPLE['programme-manager'].email, mails)).replace(PUBLIC_BASE_URL, sys.api.baseUrl);
  const rotated = await fetch(link, { method: 'POST', redirect: 'manual', headers: { cookie: third.cookie } });
  expect(rotated.headers.get('set-cookie')?.split(';')[0]).not.toBe(third.cookie);
  expect((await fetch(url('/auth/session'), { headers: { cookie: third.cookie } })).status).toBe(401);
});

test('a person with several memberships picks one; until then only session routes answer', async () => {
  // The alderman is also the programme manager's stand-in: a second role in the same organisation.
  const contacts = (await sys.api.request('GET', '/organisations/amsterdam')).body.contacts.map((c: Record<string, unknown>) => ({ email: c.email, name: c.name, role: c.role }));
  await sys.api.request('PUT', '/organisations/amsterdam/contacts', { contacts: [...contacts, { email: PEOPLE.alderman.email, name: PEOPLE.alderman.name, role: 'programme-manager' }] });
  const person = await signInByMail(sys.api, sys.smtp, PEOPLE.alderman.email);
  const view = await (await fetch(url('/auth/session'), { headers: { cookie: person.cookie, accept: 'application/json' } })).json();
  expect(view).toMatchObject({ current: null, choices: [{ role: 'alderman' }, { role: 'programme-manager' }] });
  expect((await fetch(url('/municipalities/GM0363/steps'), { headers: { cookie: person.cookie } })).status).toBe(403);
  const chose = await fetch(url('/auth/choose'), {
    method: 'POST',
    redirect: 'manual',
    headers: person.headers(),
    body: new URLSearchParams({ _csrf: person.csrf, organisationKey: 'amsterdam', role: 'alderman' }),
  });
  expect(chose.status).toBe(303);
  expect((await fetch(url('/municipalities/GM0363/steps'), { headers: { cookie: person.cookie } })).status).toBe(200);
  // An alderman may not record progress.
  expect((await write(person, '/municipalities/GM0363/steps/volkshuisvestingsprogramma/progress', { status: 'in-progress' })).status).toBe(403);
  await sys.api.request('PUT', '/organisations/amsterdam/contacts', { contacts });
});

test('API tokens: Bearer only, shown once, last use kept, revoked at once', async () => {
  const token = await tokenFor(sys.api, 'programme-manager', 'read');
  expect(token).toMatch(/^regie_[a-z0-9]{10}_[A-Za-z0-9_-]{43}$/);
  expect((await fetch(url('/municipalities/GM0363/steps'), { headers: { authorization: token } })).status).toBe(401);
  expect((await fetch(url('/municipalities/GM0363/steps'), { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  const page = (await sys.api.request('GET', '/organisations/amsterdam/tokens')).body as { items: Record<string, unknown>[]; nextCursor: string | null };
  expect(page.nextCursor).toBeNull();
  const list = page.items;
  const mine = list.find((t) => token.startsWith(String(t.prefix)))!;
  expect(mine).toMatchObject({ role: 'programme-manager', scope: 'read', revokedAt: null, lastUsedAt: expect.any(String) });
  expect(JSON.stringify(list)).not.toContain(token.slice(17));
  expect(JSON.stringify(await db.query(`SELECT * FROM api_token`))).not.toContain(token.slice(17));
  expect((await sys.api.request('DELETE', `/organisations/amsterdam/tokens/${mine.id}`)).status).toBe(200);
  expect((await fetch(url('/municipalities/GM0363/steps'), { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
});

test('the audit log is append-only in the database, and anonymous refusals are counted, not written', async () => {
  const [{ n: rows }] = await db.query(`SELECT count(*)::int AS n FROM audit_log`);
  expect(rows).toBeGreaterThan(0);
  await expect(db.query(`UPDATE audit_log SET actor = 'someone else'`)).rejects.toThrow(/append-only/);
  await expect(db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
  await expect(db.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
  const [{ n: counted }] = await db.query(`SELECT coalesce(sum(refusals), 0)::int AS n FROM anonymous_refusal`);
  await Promise.all(Array.from({ length: 50 }, () => fetch(url('/municipalities/GM0363/steps'))));
  expect(await db.query(`SELECT count(*)::int AS n FROM audit_log`)).toEqual([{ n: rows }]);
  expect(await db.query(`SELECT coalesce(sum(refusals), 0)::int AS n FROM anonymous_refusal`)).toEqual([{ n: counted + 50 }]);
});

test('OpenID Connect: a contact signs in at its own provider; an address that is no contact gets no session', async () => {
  const start = await fetch(url('/auth/oidc/start'), { redirect: 'manual' });
  expect(start.status).toBe(303);
  const callback = await signInAt(start.headers.get('location')!, 'ria');
  const back = await fetch(callback.replace(PUBLIC_BASE_URL, sys.api.baseUrl), { redirect: 'manual' });
  expect(back.status).toBe(303);
  const cookie = back.headers.get('set-cookie')!.split(';')[0];
  const view = (await (await fetch(url('/auth/session'), { headers: { cookie, accept: 'application/json' } })).json()) as { csrfToken: string };
  expect(view).toMatchObject({ email: PEOPLE['regional-coordinator'].email, via: 'oidc', current: { organisationKey: 'groot-amsterdam', role: 'regional-coordinator' } });
  const coordinator = browser(sys.api, cookie, view.csrfToken);
  expect((await write(coordinator, '/regions/CR23/steps/overlegstructuur/progress', { status: 'in-progress' })).status).toBe(201);
  // The same callback again: its state was spent.
  expect((await fetch(callback.replace(PUBLIC_BASE_URL, sys.api.baseUrl), { redirect: 'manual' })).status).toBe(401);

  const strangerStart = await fetch(url('/auth/oidc/start'), { redirect: 'manual' });
  const strangerBack = await fetch((await signInAt(strangerStart.headers.get('location')!, 'stranger')).replace(PUBLIC_BASE_URL, sys.api.baseUrl), { redirect: 'manual' });
  expect(strangerBack.status).toBe(403);
  expect(strangerBack.headers.get('set-cookie')).toBeNull();
});
