import { weekday } from './dates';
import type { DecreeDays, TermCalendar } from './termijnenwet';
import {
  FIXED_DATE_WORDINGS,
  FixedDateSpec,
  SOURCE_LEVELS,
  TERM_DIRECTIONS,
  TERM_SUBJECTS,
  TERM_UNITS,
  TermSpec,
  fixedDateEnd,
  statutoryTermEnd,
} from './terms';

// Sample decree data (Atw art. 3 lid 3): in production this comes from the rulebook, never from code.
const DECREE_2026_2028: DecreeDays = {
  decree:
    'Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 en 26 mei 2028 met een algemeen erkende feestdag',
  years: [2026, 2027, 2028],
  days: ['2026-01-02', '2026-05-15', '2027-05-07', '2028-04-28', '2028-05-26'],
};
const cal: TermCalendar = { decrees: [DECREE_2026_2028] };
const noDecrees: TermCalendar = { decrees: [] };

/** A term in a formal law counted forward from `from`; override what a case needs. */
const term = (amount: number, unit: TermSpec['unit'], extra: Partial<TermSpec> = {}): TermSpec => ({
  amount,
  unit,
  direction: 'after',
  level: 'formal-law',
  from: 'instructie',
  ...extra,
});
const skippedDays = (d: { skipped: { date: string; reason: string }[] }) => d.skipped.map((s) => `${s.date} ${s.reason}`);
const NOTE_2029 =
  ' Let op: voor 2029 is nog geen besluit (Atw art. 3 lid 3) bekend; bij besluit gelijkgestelde dagen zijn voor dat jaar nog onbekend en niet meegenomen.';
const GOEDE_VRIJDAG_2027_SHIFT =
  'vrijdag 26 maart 2027 (ontvangst 12 februari 2027 + 6 weken) valt op Goede Vrijdag, gelijkgesteld met een algemeen erkende feestdag volgens Atw art. 3 lid 2; ' +
  'volgens de Algemene termijnenwet (art. 1 lid 1) verschoven naar dinsdag 30 maart 2027 ' +
  '(overgeslagen: vrijdag 26 maart 2027 – Goede Vrijdag; zaterdag 27 maart 2027 – zaterdag; zondag 28 maart 2027 – zondag; maandag 29 maart 2027 – Tweede Paasdag).';
const sixWeeks = (level: TermSpec['level']) => term(6, 'weeks', { level, from: 'ontvangst 12 februari 2027' });

describe('the enumerations', () => {
  it('are listed once, in this order', () => {
    expect(TERM_UNITS).toEqual(['hours', 'days', 'weeks', 'months', 'years']);
    expect(SOURCE_LEVELS).toEqual(['formal-law', 'amvb', 'ministerial-regulation', 'practice']);
    expect(TERM_SUBJECTS).toEqual(['general', 'publication-entry-into-force', 'deprivation-of-liberty']);
    expect(TERM_DIRECTIONS).toEqual(['after', 'before']);
    expect(FIXED_DATE_WORDINGS).toEqual(['uiterlijk', 'voor']);
  });
});

describe('statutoryTermEnd — the programme and ordinance term (art. 4 onder a)', () => {
  it('two years from entry into force on 1 July 2026 end on Saturday 1 July 2028, unshifted', () => {
    const r = statutoryTermEnd('2026-07-01', term(2, 'years', { from: 'inwerkingtreding 1 juli 2026' }), cal);
    expect(weekday(r.date)).toBe(6);
    expect(r).toEqual({
      date: '2028-07-01',
      nominal: '2028-07-01',
      rule: 'inwerkingtreding 1 juli 2026 + 2 jaar',
      shifted: false,
      skipped: [],
      direction: 'none',
      uncoveredYears: [],
      text: 'zaterdag 1 juli 2028 (inwerkingtreding 1 juli 2026 + 2 jaar); de Algemene termijnenwet is niet van toepassing (art. 4 onder a: termijn in jaren).',
      atw: { applies: false, article: 'art. 4 onder a', reading: null },
    });
  });
});

