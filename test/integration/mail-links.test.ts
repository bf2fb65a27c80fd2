/**
 * The pages behind the signed links in mails, over real HTTP on a real Postgres: one-click unsubscribe
 * (RFC 8058), the preferences page, acknowledgements, refused links, and the acknowledgements and
 * deliveries in the step's views. Notifications and their outbox rows are fixtures written in SQL, as the
 * notification activity writes them.
 */
import { DataSource } from 'typeorm';
import { formatMoment } from '../../apps/api/src/mail-links/mail-links.service';
import { digestBusinessKey, escalationFiringKey, notificationBusinessKey, programmeWorkflowId, reminderFiringKey } from '../../libs/contracts';
import { LinkPayload, signLink, tokenDigest } from '../../libs/mail/links';
import { TestApi } from '../support/api';
import { TEST_LINK_SECRET } from '../support/config';
import { startTestApi } from '../support/system';

let sys: Awaited<ReturnType<typeof startTestApi>>;
let api: TestApi;
let db: DataSource;

const RULEBOOK = 'wvrv-2025-07-01.2';
const STEP = 'volkshuisvestingsprogramma';
const ESCALATION = notificationBusinessKey(programmeWorkflowId('GM0363'), STEP, '2027-07-01', escalationFiringKey(1));
const REMINDER = notificationBusinessKey(programmeWorkflowId('GM0363'), STEP, '2027-07-01', reminderFiringKey(90));
const PM = 'pm@amsterdam.example';
const ALDERMAN = 'wethouder@amsterdam.example';
const OUTSIDER = 'iemand@elders.example';

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const token = (payload: Partial<LinkPayload> & Pick<LinkPayload, 'act' | 'rcp'>, secret = TEST_LINK_SECRET) =>
  signLink(secret, { lang: 'nl', exp: inAnHour(), ...payload });

const preferenceOf = async (recipient: string) =>
  (await db.query(`SELECT delivery, optional_stopped_at, updated_via FROM mail_preference WHERE recipient = $1`, [recipient]))[0] ?? null;
const refusalsOf = (t: string) => db.query(`SELECT reason, action, recipient, business_key, token_sha256 FROM mail_link_refusal WHERE token_sha256 = $1`, [tokenDigest(t)]);

function expectPageHeaders(headers: Headers) {
  expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('set-cookie')).toBeNull();
}

