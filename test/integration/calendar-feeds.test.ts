/**
 * Calendar feeds over HTTP on the real system (API, worker and dispatcher on a real Postgres, the
 * time-skipping Temporal server, a real SMTP server), read by an independent parser (ical.js, not the `ics`
 * package that writes them): a person makes a feed on their session page; it holds one all-day entry per
 * dated step with the very UID, SEQUENCE and wording of the invite in the real reminder mail; the entry
 * moves when the province moves the date and is cancelled with the waiver, as the mails are; an
 * organisation's feed holds exactly the owners it reaches; a revoked, unknown or orphaned feed is one 404.
 */
import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };
import { DataSource } from 'typeorm';
import { notificationBusinessKey, programmeWorkflowId } from '../../libs/contracts';
import { hashRulebook } from '../../libs/rulebook/rulebook-files';
import { parseRulebook } from '../../libs/rulebook/rulebook.schema';
import { actorToken, Browser, createPeople, PEOPLE, signInByMail, tokenFor } from '../support/access';
import { withEnv } from '../support/config';
import { eventually, outboxSettled } from '../support/outbox';
import { shippedRulebook } from '../support/rulebooks';
import type { CaughtMail } from '../support/smtp';
import { startTestSystem, TestSystem } from '../support/system';
import { advanceTo } from '../support/temporal';

// ical.js ships ESM with a CommonJS build (its `require` export): Jest loads that one; the types are the ESM's.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL: typeof ICALModule = require('ical.js');

let sys: TestSystem;
let db: DataSource;
const people = {} as Record<'pm' | 'alderman' | 'province' | 'stakeholder' | 'rotterdam', Browser>;

const LIMITS = { REGIE_RATE_LIMIT: '100000', REGIE_SIGN_IN_LIMIT: '1000' };
const RULEBOOK_ID = 'feeds-2032-07-01';
const PROGRAMME = 'volkshuisvestingsprogramma';
const ORDINANCE = 'huisvestingsverordening';
/** Amsterdam and Haarlem (Noord-Holland), Rotterdam (Zuid-Holland). */
const MUNICIPALITIES = { GM0363: PEOPLE['programme-manager'].email, GM0392: 'programma@haarlem.example', GM0599: PEOPLE['other-programme-manager'].email };

/** The law in force on 1 July 2032 (so no date has passed whenever this runs), with two statutory municipal steps and one regional target-date step. */
function feedRulebook() {
  const base = shippedRulebook('wvrv-2025-07-01.3');
  const keys = ['overlegstructuur', PROGRAMME, ORDINANCE];
  const steps = base.steps.filter((s) => keys.includes(s.key)).map((s) => ({ ...s, dependsOn: s.dependsOn.filter((d) => keys.includes(d)) }));
  return hashRulebook(parseRulebook({ ...base, id: RULEBOOK_ID, effectiveDate: '2032-07-01', steps }, RULEBOOK_ID));
}

let corop: Record<string, string>;

beforeAll(async () => {
  sys = await withEnv(LIMITS, () => startTestSystem('calendar-feeds'));
  db = sys.worker.get(DataSource);
  await createPeople(sys.api);
  expect((await sys.api.request('POST', '/rulebooks', feedRulebook().rulebook)).status).toBe(201);
  for (const [code, email] of Object.entries(MUNICIPALITIES)) {
    expect((await sys.api.request('POST', '/onboardings', { municipalityCode: code, programmeManagerEmail: email, rulebookId: RULEBOOK_ID })).status).toBe(201);
  }
  const rows: { municipality_code: string; region_code: string }[] = await db.query(
    `SELECT rm.municipality_code, rm.region_code FROM region_member rm JOIN region r ON r.code = rm.region_code WHERE r.grouping = 'corop' AND rm.municipality_code = ANY($1)`,
    [Object.keys(MUNICIPALITIES)],
  );
  corop = Object.fromEntries(rows.map((r) => [r.municipality_code, r.region_code]));
  expect(corop.GM0363).toBe('CR23');
  expect(new Set(Object.values(corop)).size).toBe(3);
  // Three municipalities with two steps each, three regions with one.
  await eventually('the onboarded steps in the read model', async () => ((await db.query(`SELECT count(*)::int AS n FROM step_state`))[0].n >= 9 ? true : undefined));

  people.pm = await signInByMail(sys.api, sys.smtp, PEOPLE['programme-manager'].email);
  people.alderman = await signInByMail(sys.api, sys.smtp, PEOPLE.alderman.email);
  people.province = await signInByMail(sys.api, sys.smtp, PEOPLE.province.email);
  people.stakeholder = await signInByMail(sys.api, sys.smtp, PEOPLE.stakeholder.email);
  people.rotterdam = await signInByMail(sys.api, sys.smtp, PEOPLE['other-programme-manager'].email);

  // The 180-day reminders of both statutory steps (due 1 July 2034) go out on 2 January 2034.
  await advanceTo(sys.env, '2034-01-05T00:00:00Z');
  await outboxSettled(db);
});