describe('statutoryTermEnd — art. 1 lid 1 and art. 3', () => {
  it('art. 3 lid 2: a six-week term ending on Goede Vrijdag moves to the Tuesday after Easter', () => {
    const r = statutoryTermEnd('2027-02-12', sixWeeks('formal-law'), cal);
    expect(r.date).toBe('2027-03-30');
    expect(r.nominal).toBe('2027-03-26');
    expect(r.shifted).toBe(true);
    expect(r.direction).toBe('forward');
    expect(skippedDays(r)).toEqual(['2027-03-26 Goede Vrijdag', '2027-03-27 zaterdag', '2027-03-28 zondag', '2027-03-29 Tweede Paasdag']);
    expect(r.uncoveredYears).toEqual([]);
    expect(r.text).toBe(GOEDE_VRIJDAG_2027_SHIFT);
    expect(r.atw).toEqual({ applies: true, article: 'art. 1 lid 1', reading: null });
  });

  it('a weekend end moves to Monday', () => {
    const r = statutoryTermEnd('2027-03-03', term(10, 'days'), cal);
    expect(r.date).toBe('2027-03-15');
    expect(r.text).toBe(
      'zaterdag 13 maart 2027 (instructie + 10 dagen) valt op een zaterdag; volgens de Algemene termijnenwet (art. 1 lid 1) verschoven naar ' +
        'maandag 15 maart 2027 (overgeslagen: zaterdag 13 maart 2027 – zaterdag; zondag 14 maart 2027 – zondag).',
    );
  });

  it('art. 3 lid 1: Koningsdag (Tuesday 27 April 2027) moves to Wednesday', () => {
    const r = statutoryTermEnd('2027-03-30', term(4, 'weeks'), cal);
    expect(r.date).toBe('2027-04-28');
    expect(r.text).toContain('dinsdag 27 april 2027 (instructie + 4 weken) valt op Koningsdag, een algemeen erkende feestdag volgens Atw art. 3 lid 1;');
    expect(r.text).toContain('(art. 1 lid 1) verschoven naar woensdag 28 april 2027');
  });

  it('art. 3 lid 3: a decree day (Friday 7 May 2027) and the weekend move the end to Monday', () => {
    const r = statutoryTermEnd('2027-04-23', term(2, 'weeks'), cal);
    expect(r.date).toBe('2027-05-10');
    expect(skippedDays(r)).toEqual(['2027-05-07 bij besluit gelijkgestelde dag', '2027-05-08 zaterdag', '2027-05-09 zondag']);
    expect(r.skipped[0].basis).toBe(`Atw art. 3 lid 3 (${DECREE_2026_2028.decree})`);
    expect(r.text).toContain(`valt op een dag die gelijkgesteld is met een algemeen erkende feestdag volgens Atw art. 3 lid 3 (${DECREE_2026_2028.decree});`);
  });

  it('art. 3 lid 3: without the decree the day is not moved, and the text says the year is not covered', () => {
    const r = statutoryTermEnd('2027-04-23', term(2, 'weeks'), noDecrees);
    expect(r.date).toBe('2027-05-07');
    expect(r.uncoveredYears).toEqual([2027]);
    expect(r.text).toBe(
      'vrijdag 7 mei 2027 (instructie + 2 weken); geen verschuiving: een werkdag volgens de Algemene termijnenwet (art. 1 lid 1).' +
        ' Let op: voor 2027 is nog geen besluit (Atw art. 3 lid 3) bekend; bij besluit gelijkgestelde dagen zijn voor dat jaar nog onbekend en niet meegenomen.',
    );
  });

  it('art. 3 lid 3: a shift into a year without a decree carries the note (Goede Vrijdag 2029)', () => {
    const r = statutoryTermEnd('2029-02-16', term(6, 'weeks', { from: 'ontvangst 16 februari 2029' }), cal);
    expect(r.date).toBe('2029-04-03');
    expect(r.uncoveredYears).toEqual([2029]);
    expect(r.text).toMatch(/verschoven naar dinsdag 3 april 2029 \(overgeslagen: .*\)\. Let op: voor 2029 /);
    expect(r.text.endsWith(NOTE_2029)).toBe(true);
  });

  it('a working-day end stays, naming art. 1 lid 1', () => {
    const r = statutoryTermEnd('2027-03-09', term(3, 'days'), cal);
    expect(r.date).toBe('2027-03-12');
    expect(r.shifted).toBe(false);
    expect(r.text).toBe('vrijdag 12 maart 2027 (instructie + 3 dagen); geen verschuiving: een werkdag volgens de Algemene termijnenwet (art. 1 lid 1).');
    expect(r.atw).toEqual({ applies: true, article: 'art. 1 lid 1', reading: null });
  });

  it('months keep the day of the month, clamped to the last day: 31 January + 1 month = Sunday 28 February 2027', () => {
    const r = statutoryTermEnd('2027-01-31', term(1, 'months'), cal);
    expect(r.nominal).toBe('2027-02-28');
    expect(r.date).toBe('2027-03-01');
    expect(r.rule).toBe('instructie + 1 maand');
    expect(statutoryTermEnd('2028-01-31', term(1, 'months'), cal).date).toBe('2028-02-29');
  });
});

