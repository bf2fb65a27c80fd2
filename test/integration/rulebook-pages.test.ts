/**
 * The rulebook pages over HTTP on the real system (API, worker, Temporal, Postgres, SMTP): the versions, one
 * version with what it would move (the table lists exactly the moves of the JSON preview; the map draws all
 * 342 municipalities in the preview's classes), the operator's rollout form (VNG reads the same page
 * without it; other roles are refused as the policy says), and the rollout's progress as server-sent
 * events, read with fetch up to the end of a real rollout.
 */
import { DataSource } from 'typeorm';
import { daysBetween } from '../../libs/calendar/dates';
import { RULEBOOK_ROLLOUT_WORKFLOW_TYPE, rolloutWorkflowId } from '../../libs/contracts';
import { pageAssetPath } from '../../libs/mail/page-assets';
import { hashRulebook } from '../../libs/rulebook/rulebook-files';
import { readSimulationInput } from '../../libs/simulation/read-input';
import { rulebookLoad } from '../../libs/simulation/rulebook-load';
import { actorToken, Browser, createPeople, PEOPLE, signInByMail, tokenFor } from '../support/access';
import { TEST_ADMIN_TOKEN, withEnv } from '../support/config';
import { eventually } from '../support/outbox';
import { shippedRulebook, testRulebook } from '../support/rulebooks';
import { startTestSystem, TestSystem } from '../support/system';

let sys: TestSystem;
let db: DataSource;
let vng: Browser;
let pm: Browser;
let province: string;
let stakeholder: string;

const TASK_QUEUE = 'regie-test-rulebook-pages';
const LIMITS = { REGIE_RATE_LIMIT: '100000', REGIE_SIGN_IN_LIMIT: '1000' };
const STEP = 'volkshuisvestingsprogramma';

// Onboarded under v1 (the programme due Thursday 1 July 2032); Groningen (GM0014) gets an extension, so no version moves it.
const v1 = testRulebook('pages-v1', { effectiveDate: '2030-07-01', escalations: [] });
// Two years earlier: due 1 July 2026.
const v2 = testRulebook('pages-v2-earlier', { effectiveDate: '2024-07-01', escalations: [] });
// Later: due Friday 1 July 2033.
const v3 = testRulebook('pages-v3-later', { effectiveDate: '2031-07-01', escalations: [] });
const MOVING = ['GM0344', 'GM0363', 'GM0518', 'GM0599'];
const CODES = [...MOVING, 'GM0014'];

