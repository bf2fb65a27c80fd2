import type { DateDerivation } from '../calendar';
import { mailLinks } from './links';
import { formatDate, NotificationMailContext, renderNotificationMail } from './notification-mail';

const due: DateDerivation = {
  date: '2028-07-03',
  nominal: '2028-07-01',
  rule: 'inwerkingtreding woensdag 1 juli 2026 + 2 jaar',
  shifted: true,
  skipped: [],
  direction: 'forward',
  uncoveredYears: [],
  text:
    'zaterdag 1 juli 2028 (inwerkingtreding woensdag 1 juli 2026 + 2 jaar) valt op een zaterdag; volgens de Algemene termijnenwet (art. 1) ' +
    'verschoven naar maandag 3 juli 2028 (overgeslagen: zaterdag 1 juli 2028 – zaterdag; zondag 2 juli 2028 – zondag).',
};
const stepUrl = 'https://regie.example/municipalities/GM0363/steps/volkshuisvestingsprogramma';

const programme = (over: Partial<NotificationMailContext> = {}): NotificationMailContext => ({
  kind: 'reminder',
  ownerName: 'Amsterdam',
  ownerCode: 'GM0363',
  ownerKind: 'municipality',
  stepNameNl: 'Volkshuisvestingsprogramma',
  stepNameEn: 'Housing programme',
  legalBasis: { citation: 'Omgevingswet, gemeentelijk volkshuisvestingsprogramma', verified: false },
  offsetDays: 180,
  dateKind: 'statutory',
  due,
  previousDue: null,
  overdueSince: null,
  checklist: [
    { nl: 'Ouderen', en: 'Older people' },
    { nl: 'Doorstroming', en: 'Flow-through' },
  ],
  stepUrl,
  rulebookId: 'wvrv-2025-07-01.2',
  ...over,
});