afterAll(() => sys?.stop());

const url = (path: string) => `${sys.api.baseUrl}${path}`;
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** A session page form: the cookie, this site's Origin, the CSRF token in the body. */
const post = (who: Browser, path: string, fields: Record<string, string> = {}, extra: Record<string, string> = {}) =>
  fetch(url(path), {
    method: 'POST',
    headers: { ...HTML, cookie: who.cookie, origin: new URL(sys.api.publicBaseUrl).origin, 'content-type': 'application/x-www-form-urlencoded', ...extra },
    body: new URLSearchParams({ _csrf: who.csrf, ...fields }),
    redirect: 'manual',
  });

interface FeedView {
  id: string;
  organisationKey: string;
  covers: 'organisation' | 'municipality';
  municipality: { code: string; name: string } | null;
  url: string;
  webcalUrl: string;
  createdAt: string;
}

const sessionJson = async (who: Browser) => (await (await fetch(url('/auth/session'), { headers: { cookie: who.cookie, accept: 'application/json' } })).json()) as { calendarFeeds: FeedView[] };
const sessionPage = async (who: Browser, query = '') => (await fetch(url(`/auth/session${query}`), { headers: { ...HTML, cookie: who.cookie } })).text();

/** Makes (or finds) a feed through the session page's form, and reads it back from the session's JSON. */
async function makeFeed(who: Browser, covers: string): Promise<FeedView> {
  const res = await post(who, '/auth/calendar-feeds', { covers });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/auth/session');
  const feed = (await sessionJson(who)).calendarFeeds.find((f) => (covers === 'organisation' ? f.covers === 'organisation' : f.municipality?.code === covers));
  expect(feed).toBeDefined();
  return feed!;
}

async function getFeed(feedUrl: string) {
  const res = await fetch(feedUrl.replace(sys.api.publicBaseUrl, sys.api.baseUrl));
  return { status: res.status, headers: res.headers, text: await res.text() };
}

interface Entry {
  uid: string;
  sequence: number;
  start: string;
  allDay: boolean;
  end: string;
  summary: string;
  description: string;
  url: string;
  status: string;
  /** `municipality:GM0363`, read from the entry's link to its step page. */
  owner: string;
  step: string;
}

/** Every VEVENT of an iCalendar text, as ical.js reads it. */
function entries(ics: string): Entry[] {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  expect(calendar.name).toBe('vcalendar');
  return calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    const link = String(vevent.getFirstPropertyValue('url'));
    const [, collection, code, step] = /^\/(municipalities|regions)\/([^/]+)\/steps\/([^/]+)$/.exec(new URL(link).pathname)!;
    return {
      uid: event.uid,
      sequence: event.sequence,
      start: event.startDate.toString(),
      allDay: event.startDate.isDate,
      end: event.endDate.toString(),
      summary: event.summary,
      description: event.description,
      url: link,
      status: String(vevent.getFirstPropertyValue('status')),
      owner: `${collection === 'regions' ? 'region' : 'municipality'}:${code}`,
      step: decodeURIComponent(step),
    };
  });
}

const feedEntries = async (feed: FeedView) => {
  const res = await getFeed(feed.url);
  expect(res.status).toBe(200);
  return entries(res.text);
};