beforeAll(async () => {
  sys = await startTestApi('mail-links');
  api = sys.api;
  db = api.app.get(DataSource);
  const [{ content_hash: hash }] = await db.query(`SELECT content_hash FROM rulebook_version WHERE id = $1`, [RULEBOOK]);
  await db.query(
    `INSERT INTO step_state (owner_code, step, owner_kind, step_key, workflow_id, status, overdue, date_kind, due_date, derivation, detail,
       rulebook_id, rulebook_hash, last_event, last_event_at, seq)
     VALUES ('GM0363', $1, 'municipality', $1, 'programme-GM0363', 'open', true, 'statutory', '2027-07-01', '{}', '{}', $2, $3, 'escalation-sent', now(), 3)`,
    [STEP, RULEBOOK, hash],
  );
  const request = (kind: string, rung?: number) =>
    JSON.stringify({ kind, rung, stepKey: STEP, cycleYear: null, dateKind: 'statutory', due: { date: '2027-07-01', text: 'donderdag 1 juli 2027' } });
  await db.query(
    `INSERT INTO notification (business_key, workflow_id, owner_kind, owner_code, step, step_key, kind, firing_key, rung, due_date, rulebook_id, recipients, status,
       request, recorded_at)
     VALUES ($1, 'programme-GM0363', 'municipality', 'GM0363', $3, $3, 'reminder', 'reminder-90d', NULL, '2027-07-01', $4, $5, 'queued', $6, '2027-04-01T07:00:00Z'),
            ($2, 'programme-GM0363', 'municipality', 'GM0363', $3, $3, 'escalation', 'escalation-1', 1, '2027-07-01', $4, $5, 'queued', $7, '2027-07-02T07:00:00Z')`,
    [REMINDER, ESCALATION, STEP, RULEBOOK, [PM, ALDERMAN], request('reminder'), request('escalation', 1)],
  );
  const [{ id: digestId }] = await db.query(
    `INSERT INTO outbox (kind, business_key, recipient, organisation_key, organisation_name, language, delivery, optional, status, message_id, smtp_response, attempts, sent_at,
       week_of)
     VALUES ('digest', $2, $1, 'gemeente-amsterdam', 'Gemeente Amsterdam', 'en', 'digest', false, 'sent', '<digest@regie>',
       '250 2.0.0 Ok: queued', 1, '2027-04-05T06:00:00Z', '2027-04-05') RETURNING id`,
    [ALDERMAN, digestBusinessKey('2027-04-05', 'gemeente-amsterdam', ALDERMAN)],
  );
  await db.query(
    `INSERT INTO outbox (kind, business_key, recipient, organisation_key, organisation_name, language, delivery, optional, status, status_reason, message_id,
       smtp_response, attempts, sent_at, digest_id)
     VALUES ('notification', $1, $3, 'gemeente-amsterdam', 'Gemeente Amsterdam', 'nl', 'immediate', true, 'sent', NULL, '<r-pm@regie>', '250 2.0.0 Ok: queued', 1, '2027-04-01T07:00:05Z', NULL),
            ('notification', $1, $4, 'gemeente-amsterdam', 'Gemeente Amsterdam', 'en', 'digest', true, 'in-digest', NULL, '<r-alderman@regie>', NULL, 0, NULL, $5),
            ('notification', $2, $3, 'gemeente-amsterdam', 'Gemeente Amsterdam', 'nl', 'immediate', false, 'sent', NULL, '<e-pm@regie>', '250 2.0.0 Ok: queued', 2, '2027-07-02T07:01:00Z', NULL),
            ('notification', $2, $4, 'gemeente-amsterdam', 'Gemeente Amsterdam', 'en', 'immediate', false, 'failed', 'mailbox unavailable', '<e-alderman@regie>', '550 5.1.1 No such user', 5, NULL, NULL)`,
    [REMINDER, ESCALATION, PM, ALDERMAN, digestId],
  );
});

afterAll(() => sys?.stop());

describe('one-click unsubscribe (RFC 8058)', () => {
  const unsubscribe = token({ act: 'preferences', rcp: PM });
  const path = `/mail/unsubscribe/${unsubscribe}`;

  it('a GET shows a page with the button and changes nothing (mail scanners open links)', async () => {
    const page = await api.page('GET', path);
    expect(page.status).toBe(200);
    expectPageHeaders(page.headers);
    expect(page.html).toContain('<html lang="nl">');
    expect(page.html).toContain('<form method="post">');
    expect(page.html).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
    expect(page.html).toContain('<button type="submit">Afmelden voor herinneringen</button>');
    expect(page.html).toContain('Verplichte meldingen aan ambtsdragers (beleid van het project, geen wettelijke plicht) blijven komen: die kunnen niet worden uitgezet.');
    // Nothing from elsewhere and no script: only this site's own style sheets (/assets/), under the CSP's style-src 'self'.
    expect(page.html).not.toMatch(/<script|src=|style=|<style/);
    expect([...page.html.matchAll(/<link [^>]*>/g)].map((m) => m[0]).every((l) => /^<link rel="stylesheet" href="\/assets\/[a-z-]+\.[0-9a-f]{12}\.css">$/.test(l))).toBe(true);
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    expect(await preferenceOf(PM)).toBeNull();
  });

  it('a POST with the one-click form body and no cookies stops optional mail; posting again keeps the first time', async () => {
    const page = await api.page('POST', path, { 'List-Unsubscribe': 'One-Click' });
    expect(page.status).toBe(200);
    expectPageHeaders(page.headers);
    expect(page.html).toContain('<h1>Afgemeld voor herinneringen</h1>');
    expect(page.html).toContain(`${PM} ontvangt geen optionele herinneringen meer.`);
    expect(page.html).toContain('Verplichte meldingen aan ambtsdragers (beleid van het project, geen wettelijke plicht) blijven komen: die kunnen niet worden uitgezet.');
    expect(page.html).toContain('naar het wekelijkse overzicht verplaatsen');
    expect(page.html).toContain(`href="http://localhost:3000/mail/preferences/${unsubscribe}"`);
    const first = await preferenceOf(PM);
    expect(first).toEqual({ delivery: 'immediate', optional_stopped_at: expect.any(Date), updated_via: 'one-click' });

    // Some mail providers post multipart/form-data: the same answer, and nothing moves.
    const form = new FormData();
    form.append('List-Unsubscribe', 'One-Click');
    expect((await api.page('POST', path, form)).status).toBe(200);
    expect(await preferenceOf(PM)).toEqual(first);

    const again = await api.page('GET', path);
    expect(again.html).toContain(`Optionele herinneringen aan ${PM} zijn al gestopt sinds ${formatMoment(first.optional_stopped_at, 'nl')}.`);
    expect(again.html).not.toContain('<button');
  });
});