describe('Dutch notification mails (the default language)', () => {
  it('a reminder for a statutory term: subject and the whole plain text, word for word', () => {
    const mail = renderNotificationMail(programme());
    expect(mail.subject).toBe('Herinnering: Volkshuisvestingsprogramma Amsterdam – uiterlijk maandag 3 juli 2028');
    expect(mail.text).toBe(
      [
        'Over 180 dagen verloopt de wettelijke termijn voor het volkshuisvestingsprogramma van Amsterdam (GM0363).',
        '',
        'Stap:',
        'Volkshuisvestingsprogramma',
        '',
        'Gemeente:',
        'Amsterdam (GM0363)',
        '',
        'Wettelijke grondslag:',
        'Omgevingswet, gemeentelijk volkshuisvestingsprogramma (grondslag nog niet geverifieerd)',
        '',
        'Uiterste datum (wettelijke termijn):',
        'maandag 3 juli 2028',
        '',
        'Hoe deze datum is bepaald:',
        due.text,
        '',
        'Nog af te vinken:',
        '- Ouderen',
        '- Doorstroming',
        '',
        'Wat nu:',
        `Leg de voortgang en het bewijs (raadsbesluit of publicatie) vast bij de stap: ${stepUrl}`,
        '',
        'Agenda:',
        'Deze mail bevat een agenda-uitnodiging voor maandag 3 juli 2028. Verschuift de datum, dan schuift dezelfde afspraak in uw agenda mee.',
        '',
        '--',
        'Regie, regelboek wvrv-2025-07-01.2',
        '',
      ].join('\n'),
    );
  });

  it('a reminder the day before says "1 dag", and a finished checklist says so', () => {
    const mail = renderNotificationMail(programme({ offsetDays: 1, checklist: [] }));
    expect(mail.text).toContain('Over 1 dag verloopt de wettelijke termijn');
    expect(mail.text).toContain('Nog af te vinken:\nNiets: alle onderdelen zijn afgevinkt.\n\nWat nu:');
    expect(mail.html).toContain('<h3>Nog af te vinken</h3>\n<p>Niets: alle onderdelen zijn afgevinkt.</p>');
  });

  it('an escalation names its rung and since when the step is overdue', () => {
    const mail = renderNotificationMail(programme({ kind: 'escalation', rung: 2, offsetDays: 14, overdueSince: '2028-07-04' }));
    expect(mail.subject).toBe('Termijn verstreken: Volkshuisvestingsprogramma Amsterdam – maandag 3 juli 2028 (escalatie, trede 2)');
    expect(mail.text.split('\n')[0]).toBe(
      'De wettelijke termijn voor het volkshuisvestingsprogramma van Amsterdam (GM0363) is verstreken (te laat sinds dinsdag 4 juli 2028) ' +
        'en de stap is nog niet afgerond. Dit is trede 2 van de escalatieladder.',
    );
    expect(mail.text).toContain(`Wat nu:\nRond de stap zo snel mogelijk af en leg de voortgang en het bewijs (raadsbesluit of publicatie) vast bij de stap: ${stepUrl}\n`);
    expect(mail.html).toContain('Dit is <strong>trede 2</strong> van de escalatieladder.');
  });

  it('an escalation says who is told now and who was told at the earlier rungs', () => {
    const told = { now: ['regio@groot-amsterdam.example'], earlier: [{ rung: 1, recipients: ['pm@amsterdam.example', 'wethouder@amsterdam.example'] }] };
    const mail = renderNotificationMail(programme({ kind: 'escalation', rung: 2, offsetDays: 14, overdueSince: '2028-07-04', told }));
    expect(mail.text).toContain(
      'Geïnformeerd:\n- regio@groot-amsterdam.example (deze trede)\n- pm@amsterdam.example, wethouder@amsterdam.example (trede 1)\n',
    );
    expect(mail.html).toContain('<li>regio@groot-amsterdam.example (deze trede)</li><li>pm@amsterdam.example, wethouder@amsterdam.example (trede 1)</li>');
    expect(renderNotificationMail(programme({ kind: 'escalation', rung: 2, offsetDays: 14, told, language: 'en' })).text).toContain(
      'Told:\n- regio@groot-amsterdam.example (this rung)\n- pm@amsterdam.example, wethouder@amsterdam.example (rung 1)\n',
    );
  });

  it('a change notice gives the old and the new date', () => {
    const moved: DateDerivation = { ...due, date: '2028-10-02', rule: 'verlenging verleend door Provincie Noord-Holland', text: 'maandag 2 oktober 2028 (verlenging verleend door Provincie Noord-Holland).' };
    const mail = renderNotificationMail(programme({ kind: 'change-notice', offsetDays: 0, due: moved, previousDue: due }));
    expect(mail.subject).toBe('Nieuwe datum: Volkshuisvestingsprogramma Amsterdam – uiterlijk maandag 2 oktober 2028');
    expect(mail.text.split('\n')[0]).toBe(
      'De wettelijke termijn voor het volkshuisvestingsprogramma van Amsterdam (GM0363) is gewijzigd: was maandag 3 juli 2028, nu maandag 2 oktober 2028.',
    );
    expect(mail.text).toContain('Hoe deze datum is bepaald:\nmaandag 2 oktober 2028 (verlenging verleend door Provincie Noord-Holland).\n');
    expect(mail.text).toContain('Agenda:\nDeze mail bevat de bijgewerkte agenda-uitnodiging: de afspraak in uw agenda verschuift naar maandag 2 oktober 2028.\n');
  });

  it('a cancellation says the step is waived, with nothing left to tick off', () => {
    const mail = renderNotificationMail(programme({ kind: 'cancellation', offsetDays: 0 }));
    expect(mail.subject).toBe('Vervallen: Volkshuisvestingsprogramma Amsterdam – maandag 3 juli 2028');
    expect(mail.text.split('\n')[0]).toBe('De stap volkshuisvestingsprogramma van Amsterdam (GM0363) is vervallen (ontheffing); er volgen geen herinneringen meer.');
    expect(mail.text).not.toContain('Nog af te vinken');
    expect(mail.text).toContain(`Wat nu:\nNiets meer. De ontheffing en de geschiedenis van de stap blijven te zien bij de stap: ${stepUrl}\n`);
    expect(mail.text).toContain('Agenda:\nDeze mail bevat een annulering: de afspraak voor maandag 3 juli 2028 verdwijnt uit uw agenda.\n');
  });

  it('a planned date (streefdatum) of a region is "gepland", never a "wettelijke termijn"', () => {
    const target: DateDerivation = {
      ...due,
      date: '2027-03-01',
      nominal: '2027-03-01',
      rule: 'streefdatum, vastgesteld door Regio Groot-Amsterdam',
      shifted: false,
      direction: 'none',
      text: 'maandag 1 maart 2027 (streefdatum, vastgesteld door Regio Groot-Amsterdam).',
    };
    const ctx = programme({
      ownerName: 'Groot-Amsterdam',
      ownerCode: 'CR23',
      ownerKind: 'region',
      stepNameNl: 'Woonzorganalyse (behoefteanalyse wonen en zorg)',
      stepNameEn: 'Housing and care analysis',
      offsetDays: 30,
      dateKind: 'target',
      due: target,
    });
    for (const kind of ['reminder', 'escalation', 'change-notice', 'cancellation'] as const) {
      const mail = renderNotificationMail({ ...ctx, kind, rung: 1, overdueSince: '2027-03-02', previousDue: due });
      for (const part of [mail.subject, mail.text, mail.html, mail.calendar.summary, mail.calendar.description]) expect(part).not.toContain('wettelijke termijn');
    }
    const mail = renderNotificationMail(ctx);
    expect(mail.subject).toBe('Herinnering: Woonzorganalyse (behoefteanalyse wonen en zorg) Groot-Amsterdam – gepland maandag 1 maart 2027');
    expect(mail.text).toContain(
      'Over 30 dagen verloopt de geplande datum (streefdatum) voor het woonzorganalyse (behoefteanalyse wonen en zorg) van regio Groot-Amsterdam (CR23).',
    );
    expect(mail.text).toContain('Regio:\nGroot-Amsterdam (CR23)\n');
    expect(mail.text).toContain('Geplande datum (streefdatum):\nmaandag 1 maart 2027\n');
    expect(mail.calendar.summary).toBe('Geplande datum: Woonzorganalyse (behoefteanalyse wonen en zorg) Groot-Amsterdam');
  });

  it('marks a legal basis that is not yet verified, and only that one', () => {
    const unverified = renderNotificationMail(programme());
    expect(unverified.text).toContain('Wettelijke grondslag:\nOmgevingswet, gemeentelijk volkshuisvestingsprogramma (grondslag nog niet geverifieerd)\n');
    expect(unverified.html).toContain('<p>Omgevingswet, gemeentelijk volkshuisvestingsprogramma <em>(grondslag nog niet geverifieerd)</em></p>');
    expect(unverified.calendar.description).toContain('Wettelijke grondslag: Omgevingswet, gemeentelijk volkshuisvestingsprogramma (grondslag nog niet geverifieerd)');
    const verified = renderNotificationMail(programme({ legalBasis: { citation: 'Wmo 2015, art. 2.1.2', verified: true } }));
    expect(verified.text).toContain('Wettelijke grondslag:\nWmo 2015, art. 2.1.2\n');
    expect(`${verified.text}${verified.html}${verified.calendar.description}`).not.toContain('geverifieerd');
  });

  it('names a yearly step with its cycle year', () => {
    const mail = renderNotificationMail(programme({ stepNameNl: 'Prestatieafspraken', stepNameEn: 'Performance agreements', cycleYear: 2028 }));
    expect(mail.subject).toBe('Herinnering: Prestatieafspraken 2028 Amsterdam – uiterlijk maandag 3 juli 2028');
    expect(mail.text).toContain('voor het prestatieafspraken 2028 van Amsterdam (GM0363).');
  });

  it('HTML carries the same content and escapes every value from data', () => {
    const mail = renderNotificationMail(
      programme({
        ownerName: 'Bergen <script>alert(1)</script> & "Co"',
        checklist: [{ nl: 'Wonen & <b>zorg</b>', en: 'Housing & care' }],
        stepUrl: 'https://regie.example/municipalities/GM0363/steps/a"onmouseover="x',
      }),
    );
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>zorg</b>');
    expect(mail.html).not.toContain('a"onmouseover');
    expect(mail.html).toContain('<p>Bergen &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot; (GM0363)</p>');
    expect(mail.html).toContain('<li>Wonen &amp; &lt;b&gt;zorg&lt;/b&gt;</li>');
    expect(mail.html).toContain('<title>Herinnering: Volkshuisvestingsprogramma Bergen &lt;script&gt;');
    expect(mail.html).toMatch(/^<!doctype html>\n<html lang="nl">/);
    expect(mail.html).toContain('<h3>Uiterste datum (wettelijke termijn)</h3>\n<p><strong>maandag 3 juli 2028</strong></p>');
    // Plain text is not HTML: it carries the values as they are.
    expect(mail.text).toContain('Gemeente:\nBergen <script>alert(1)</script> & "Co" (GM0363)\n');
  });
});