describe('statutoryTermEnd — art. 1 lid 2 (counted back)', () => {
  it('a term counted back that ends on Koningsdag is not moved', () => {
    const r = statutoryTermEnd('2027-05-07', term(10, 'days', { direction: 'before', from: 'vergadering 7 mei 2027' }), cal);
    expect(r.date).toBe('2027-04-27');
    expect(r.shifted).toBe(false);
    expect(r.uncoveredYears).toEqual([]);
    expect(r.text).toBe(
      'dinsdag 27 april 2027 (vergadering 7 mei 2027 - 10 dagen); de Algemene termijnenwet is niet van toepassing ' +
        '(art. 1 lid 2: termijn bepaald door terugrekening vanaf een tijdstip of gebeurtenis).',
    );
    expect(r.atw).toEqual({ applies: false, article: 'art. 1 lid 2', reading: null });
  });

  it('on a Sunday too; weeks and months count back the same way', () => {
    expect(statutoryTermEnd('2027-03-08', term(8, 'days', { direction: 'before' }), cal).date).toBe('2027-02-28');
    expect(statutoryTermEnd('2027-03-14', term(2, 'weeks', { direction: 'before' }), cal).date).toBe('2027-02-28');
    expect(statutoryTermEnd('2027-03-31', term(1, 'months', { direction: 'before' }), cal).date).toBe('2027-02-28');
  });
});

