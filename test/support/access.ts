import type { TestApi } from './api';
import type { SmtpCatcher } from './smtp';

/**
 * People and machines for access tests, created through the real API as the operator would: the
 * organisations of one municipality's world (its own, its region, its province, a stakeholder linked to
 * it, VNG) and one unrelated municipality; sign-in by the link in a real mail; API tokens.
 */

export const PEOPLE = {
  'programme-manager': { org: 'amsterdam', email: 'programma@amsterdam.example', name: 'Pim Programma' },
  alderman: { org: 'amsterdam', email: 'wethouder@amsterdam.example', name: 'Wendy Wethouder' },
  'regional-coordinator': { org: 'groot-amsterdam', email: 'regio@groot-amsterdam.example', name: 'Ria Regio' },
  province: { org: 'noord-holland', email: 'termijnen@noord-holland.example', name: 'Piet Provincie' },
  stakeholder: { org: 'ymere', email: 'beleid@ymere.example', name: 'Sam Stakeholder' },
  vng: { org: 'vng', email: 'monitor@vng.example', name: 'Vera VNG' },
  'other-programme-manager': { org: 'rotterdam', email: 'programma@rotterdam.example', name: 'Otto Rotterdam' },
} as const;
export type Person = keyof typeof PEOPLE;

const ROLE_OF: Record<Person, string> = {
  'programme-manager': 'programme-manager',
  alderman: 'alderman',
  'regional-coordinator': 'regional-coordinator',
  province: 'province',
  stakeholder: 'housing-corporation',
  vng: 'programme-manager',
  'other-programme-manager': 'programme-manager',
};
export const roleOf = (person: Person) => ROLE_OF[person];

/** The organisations and their contacts (as the operator, with the admin token). */
export async function createPeople(api: TestApi): Promise<void> {
  const orgs: [string, object][] = [
    ['amsterdam', { kind: 'municipality', name: 'Gemeente Amsterdam', code: 'GM0363' }],
    ['rotterdam', { kind: 'municipality', name: 'Gemeente Rotterdam', code: 'GM0599' }],
    ['groot-amsterdam', { kind: 'region', name: 'Regio Groot-Amsterdam', code: 'CR23' }],
    ['noord-holland', { kind: 'province', name: 'Provincie Noord-Holland', code: 'PV27' }],
    ['ymere', { kind: 'housing-corporation', name: 'Ymere', municipalities: ['GM0363'] }],
    ['vng', { kind: 'vng', name: 'VNG' }],
  ];
  for (const [key, body] of orgs) expectOk(await api.request('PUT', `/organisations/${key}`, body), `PUT /organisations/${key}`);
  const byOrg = new Map<string, { email: string; name: string; role: string }[]>();
  for (const person of Object.keys(PEOPLE) as Person[]) {
    const p = PEOPLE[person];
    byOrg.set(p.org, [...(byOrg.get(p.org) ?? []), { email: p.email, name: p.name, role: ROLE_OF[person] }]);
  }
  for (const [org, contacts] of byOrg) expectOk(await api.request('PUT', `/organisations/${org}/contacts`, { contacts }), `PUT /organisations/${org}/contacts`);
}

/** A token for a person's organisation and role, created by the operator. */
export async function tokenFor(api: TestApi, person: Person, scope: 'read' | 'read-write' = 'read-write'): Promise<string> {
  const res = await api.request('POST', `/organisations/${PEOPLE[person].org}/tokens`, { name: `test ${person}`, role: ROLE_OF[person], scope });
  expectOk(res, `token for ${person}`);
  return res.body.token;
}

/** A signed-in browser: its session cookie and CSRF token, sending Origin as a page of this site does. */
export interface Browser {
  cookie: string;
  csrf: string;
  headers(extra?: Record<string, string>): Record<string, string>;
}

/** Asks for a link, reads it from the mail the real SMTP server received, and presses the page's button. */
export async function signInByMail(api: TestApi, smtp: SmtpCatcher, email: string): Promise<Browser> {
  const before = smtp.mails.length;
  const asked = await api.page('POST', '/auth/sign-in', { email });
  if (asked.status !== 202) throw new Error(`sign-in request answered ${asked.status}`);
  const link = await signInLink(smtp, email, before);
  const res = await fetch(link.replace(api.publicBaseUrl, api.baseUrl), { method: 'POST', redirect: 'manual' });
  if (res.status !== 303) throw new Error(`sign-in link answered ${res.status}: ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const session = await fetch(`${api.baseUrl}/auth/session`, { headers: { cookie, accept: 'application/json' } });
  const body = (await session.json()) as { csrfToken: string };
  return browser(api, cookie, body.csrfToken);
}

export function browser(api: TestApi, cookie: string, csrf: string): Browser {
  return { cookie, csrf, headers: (extra = {}) => ({ cookie, origin: new URL(api.publicBaseUrl).origin, 'x-csrf-token': csrf, ...extra }) };
}

/** The newest sign-in link mailed to `email` after the first `after` mails. */
export async function signInLink(smtp: SmtpCatcher, email: string, after = 0, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = smtp.mails.slice(after).reverse().find((m) => m.envelopeTo.includes(email) && /\/auth\/link\//.test(m.parsed.text ?? ''));
    // With its query: a link asked for from a page carries where to go next (`?next=/municipalities/...`).
    if (mail) return /(https?:\/\/\S+\/auth\/link\/[A-Za-z0-9_-]+(?:\?\S+)?)/.exec(mail.parsed.text ?? '')![1];
    if (Date.now() > deadline) throw new Error(`no sign-in mail for ${email} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function expectOk(res: { status: number; body: unknown }, what: string) {
  if (res.status >= 300) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

const ACTOR_ORGANISATIONS = {
  'programme-manager': { kind: 'municipality', role: 'programme-manager' },
  'regional-coordinator': { kind: 'region', role: 'regional-coordinator' },
  province: { kind: 'province', role: 'province' },
} as const;

/**
 * A read-write token of the one who writes a step (the programme manager of a municipality, a region's
 * coordinator, a province), creating its organisation and contact on first use: for tests whose subject
 * is not access itself. `code` is the municipality's, region's or province's code.
 */
export async function actorToken(api: TestApi, who: keyof typeof ACTOR_ORGANISATIONS, code: string): Promise<string> {
  const { kind, role } = ACTOR_ORGANISATIONS[who];
  const key = `${kind}-${code.toLowerCase()}`;
  expectOk(await api.request('PUT', `/organisations/${key}`, { kind, name: `${kind} ${code}`, code }), `PUT /organisations/${key}`);
  const existing = (await api.request('GET', `/organisations/${key}`)).body.contacts ?? [];
  const email = `${role}@${key}.example`;
  if (!existing.some((c: { email: string; role: string }) => c.email === email && c.role === role)) {
    const contacts = [...existing.map((c: Record<string, unknown>) => ({ email: c.email, name: c.name ?? undefined, role: c.role })), { email, name: `${role} ${code}`, role }];
    expectOk(await api.request('PUT', `/organisations/${key}/contacts`, { contacts }), `PUT /organisations/${key}/contacts`);
  }
  const res = await api.request('POST', `/organisations/${key}/tokens`, { name: `test ${who}`, role, scope: 'read-write' });
  expectOk(res, `token for ${who} of ${code}`);
  return res.body.token;
}