beforeAll(async () => {
  sys = await withEnv(LIMITS, () => startTestSystem('rulebook-pages', { vars: { TEMPORAL_TASK_QUEUE: TASK_QUEUE } }));
  db = sys.worker.get(DataSource);
  await createPeople(sys.api);
  for (const version of [v1, v2, v3]) expect((await sys.api.request('POST', '/rulebooks', version.rulebook)).status).toBe(201);
  for (const code of CODES) {
    const email = code === 'GM0363' ? PEOPLE['programme-manager'].email : `pm@${code.toLowerCase()}.example`;
    expect((await sys.api.request('POST', '/onboardings', { municipalityCode: code, programmeManagerEmail: email, rulebookId: v1.rulebook.id })).status).toBe(201);
  }
  await eventually('read-model rows', async () => {
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM step_state WHERE step = $1`, [STEP]);
    return n === CODES.length ? true : undefined;
  });
  const extension = await sys.api.request('POST', `/municipalities/GM0014/steps/${STEP}/extension`, { to: '2033-01-03', reason: 'Herindeling' }, await actorToken(sys.api, 'province', 'PV20'));
  expect(extension.status).toBe(201);
  await eventually('extension in the read model', async () => {
    const [row] = await db.query(`SELECT due_date::text AS due FROM step_state WHERE owner_code = 'GM0014' AND step = $1`, [STEP]);
    return row?.due === '2033-01-03' ? true : undefined;
  });
  vng = await signInByMail(sys.api, sys.smtp, PEOPLE.vng.email);
  pm = await signInByMail(sys.api, sys.smtp, PEOPLE['programme-manager'].email);
  province = await tokenFor(sys.api, 'province');
  stakeholder = await tokenFor(sys.api, 'stakeholder', 'read');
});

afterAll(async () => {
  await sys?.stop();
});

const url = (path: string) => `${sys.api.baseUrl}${path}`;
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const OPERATOR = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const page = async (path: string, headers: Record<string, string>) => {
  const res = await fetch(url(path), { headers: { ...HTML, ...headers }, redirect: 'manual' });
  return { status: res.status, headers: res.headers, html: await res.text() };
};
/** The rollout form as the page posts it (urlencoded; a session adds its cookie, Origin and CSRF token). */
const postForm = (path: string, headers: Record<string, string>, fields: Record<string, string> = {}) =>
  fetch(url(path), { method: 'POST', headers: { ...HTML, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields), redirect: 'manual' });

/** Every `data-x="…"` attribute of each element matching `tag[data-marker]`. */
function rowsOf(html: string, table: string): Record<string, string>[] {
  const body = new RegExp(`<table class="utrecht-table" data-table="${table}">([\\s\\S]*?)</table>`).exec(html)?.[1];
  if (!body) throw new Error(`no table ${table} on the page`);
  return [...body.matchAll(/<tr class="utrecht-table__row"((?: data-[a-z-]+="[^"]*")+)>/g)].map((m) =>
    Object.fromEntries([...m[1].matchAll(/ data-([a-z-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );
}

interface Event {
  event: string;
  data: { rulebookId: string; status: string; total: number | null; applied: number; failed: number; pending: number | null };
}

/**
 * Reads a `text/event-stream` with fetch, event by event (`event:` and `data:` lines), until the server ends
 * it, `stop` says enough, or `ms` pass; `opened` resolves once the headers are there, `events` grows as they come.
 */
function readStream(path: string, headers: Record<string, string>, opts: { stop?: (e: Event) => boolean; ms?: number } = {}) {
  const controller = new AbortController();
  const events: Event[] = [];
  let comments = 0;
  const response = fetch(url(path), { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const done = (async () => {
    const res = await response;
    if (res.status !== 200) return { status: res.status, type: res.headers.get('content-type'), body: await res.text(), events, comments, endedByServer: false };
    const timer = setTimeout(() => controller.abort(), opts.ms ?? 60_000);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let endedByServer = false;
    try {
      for (;;) {
        const { value, done: finished } = await reader.read();
        if (finished) {
          endedByServer = true;
          break;
        }
        buffer += decoder.decode(value, { stream: true });
        for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
          const lines = buffer.slice(0, at).split('\n');
          buffer = buffer.slice(at + 2);
          if (lines.every((l) => l.startsWith(':'))) comments += 1;
          const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart());
          if (!data.length) continue;
          const event = { event: lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? 'message', data: JSON.parse(data.join('\n')) };
          events.push(event);
          if (opts.stop?.(event)) controller.abort();
        }
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    } finally {
      clearTimeout(timer);
    }
    return { status: 200, type: res.headers.get('content-type'), body: '', events, comments, endedByServer };
  })();
  return { done, events, close: () => controller.abort(), opened: response.then((r) => r.status) };
}

/** Each event says something new (a count or the status), and the counts only grow. */
function expectChanges(events: Event[]): void {
  for (let i = 1; i < events.length; i++) {
    expect(events[i].data).not.toEqual(events[i - 1].data);
    expect(events[i].data.applied + events[i].data.failed).toBeGreaterThanOrEqual(events[i - 1].data.applied + events[i - 1].data.failed);
  }
}

describe('the versions page', () => {
  it('lists every version, newest first, with its default, its owners and its rollout, Dutch first and English by ?lang=en', async () => {
    const nl = await page('/app/rulebooks', OPERATOR);
    expect(nl.status).toBe(200);
    expect(nl.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(nl.html).toContain('<html lang="nl">');
    expect(nl.html).toContain('<h1 class="utrecht-heading-1">Regelboekversies</h1>');
    const rows = rowsOf(nl.html, 'rulebooks');
    // Newest first: the three published here, after the shipped ones.
    expect(rows.slice(0, 3).map((r) => r.rulebook)).toEqual(['pages-v3-later', 'pages-v2-earlier', 'pages-v1']);
    expect(rows.map((r) => r.rulebook)).toEqual(expect.arrayContaining(['wvrv-2025-07-01.3', 'wvrv-2026-07-01']));
    expect(rows.find((r) => r.rulebook === 'pages-v1')).toEqual({ rulebook: 'pages-v1', default: 'false', owners: String(CODES.length), rollout: 'not-applied' });
    expect(rows.filter((r) => r.default === 'true').map((r) => r.rulebook)).toEqual(['wvrv-2025-07-01.3']);
    expect(nl.html).toContain('href="/app/rulebooks/pages-v2-earlier"');

    const en = await page('/app/rulebooks?lang=en', OPERATOR);
    expect(en.html).toContain('<html lang="en">');
    expect(en.html).toContain('<h1 class="utrecht-heading-1">Rulebook versions</h1>');
    // Handlebars writes = as &#x3D; in an attribute; a browser reads it as =.
    expect(en.html).toContain('href="/app/rulebooks/pages-v2-earlier?lang&#x3D;en"');
    expect(en.html).toContain('not applied');
  });

  it('is for the operator and VNG; the other roles are refused, a browser not signed in goes to sign-in', async () => {
    expect((await page('/app/rulebooks', { cookie: vng.cookie })).status).toBe(200);
    for (const headers of [{ cookie: pm.cookie }, bearer(province), bearer(stakeholder)]) {
      const refused = await page('/app/rulebooks', headers);
      expect(refused.status).toBe(403);
      expect(refused.html).toContain('<html lang="nl">');
    }
    const json = await fetch(url('/app/rulebooks/pages-v2-earlier'), { headers: { ...bearer(province), accept: 'application/json' } });
    expect(json.status).toBe(403);
    expect(await json.json()).toMatchObject({ error: 'forbidden' });
    for (const path of ['/app/rulebooks', '/app/rulebooks/pages-v2-earlier']) {
      const anonymous = await page(path, {});
      expect(anonymous.status).toBe(303);
      expect(anonymous.headers.get('location')).toBe(`/auth/sign-in?next=${encodeURIComponent(path)}`);
    }
  });
});

describe('a version page', () => {
  it('lists exactly the moves of the JSON preview, and draws all 342 municipalities in the preview classes', async () => {
    const preview = await sys.api.request('GET', `/rulebooks/${v2.rulebook.id}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body.moved.map((m: { owner: { code: string } }) => m.owner.code)).toEqual(MOVING);

    const res = await page(`/app/rulebooks/${v2.rulebook.id}`, OPERATOR);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'; connect-src 'self'");
    expect(res.html).toContain('<h1 class="utrecht-heading-1">Regelboek pages-v2-earlier</h1>');
    const expected = preview.body.moved.map((m: { owner: { kind: string; code: string }; step: string; from: string; to: string }) => ({
      owner: `${m.owner.kind}:${m.owner.code}`,
      step: m.step,
      from: m.from,
      to: m.to,
      days: String(daysBetween(m.from, m.to)),
    }));
    expect(rowsOf(res.html, 'moved')).toEqual(expected);
    expect(expected[0]).toEqual({ owner: 'municipality:GM0344', step: STEP, from: '2032-07-01', to: '2026-07-01', days: String(-daysBetween('2026-07-01', '2032-07-01')) });
    expect(res.html).toMatch(/<td class="utrecht-table__cell">2192 eerder<\/td>/);
    expect(res.html).toContain(`<span data-total="moved">${preview.body.totals.moved}</span>`);
    // The version's own steps and dates.
    expect(rowsOf(res.html, 'steps')).toEqual([{ step: STEP, due: '2026-07-01' }]);

    const shapes = [...res.html.matchAll(/<path class="regie-map__shape regie-state--(preview-[a-z-]+)" d="[^"]+" data-code="(GM\d{4})"/g)];
    expect(shapes).toHaveLength(342);
    const classOf = Object.fromEntries(shapes.map((s) => [s[2], s[1]]));
    for (const code of MOVING) expect(classOf[code]).toBe('preview-earlier');
    expect(classOf.GM0014).toBe('preview-unchanged');
    const counts = shapes.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s[1]]: (acc[s[1]] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 'preview-earlier': 4, 'preview-unchanged': 1, 'preview-not-onboarded': 337 });
    expect(res.html).toContain('<span data-count="preview-not-onboarded">337</span>');
    // Its label, for hover and focus: what moves, by how much.
    expect(res.html).toContain('data-label="Amsterdam: Volkshuisvestingsprogramma donderdag 1 juli 2032 → woensdag 1 juli 2026 (2192 dagen eerder)"');

    // The later version: the same owners, later dates.
    const later = await page(`/app/rulebooks/${v3.rulebook.id}?lang=en`, OPERATOR);
    expect(later.html).toContain('<html lang="en">');
    const laterClasses = [...later.html.matchAll(/regie-state--(preview-[a-z-]+)" d="[^"]+" data-code="(GM\d{4})"/g)];
    expect(laterClasses.filter((s) => s[1] === 'preview-later').map((s) => s[2])).toEqual(MOVING);
    expect(later.html).toContain('Days moved');

    // The mails per week the load simulation predicts from the same tables, as things stand and with a version
    // applied today: here the owners' dates lie past the five years shown, the shipped 2026 version brings them in.
    const shipped = hashRulebook(shippedRulebook('wvrv-2026-07-01'));
    const withShipped = await page(`/app/rulebooks/${shipped.rulebook.id}`, OPERATOR);
    const expectedLoad = rulebookLoad(await readSimulationInput(db, 'corop'), shipped, Date.now(), { language: 'nl' });
    expect(expectedLoad.after.mails).toBeGreaterThan(expectedLoad.before.mails);
    expect(withShipped.html).toContain('<h2 class="utrecht-heading-2" id="belasting-titel">Mails per week</h2>');
    expect(withShipped.html).toContain(`${expectedLoad.before.mails} mails zoals het nu staat, ${expectedLoad.after.mails} als deze versie vandaag wordt toegepast`);
    const figure = withShipped.html.match(/<figure class="regie-load" aria-labelledby="belasting-titel">([\s\S]*?)<\/figure>/);
    expect(figure?.[1]).toBe(expectedLoad.svg);
    expect(figure?.[1]).toMatch(/^<svg [^>]*role="img"/);
  });

  it('shows the operator the rollout form and VNG the same page without it; the scripts are same-origin', async () => {
    const operator = await page(`/app/rulebooks/${v2.rulebook.id}`, OPERATOR);
    expect(operator.html).toContain(`<form method="post" action="/app/rulebooks/${v2.rulebook.id}/apply"`);
    expect(operator.html).toContain('<p class="utrecht-paragraph" data-rollout="none">Deze versie is nog niet toegepast.</p>');

    const read = await page(`/app/rulebooks/${v2.rulebook.id}`, { cookie: vng.cookie });
    expect(read.status).toBe(200);
    expect(read.html).not.toContain('/apply');
    expect(read.html).not.toMatch(/<form method="post" action="\/app\/rulebooks/);
    expect(rowsOf(read.html, 'moved')).toEqual(rowsOf(operator.html, 'moved'));
    expect((await page(`/app/rulebooks/${v2.rulebook.id}`, { cookie: pm.cookie })).status).toBe(403);

    for (const name of ['rollout', 'map']) {
      expect(operator.html).toContain(`<script src="${pageAssetPath(name)}" defer></script>`);
      const script = await fetch(url(pageAssetPath(name)));
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    }
    expect(await (await fetch(url(pageAssetPath('rollout')))).text()).toContain('new EventSource(url)');
  });

  it('answers a version that does not exist with a 404 page, and JSON to an API client', async () => {
    const missing = await page('/app/rulebooks/no-such-version', OPERATOR);
    expect(missing.status).toBe(404);
    expect(missing.html).toContain('<html lang="nl">');
    const json = await fetch(url('/app/rulebooks/no-such-version'), { headers: { ...OPERATOR, accept: 'application/json' } });
    expect(await json.json()).toMatchObject({ error: 'rulebook-not-found', field: 'id' });
    expect((await page('/app/rulebooks/%20bad', OPERATOR)).status).toBe(404);
    const events = await readStream('/app/rulebooks/no-such-version/rollout/events', OPERATOR).done;
    expect(events.status).toBe(404);
    const notApplied = await readStream(`/app/rulebooks/${v2.rulebook.id}/rollout/events`, OPERATOR).done;
    expect(notApplied).toMatchObject({ status: 404 });
    expect(JSON.parse(notApplied.body)).toMatchObject({ error: 'rollout-not-found' });
  });
});