describe('preferences page', () => {
  const preferences = token({ act: 'preferences', rcp: ALDERMAN });
  const path = `/mail/preferences/${preferences}`;

  it('shows the current settings and says that mandatory notices (verplichte meldingen) cannot be silenced', async () => {
    const page = await api.page('GET', path);
    expect(page.status).toBe(200);
    expectPageHeaders(page.headers);
    expect(page.html).toContain('<h1>Uw e-mailvoorkeuren</h1>');
    expect(page.html).toContain('U ontvangt elke mail van Regie direct.');
    expect(page.html).toContain('<button type="submit" name="delivery" value="digest">Wekelijks overzicht ontvangen</button>');
    expect(page.html).toContain('U ontvangt optionele herinneringen.');
    expect(page.html).toContain('<button type="submit" name="optional" value="stop">Optionele herinneringen stoppen</button>');
    expect(page.html).toContain('Verplichte meldingen aan ambtsdragers (beleid van het project, geen wettelijke plicht) kunnen niet worden uitgezet. U kunt ze alleen naar het wekelijkse overzicht verplaatsen.');
    expect(await preferenceOf(ALDERMAN)).toBeNull();
  });

  it('a form POST moves mail to the weekly digest, stops and resumes optional mail', async () => {
    const digest = await api.page('POST', path, { delivery: 'digest' });
    expect(digest.status).toBe(200);
    expect(digest.html).toContain('Uw voorkeuren zijn opgeslagen.');
    expect(digest.html).toContain('U ontvangt uw mail van Regie gebundeld in een wekelijks overzicht.');
    expect(digest.html).toContain('value="immediate">Elke mail direct ontvangen</button>');
    expect(await preferenceOf(ALDERMAN)).toEqual({ delivery: 'digest', optional_stopped_at: null, updated_via: 'preferences-page' });

    const stopped = await api.page('POST', path, { optional: 'stop' });
    const { optional_stopped_at: at } = await preferenceOf(ALDERMAN);
    expect(stopped.html).toContain(`Optionele herinneringen zijn gestopt sinds ${formatMoment(at, 'nl')}.`);
    expect(await preferenceOf(ALDERMAN)).toEqual({ delivery: 'digest', optional_stopped_at: expect.any(Date), updated_via: 'preferences-page' });

    await api.page('POST', path, { optional: 'resume', delivery: 'immediate' });
    expect(await preferenceOf(ALDERMAN)).toEqual({ delivery: 'immediate', optional_stopped_at: null, updated_via: 'preferences-page' });
  });

  it('a bad value gets a 400 page naming the field and changes nothing', async () => {
    const before = await preferenceOf(ALDERMAN);
    const bad = await api.page('POST', path, { delivery: 'weekly' });
    expect(bad.status).toBe(400);
    expectPageHeaders(bad.headers);
    expect(bad.html).toContain('Ongeldige invoer in veld delivery: er is niets veranderd.');
    expect((await api.page('POST', path, { optional: 'never' })).html).toContain('Ongeldige invoer in veld optional');
    expect((await api.page('POST', path, {})).status).toBe(400);
    expect(await preferenceOf(ALDERMAN)).toEqual(before);
  });

  it("speaks the token's language", async () => {
    const page = await api.page('GET', `/mail/preferences/${token({ act: 'preferences', rcp: OUTSIDER, lang: 'en' })}`);
    expect(page.html).toContain('<html lang="en">');
    expect(page.html).toContain('<h1>Your mail preferences</h1>');
    expect(page.html).toContain('Mandatory notices to office holders (project policy, not a statutory duty) cannot be switched off. You can only move them to the weekly digest.');
  });
});