/** The one invite of a mail (nodemailer's `text/calendar` alternative), read by ical.js. */
function invite(mail: CaughtMail): Entry & { method: string } {
  const part = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');
  expect(part).toBeDefined();
  const text = part!.content.toString('utf8');
  const [entry] = entries(text);
  return { ...entry, method: String(new ICAL.Component(ICAL.parse(text)).getFirstPropertyValue('method')) };
}

/** The mail of one firing of one of Amsterdam's steps, by its business-key header (as the workflow keys it). */
const mailOf = (step: string, dueDate: string, firing: string) =>
  eventually(`the ${firing} mail of ${step}`, async () => sys.smtp.withBusinessKey(notificationBusinessKey(programmeWorkflowId('GM0363'), step, dueDate, firing))[0]);

const dueOf = async (ownerCode: string, step: string): Promise<string> => (await db.query(`SELECT due_date::text AS d FROM step_state WHERE owner_code = $1 AND step = $2`, [ownerCode, step]))[0].d;

/** How many steps of these owners have a date in the read model. */
async function datedSteps(owners: string[]): Promise<number> {
  const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM step_state WHERE due_date IS NOT NULL AND owner_kind || ':' || owner_code = ANY($1)`, [owners]);
  return n;
}

const byStep = (list: Entry[], owner: string, step: string) => list.find((e) => e.owner === owner && e.step === step);

let pmFeed: FeedView;
let pmMunicipalityFeed: FeedView;

describe('the session page', () => {
  it('shows no feed yet and offers the organisation and the municipality it reaches, in Dutch and in English', async () => {
    const nl = await sessionPage(people.pm);
    expect(nl).toContain('<h2 id="agenda">Termijnen in uw eigen agenda</h2>');
    expect(nl).toContain('U hebt nog geen agenda-link.');
    expect(nl).toContain('<form method="post" action="/auth/calendar-feeds" class="regie-field-list">');
    expect(nl).toContain('<option value="organisation">Alles wat Gemeente Amsterdam volgt</option>');
    expect(nl).toContain('<option value="GM0363">Gemeente Amsterdam (GM0363) en haar regio</option>');
    expect(nl).not.toContain('GM0599');
    const en = await sessionPage(people.pm, '?lang=en');
    expect(en).toContain('<h2 id="agenda">Deadlines in your own calendar</h2>');
    // (`=` is escaped in an attribute: the browser reads `?lang=en`.)
    expect(en).toContain('action="/auth/calendar-feeds?lang&#x3D;en"');
    // A province chooses its organisation (or one of its municipalities), a stakeholder its organisation or its linked municipality.
    expect(await sessionPage(people.province)).toContain('<option value="organisation">Alles wat Provincie Noord-Holland volgt</option>');
    const stakeholder = await sessionPage(people.stakeholder);
    expect(stakeholder).toContain('<option value="organisation">Alles wat Ymere volgt</option>');
    expect(stakeholder).toContain('<option value="GM0363">');
    expect(stakeholder).not.toContain('<option value="GM0392">');
  });

  it('makes a feed per coverage (asking again gives the same one) and shows its URL, date and a revoke button', async () => {
    pmFeed = await makeFeed(people.pm, 'organisation');
    expect(await makeFeed(people.pm, 'organisation')).toEqual(pmFeed);
    pmMunicipalityFeed = await makeFeed(people.pm, 'GM0363');
    expect(pmMunicipalityFeed.id).not.toBe(pmFeed.id);
    expect((await sessionJson(people.pm)).calendarFeeds).toHaveLength(2);
    expect(pmFeed.url).toMatch(new RegExp(`^${sys.api.publicBaseUrl}/calendar/[A-Za-z0-9_-]{43}\\.ics$`));
    expect(pmFeed.webcalUrl).toBe(pmFeed.url.replace(/^https?:/, 'webcal:'));
    expect(pmMunicipalityFeed.url).not.toBe(pmFeed.url);

    const page = await sessionPage(people.pm);
    expect(page).toContain(`value="${pmFeed.url}"`);
    expect(page).toContain(`value="${pmMunicipalityFeed.url}"`);
    expect(page).toContain('Alles wat Gemeente Amsterdam volgt</h3>');
    expect(page).toContain('Gemeente Amsterdam (GM0363) en haar regio</h3>');
    expect(page).toMatch(/Namens Gemeente Amsterdam, gemaakt op (maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag) \d{1,2} [a-z]+ \d{4}\./);
    expect(page).toContain(`<form method="post" action="/auth/calendar-feeds/${pmFeed.id}/revoke">`);
    expect(page).not.toContain('U hebt nog geen agenda-link.');
  });

  it('refuses a municipality out of reach, a form from another site, and a token or the operator', async () => {
    for (const covers of ['GM0599', 'GM9999', 'everything', '']) {
      const res = await post(people.pm, '/auth/calendar-feeds', { covers });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'calendar-feed-covers-invalid', field: 'covers' });
    }
    const forged = await post(people.pm, '/auth/calendar-feeds', { covers: 'GM0363' }, { origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ error: 'csrf-refused' });
    for (const token of [await tokenFor(sys.api, 'stakeholder'), process.env.TEST_ADMIN_TOKEN ?? 'test-admin-token-0123456789']) {
      const res = await fetch(url('/auth/calendar-feeds'), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ covers: 'organisation' }),
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: 'calendar-feed-person-only' });
    }
    expect((await sessionJson(people.pm)).calendarFeeds).toHaveLength(2);
  });
});

describe('the feed', () => {
  it('parses with ical.js: one all-day entry per dated step, with the UID, SEQUENCE and wording of the reminder mail’s invite', async () => {
    const res = await getFeed(pmFeed.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(res.headers.get('cache-control')).toMatch(/no-store/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const calendar = new ICAL.Component(ICAL.parse(res.text));
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Regie: termijnen Gemeente Amsterdam');

    const list = entries(res.text);
    // Amsterdam's two statutory steps; its region's step has no date yet, so no entry.
    expect(list).toHaveLength(await datedSteps(['municipality:GM0363', `region:${corop.GM0363}`]));
    expect(list.map((e) => `${e.owner} ${e.step}`).sort()).toEqual([`municipality:GM0363 ${ORDINANCE}`, `municipality:GM0363 ${PROGRAMME}`]);
    expect(new Set(list.map((e) => e.uid)).size).toBe(list.length);

    for (const step of [PROGRAMME, ORDINANCE]) {
      const due = await dueOf('GM0363', step);
      const mailed = invite(await mailOf(step, due, 'reminder-180d'));
      const entry = byStep(list, 'municipality:GM0363', step)!;
      expect(mailed.method).toBe('REQUEST');
      expect(entry).toMatchObject({ uid: mailed.uid, sequence: mailed.sequence, start: due, allDay: true, end: mailed.end, status: 'CONFIRMED' });
      expect(mailed.start).toBe(due);
      expect(entry.sequence).toBe(0);
      // The same words as the invite (its templates), Dutch like the contact's mail.
      expect(entry.summary).toBe(mailed.summary);
      expect(entry.description).toBe(mailed.description);
      expect(entry.summary).toMatch(/^Uiterste datum: /);
      expect(entry.url).toBe(mailed.url);
    }
    // No ORGANIZER or ATTENDEE: a published feed invites nobody and names nobody.
    expect(res.text).not.toMatch(/ORGANIZER|ATTENDEE|@amsterdam\.example/);
    // The municipality's own feed holds the same entries.
    expect((await feedEntries(pmMunicipalityFeed)).map((e) => e.uid).sort()).toEqual(list.map((e) => e.uid).sort());
  });

  it('moves the entry (same UID, SEQUENCE + 1) when the province grants an extension, as the change notice does', async () => {
    const before = byStep(await feedEntries(pmFeed), 'municipality:GM0363', PROGRAMME)!;
    const extension = await fetch(url(`/municipalities/GM0363/steps/${PROGRAMME}/extension`), {
      method: 'POST',
      headers: { ...people.province.headers(), 'content-type': 'application/json' },
      body: JSON.stringify({ to: '2034-10-02', reason: 'Herindeling' }),
    });
    expect(extension.status).toBe(201);
    expect(await dueOf('GM0363', PROGRAMME)).toBe('2034-10-02');

    const after = byStep(await feedEntries(pmFeed), 'municipality:GM0363', PROGRAMME)!;
    expect(after).toMatchObject({ uid: before.uid, sequence: before.sequence + 1, start: '2034-10-02', end: '2034-10-03', allDay: true });
    expect(after.description).toContain('2 oktober 2034');

    await advanceTo(sys.env, '2034-01-08T00:00:00Z');
    await outboxSettled(db);
    const notice = invite(await mailOf(PROGRAMME, '2034-10-02', 'change-notice'));
    expect(notice).toMatchObject({ method: 'REQUEST', uid: after.uid, sequence: after.sequence, start: after.start });
    expect(after.summary).toBe(notice.summary);
    expect(after.description).toBe(notice.description);
  });

  it('cancels the entry with the waiver (same UID, the CANCEL’s SEQUENCE, STATUS:CANCELLED)', async () => {
    const waiver = await fetch(url(`/municipalities/GM0363/steps/${ORDINANCE}/waiver`), {
      method: 'POST',
      headers: { ...people.province.headers(), 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'Ontheffing GS' }),
    });
    expect(waiver.status).toBe(201);
    await advanceTo(sys.env, '2034-01-09T00:00:00Z');
    await outboxSettled(db);
    const cancel = invite(await mailOf(ORDINANCE, await dueOf('GM0363', ORDINANCE), 'cancellation'));
    expect(cancel.method).toBe('CANCEL');
    const entry = byStep(await feedEntries(pmFeed), 'municipality:GM0363', ORDINANCE)!;
    expect(entry).toMatchObject({ uid: cancel.uid, sequence: cancel.sequence, start: cancel.start, status: 'CANCELLED' });
    expect(entry.sequence).toBe(1);
  });
});

describe('what an organisation’s feed covers', () => {
  it('holds exactly the owners the organisation reaches, never another municipality’s steps', async () => {
    // A date on the regional steps of Amsterdam's and Rotterdam's regions (target dates, by their coordinators).
    const setTarget = async (region: string, token: string) => {
      const res = await sys.api.request('POST', `/regions/${region}/steps/overlegstructuur/target-date`, { date: '2034-03-01' }, token);
      expect(res.status).toBe(201);
    };
    await setTarget(corop.GM0363, await tokenFor(sys.api, 'regional-coordinator'));
    await setTarget(corop.GM0599, await actorToken(sys.api, 'regional-coordinator', corop.GM0599));

    const feeds = {
      amsterdam: pmFeed,
      amsterdamMunicipality: pmMunicipalityFeed,
      ymere: await makeFeed(people.stakeholder, 'organisation'),
      noordHolland: await makeFeed(people.province, 'organisation'),
      rotterdam: await makeFeed(people.rotterdam, 'organisation'),
    };
    const expected: Record<keyof typeof feeds, string[]> = {
      amsterdam: ['municipality:GM0363', `region:${corop.GM0363}`],
      amsterdamMunicipality: ['municipality:GM0363', `region:${corop.GM0363}`],
      // A stakeholder reaches the municipalities it is linked to, not their regions.
      ymere: ['municipality:GM0363'],
      // A province its municipalities and their regions (Haarlem's region has no dated step).
      noordHolland: ['municipality:GM0363', 'municipality:GM0392', `region:${corop.GM0363}`],
      rotterdam: ['municipality:GM0599', `region:${corop.GM0599}`],
    };
    for (const [name, feed] of Object.entries(feeds) as [keyof typeof feeds, FeedView][]) {
      const list = await feedEntries(feed);
      expect([name, [...new Set(list.map((e) => e.owner))].sort()]).toEqual([name, [...expected[name]].sort()]);
      expect([name, list.length]).toEqual([name, await datedSteps(expected[name])]);
    }
    // The region's entry is the region workflow's.
    const region = byStep(await feedEntries(feeds.noordHolland), `region:${corop.GM0363}`, 'overlegstructuur')!;
    expect(region).toMatchObject({ start: '2034-03-01', sequence: 0, uid: expect.stringContaining(corop.GM0363) });
    expect(region.summary).toMatch(/^Geplande datum: /);
  });
});

describe('secrets', () => {
  const NOT_FOUND = { error: 'calendar-feed-not-found', message: 'Agenda niet gevonden / Calendar feed not found', field: 'feed' };

  it('are declared in the OpenAPI with their strict formats and every status the routes answer', async () => {
    const doc = (await (await fetch(url('/docs-json'))).json()) as { paths: Record<string, Record<string, { parameters?: { name: string; schema: { pattern?: string } }[]; responses: Record<string, unknown> }>> };
    const feed = doc.paths['/calendar/{feed}'].get;
    expect(feed.parameters).toEqual([expect.objectContaining({ name: 'feed', schema: expect.objectContaining({ pattern: '^[A-Za-z0-9_-]{43}\\.ics$' }) })]);
    expect(Object.keys(feed.responses).sort()).toEqual(['200', '404', '429', '503']);
    const revoke = doc.paths['/auth/calendar-feeds/{feed}/revoke'].post;
    expect(revoke.parameters).toEqual([expect.objectContaining({ name: 'feed', schema: expect.objectContaining({ pattern: expect.stringContaining('[0-9a-f]{8}-') }) })]);
    expect(Object.keys(revoke.responses).sort()).toEqual(['303', '401', '403', '404', '413', '415', '429', '503']);
    expect(Object.keys(doc.paths['/auth/calendar-feeds'].post.responses).sort()).toEqual(['303', '400', '401', '403', '413', '415', '429', '503']);
  });

  it('answers a made-up secret with the JSON 404, and a path that cannot be a feed with the path’s 404', async () => {
    const madeUp = await fetch(url(`/calendar/${'A'.repeat(43)}.ics`));
    expect(madeUp.status).toBe(404);
    expect(madeUp.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await madeUp.json()).toEqual(NOT_FOUND);
    for (const path of ['/calendar/short.ics', `/calendar/${'A'.repeat(43)}.ical`, `/calendar/${'A'.repeat(43)}`]) {
      const res = await fetch(url(path));
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'not-found', field: 'feed' });
    }
  });

  it('keeps each person’s feeds their own: another person sees and revokes none of them', async () => {
    const aldermanFeed = await makeFeed(people.alderman, 'organisation');
    // Same organisation and coverage, another person: another secret.
    expect(aldermanFeed.url).not.toBe(pmFeed.url);
    expect((await sessionJson(people.alderman)).calendarFeeds.map((f) => f.id)).toEqual([aldermanFeed.id]);
    const page = await sessionPage(people.alderman);
    expect(page).not.toContain(pmFeed.url);
    expect(page).not.toContain(pmFeed.id);
    expect(await sessionPage(people.province)).not.toContain(pmFeed.url);

    const theirs = await post(people.alderman, `/auth/calendar-feeds/${pmFeed.id}/revoke`);
    expect(theirs.status).toBe(404);
    expect(await theirs.json()).toEqual(NOT_FOUND);
    expect((await getFeed(pmFeed.url)).status).toBe(200);
  });

  it('revokes a feed at once: its URL is the same 404 as a made-up one, the page no longer lists it, again is harmless', async () => {
    const res = await post(people.pm, `/auth/calendar-feeds/${pmMunicipalityFeed.id}/revoke?lang=en`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/auth/session?lang=en');
    const revoked = await getFeed(pmMunicipalityFeed.url);
    expect(revoked.status).toBe(404);
    expect(JSON.parse(revoked.text)).toEqual(NOT_FOUND);
    expect((await sessionJson(people.pm)).calendarFeeds.map((f) => f.id)).toEqual([pmFeed.id]);
    expect(await sessionPage(people.pm)).not.toContain(pmMunicipalityFeed.url);
    expect((await post(people.pm, `/auth/calendar-feeds/${pmMunicipalityFeed.id}/revoke`)).status).toBe(303);
    expect((await getFeed(pmFeed.url)).status).toBe(200);
    // A new feed for the same coverage is a new secret.
    const again = await makeFeed(people.pm, 'GM0363');
    expect(again.url).not.toBe(pmMunicipalityFeed.url);
    expect((await getFeed(again.url)).status).toBe(200);
  });

  it('answers 404 once its person is no longer a contact of the organisation', async () => {
    const ymere = (await sessionJson(people.stakeholder)).calendarFeeds[0];
    expect((await getFeed(ymere.url)).status).toBe(200);
    expect((await sys.api.request('PUT', '/organisations/ymere/contacts', { contacts: [] })).status).toBe(200);
    const gone = await getFeed(ymere.url);
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.text)).toEqual(NOT_FOUND);
  });
});
