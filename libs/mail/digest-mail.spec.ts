import type { DateDerivation } from '../calendar';
import { DigestMailContext, renderDigestMail } from './digest-mail';
import { mailLinks } from './links';
import type { NotificationMailContext } from './notification-mail';

const derivation = (date: string, text: string): DateDerivation => ({
  date,
  nominal: date,
  rule: 'regelboek',
  shifted: false,
  skipped: [],
  direction: 'none',
  uncoveredYears: [],
  text,
});

const amsterdam = 'https://regie.example/municipalities/GM0363/steps';
const region = 'https://regie.example/regions/CR23/steps';

// Real signed links for one recipient, as the digest activity makes them.
const links = (language: 'nl' | 'en', optional: boolean, action: { kind: 'acknowledge' | 'confirm-receipt'; businessKey: string } | null) =>
  mailLinks({
    secret: 'a-test-secret-of-at-least-32-characters',
    publicBaseUrl: 'https://regie.example',
    recipient: 'wethouder@amsterdam.example',
    language,
    optional,
    action: action && { ...action, validDays: 30 },
    nowMs: Date.UTC(2031, 0, 6, 6),
  });

const reminder = (language: 'nl' | 'en'): NotificationMailContext => ({
  kind: 'reminder',
  ownerName: 'Amsterdam',
  ownerCode: 'GM0363',
  ownerKind: 'municipality',
  stepNameNl: 'Volkshuisvestingsprogramma',
  stepNameEn: 'Housing programme',
  legalBasis: { citation: 'Omgevingswet, gemeentelijk volkshuisvestingsprogramma', verified: true },
  offsetDays: 180,
  dateKind: 'statutory',
  due: derivation('2031-07-01', 'dinsdag 1 juli 2031 (inwerkingtreding zondag 1 juli 2029 + 2 jaar).'),
  previousDue: null,
  overdueSince: null,
  checklist: [
    { nl: 'Ouderen', en: 'Older people' },
    { nl: 'Doorstroming', en: 'Flow-through' },
  ],
  stepUrl: `${amsterdam}/volkshuisvestingsprogramma`,
  rulebookId: 'wvrv-2025-07-01.2',
  // An entry's own preferences and unsubscribe links are ignored: the digest has one footer.
  links: links(language, true, { kind: 'confirm-receipt', businessKey: 'GM0363-volkshuisvestingsprogramma-reminder-180' }),
});

const escalation = (language: 'nl' | 'en'): NotificationMailContext => ({
  ...reminder(language),
  kind: 'escalation',
  rung: 2,
  offsetDays: 14,
  stepNameNl: 'Prestatieafspraken',
  stepNameEn: 'Performance agreements',
  cycleYear: 2031,
  due: {
    ...derivation(
      '2030-12-16',
      'zondag 15 december 2030 (15 december voor het jaar 2031) valt op een zondag; volgens de Algemene termijnenwet (art. 1) verschoven naar maandag 16 december 2030.',
    ),
    nominal: '2030-12-15',
    shifted: true,
  },
  overdueSince: '2030-12-17',
  checklist: [{ nl: 'Ondertekend door de huurdersorganisatie', en: "Signed by the tenants' organisation" }],
  stepUrl: `${amsterdam}/prestatieafspraken`,
  links: links(language, false, { kind: 'acknowledge', businessKey: 'GM0363-prestatieafspraken-2031-escalation-2' }),
});

const changeNotice = (language: 'nl' | 'en'): NotificationMailContext => ({
  ...reminder(language),
  kind: 'change-notice',
  ownerName: 'Groot-Amsterdam',
  ownerCode: 'CR23',
  ownerKind: 'region',
  stepNameNl: 'Woonzorganalyse',
  stepNameEn: 'Housing and care analysis',
  offsetDays: 0,
  dateKind: 'target',
  due: derivation('2031-04-07', 'maandag 7 april 2031 (streefdatum, verschoven door Regio Groot-Amsterdam).'),
  previousDue: derivation('2031-03-03', 'maandag 3 maart 2031 (streefdatum).'),
  checklist: [],
  stepUrl: `${region}/woonzorganalyse`,
  links: links(language, true, { kind: 'confirm-receipt', businessKey: 'CR23-woonzorganalyse-change-1' }),
});

const actionUrl = (entry: NotificationMailContext) => entry.links!.action!.url;

