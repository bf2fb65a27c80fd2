/**
 * The pages where people act, over HTTP on the real system: the step URL of a mail answers a browser with
 * the step page and an API client with JSON; a browser that is not signed in goes to sign-in and comes
 * back; the forms write through the same step model (a refusal shows the field, keeps what was typed);
 * a form from another site changes nothing; each role sees the forms the policy gives it.
 */
import { DataSource } from 'typeorm';
import { pageAssetPath } from '../../libs/mail/page-assets';
import { Browser, createPeople, PEOPLE, signInByMail, signInLink, tokenFor } from '../support/access';
import { minimalPdf } from '../support/pdf';
import { until } from '../support/outbox';
import { startTestSystem, TestSystem } from '../support/system';

let sys: TestSystem;
let pm: Browser;
let province: Browser;
let stakeholder: string;

const STEP = '/municipalities/GM0363/steps/volkshuisvestingsprogramma';
const FORM = '/app/municipalities/GM0363/steps/volkshuisvestingsprogramma';
const LIMITS = { REGIE_RATE_LIMIT: '100000', REGIE_SIGN_IN_LIMIT: '1000' };
const savedEnv = Object.fromEntries(Object.keys(LIMITS).map((k) => [k, process.env[k]]));

beforeAll(async () => {
  Object.assign(process.env, LIMITS);
  sys = await startTestSystem('pages');
  await createPeople(sys.api);
  expect((await sys.api.request('POST', '/onboardings', { municipalityCode: 'GM0363', programmeManagerEmail: PEOPLE['programme-manager'].email })).status).toBe(201);
  const db = sys.worker.get(DataSource);
  await until('the onboarded steps in the read model', async () => (await db.query(`SELECT count(*)::int AS n FROM step_state WHERE owner_code IN ('GM0363', 'CR23')`))[0].n >= 7, 20_000);
  pm = await signInByMail(sys.api, sys.smtp, PEOPLE['programme-manager'].email);
  province = await signInByMail(sys.api, sys.smtp, PEOPLE.province.email);
  stakeholder = await tokenFor(sys.api, 'stakeholder');
});