describe('acknowledgements', () => {
  const acknowledge = token({ act: 'acknowledge', rcp: PM, key: ESCALATION });
  const path = `/mail/actions/${acknowledge}`;
  const acknowledgements = () => db.query(`SELECT business_key, recipient, action, owner_kind, owner_code, step FROM mail_acknowledgement ORDER BY acknowledged_at`);

  it('a GET describes the notification with one button and changes nothing', async () => {
    const page = await api.page('GET', path);
    expect(page.status).toBe(200);
    expectPageHeaders(page.headers);
    expect(page.html).toContain('<h1>Escalatie bevestigen</h1>');
    expect(page.html).toContain('<dt>Gemeente</dt>\n<dd>Amsterdam (GM0363)</dd>');
    expect(page.html).toContain('<dt>Stap</dt>\n<dd>Volkshuisvestingsprogramma</dd>');
    expect(page.html).toContain('<dd>Escalatie, trede 1</dd>');
    expect(page.html).toContain('<dt>Uiterste datum (wettelijke termijn)</dt>\n<dd>donderdag 1 juli 2027</dd>');
    expect(page.html).toContain('<form method="post"><button type="submit">Escalatie bevestigen</button></form>');
    expect(await acknowledgements()).toEqual([]);
  });

  it('a POST confirms once; a second POST is a 409 "Al bevestigd" and a replayed refusal', async () => {
    const first = await api.page('POST', path);
    expect(first.status).toBe(200);
    expectPageHeaders(first.headers);
    expect(first.html).toContain('<h1>Bevestigd</h1>');
    expect(await acknowledgements()).toEqual([
      { business_key: ESCALATION, recipient: PM, action: 'acknowledge', owner_kind: 'municipality', owner_code: 'GM0363', step: STEP },
    ]);
    const [{ acknowledged_at: at }] = await db.query(`SELECT acknowledged_at FROM mail_acknowledgement`);
    expect(first.html).toContain(`Uw bevestiging van de escalatie is vastgelegd op ${formatMoment(at, 'nl')}.`);

    const second = await api.page('POST', path);
    expect(second.status).toBe(409);
    expectPageHeaders(second.headers);
    expect(second.html).toContain('<h1>Al bevestigd</h1>');
    expect(second.html).toMatch(/Al bevestigd op (maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag) \d{1,2} [a-z]+ \d{4} om \d{2}:\d{2}\. Er is niets veranderd\./);
    expect(second.html).toContain(`Al bevestigd op ${formatMoment(at, 'nl')}.`);
    expect(await refusalsOf(acknowledge)).toEqual([
      { reason: 'replayed', action: 'acknowledge', recipient: PM, business_key: ESCALATION, token_sha256: tokenDigest(acknowledge) },
    ]);
    expect(await acknowledgements()).toHaveLength(1);

    const shown = await api.page('GET', path);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain(`<strong>Al bevestigd</strong> op ${formatMoment(at, 'nl')}.`);
    expect(shown.html).not.toContain('<button');
  });

  it('a receipt confirmation in English', async () => {
    const receipt = token({ act: 'confirm-receipt', rcp: ALDERMAN, key: REMINDER, lang: 'en' });
    const page = await api.page('GET', `/mail/actions/${receipt}`);
    expect(page.html).toContain('<h1>Confirm receipt</h1>');
    expect(page.html).toContain('<dd>Housing programme</dd>');
    expect(page.html).toContain('<dd>Reminder</dd>');
    expect(page.html).toContain('<dd>Thursday 1 July 2027</dd>');
    const done = await api.page('POST', `/mail/actions/${receipt}`);
    expect(done.status).toBe(200);
    expect(done.html).toContain('<h1>Confirmed</h1>');
    expect(done.html).toContain('Your confirmation of receipt was recorded on ');
  });

  it('the step shows its acknowledgements in order, with the notification they answer', async () => {
    const step = await api.request('GET', `/municipalities/GM0363/steps/${STEP}`);
    expect(step.status).toBe(200);
    expect(step.body.acknowledgements).toEqual([
      { businessKey: ESCALATION, recipient: PM, action: 'acknowledge', kind: 'escalation', rung: 1, dueDate: '2027-07-01', acknowledgedAt: expect.any(String) },
      { businessKey: REMINDER, recipient: ALDERMAN, action: 'confirm-receipt', kind: 'reminder', rung: null, dueDate: '2027-07-01', acknowledgedAt: expect.any(String) },
    ]);
    expect(Date.parse(step.body.acknowledgements[0].acknowledgedAt)).toBeLessThanOrEqual(Date.parse(step.body.acknowledgements[1].acknowledgedAt));
  });
});