describe('statutoryTermEnd — art. 2 (at least two working days in a term of three days or more)', () => {
  it('art. 1 and art. 2: three days from Thursday 2 April 2026 end on Wednesday 8 April', () => {
    // Fri 3 Goede Vrijdag, Sat 4, Sun 5 (end) -> art. 1: Mon 6 Tweede Paasdag -> Tue 7, the only working day -> art. 2: Wed 8.
    const r = statutoryTermEnd('2026-04-02', term(3, 'days', { from: 'instructie van 2 april 2026' }), cal);
    expect(r.date).toBe('2026-04-08');
    expect(skippedDays(r)).toEqual(['2026-04-05 zondag', '2026-04-06 Tweede Paasdag']);
    expect(r.text).toBe(
      'zondag 5 april 2026 (instructie van 2 april 2026 + 3 dagen) valt op een zondag; volgens de Algemene termijnenwet (art. 1 lid 1) verschoven naar ' +
        'dinsdag 7 april 2026 (overgeslagen: zondag 5 april 2026 – zondag; maandag 6 april 2026 – Tweede Paasdag); ' +
        'de termijn bevat dan maar één dag die geen zaterdag, zondag of algemeen erkende feestdag is, ' +
        'dus volgens de Algemene termijnenwet (art. 2) verlengd tot woensdag 8 april 2026.',
    );
    expect(r.atw).toEqual({ applies: true, article: 'art. 1 lid 1 en art. 2', reading: null });
  });

  it('art. 2 alone: three days from Friday 6 March 2026 end on Monday, a working day, but the term holds only that one', () => {
    const r = statutoryTermEnd('2026-03-06', term(3, 'days'), cal);
    expect(r.nominal).toBe('2026-03-09');
    expect(r.date).toBe('2026-03-10');
    expect(r.shifted).toBe(true);
    expect(r.direction).toBe('forward');
    expect(r.skipped).toEqual([]);
    expect(r.text).toBe(
      'maandag 9 maart 2026 (instructie + 3 dagen); de termijn bevat maar één dag die geen zaterdag, zondag of algemeen erkende feestdag is, ' +
        'dus volgens de Algemene termijnenwet (art. 2) verlengd tot dinsdag 10 maart 2026.',
    );
    expect(r.atw).toEqual({ applies: true, article: 'art. 2', reading: null });
  });

  it('art. 2 alone around a holiday Monday: four days from Friday 22 May 2026 (Tweede Pinksterdag 25 May) end on Wednesday 27 May', () => {
    const r = statutoryTermEnd('2026-05-22', term(4, 'days'), cal);
    expect(r.nominal).toBe('2026-05-26');
    expect(r.date).toBe('2026-05-27');
    expect(r.atw?.article).toBe('art. 2');
  });

  it('art. 1 and art. 2 with a holiday Monday: three days from Friday 22 May 2026 also end on Wednesday 27 May', () => {
    const r = statutoryTermEnd('2026-05-22', term(3, 'days'), cal);
    expect(r.nominal).toBe('2026-05-25');
    expect(r.date).toBe('2026-05-27');
    expect(r.atw?.article).toBe('art. 1 lid 1 en art. 2');
  });

  it('the extension passes over a holiday and lists it: three days from Friday 1 May 2026 end on Wednesday 6 May', () => {
    const r = statutoryTermEnd('2026-05-01', term(3, 'days'), cal);
    expect(r.date).toBe('2026-05-06');
    expect(skippedDays(r)).toEqual(['2026-05-05 5 mei (Bevrijdingsdag)']);
    expect(r.text).toContain('verlengd tot woensdag 6 mei 2026 (overgeslagen: dinsdag 5 mei 2026 – 5 mei (Bevrijdingsdag)).');
  });

  it('a term of two days is not extended by art. 2 (art. 1 only)', () => {
    const r = statutoryTermEnd('2026-03-06', term(2, 'days'), cal);
    expect(r.date).toBe('2026-03-09');
    expect(r.atw?.article).toBe('art. 1 lid 1');
    expect(r.text).not.toContain('art. 2');
  });

  it('a term that holds two working days is not extended, and art. 2 is not named', () => {
    const r = statutoryTermEnd('2026-03-05', term(3, 'days'), cal); // Fri 6, Sat 7, Sun 8 -> Mon 9: Fri and Mon
    expect(r.date).toBe('2026-03-09');
    expect(r.atw?.article).toBe('art. 1 lid 1');
    expect(r.text).not.toContain('art. 2');
  });

  it('the days art. 2 counted in a year without a decree are reported, even when the end lies in a covered year', () => {
    const only2029: TermCalendar = { decrees: [{ decree: 'Besluit 2029', years: [2029], days: [] }] };
    // Sat 30 Dec, Sun 31 Dec 2028, Mon 1 Jan 2029 (end, Nieuwjaarsdag) -> Tue 2 Jan, the only working day -> Wed 3 Jan.
    const r = statutoryTermEnd('2028-12-29', term(3, 'days'), only2029);
    expect(r.date).toBe('2029-01-03');
    expect(r.uncoveredYears).toEqual([2028]);
    expect(r.text).toContain(' Let op: voor 2028 is nog geen besluit');
  });
});