describe('the weekly digest in Dutch', () => {
  const entries = [reminder('nl'), escalation('nl'), changeNotice('nl')];
  // A mandatory notice (verplichte melding) among the entries: the digest cannot be unsubscribed from.
  const digestLinks = links('nl', false, null);
  const ctx: DigestMailContext = {
    language: 'nl',
    organisationName: 'Amsterdam',
    weekOf: '2031-01-06',
    entries,
    links: { preferencesUrl: digestLinks.preferencesUrl, unsubscribeUrl: null },
  };

  it('subject and the whole plain text, word for word, entries in the order given', () => {
    const mail = renderDigestMail(ctx);
    expect(mail.subject).toBe('Regie: weekoverzicht week van maandag 6 januari 2031 voor Amsterdam (3 meldingen)');
    expect(mail.text).toBe(
      [
        'Weekoverzicht voor Amsterdam, week van maandag 6 januari 2031: 3 meldingen.',
        '',
        'Herinnering: Volkshuisvestingsprogramma, Amsterdam (GM0363)',
        'Uiterste datum (wettelijke termijn): dinsdag 1 juli 2031',
        'Hoe deze datum is bepaald: dinsdag 1 juli 2031 (inwerkingtreding zondag 1 juli 2029 + 2 jaar).',
        'Nog af te vinken:',
        '- Ouderen',
        '- Doorstroming',
        `Stap: ${amsterdam}/volkshuisvestingsprogramma`,
        `Bevestig ontvangst: ${actionUrl(entries[0])}`,
        '',
        'Escalatie (trede 2): Prestatieafspraken 2031, Amsterdam (GM0363)',
        'Uiterste datum (wettelijke termijn): maandag 16 december 2030 (verstreken)',
        'Hoe deze datum is bepaald: zondag 15 december 2030 (15 december voor het jaar 2031) valt op een zondag; ' +
          'volgens de Algemene termijnenwet (art. 1) verschoven naar maandag 16 december 2030.',
        'Nog af te vinken:',
        '- Ondertekend door de huurdersorganisatie',
        `Stap: ${amsterdam}/prestatieafspraken`,
        `Bevestig dat u deze escalatie hebt gezien: ${actionUrl(entries[1])}`,
        '',
        'Datum gewijzigd: Woonzorganalyse, regio Groot-Amsterdam (CR23)',
        'Geplande datum (streefdatum): maandag 7 april 2031 (was maandag 3 maart 2031)',
        'Hoe deze datum is bepaald: maandag 7 april 2031 (streefdatum, verschoven door Regio Groot-Amsterdam).',
        'Nog af te vinken:',
        'Niets: alle onderdelen zijn afgevinkt.',
        `Stap: ${region}/woonzorganalyse`,
        `Bevestig ontvangst: ${actionUrl(entries[2])}`,
        '',
        '--',
        'Regie',
        'Dit overzicht bevat een verplichte melding (beleid van het project, geen wettelijke plicht) en kan daarom niet worden uitgezet.',
        `Voorkeuren (direct of wekelijks overzicht): ${digestLinks.preferencesUrl}`,
        '',
      ].join('\n'),
    );
  });

  it("ignores the entries' own preferences and unsubscribe links", () => {
    const own = { preferencesUrl: 'https://regie.example/entry-preferences', unsubscribeUrl: 'https://regie.example/entry-unsubscribe' };
    const mail = renderDigestMail({ ...ctx, entries: entries.map((e) => ({ ...e, links: { ...e.links!, ...own } })) });
    expect(mail.text).toBe(renderDigestMail(ctx).text);
    expect(mail.html).not.toContain('/entry-');
  });

  it('HTML carries the same entries', () => {
    const { html } = renderDigestMail(ctx);
    expect(html).toMatch(/^<!doctype html>\n<html lang="nl">\n/);
    expect(html).toContain('<title>Regie: weekoverzicht week van maandag 6 januari 2031 voor Amsterdam (3 meldingen)</title>');
    expect(html).toContain(
      [
        '<p>Weekoverzicht voor Amsterdam, week van maandag 6 januari 2031: 3 meldingen.</p>',
        '<h2>Herinnering: Volkshuisvestingsprogramma, Amsterdam (GM0363)</h2>',
        '<p>Uiterste datum (wettelijke termijn): <strong>dinsdag 1 juli 2031</strong></p>',
        '<p>Hoe deze datum is bepaald: dinsdag 1 juli 2031 (inwerkingtreding zondag 1 juli 2029 + 2 jaar).</p>',
        '<h3>Nog af te vinken</h3>',
        '<ul>',
        '  <li>Ouderen</li>',
        '  <li>Doorstroming</li>',
        '</ul>',
        `<p>Stap: <a href="${amsterdam}/volkshuisvestingsprogramma">${amsterdam}/volkshuisvestingsprogramma</a></p>`,
        `<p><a href="${actionUrl(entries[0])}">Bevestig ontvangst</a></p>`,
        '<h2>Escalatie (trede 2): Prestatieafspraken 2031, Amsterdam (GM0363)</h2>',
        '<p>Uiterste datum (wettelijke termijn): <strong>maandag 16 december 2030</strong> (verstreken)</p>',
      ].join('\n'),
    );
    expect(html).toContain(`<p><a href="${actionUrl(entries[1])}">Bevestig dat u deze escalatie hebt gezien</a></p>\n<h2>Datum gewijzigd: Woonzorganalyse, regio Groot-Amsterdam (CR23)</h2>`);
    expect(html).toContain('<p>Geplande datum (streefdatum): <strong>maandag 7 april 2031</strong> (was maandag 3 maart 2031)</p>');
    expect(html).toContain(
      [
        '<hr>',
        '<p>Regie</p>',
        '<p>Dit overzicht bevat een verplichte melding (beleid van het project, geen wettelijke plicht) en kan daarom niet worden uitgezet.</p>',
        `<p><a href="${digestLinks.preferencesUrl}">Voorkeuren (direct of wekelijks overzicht)</a></p>`,
        '</body>',
        '</html>',
        '',
      ].join('\n'),
    );
  });

  it('one entry is "1 melding"; without a mandatory notice the digest can be unsubscribed from', () => {
    const optional = links('nl', true, null);
    const mail = renderDigestMail({ ...ctx, entries: [reminder('nl')], links: { preferencesUrl: optional.preferencesUrl, unsubscribeUrl: optional.unsubscribeUrl } });
    expect(mail.subject).toBe('Regie: weekoverzicht week van maandag 6 januari 2031 voor Amsterdam (1 melding)');
    expect(mail.text.slice(mail.text.indexOf('\n--\n') + 1)).toBe(
      '--\nRegie\n' +
        `Wilt u deze herinneringen niet meer ontvangen? Afmelden: ${optional.unsubscribeUrl}\n` +
        `Voorkeuren (direct of wekelijks overzicht): ${optional.preferencesUrl}\n`,
    );
    expect(mail.html).toContain(`<p>Wilt u deze herinneringen niet meer ontvangen? <a href="${optional.unsubscribeUrl}">Afmelden</a></p>`);
  });

  it('a cancellation is "Vervallen", without a checklist; an entry without an action link has none', () => {
    const cancelled: NotificationMailContext = { ...reminder('nl'), kind: 'cancellation', links: undefined };
    const mail = renderDigestMail({ ...ctx, entries: [cancelled] });
    expect(mail.text).toContain(
      [
        'Vervallen: Volkshuisvestingsprogramma, Amsterdam (GM0363)',
        'Uiterste datum (wettelijke termijn): dinsdag 1 juli 2031',
        'Hoe deze datum is bepaald: dinsdag 1 juli 2031 (inwerkingtreding zondag 1 juli 2029 + 2 jaar).',
        `Stap: ${amsterdam}/volkshuisvestingsprogramma`,
        '',
        '--',
      ].join('\n'),
    );
  });

  it('every value from data is escaped in HTML and left as is in plain text', () => {
    const name = 'Bergen <NH> & "Egmond"';
    const mail = renderDigestMail({ ...ctx, organisationName: name, entries: [{ ...reminder('nl'), ownerName: name, checklist: [{ nl: 'Wonen & <b>zorg</b>', en: '' }] }] });
    expect(mail.html).not.toContain('<NH>');
    expect(mail.html).not.toContain('<b>zorg</b>');
    expect(mail.html).toContain('<title>Regie: weekoverzicht week van maandag 6 januari 2031 voor Bergen &lt;NH&gt; &amp; &quot;Egmond&quot; (1 melding)</title>');
    expect(mail.html).toContain('<p>Weekoverzicht voor Bergen &lt;NH&gt; &amp; &quot;Egmond&quot;, week van maandag 6 januari 2031: 1 melding.</p>');
    expect(mail.html).toContain('<h2>Herinnering: Volkshuisvestingsprogramma, Bergen &lt;NH&gt; &amp; &quot;Egmond&quot; (GM0363)</h2>');
    expect(mail.html).toContain('<li>Wonen &amp; &lt;b&gt;zorg&lt;/b&gt;</li>');
    expect(mail.subject).toBe('Regie: weekoverzicht week van maandag 6 januari 2031 voor Bergen <NH> & "Egmond" (1 melding)');
    expect(mail.text).toContain('Herinnering: Volkshuisvestingsprogramma, Bergen <NH> & "Egmond" (GM0363)\n');
  });

  it('names the Monday of the week whatever day of it is given, and refuses an empty digest', () => {
    for (const day of ['2031-01-06', '2031-01-08', '2031-01-12']) {
      expect(renderDigestMail({ ...ctx, weekOf: day }).subject).toBe('Regie: weekoverzicht week van maandag 6 januari 2031 voor Amsterdam (3 meldingen)');
    }
    expect(() => renderDigestMail({ ...ctx, entries: [] })).toThrow('a digest needs at least one entry');
  });
});