afterAll(async () => {
  await sys?.stop();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const url = (path: string) => `${sys.api.baseUrl}${path}`;
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const page = async (path: string, headers: Record<string, string>) => {
  const res = await fetch(url(path), { headers: { ...HTML, ...headers }, redirect: 'manual' });
  return { status: res.status, headers: res.headers, html: await res.text() };
};
/** A form as the step page posts it: the session cookie, this site's Origin, the token in the body. */
const post = (who: Browser, path: string, fields: Record<string, string>, extra: Record<string, string> = {}) =>
  fetch(url(path), {
    method: 'POST',
    headers: { ...HTML, cookie: who.cookie, origin: new URL(sys.api.publicBaseUrl).origin, 'content-type': 'application/x-www-form-urlencoded', ...extra },
    body: new URLSearchParams({ _csrf: who.csrf, ...fields }),
    redirect: 'manual',
  });

describe('content negotiation on the routes that exist', () => {
  it('answers JSON to an API client and the step page to a browser, Dutch first and English by ?lang=en', async () => {
    const json = await fetch(url(STEP), { headers: { cookie: pm.cookie, accept: 'application/json' } });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await json.json()) as { step: string }).step).toBe('volkshuisvestingsprogramma');

    const nl = await page(STEP, { cookie: pm.cookie });
    expect(nl.status).toBe(200);
    expect(nl.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(nl.headers.get('content-security-policy')).toContain("style-src 'self'");
    expect(nl.html).toContain('<html lang="nl">');
    expect(nl.html).toContain('<h1 class="utrecht-heading-1">Volkshuisvestingsprogramma</h1>');
    expect(nl.html).toContain('Uiterste datum (wettelijke termijn)');
    expect(nl.html).toContain('<a class="utrecht-skip-link utrecht-skip-link--visible-on-focus" href="#inhoud">Naar de inhoud</a>');
    expect(nl.html).toMatch(/<main id="inhoud"/);
    expect(nl.html).not.toMatch(/<script|style=/);
    // The history names who did it: the onboarding, as the JSON has it.
    expect(nl.html).toContain('<caption class="utrecht-table__caption">Wie deed wat, nieuwste eerst</caption>');

    const en = await page(`${STEP}?lang=en`, { cookie: pm.cookie });
    expect(en.html).toContain('<html lang="en">');
    expect(en.html).toContain('Deadline (statutory term)');
    // Forms keep the language.
    // (`=` is escaped in an attribute, as every value is: the browser reads `?lang=en`.)
    expect(en.html).toContain(`action="${FORM}/progress?lang&#x3D;en"`);
  });

  it('serves the style sheets same-origin, cacheable for a year under a hashed name', async () => {
    for (const name of ['components', 'theme']) {
      const res = await fetch(url(pageAssetPath(name)));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect((await fetch(url('/assets/regie-theme.000000000000.css'))).status).toBe(404);
    const step = await page(STEP, { cookie: pm.cookie });
    expect(step.html).toContain(`<link rel="stylesheet" href="${pageAssetPath('components')}">`);
  });

  it('shows the municipality, region and province pages, and the province as JSON', async () => {
    const m = await page('/municipalities/GM0363', { cookie: pm.cookie });
    expect(m.status).toBe(200);
    expect(m.html).toContain('<h1 class="utrecht-heading-1">Gemeente Amsterdam (GM0363)</h1>');
    expect(m.html).toContain(`href="${STEP}"`);
    expect(m.html).toContain('href="/regions/CR23/steps/');
    // Its JSON is unchanged.
    expect(((await (await fetch(url('/municipalities/GM0363'), { headers: { cookie: pm.cookie } })).json()) as { code: string }).code).toBe('GM0363');

    const r = await page('/regions/CR23', { cookie: pm.cookie });
    expect(r.status).toBe(200);
    expect(r.html).toContain('Stand per gemeente en stap');
    expect(r.html).toContain(`href="${STEP}"`);

    const p = await page('/provinces/PV27', { cookie: province.cookie });
    expect(p.status).toBe(200);
    expect(p.html).toContain('<h1 class="utrecht-heading-1">Provincie Noord-Holland (PV27)</h1>');
    expect(p.html).toContain(`href="${STEP}"`);
    const pj = (await (await fetch(url('/provinces/PV27'), { headers: { cookie: province.cookie } })).json()) as { municipalities: { code: string }[]; steps: unknown[]; escalations: unknown[] };
    expect(pj.municipalities.map((x) => x.code)).toContain('GM0363');
    expect(pj.steps.length).toBeGreaterThan(0);
    expect(Array.isArray(pj.escalations)).toBe(true);
    // Not the programme manager's: a page saying so, same status as the JSON.
    expect((await page('/provinces/PV27', { cookie: pm.cookie })).status).toBe(403);
  });

  it('answers a browser a 404 page, and an API client the JSON 404', async () => {
    const html = await page('/municipalities/GM0363/steps/no-such-step', { cookie: pm.cookie });
    expect(html.status).toBe(404);
    expect(html.html).toContain('<h1>Niet gevonden</h1>');
    const json = await fetch(url('/municipalities/GM0363/steps/no-such-step'), { headers: { cookie: pm.cookie } });
    expect(json.status).toBe(404);
    expect(((await json.json()) as { error: string }).error).toBe('step-not-found');
  });
});

describe('signing in from a page', () => {
  it('sends a browser that is not signed in to sign-in, and after the link back to the page; an API client gets 401', async () => {
    const anonymous = await page(STEP, {});
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe(`/auth/sign-in?next=${encodeURIComponent(STEP)}`);
    expect((await fetch(url(STEP))).status).toBe(401);

    const form = await page(`/auth/sign-in?next=${encodeURIComponent(STEP)}`, {});
    expect(form.html).toContain(`<input type="hidden" name="next" value="${STEP}">`);
    const mails = sys.smtp.mails.length;
    expect((await sys.api.page('POST', '/auth/sign-in', { email: PEOPLE['programme-manager'].email, next: STEP })).status).toBe(202);
    await signInLink(sys.smtp, PEOPLE['programme-manager'].email, mails);
    const text = sys.smtp.mails.slice(mails).reverse().find((m) => m.envelopeTo.includes(PEOPLE['programme-manager'].email))!.parsed.text ?? '';
    const full = /(https?:\/\/\S+\/auth\/link\/[A-Za-z0-9_-]+\S*)/.exec(text)![1];
    expect(full).toContain(`?next=${encodeURIComponent(STEP)}`);
    const signedIn = await fetch(full.replace(sys.api.publicBaseUrl, sys.api.baseUrl), { method: 'POST', redirect: 'manual' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe(STEP);
  });

  it('never sends anyone to another site after signing in', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const form = await page(`/auth/sign-in?next=${encodeURIComponent(next)}`, {});
      expect(form.html).not.toContain('name="next"');
    }
    const mails = sys.smtp.mails.length;
    await sys.api.page('POST', '/auth/sign-in', { email: PEOPLE.alderman.email });
    const link = (await signInLink(sys.smtp, PEOPLE.alderman.email, mails)).replace(sys.api.publicBaseUrl, sys.api.baseUrl);
    const res = await fetch(`${link}?next=${encodeURIComponent('//evil.example/')}`, { method: 'POST', redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/auth/session');
  });
});

describe('the forms', () => {
  it('records progress posted with the session’s CSRF token and goes back to the step page', async () => {
    const res = await post(pm, `${FORM}/progress`, { status: 'in-progress', note: 'Concept naar het college' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(STEP);
    const step = (await (await fetch(url(STEP), { headers: { cookie: pm.cookie } })).json()) as { status: string; history: { event: string; detail: Record<string, unknown> }[] };
    expect(step.status).toBe('in-progress');
    expect(step.history.at(-1)?.detail).toMatchObject({ note: 'Concept naar het college', by: 'Pim Programma (Gemeente Amsterdam, programme-manager)' });
    const shown = await page(STEP, { cookie: pm.cookie });
    expect(shown.html).toContain('Pim Programma (Gemeente Amsterdam, programme-manager)');
    expect(shown.html).toContain('<option value="in-progress" selected>in behandeling</option>');
  });

  it('shows a refused form again with status 400, the field marked in Dutch and what was typed kept', async () => {
    const note = 'x'.repeat(2001);
    const res = await post(pm, `${FORM}/progress`, { status: 'submitted', note });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('<h2 class="utrecht-heading-2" id="fout-titel">Er is niets veranderd</h2>');
    expect(html).toContain('<a class="utrecht-link" href="#progress-note">Veld note mag ten hoogste 2000 tekens bevatten</a>');
    expect(html).toContain('aria-invalid="true" aria-describedby="progress-note-fout"');
    expect(html).toContain(`>${note}</textarea>`);
    expect(html).toContain('<option value="submitted" selected>');
    // The step model's own refusal (a target date on a statutory step) is shown the same way.
    const refused = await post(pm, `${FORM}/target-date`, { date: '2027-03-01' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('heeft een wettelijke termijn');
    const step = (await (await fetch(url(STEP), { headers: { cookie: pm.cookie } })).json()) as { status: string };
    expect(step.status).toBe('in-progress');
  });

  it('refuses a form from another site (403) and one without the token, and changes nothing', async () => {
    const db = sys.worker.get(DataSource);
    const before = await db.query(`SELECT count(*)::int AS n FROM step_event WHERE owner_code = 'GM0363'`);
    const forged = await post(pm, `${FORM}/progress`, { status: 'submitted' }, { origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('<h1>Geen toegang</h1>');
    const tokenless = await fetch(url(`${FORM}/progress`), {
      method: 'POST',
      headers: { cookie: pm.cookie, origin: new URL(sys.api.publicBaseUrl).origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ status: 'submitted' }),
    });
    expect(tokenless.status).toBe(403);
    const json = await fetch(url(`${FORM}/progress`), { method: 'POST', headers: { ...pm.headers(), 'content-type': 'application/json' }, body: JSON.stringify({ status: 'submitted' }) });
    expect(json.status).toBe(415);
    expect(await db.query(`SELECT count(*)::int AS n FROM step_event WHERE owner_code = 'GM0363'`)).toEqual(before);
  });

  it('ticks the checklist: ticked items true, the others false', async () => {
    const before = (await (await fetch(url(STEP), { headers: { cookie: pm.cookie } })).json()) as { checklist: Record<string, boolean> };
    const [first, ...rest] = Object.keys(before.checklist);
    expect(first).toBeDefined();
    const res = await post(pm, `${FORM}/checklist`, { [`checklist.${first}`]: 'true' });
    expect(res.status).toBe(303);
    const after = (await (await fetch(url(STEP), { headers: { cookie: pm.cookie } })).json()) as { checklist: Record<string, boolean> };
    expect(after.checklist[first]).toBe(true);
    for (const item of rest) expect(after.checklist[item]).toBe(false);
    expect((await page(STEP, { cookie: pm.cookie })).html).toContain(`id="checklist-${first}" name="checklist.${first}" value="true" checked`);
  });

  it('shows each role the forms the policy gives it', async () => {
    const forms = (html: string) => [...html.matchAll(/action="\/app\/municipalities\/GM0363\/steps\/volkshuisvestingsprogramma\/([a-z-]+)/g)].map((m) => m[1]).sort();
    expect(forms((await page(STEP, { cookie: pm.cookie })).html)).toEqual(['checklist', 'complete', 'progress']);
    expect(forms((await page(STEP, { cookie: province.cookie })).html)).toEqual(['extension', 'waiver']);
    const asStakeholder = await page(STEP, { authorization: `Bearer ${stakeholder}` });
    expect(asStakeholder.status).toBe(200);
    expect(forms(asStakeholder.html)).toEqual([]);
    // A stakeholder sees counts, never addresses.
    expect(asStakeholder.html).not.toMatch(/@[a-z-]+\.example/);
    // The upload form is multipart, its token in the action's query (its body is read after the access check).
    expect((await page(STEP, { cookie: pm.cookie })).html).toContain(`action="${FORM}/complete?_csrf&#x3D;${pm.csrf}" enctype="multipart/form-data"`);
  });

  it('lets the province grant an extension by the form; a bad date is shown with the field', async () => {
    const bad = await post(province, `${FORM}/extension`, { to: '2027-02-30', reason: 'Herindeling' });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('href="#extension-to"');
    expect(html).toContain('>Herindeling</textarea>');
    const ok = await post(province, `${FORM}/extension`, { to: '2028-12-01', reason: 'Herindeling' });
    expect(ok.status).toBe(303);
    const step = (await (await fetch(url(STEP), { headers: { cookie: pm.cookie } })).json()) as { dueDate: string };
    expect(step.dueDate).toBe('2028-12-01');
  });

  it('completes a step with a PDF (multipart, the token in the query): stored, and the evidence links to it; a file that is no PDF is refused on the field', async () => {
    const step = '/municipalities/GM0363/steps/wmo-beleidsplan';
    const upload = (content: Buffer, name: string) => {
      const form = new FormData();
      form.set('date', '2026-05-20');
      form.set('document', new Blob([new Uint8Array(content)], { type: 'application/pdf' }), name);
      return fetch(url(`/app${step}/complete?_csrf=${encodeURIComponent(pm.csrf)}`), {
        method: 'POST',
        headers: { ...HTML, cookie: pm.cookie, origin: new URL(sys.api.publicBaseUrl).origin },
        body: form,
        redirect: 'manual',
      });
    };
    const notPdf = await upload(Buffer.from('just text, no PDF'), 'notes.pdf');
    expect(notPdf.status).toBe(400);
    expect(await notPdf.text()).toContain('href="#complete-document"');
    const done = await upload(minimalPdf(), 'raadsbesluit-2026.pdf');
    expect(done.status).toBe(303);
    const view = (await (await fetch(url(step), { headers: { cookie: pm.cookie } })).json()) as { status: string; evidence: { kind: string; reference: string; url: string }[] };
    expect(view.status).toBe('done');
    expect(view.evidence[0]).toMatchObject({ kind: 'document', reference: 'raadsbesluit-2026.pdf' });
    expect(view.evidence[0].url).toMatch(new RegExp(`^${sys.api.publicBaseUrl}${step}/documents/`));
    // The same upload without the token is refused before anything is read.
    const forged = await fetch(url(`/app${step}/complete`), { method: 'POST', headers: { cookie: pm.cookie, origin: new URL(sys.api.publicBaseUrl).origin }, body: new FormData() });
    expect(forged.status).toBe(403);
  });
});