describe('statutoryTermEnd — art. 4', () => {
  it.each([
    // [start, amount, unit, expected end, article, why]
    ['2026-12-06', 90, 'days', '2027-03-08', 'art. 1 lid 1', null], // Sat 6 March 2027 -> Monday
    ['2026-12-06', 91, 'days', '2027-03-07', 'art. 4 onder a', 'termijn van meer dan 90 dagen'], // Sunday, stays
    ['2026-12-05', 12, 'weeks', '2027-03-01', 'art. 1 lid 1', null], // Sat 27 February 2027 -> Monday
    ['2026-12-05', 13, 'weeks', '2027-03-06', 'art. 4 onder a', 'termijn van meer dan twaalf weken'], // Saturday, stays
    ['2026-11-06', 3, 'months', '2027-02-08', 'art. 1 lid 1', null], // Sat 6 February 2027 -> Monday
    ['2026-11-06', 4, 'months', '2027-03-06', 'art. 4 onder a', 'termijn van meer dan drie maanden'], // Saturday, stays
    ['2027-07-01', 1, 'years', '2028-07-01', 'art. 4 onder a', 'termijn in jaren'], // Saturday, stays
    ['2027-04-29', 48, 'hours', '2027-05-01', 'art. 4 onder a', 'termijn in uren'], // Saturday, stays
  ] as const)('%s + %i %s ends %s (%s)', (start, amount, unit, expected, article, why) => {
    const r = statutoryTermEnd(start, term(amount, unit), cal);
    expect(r.date).toBe(expected);
    expect(r.atw).toEqual({ applies: why === null, article, reading: null });
    if (why) {
      expect(r.shifted).toBe(false);
      expect(r.uncoveredYears).toEqual([]);
      expect(r.text).toMatch(new RegExp(`; de Algemene termijnenwet is niet van toepassing \\(art\\. 4 onder a: ${why}\\)\\.$`));
    } else {
      expect(weekday(expected)).toBe(1);
      expect(r.text).toContain('; volgens de Algemene termijnenwet (art. 1 lid 1) verschoven naar maandag ');
    }
  });

  it('a term in hours counts whole days and says it is a term in hours', () => {
    const r = statutoryTermEnd('2027-04-29', term(48, 'hours', { from: 'melding 29 april 2027' }), cal);
    expect(r.text).toBe(
      'zaterdag 1 mei 2027 (melding 29 april 2027 + 48 uur); de Algemene termijnenwet is niet van toepassing (art. 4 onder a: termijn in uren).',
    );
    expect(statutoryTermEnd('2027-04-29', term(23, 'hours'), cal).date).toBe('2027-04-29');
    expect(statutoryTermEnd('2027-04-29', term(47, 'hours'), cal).date).toBe('2027-04-30');
  });

  it('onder b: a term about publication or entry into force is not moved', () => {
    const r = statutoryTermEnd('2027-02-12', { ...sixWeeks('formal-law'), subject: 'publication-entry-into-force' }, cal);
    expect(r.date).toBe('2027-03-26');
    expect(r.text).toBe(
      'vrijdag 26 maart 2027 (ontvangst 12 februari 2027 + 6 weken); de Algemene termijnenwet is niet van toepassing ' +
        '(art. 4 onder b: termijn over de bekendmaking, de inwerkingtreding of het vervallen van wettelijke voorschriften).',
    );
    expect(r.atw).toEqual({ applies: false, article: 'art. 4 onder b', reading: null });
  });

  it('onder c: a term of deprivation of liberty is not moved', () => {
    const r = statutoryTermEnd('2027-02-12', { ...sixWeeks('formal-law'), subject: 'deprivation-of-liberty' }, cal);
    expect(r.date).toBe('2027-03-26');
    expect(r.text).toContain('de Algemene termijnenwet is niet van toepassing (art. 4 onder c: termijn over vrijheidsbeneming).');
    expect(r.atw?.article).toBe('art. 4 onder c');
  });

  it("subject 'general' is the default", () => {
    expect(statutoryTermEnd('2027-02-12', { ...sixWeeks('formal-law'), subject: 'general' }, cal)).toEqual(
      statutoryTermEnd('2027-02-12', sixWeeks('formal-law'), cal),
    );
  });

  it('art. 4 onder b is checked before onder a, and art. 5 before both', () => {
    const spec = term(2, 'years', { subject: 'publication-entry-into-force' });
    expect(statutoryTermEnd('2026-07-01', spec, cal).atw?.article).toBe('art. 4 onder b');
    expect(statutoryTermEnd('2026-07-01', { ...spec, level: 'practice' }, cal).atw?.article).toBe('art. 5');
  });
});

describe('statutoryTermEnd — art. 5 (law and AMvB only)', () => {
  it('the same six-week term set by a ministerial regulation does not move', () => {
    const r = statutoryTermEnd('2027-02-12', sixWeeks('ministerial-regulation'), cal);
    expect(r.date).toBe('2027-03-26');
    expect(r.text).toBe(
      'vrijdag 26 maart 2027 (ontvangst 12 februari 2027 + 6 weken); de Algemene termijnenwet is niet van toepassing ' +
        '(art. 5: alleen termijnen in een wet of AMvB, niet in een ministeriële regeling).',
    );
    expect(r.atw).toEqual({ applies: false, article: 'art. 5', reading: null });
  });

  it('nor one that follows from practice', () => {
    const r = statutoryTermEnd('2027-02-12', sixWeeks('practice'), cal);
    expect(r.date).toBe('2027-03-26');
    expect(r.text).toContain('(art. 5: alleen termijnen in een wet of AMvB, niet uit de praktijk).');
  });

  it('set by an AMvB it moves, through art. 5', () => {
    const r = statutoryTermEnd('2027-02-12', sixWeeks('amvb'), cal);
    expect(r.date).toBe('2027-03-30');
    expect(r.text).toBe(GOEDE_VRIJDAG_2027_SHIFT.replace('(art. 1 lid 1)', '(art. 1 lid 1 jo. art. 5)'));
    expect(r.atw).toEqual({ applies: true, article: 'art. 1 lid 1 jo. art. 5', reading: null });
  });

  it('art. 2 and art. 4 are cited through art. 5 for an AMvB as well', () => {
    expect(statutoryTermEnd('2026-04-02', term(3, 'days', { level: 'amvb' }), cal).atw?.article).toBe('art. 1 lid 1 en art. 2 jo. art. 5');
    const r = statutoryTermEnd('2026-07-01', term(2, 'years', { level: 'amvb' }), cal);
    expect(r.text).toContain('(art. 4 onder a jo. art. 5: termijn in jaren)');
  });
});