describe('English notification mails', () => {
  it('a reminder in English: subject, names, dates and checklist in English; the recorded derivation stays Dutch', () => {
    const mail = renderNotificationMail(programme({ language: 'en' }));
    expect(mail.subject).toBe('Reminder: Housing programme Amsterdam – due Monday 3 July 2028');
    expect(mail.text).toContain('The statutory deadline for the housing programme of Amsterdam (GM0363) is in 180 days.\n\nStep:\nHousing programme\n\nMunicipality:\nAmsterdam (GM0363)\n');
    expect(mail.text).toContain('Legal basis:\nOmgevingswet, gemeentelijk volkshuisvestingsprogramma (legal basis not yet verified)\n');
    expect(mail.text).toContain('Final date (statutory deadline):\nMonday 3 July 2028\n');
    expect(mail.text).toContain(`How this date was determined (as recorded, in Dutch):\n${due.text}\n`);
    expect(mail.text).toContain('Still to tick off:\n- Older people\n- Flow-through\n');
    expect(mail.text).toContain(`What next:\nRecord the progress and the evidence (council decision or publication) on the step: ${stepUrl}\n`);
    expect(mail.text).toMatch(/--\nRegie, rulebook wvrv-2025-07-01\.2\n$/);
    expect(mail.html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(mail.calendar.summary).toBe('Deadline: Housing programme Amsterdam');
  });

  it('each kind has its English wording', () => {
    const en = (over: Partial<NotificationMailContext>) => renderNotificationMail(programme({ language: 'en', ...over }));
    expect(en({ kind: 'escalation', rung: 1, overdueSince: '2028-07-04' }).subject).toBe('Deadline passed: Housing programme Amsterdam – Monday 3 July 2028 (escalation, rung 1)');
    expect(en({ kind: 'escalation', rung: 1, overdueSince: '2028-07-04' }).text).toContain('has passed (overdue since Tuesday 4 July 2028) and the step is not yet complete. This is rung 1 of the escalation ladder.');
    expect(en({ kind: 'change-notice', previousDue: { ...due, date: '2028-04-03' } }).text).toContain('has changed: was Monday 3 April 2028, now Monday 3 July 2028.');
    expect(en({ kind: 'cancellation' }).subject).toBe('Cancelled: Housing programme Amsterdam – Monday 3 July 2028');
    expect(en({ dateKind: 'target' }).subject).toBe('Reminder: Housing programme Amsterdam – planned Monday 3 July 2028');
    expect(en({ dateKind: 'target' }).text).toContain('Planned date (target date):\nMonday 3 July 2028\n');
  });
});

describe('links in a mail', () => {
  // Real signed links, as the notification activity makes them for one recipient.
  const linksFor = (language: 'nl' | 'en', optional: boolean, kind: 'acknowledge' | 'confirm-receipt') =>
    mailLinks({
      secret: 'a-test-secret-of-at-least-32-characters',
      publicBaseUrl: 'https://regie.example/',
      recipient: 'pm@amsterdam.example',
      language,
      optional,
      action: { kind, businessKey: 'GM0363-volkshuisvestingsprogramma-2028-07-03', validDays: 30 },
      nowMs: Date.UTC(2028, 0, 5),
    });
  const reminderLinks = (language: 'nl' | 'en') => linksFor(language, true, 'confirm-receipt');
  const mandatoryLinks = (language: 'nl' | 'en') => linksFor(language, false, 'acknowledge');
  const mandatoryEscalation = { kind: 'escalation', rung: 2, offsetDays: 14, overdueSince: '2028-07-04' } as const;
  const footer = (text: string) => text.slice(text.lastIndexOf('\n--\n') + 1);

  it('a reminder asks to confirm receipt and ends with unsubscribe and preferences (Dutch)', () => {
    const links = reminderLinks('nl');
    const mail = renderNotificationMail(programme({ links }));
    expect(mail.text.slice(mail.text.indexOf('Wat nu:'))).toBe(
      [
        'Wat nu:',
        `Leg de voortgang en het bewijs (raadsbesluit of publicatie) vast bij de stap: ${stepUrl}`,
        `Bevestig ontvangst: ${links.action!.url}`,
        '',
        'Agenda:',
        'Deze mail bevat een agenda-uitnodiging voor maandag 3 juli 2028. Verschuift de datum, dan schuift dezelfde afspraak in uw agenda mee.',
        '',
        '--',
        'Regie, regelboek wvrv-2025-07-01.2',
        `Wilt u deze herinneringen niet meer ontvangen? Afmelden: ${links.unsubscribeUrl}`,
        `Voorkeuren (direct of wekelijks overzicht): ${links.preferencesUrl}`,
        '',
      ].join('\n'),
    );
    expect(links.action!.url).toMatch(/^https:\/\/regie\.example\/mail\/actions\/[\w-]+\.[\w-]{43}$/);
    expect(mail.html).toContain(
      `<a href="${stepUrl}">${stepUrl}</a></p>\n<p><a href="${links.action!.url}">Bevestig ontvangst</a></p>\n<h3>Agenda</h3>`,
    );
    expect(mail.html).toContain(
      [
        '<hr>',
        '<p>Regie, regelboek wvrv-2025-07-01.2</p>',
        `<p>Wilt u deze herinneringen niet meer ontvangen? <a href="${links.unsubscribeUrl}">Afmelden</a></p>`,
        `<p><a href="${links.preferencesUrl}">Voorkeuren (direct of wekelijks overzicht)</a></p>`,
        '</body>',
      ].join('\n'),
    );
  });

  it('a mandatory notice (verplichte melding, project policy) asks to acknowledge it and says it cannot be switched off, only moved to the weekly overview (Dutch)', () => {
    const links = mandatoryLinks('nl');
    expect(links.unsubscribeUrl).toBeNull();
    const mail = renderNotificationMail(programme({ ...mandatoryEscalation, links }));
    expect(mail.text).toContain(
      `vast bij de stap: ${stepUrl}\nBevestig dat u deze escalatie hebt gezien: ${links.action!.url}\n\nAgenda:\n`,
    );
    expect(footer(mail.text)).toBe(
      '--\nRegie, regelboek wvrv-2025-07-01.2\n' +
        `Dit is een verplichte melding (beleid van het project, geen wettelijke plicht) en kan niet worden uitgezet. U kunt haar wel in het wekelijkse overzicht ontvangen: ${links.preferencesUrl}\n`,
    );
    expect(mail.text).not.toContain('Afmelden');
    expect(mail.html).toContain(`<p><a href="${links.action!.url}">Bevestig dat u deze escalatie hebt gezien</a></p>`);
    expect(mail.html).toContain(
      '<p>Regie, regelboek wvrv-2025-07-01.2</p>\n' +
        `<p>Dit is een verplichte melding (beleid van het project, geen wettelijke plicht) en kan niet worden uitgezet. U kunt haar wel <a href="${links.preferencesUrl}">in het wekelijkse overzicht ontvangen</a>.</p>\n</body>`,
    );
  });

  it('the same links in English', () => {
    const optional = reminderLinks('en');
    const reminder = renderNotificationMail(programme({ language: 'en', links: optional }));
    expect(reminder.text).toContain(`on the step: ${stepUrl}\nConfirm receipt: ${optional.action!.url}\n\nCalendar:\n`);
    expect(footer(reminder.text)).toBe(
      '--\nRegie, rulebook wvrv-2025-07-01.2\n' +
        `No longer want to receive these reminders? Unsubscribe: ${optional.unsubscribeUrl}\n` +
        `Preferences (immediately or weekly overview): ${optional.preferencesUrl}\n`,
    );
    expect(reminder.html).toContain(`<p><a href="${optional.action!.url}">Confirm receipt</a></p>`);
    expect(reminder.html).toContain(`<p>No longer want to receive these reminders? <a href="${optional.unsubscribeUrl}">Unsubscribe</a></p>`);

    const mandatory = mandatoryLinks('en');
    const escalation = renderNotificationMail(programme({ ...mandatoryEscalation, language: 'en', links: mandatory }));
    expect(escalation.text).toContain(`on the step: ${stepUrl}\nConfirm that you have seen this escalation: ${mandatory.action!.url}\n\nCalendar:\n`);
    expect(footer(escalation.text)).toBe(
      '--\nRegie, rulebook wvrv-2025-07-01.2\n' +
        `This is a mandatory notice (project policy, not a statutory duty) and cannot be switched off. You can receive it in the weekly overview instead: ${mandatory.preferencesUrl}\n`,
    );
    expect(escalation.html).toContain(
      `<p>This is a mandatory notice (project policy, not a statutory duty) and cannot be switched off. You can <a href="${mandatory.preferencesUrl}">receive it in the weekly overview</a> instead.</p>`,
    );
  });

  it('a link is escaped in HTML and left as is in plain text', () => {
    const url = 'https://regie.example/mail/actions/x"onmouseover="y&z';
    const mail = renderNotificationMail(programme({ links: { preferencesUrl: url, unsubscribeUrl: url, action: { kind: 'confirm-receipt', url } } }));
    expect(mail.html).not.toContain('x"onmouseover');
    expect(mail.html).toContain('<a href="https://regie.example/mail/actions/x&quot;onmouseover&#x3D;&quot;y&amp;z">Bevestig ontvangst</a>');
    expect(mail.text).toContain(`Bevestig ontvangst: ${url}\n`);
  });

  it('without links every kind is as before: no link section at all', () => {
    for (const kind of ['reminder', 'escalation', 'change-notice', 'cancellation'] as const) {
      for (const language of ['nl', 'en'] as const) {
        const mail = renderNotificationMail(programme({ kind, language, rung: 1 }));
        for (const part of [mail.text, mail.html]) expect(part).not.toMatch(/Bevestig|Afmelden|Voorkeuren|wekelijks|Confirm|Unsubscribe|Preferences|weekly/);
        expect(mail.text).toMatch(/\n--\nRegie, (regelboek|rulebook) wvrv-2025-07-01\.2\n$/);
        expect(mail.html).toMatch(/<hr>\n<p>Regie, (regelboek|rulebook) wvrv-2025-07-01\.2<\/p>\n<\/body>\n<\/html>\n$/);
      }
    }
  });

  it('a change notice and a cancellation carry their links too', () => {
    const links = reminderLinks('nl');
    const changed = renderNotificationMail(programme({ kind: 'change-notice', links }));
    expect(changed.text).toContain(`vast bij de stap: ${stepUrl}\nBevestig ontvangst: ${links.action!.url}\n\nAgenda:\n`);
    const cancelled = renderNotificationMail(programme({ kind: 'cancellation', links }));
    expect(cancelled.text).toContain(`blijven te zien bij de stap: ${stepUrl}\nBevestig ontvangst: ${links.action!.url}\n\nAgenda:\n`);
    for (const mail of [changed, cancelled]) {
      expect(footer(mail.text)).toBe(
        '--\nRegie, regelboek wvrv-2025-07-01.2\n' +
          `Wilt u deze herinneringen niet meer ontvangen? Afmelden: ${links.unsubscribeUrl}\n` +
          `Voorkeuren (direct of wekelijks overzicht): ${links.preferencesUrl}\n`,
      );
      expect(mail.html).toContain(`<a href="${links.unsubscribeUrl}">Afmelden</a>`);
    }
  });
});

describe('formatDate', () => {
  it('always names the weekday, in the mail\'s language', () => {
    expect(formatDate('2027-07-01', 'nl')).toBe('donderdag 1 juli 2027');
    expect(formatDate('2027-07-01', 'en')).toBe('Thursday 1 July 2027');
    expect(formatDate('2028-02-29', 'en')).toBe('Tuesday 29 February 2028');
  });
});