describe('the weekly digest in English', () => {
  it('subject and the whole plain text, in the digest\'s language whatever the entries say', () => {
    const entries = [{ ...reminder('en'), language: 'nl' as const }, changeNotice('en')];
    const digestLinks = links('en', true, null);
    const mail = renderDigestMail({
      language: 'en',
      organisationName: 'Amsterdam',
      weekOf: '2031-01-06',
      entries,
      links: { preferencesUrl: digestLinks.preferencesUrl, unsubscribeUrl: digestLinks.unsubscribeUrl },
    });
    expect(mail.subject).toBe('Regie: weekly overview, week of Monday 6 January 2031, for Amsterdam (2 notifications)');
    expect(mail.text).toBe(
      [
        'Weekly overview for Amsterdam, week of Monday 6 January 2031: 2 notifications.',
        '',
        'Reminder: Housing programme, Amsterdam (GM0363)',
        'Final date (statutory deadline): Tuesday 1 July 2031',
        'How this date was determined (as recorded, in Dutch): dinsdag 1 juli 2031 (inwerkingtreding zondag 1 juli 2029 + 2 jaar).',
        'Still to tick off:',
        '- Older people',
        '- Flow-through',
        `Step: ${amsterdam}/volkshuisvestingsprogramma`,
        `Confirm receipt: ${actionUrl(entries[0])}`,
        '',
        'Date changed: Housing and care analysis, region Groot-Amsterdam (CR23)',
        'Planned date (target date): Monday 7 April 2031 (was Monday 3 March 2031)',
        'How this date was determined (as recorded, in Dutch): maandag 7 april 2031 (streefdatum, verschoven door Regio Groot-Amsterdam).',
        'Still to tick off:',
        'Nothing: every item has been ticked off.',
        `Step: ${region}/woonzorganalyse`,
        `Confirm receipt: ${actionUrl(entries[1])}`,
        '',
        '--',
        'Regie',
        `No longer want to receive these reminders? Unsubscribe: ${digestLinks.unsubscribeUrl}`,
        `Preferences (immediately or weekly overview): ${digestLinks.preferencesUrl}`,
        '',
      ].join('\n'),
    );
    expect(mail.html).toMatch(/^<!doctype html>\n<html lang="en">\n/);
    expect(mail.html).toContain('<h2>Reminder: Housing programme, Amsterdam (GM0363)</h2>');
    expect(mail.html).toContain(
      '<p>How this date was determined (as recorded, in Dutch): <span lang="nl">dinsdag 1 juli 2031 (inwerkingtreding zondag 1 juli 2029 + 2 jaar).</span></p>',
    );
    expect(mail.html).toContain(`<p>No longer want to receive these reminders? <a href="${digestLinks.unsubscribeUrl}">Unsubscribe</a></p>`);
  });

  it('an escalation in English is "Escalation (rung n)" with its acknowledgement link', () => {
    const entry = escalation('en');
    const mail = renderDigestMail({ language: 'en', organisationName: 'Amsterdam', weekOf: '2031-01-06', entries: [entry], links: { preferencesUrl: 'https://regie.example/p', unsubscribeUrl: null } });
    expect(mail.text).toContain('Escalation (rung 2): Performance agreements 2031, Amsterdam (GM0363)\nFinal date (statutory deadline): Monday 16 December 2030 (passed)\n');
    expect(mail.text).toContain(`Confirm that you have seen this escalation: ${actionUrl(entry)}\n`);
    expect(mail.text).toMatch(/\n--\nRegie\nThis overview contains a mandatory notice \(project policy, not a statutory duty\), so it cannot be switched off\.\nPreferences \(immediately or weekly overview\): https:\/\/regie\.example\/p\n$/);
  });
});