describe('statutoryTermEnd — a reading overrides the statute, and says so', () => {
  it('a reading that applies the Atw to a term in years moves Saturday 1 July 2028 to Monday 3 July', () => {
    const r = statutoryTermEnd('2026-07-01', term(2, 'years', { from: 'inwerkingtreding 1 juli 2026' }), cal, {
      applies: true,
      reason: 'de provincie rekent zo.',
    });
    expect(r.date).toBe('2028-07-03');
    expect(r.text).toBe(
      'zaterdag 1 juli 2028 (inwerkingtreding 1 juli 2026 + 2 jaar) valt op een zaterdag; volgens de Algemene termijnenwet (art. 1 lid 1) verschoven naar ' +
        'maandag 3 juli 2028 (overgeslagen: zaterdag 1 juli 2028 – zaterdag; zondag 2 juli 2028 – zondag); ' +
        'volgens de lezing van het regelboek is de Algemene termijnenwet wel van toepassing: de provincie rekent zo; ' +
        'volgens de wet zelf is zij niet van toepassing (art. 4 onder a: termijn in jaren).',
    );
    expect(r.atw).toEqual({ applies: true, article: 'art. 1 lid 1', reading: 'de provincie rekent zo.' });
  });

  it('a reading that sets the Atw aside keeps Goede Vrijdag', () => {
    const r = statutoryTermEnd('2027-02-12', sixWeeks('formal-law'), cal, { applies: false, reason: 'de bijzondere wet sluit de Atw uit' });
    expect(r.date).toBe('2027-03-26');
    expect(r.uncoveredYears).toEqual([]);
    expect(r.text).toBe(
      'vrijdag 26 maart 2027 (ontvangst 12 februari 2027 + 6 weken); geen verschuiving; ' +
        'volgens de lezing van het regelboek is de Algemene termijnenwet niet van toepassing: de bijzondere wet sluit de Atw uit; ' +
        'volgens de wet zelf is zij van toepassing (art. 1 lid 1).',
    );
    expect(r.atw).toEqual({ applies: false, article: 'art. 1 lid 1', reading: 'de bijzondere wet sluit de Atw uit' });
  });

  it('a reading wins even at the level of practice, and names what the statute would say', () => {
    const r = statutoryTermEnd('2027-02-12', sixWeeks('practice'), cal, { applies: true, reason: 'afgesproken in de woondeal' });
    expect(r.date).toBe('2027-03-30');
    expect(r.text).toContain('; volgens de wet zelf is zij niet van toepassing (art. 5: alleen termijnen in een wet of AMvB, niet uit de praktijk).');
  });

  it('a reading that applies to a term counted back moves it by art. 1 only', () => {
    const r = statutoryTermEnd('2027-03-08', term(8, 'days', { direction: 'before' }), cal, { applies: true, reason: 'lezing' });
    expect(r.date).toBe('2027-03-01');
    expect(r.atw?.article).toBe('art. 1 lid 1');
    expect(r.text).toContain('volgens de wet zelf is zij niet van toepassing (art. 1 lid 2: ');
  });
});