describe('the rollout', () => {
  it('refuses the form to VNG (with its CSRF token or without) and to a province; nothing starts', async () => {
    const origin = new URL(sys.api.publicBaseUrl).origin;
    const asVng = await postForm(`/app/rulebooks/${v2.rulebook.id}/apply`, { cookie: vng.cookie, origin }, { _csrf: vng.csrf });
    expect(asVng.status).toBe(403);
    const noToken = await postForm(`/app/rulebooks/${v2.rulebook.id}/apply`, { cookie: vng.cookie, origin });
    expect(noToken.status).toBe(403);
    expect((await postForm(`/app/rulebooks/${v2.rulebook.id}/apply`, bearer(province))).status).toBe(403);
    expect((await sys.api.request('GET', `/rulebooks/${v2.rulebook.id}/rollout`)).status).toBe(404);
  });

  it('starts by the operator form, and its event stream follows it to the end', async () => {
    const started = await postForm(`/app/rulebooks/${v2.rulebook.id}/apply`, OPERATOR);
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toBe(`/app/rulebooks/${v2.rulebook.id}`);
    // The form's apply took the lock before it started the workflow: the stream opens while the rollout runs.
    const stream = await readStream(`/app/rulebooks/${v2.rulebook.id}/rollout/events`, OPERATOR).done;
    expect(stream.status).toBe(200);
    expect(stream.type).toBe('text/event-stream; charset=utf-8');
    expect(stream.endedByServer).toBe(true);
    expect(stream.events[0]).toMatchObject({ event: 'progress', data: { rulebookId: v2.rulebook.id, status: expect.stringMatching(/^(starting|running)$/) } });
    expect(stream.events.at(-1)).toEqual({ event: 'end', data: { rulebookId: v2.rulebook.id, status: 'completed', total: CODES.length, applied: CODES.length, failed: 0, pending: 0 } });
    expect(stream.events.slice(0, -1).every((e) => e.event === 'progress')).toBe(true);
    expectChanges(stream.events);
    expect(await sys.api.request('GET', `/rulebooks/${v2.rulebook.id}/rollout`)).toMatchObject({ body: { status: 'completed', total: 5, applied: 5, failed: 0 } });

    // The page as of now: the bar full, no stream to follow; VNG reads it too (its stream ends at once).
    const done = await page(`/app/rulebooks/${v2.rulebook.id}`, { cookie: vng.cookie });
    expect(done.html).toContain(`<progress class="regie-rollout__bar" id="regie-rollout-progress" max="5" value="5">5 van 5</progress>`);
    expect(done.html).toContain('Voltooid: 5 van 5 toegepast, 0 mislukt.');
    expect(done.html).not.toContain('data-events=');
    const vngStream = await readStream(`/app/rulebooks/${v2.rulebook.id}/rollout/events`, { cookie: vng.cookie }).done;
    expect(vngStream.events.map((e) => [e.event, e.data.status])).toEqual([['end', 'completed']]);
    expect((await readStream(`/app/rulebooks/${v2.rulebook.id}/rollout/events`, bearer(province)).done).status).toBe(403);
    expect(rowsOf((await page('/app/rulebooks', OPERATOR)).html, 'rulebooks').find((r) => r.rulebook === v2.rulebook.id)).toMatchObject({ owners: String(CODES.length), rollout: 'completed' });
  });

  it('follows a rollout started straight from Temporal too (its first activity takes the lock) to its end', async () => {
    await sys.env.client.workflow.start(RULEBOOK_ROLLOUT_WORKFLOW_TYPE, {
      workflowId: rolloutWorkflowId(v3.rulebook.id),
      taskQueue: TASK_QUEUE,
      args: [{ rulebookId: v3.rulebook.id, batchSize: 1, concurrency: 1 }],
    });
    // Until its first activity has run there is nothing to follow: a 404, as GET /rulebooks/:id/rollout says.
    const stream = await eventually('the stream opens', async () => {
      const s = readStream(`/app/rulebooks/${v3.rulebook.id}/rollout/events`, OPERATOR);
      if ((await s.opened) === 200) return s;
      await s.done;
      return undefined;
    });
    const { events, endedByServer } = await stream.done;
    expect(endedByServer).toBe(true);
    expect(events.at(-1)).toEqual({ event: 'end', data: { rulebookId: v3.rulebook.id, status: 'completed', total: 5, applied: 5, failed: 0, pending: 0 } });
    expectChanges(events);
  });

  it('shows a refused form on the page again: an older version without override (409), an override without a reason (400)', async () => {
    const older = await postForm(`/app/rulebooks/${v1.rulebook.id}/apply`, OPERATOR);
    expect(older.status).toBe(409);
    const olderHtml = await older.text();
    expect(olderHtml).toContain('De uitrol is niet gestart');
    expect(olderHtml).toContain('ouder dan pages-v3-later');
    // The refusal names the override: the summary links to it.
    expect(olderHtml).toContain('href="#apply-override"');

    const noReason = await postForm(`/app/rulebooks/${v1.rulebook.id}/apply?lang=en`, OPERATOR, { override: 'true', reason: '  ' });
    expect(noReason.status).toBe(400);
    const noReasonHtml = await noReason.text();
    expect(noReasonHtml).toContain('<html lang="en">');
    expect(noReasonHtml).toContain('The rollout did not start');
    expect(noReasonHtml).toMatch(/<textarea class="utrecht-textarea" id="apply-reason" name="reason" rows="3" maxlength="2000" aria-invalid="true"/);
    expect(noReasonHtml).toMatch(/id="apply-override" name="override" value="true" checked/);

    const bad = await postForm(`/app/rulebooks/${v1.rulebook.id}/apply`, OPERATOR, { override: 'yes' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('href="#apply-override"');
    expect((await sys.api.request('GET', `/rulebooks/${v1.rulebook.id}/rollout`)).status).toBe(404);
  });

  it('sends a change to every open stream, limits the streams of one caller, frees one when its client goes away, and ends them all at the end', async () => {
    // A rollout the tables say is running (as one is between two batches), with no workflow behind it.
    const stuck = testRulebook('pages-v4-stuck', { effectiveDate: '2032-07-01', escalations: [] });
    expect((await sys.api.request('POST', '/rulebooks', stuck.rulebook)).status).toBe(201);
    const id = stuck.rulebook.id;
    await db.query(`INSERT INTO rulebook_rollout (rulebook_id, workflow_id, status, total, applied) VALUES ($1, $2, 'running', 5, 1)`, [id, rolloutWorkflowId(id)]);
    await db.query(`INSERT INTO rulebook_rollout_run (rulebook_id, workflow_id, status, requested_via) VALUES ($1, $2, 'running', 'workflow')`, [id, rolloutWorkflowId(id)]);
    try {
      const path = `/app/rulebooks/${id}/rollout/events`;
      const streams = Array.from({ length: 5 }, () => readStream(path, OPERATOR));
      expect(await Promise.all(streams.map((s) => s.opened))).toEqual([200, 200, 200, 200, 200]);
      const sixth = await readStream(path, OPERATOR).done;
      expect(sixth.status).toBe(429);
      expect(JSON.parse(sixth.body)).toMatchObject({ error: 'too-many-streams' });
      // Another caller is not held back by the operator's streams.
      const fromVng = readStream(path, { cookie: vng.cookie });
      expect(await fromVng.opened).toBe(200);

      streams[0].close();
      const again = await eventually('a stream freed', async () => {
        const s = readStream(path, OPERATOR);
        if ((await s.opened) === 200) return s;
        await s.done;
        return undefined;
      }, 10_000);

      // A batch done: every open stream hears of it.
      await db.query(`UPDATE rulebook_rollout SET applied = 3, failed = 1 WHERE rulebook_id = $1`, [id]);
      const open = [...streams.slice(1), fromVng, again];
      await eventually('the change on every stream', async () => (open.every((s) => s.events.some((e) => e.data.applied === 3)) ? true : undefined), 10_000);
      await db.query(`UPDATE rulebook_rollout SET status = 'completed', applied = 4, finished_at = now() WHERE rulebook_id = $1`, [id]);
      await db.query(`UPDATE rulebook_rollout_run SET status = 'completed', finished_at = now() WHERE rulebook_id = $1`, [id]);
      for (const s of open) {
        const { events, endedByServer } = await s.done;
        expect(endedByServer).toBe(true);
        expect(events).toEqual([
          { event: 'progress', data: { rulebookId: id, status: 'running', total: 5, applied: 1, failed: 0, pending: 4 } },
          { event: 'progress', data: { rulebookId: id, status: 'running', total: 5, applied: 3, failed: 1, pending: 1 } },
          { event: 'end', data: { rulebookId: id, status: 'completed', total: 5, applied: 4, failed: 1, pending: 0 } },
        ]);
      }
      expect((await streams[0].done).endedByServer).toBe(false);
    } finally {
      await db.query(`UPDATE rulebook_rollout_run SET status = 'interrupted', finished_at = now() WHERE rulebook_id = $1 AND status = 'running'`, [id]);
    }
  });
});

describe('the contract', () => {
  it('declares each page route with its statuses, the event stream as text/event-stream', async () => {
    const doc = (await (await fetch(url('/docs-json'))).json()) as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses).sort();
    expect(statuses('/app/rulebooks', 'get')).toEqual(['200', '303', '401', '403', '429', '503']);
    expect(statuses('/app/rulebooks/{id}', 'get')).toEqual(['200', '303', '401', '403', '404', '429', '503']);
    expect(statuses('/app/rulebooks/{id}/apply', 'post')).toEqual(['303', '400', '401', '403', '404', '409', '413', '415', '429', '503']);
    expect(statuses('/app/rulebooks/{id}/rollout/events', 'get')).toEqual(['200', '303', '401', '403', '404', '429', '503']);
    expect(Object.keys(doc.paths['/app/rulebooks/{id}/rollout/events'].get.responses['200'].content ?? {})).toEqual(['text/event-stream']);
    expect(Object.keys(doc.paths['/app/rulebooks/{id}'].get.responses['200'].content ?? {})).toEqual(['text/html']);
  });
});