describe('refused links', () => {
  const valid = token({ act: 'preferences', rcp: OUTSIDER });

  it('forged: signed with another secret, or a payload changed under its signature -> 403 and a refusal row', async () => {
    const otherSecret = token({ act: 'preferences', rcp: OUTSIDER }, 'another-secret-of-at-least-32-characters!');
    const page = await api.page('POST', `/mail/unsubscribe/${otherSecret}`, { 'List-Unsubscribe': 'One-Click' });
    expect(page.status).toBe(403);
    expectPageHeaders(page.headers);
    expect(page.html).toContain('<h1>Deze link is niet geldig</h1>');
    expect(page.html).toContain('Er is niets veranderd.');
    expect(await refusalsOf(otherSecret)).toEqual([{ reason: 'forged', action: 'preferences', recipient: OUTSIDER, business_key: null, token_sha256: tokenDigest(otherSecret) }]);

    const [, signature] = valid.split('.');
    const claimed = { act: 'preferences', rcp: PM, lang: 'en', exp: inAnHour() };
    const tampered = `${Buffer.from(JSON.stringify(claimed)).toString('base64url')}.${signature}`;
    const english = await api.page('GET', `/mail/preferences/${tampered}`);
    expect(english.status).toBe(403);
    expect(english.html).toContain('<html lang="en">');
    expect(english.html).toContain('<h1>This link is not valid</h1>');
    expect(await refusalsOf(tampered)).toEqual([{ reason: 'forged', action: 'preferences', recipient: PM, business_key: null, token_sha256: tokenDigest(tampered) }]);
    expect(await preferenceOf(OUTSIDER)).toBeNull();
  });

  it('expired -> 410 and a refusal row', async () => {
    const expired = token({ act: 'acknowledge', rcp: PM, key: ESCALATION, exp: Math.floor(Date.now() / 1000) - 60 });
    const page = await api.page('GET', `/mail/actions/${expired}`);
    expect(page.status).toBe(410);
    expectPageHeaders(page.headers);
    expect(page.html).toContain('<h1>Deze link is verlopen</h1>');
    expect(await refusalsOf(expired)).toEqual([{ reason: 'expired', action: 'acknowledge', recipient: PM, business_key: ESCALATION, token_sha256: tokenDigest(expired) }]);
  });

  it('malformed, also a signed token at the wrong endpoint -> 400 and a refusal row; the token itself is never stored', async () => {
    const cut = valid.slice(0, -5);
    const page = await api.page('POST', `/mail/actions/${cut}`);
    expect(page.status).toBe(400);
    expectPageHeaders(page.headers);
    expect(page.html).toContain('<html lang="nl">');
    expect(page.html).toContain('<h1>Deze link is onvolledig</h1>');
    expect(await refusalsOf(cut)).toEqual([{ reason: 'malformed', action: null, recipient: null, business_key: null, token_sha256: tokenDigest(cut) }]);

    // A preferences token is not an acknowledgement, and an acknowledgement does not open the preferences.
    const wrongPlace = await api.page('POST', `/mail/actions/${valid}`);
    expect(wrongPlace.status).toBe(400);
    const acknowledge = token({ act: 'acknowledge', rcp: PM, key: ESCALATION });
    expect((await api.page('POST', `/mail/unsubscribe/${acknowledge}`)).status).toBe(400);
    expect(await refusalsOf(valid)).toEqual([{ reason: 'malformed', action: 'preferences', recipient: OUTSIDER, business_key: null, token_sha256: tokenDigest(valid) }]);
    expect(await preferenceOf(OUTSIDER)).toBeNull();

    const stored = JSON.stringify(await db.query(`SELECT * FROM mail_link_refusal`));
    for (const t of [cut, valid, acknowledge]) expect(stored).not.toContain(t.split('.')[1]);
  });

  it('a genuine link about a notification this address never received -> 404 "unknown"', async () => {
    const stranger = token({ act: 'acknowledge', rcp: OUTSIDER, key: ESCALATION });
    const page = await api.page('POST', `/mail/actions/${stranger}`);
    expect(page.status).toBe(404);
    expect(page.html).toContain('<h1>Bericht niet gevonden</h1>');
    const missing = token({ act: 'confirm-receipt', rcp: PM, key: notificationBusinessKey(programmeWorkflowId('GM0363'), 'nothing', '2027-07-01', reminderFiringKey(1)) });
    expect((await api.page('GET', `/mail/actions/${missing}`)).status).toBe(404);
    expect(await refusalsOf(stranger)).toEqual([{ reason: 'unknown', action: 'acknowledge', recipient: OUTSIDER, business_key: ESCALATION, token_sha256: tokenDigest(stranger) }]);
    expect(await db.query(`SELECT 1 FROM mail_acknowledgement WHERE recipient = $1`, [OUTSIDER])).toEqual([]);
  });
});