describe('fixedDateEnd', () => {
  const newYear = (applies: boolean, level: FixedDateSpec['level'] = 'formal-law'): FixedDateSpec => ({
    date: '2028-01-01',
    wording: 'uiterlijk',
    level,
    reading: { applies, reason: applies ? 'de datum werkt als termijn' : 'een vaste datum is geen termijn' },
    source: 'Woningwet art. 44',
  });
  const beforeJuly = (applies: boolean): FixedDateSpec => ({
    date: '2029-07-01',
    wording: 'voor',
    level: 'formal-law',
    reading: { applies, reason: applies ? 'de datum werkt als termijn' : 'een vaste datum is geen termijn' },
    source: 'Woningwet art. 44',
  });

  it('"uiterlijk 1 januari 2028" (Saturday, Nieuwjaarsdag), read as a term: Monday 3 January 2028', () => {
    const r = fixedDateEnd(newYear(true), cal);
    expect(r.date).toBe('2028-01-03');
    expect(r.nominal).toBe('2028-01-01');
    expect(r.rule).toBe('Woningwet art. 44: uiterlijk 1 januari 2028');
    expect(skippedDays(r)).toEqual(['2028-01-01 Nieuwjaarsdag', '2028-01-02 zondag']);
    expect(r.text).toBe(
      'zaterdag 1 januari 2028 (Woningwet art. 44: uiterlijk 1 januari 2028) valt op Nieuwjaarsdag, een algemeen erkende feestdag volgens Atw art. 3 lid 1; ' +
        'volgens de Algemene termijnenwet (art. 1 lid 1) verschoven naar maandag 3 januari 2028 ' +
        '(overgeslagen: zaterdag 1 januari 2028 – Nieuwjaarsdag; zondag 2 januari 2028 – zondag); ' +
        'volgens de lezing van het regelboek is de Algemene termijnenwet wel van toepassing op deze vaste datum: de datum werkt als termijn.',
    );
    expect(r.atw).toEqual({ applies: true, article: 'art. 1 lid 1', reading: 'de datum werkt als termijn' });
  });

  it('"uiterlijk 1 januari 2028", read as no term: Saturday 1 January 2028', () => {
    const r = fixedDateEnd(newYear(false), cal);
    expect(r.date).toBe('2028-01-01');
    expect(r.shifted).toBe(false);
    expect(r.text).toBe(
      'zaterdag 1 januari 2028 (Woningwet art. 44: uiterlijk 1 januari 2028); geen verschuiving; ' +
        'volgens de lezing van het regelboek is de Algemene termijnenwet niet van toepassing op deze vaste datum: een vaste datum is geen termijn.',
    );
    expect(r.atw).toEqual({ applies: false, article: 'art. 1 lid 1', reading: 'een vaste datum is geen termijn' });
  });

  it('"uiterlijk 1 januari 2028" in practice: art. 5, the reading is not consulted', () => {
    for (const applies of [true, false]) {
      const r = fixedDateEnd({ ...newYear(applies, 'practice'), source: 'praktijk van de prestatieafspraken' }, cal);
      expect(r.date).toBe('2028-01-01');
      expect(r.text).toBe(
        'zaterdag 1 januari 2028 (praktijk van de prestatieafspraken: uiterlijk 1 januari 2028); de Algemene termijnenwet is niet van toepassing ' +
          '(art. 5: alleen termijnen in een wet of AMvB, niet uit de praktijk); de lezing van het regelboek is daarom niet gebruikt.',
      );
      expect(r.atw).toEqual({ applies: false, article: 'art. 5', reading: null });
    }
    expect(fixedDateEnd(newYear(true, 'ministerial-regulation'), cal).text).toContain('(art. 5: alleen termijnen in een wet of AMvB, niet in een ministeriële regeling)');
  });

  it('in an AMvB the reading decides, cited through art. 5', () => {
    const r = fixedDateEnd(newYear(true, 'amvb'), cal);
    expect(r.date).toBe('2028-01-03');
    expect(r.atw?.article).toBe('art. 1 lid 1 jo. art. 5');
    expect(r.text).toContain('(art. 1 lid 1 jo. art. 5) verschoven naar maandag 3 januari 2028');
  });

  it('"vóór 1 juli" 2029 makes Saturday 30 June the last timely day; read as a term it moves to Monday 2 July', () => {
    const r = fixedDateEnd(beforeJuly(true), cal);
    expect(r.nominal).toBe('2029-06-30');
    expect(r.date).toBe('2029-07-02');
    expect(r.uncoveredYears).toEqual([2029]);
    expect(r.text).toBe(
      'zaterdag 30 juni 2029 (Woningwet art. 44: vóór 1 juli 2029, dus uiterlijk de dag ervoor) valt op een zaterdag; ' +
        'volgens de Algemene termijnenwet (art. 1 lid 1) verschoven naar maandag 2 juli 2029 ' +
        '(overgeslagen: zaterdag 30 juni 2029 – zaterdag; zondag 1 juli 2029 – zondag); ' +
        'volgens de lezing van het regelboek is de Algemene termijnenwet wel van toepassing op deze vaste datum: de datum werkt als termijn.' +
        NOTE_2029,
    );
  });

  it('"vóór 1 juli" 2029 read as no term: Saturday 30 June 2029, and no decree note', () => {
    const r = fixedDateEnd(beforeJuly(false), cal);
    expect(r.date).toBe('2029-06-30');
    expect(r.uncoveredYears).toEqual([]);
    expect(r.text).toBe(
      'zaterdag 30 juni 2029 (Woningwet art. 44: vóór 1 juli 2029, dus uiterlijk de dag ervoor); geen verschuiving; ' +
        'volgens de lezing van het regelboek is de Algemene termijnenwet niet van toepassing op deze vaste datum: een vaste datum is geen termijn.',
    );
  });

  it('a fixed date is no term of days: art. 2 is never applied', () => {
    // Monday 9 March 2026 is a working day; read as a term it stays (no art. 2 extension).
    const r = fixedDateEnd({ ...newYear(true), date: '2026-03-09' }, cal);
    expect(r.date).toBe('2026-03-09');
    expect(r.text).toContain('geen verschuiving: een werkdag volgens de Algemene termijnenwet (art. 1 lid 1);');
  });
});

describe('input validation', () => {
  it('rejects a bad term', () => {
    expect(() => statutoryTermEnd('2027-01-01', term(0, 'days'), cal)).toThrow(/amount must be an integer >= 1/);
    expect(() => statutoryTermEnd('2027-01-01', term(1.5, 'days'), cal)).toThrow(/amount must be an integer >= 1/);
    expect(() => statutoryTermEnd('2027-01-01', term(1, 'fortnights' as never), cal)).toThrow(/TermSpec.unit must be one of hours, days/);
    expect(() => statutoryTermEnd('2027-01-01', term(1, 'days', { level: 'law' as never }), cal)).toThrow(/TermSpec.level/);
    expect(() => statutoryTermEnd('2027-01-01', term(1, 'days', { subject: 'tax' as never }), cal)).toThrow(/TermSpec.subject/);
    expect(() => statutoryTermEnd('2027-01-01', term(1, 'days', { direction: 'around' as never }), cal)).toThrow(/TermSpec.direction/);
    expect(() => statutoryTermEnd('2027-01-01', term(1, 'days', { from: ' ' }), cal)).toThrow(/TermSpec.from/);
    expect(() => statutoryTermEnd('2027-1-1', term(1, 'days'), cal)).toThrow(/YYYY-MM-DD/);
  });

  it('rejects a reading without its reason', () => {
    expect(() => statutoryTermEnd('2027-01-01', term(1, 'days'), cal, { applies: true, reason: '' })).toThrow(/a reading needs its reason/);
    const spec: FixedDateSpec = { date: '2028-01-01', wording: 'uiterlijk', level: 'formal-law', reading: { applies: true, reason: ' ' }, source: 'Woningwet art. 44' };
    expect(() => fixedDateEnd(spec, cal)).toThrow(/a reading needs its reason/);
    expect(() => fixedDateEnd({ ...spec, reading: { applies: true, reason: 'r' }, wording: 'op' as never }, cal)).toThrow(/FixedDateSpec.wording/);
    expect(() => fixedDateEnd({ ...spec, reading: { applies: true, reason: 'r' }, source: '' }, cal)).toThrow(/FixedDateSpec.source/);
    expect(() => fixedDateEnd({ ...spec, reading: { applies: true, reason: 'r' }, date: '2028-02-30' }, cal)).toThrow(/no day 30/);
  });

  it('rejects malformed decree data even where the Atw does not apply', () => {
    const bad: TermCalendar = { decrees: [{ ...DECREE_2026_2028, days: ['2026-5-15'] }] };
    expect(() => statutoryTermEnd('2026-07-01', term(2, 'years'), bad)).toThrow(/YYYY-MM-DD/);
  });
});