describe('notification logs with deliveries', () => {
  it('per step and per owner: each notification with every recipient’s outbox state', async () => {
    const log = await api.request('GET', `/municipalities/GM0363/steps/${STEP}/notifications`);
    expect(log.status).toBe(200);
    expect(log.body.nextCursor).toBeNull();
    expect(log.body.items).toEqual([
      expect.objectContaining({
        businessKey: REMINDER,
        step: STEP,
        kind: 'reminder',
        rung: null,
        dueDate: '2027-07-01',
        rulebookId: RULEBOOK,
        recipients: [PM, ALDERMAN],
        status: 'queued',
        recordedAt: '2027-04-01T07:00:00.000Z',
        deliveries: [
          {
            recipient: PM,
            language: 'nl',
            delivery: 'immediate',
            status: 'sent',
            statusReason: null,
            messageId: '<r-pm@regie>',
            smtpResponse: '250 2.0.0 Ok: queued',
            attempts: 1,
            sentAt: '2027-04-01T07:00:05.000Z',
            digest: null,
          },
          {
            recipient: ALDERMAN,
            language: 'en',
            delivery: 'digest',
            status: 'in-digest',
            statusReason: null,
            messageId: '<r-alderman@regie>',
            smtpResponse: null,
            attempts: 0,
            sentAt: null,
            digest: { messageId: '<digest@regie>', status: 'sent', sentAt: '2027-04-05T06:00:00.000Z' },
          },
        ],
      }),
      expect.objectContaining({
        businessKey: ESCALATION,
        kind: 'escalation',
        rung: 1,
        deliveries: [
          expect.objectContaining({ recipient: PM, status: 'sent', attempts: 2, sentAt: '2027-07-02T07:01:00.000Z' }),
          expect.objectContaining({ recipient: ALDERMAN, status: 'failed', statusReason: 'mailbox unavailable', smtpResponse: '550 5.1.1 No such user', attempts: 5 }),
        ],
      }),
    ]);
    expect((await api.request('GET', '/municipalities/GM0363/notifications')).body).toEqual(log.body);
    // The step's own view holds its whole sent log, unpaged; the sent log pages it.
    expect((await api.request('GET', `/municipalities/GM0363/steps/${STEP}`)).body.notifications).toEqual(log.body.items);
    expect(await api.request('GET', '/municipalities/GM0363/steps/no-such-step/notifications')).toMatchObject({ status: 404, body: { field: 'step' } });
  });
});
