import { weekday } from './dates';
import {
  DecreeDays,
  TermCalendar,
  decreeCovers,
  isWorkingDay,
  nonWorkingDay,
  shiftToWorkingDay,
  statutoryHolidays,
  termEnd,
  workingDayOnOrAfter,
  workingDayOnOrBefore,
} from './termijnenwet';

// Sample decree data (Atw art. 3 lid 3) — in production this comes from configuration, never from code.
const DECREE_2023_2025: DecreeDays = {
  decree:
    'Besluit gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, 27 december 2024 en 30 mei 2025 met een algemeen erkende feestdag',
  years: [2023, 2024, 2025],
  days: ['2023-04-28', '2023-05-19', '2024-05-10', '2024-12-27', '2025-05-30'],
};
const DECREE_2026_2028: DecreeDays = {
  decree:
    'Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 en 26 mei 2028 met een algemeen erkende feestdag',
  years: [2026, 2027, 2028],
  days: ['2026-01-02', '2026-05-15', '2027-05-07', '2028-04-28', '2028-05-26'],
};
const cal: TermCalendar = { decrees: [DECREE_2023_2025, DECREE_2026_2028] };
const noDecrees: TermCalendar = { decrees: [] };

const dates = (d: { skipped: { date: string }[] }) => d.skipped.map((s) => s.date);
const reasons = (d: { skipped: { reason: string }[] }) => d.skipped.map((s) => s.reason);

// termEnd is the plain art. 1 shift helper: it moves any nominal end to the next working day without asking
// whether the Atw applies (art. 1 lid 2, 4, 5) and without art. 2. Terms as the statute phrases them are
// tested in terms.spec.ts (statutoryTermEnd): e.g. the programme's two-year term does NOT shift.
describe('termEnd — the plain art. 1 shift helper', () => {
  it('shifts Goede Vrijdag 30 March 2029 to Tuesday 3 April 2029; 2029 has no decree', () => {
    const r = termEnd('2029-03-30', 'ontvangst + 6 weken', cal);
    expect(r.date).toBe('2029-04-03');
    expect(weekday(r.date)).toBe(2);
    expect(r.shifted).toBe(true);
    expect(r.direction).toBe('forward');
    expect(dates(r)).toEqual(['2029-03-30', '2029-03-31', '2029-04-01', '2029-04-02']);
    // Eerste Paasdag is not in the Atw list: it counts only as a Sunday.
    expect(reasons(r)).toEqual(['Goede Vrijdag', 'zaterdag', 'zondag', 'Tweede Paasdag']);
    expect(r.skipped[0].basis).toBe('Atw art. 3 lid 2');
    expect(r.skipped[3].basis).toBe('Atw art. 3 lid 1');
    expect(r.uncoveredYears).toEqual([2029]);
    expect(r.text).toBe(
      'vrijdag 30 maart 2029 (ontvangst + 6 weken) valt op Goede Vrijdag, gelijkgesteld met een algemeen erkende feestdag volgens Atw art. 3 lid 2; ' +
        'volgens de Algemene termijnenwet (art. 1) verschoven naar dinsdag 3 april 2029 ' +
        '(overgeslagen: vrijdag 30 maart 2029 – Goede Vrijdag; zaterdag 31 maart 2029 – zaterdag; zondag 1 april 2029 – zondag; maandag 2 april 2029 – Tweede Paasdag).' +
        ' Let op: voor 2029 is nog geen besluit (Atw art. 3 lid 3) bekend; bij besluit gelijkgestelde dagen zijn voor dat jaar nog onbekend en niet meegenomen.',
    );
  });

  it('shifts Hemelvaartsdag Thursday 6 May 2027 (7 May decree day) to Monday 10 May 2027', () => {
    const r = termEnd('2027-05-06', 'besluit + 2 weken', cal);
    expect(r.date).toBe('2027-05-10');
    expect(reasons(r)).toEqual(['Hemelvaartsdag', 'bij besluit gelijkgestelde dag', 'zaterdag', 'zondag']);
    expect(r.skipped[1].basis).toBe(`Atw art. 3 lid 3 (${DECREE_2026_2028.decree})`);
    expect(r.uncoveredYears).toEqual([]);
    expect(r.text).not.toContain('Let op');
    expect(r.text).toContain('vrijdag 7 mei 2027 – bij besluit gelijkgestelde dag');
  });

  it('shifts Koningsdag Monday 27 April 2026 to Tuesday 28 April 2026', () => {
    const r = termEnd('2026-04-27', 'aanvraag + 8 weken', cal);
    expect(r.date).toBe('2026-04-28');
    expect(r.skipped).toEqual([{ date: '2026-04-27', reason: 'Koningsdag', basis: 'Atw art. 3 lid 1' }]);
    expect(r.text).toContain('valt op Koningsdag, een algemeen erkende feestdag volgens Atw art. 3 lid 1;');
  });

  it('shifts Saturday 1 July 2028 to Monday 3 July 2028, with the exact Dutch text', () => {
    // A plain shift of a Saturday. Not the programme's term: that is a term in years, which the Atw does
    // not move (art. 4 onder a); see statutoryTermEnd in terms.spec.ts, which ends it on Saturday 1 July 2028.
    const r = termEnd('2028-07-01', 'aanvraag 20 mei 2028 + 6 weken', cal);
    expect(r).toEqual({
      date: '2028-07-03',
      nominal: '2028-07-01',
      rule: 'aanvraag 20 mei 2028 + 6 weken',
      shifted: true,
      direction: 'forward',
      skipped: [
        { date: '2028-07-01', reason: 'zaterdag', basis: 'Atw art. 1' },
        { date: '2028-07-02', reason: 'zondag', basis: 'Atw art. 1' },
      ],
      uncoveredYears: [],
      text:
        'zaterdag 1 juli 2028 (aanvraag 20 mei 2028 + 6 weken) valt op een zaterdag; volgens de Algemene termijnenwet (art. 1) ' +
        'verschoven naar maandag 3 juli 2028 (overgeslagen: zaterdag 1 juli 2028 – zaterdag; zondag 2 juli 2028 – zondag).',
    });
  });

  it('leaves a working day (Thursday 1 July 2027) where it is', () => {
    const r = termEnd('2027-07-01', 'aanvraag 20 mei 2027 + 6 weken', cal);
    expect(r).toEqual({
      date: '2027-07-01',
      nominal: '2027-07-01',
      rule: 'aanvraag 20 mei 2027 + 6 weken',
      shifted: false,
      direction: 'none',
      skipped: [],
      uncoveredYears: [],
      text: 'donderdag 1 juli 2027 (aanvraag 20 mei 2027 + 6 weken); geen verschuiving: een werkdag volgens de Algemene termijnenwet.',
    });
  });
});

describe('termEnd — the non-working days of art. 1 and 3, 2022-2034', () => {
  it.each([
    // [nominal, expected end, why]
    ['2025-04-26', '2025-04-28', 'Koningsdag 2025 is Saturday 26 April (27th is a Sunday), then Sunday'],
    ['2025-05-29', '2025-06-02', 'Hemelvaartsdag 2025 + decree day 30 May 2025 + weekend'],
    ['2025-06-09', '2025-06-10', 'Tweede Pinksterdag 2025'],
    ['2026-01-01', '2026-01-05', 'Nieuwjaarsdag + decree day 2 January 2026 + weekend'],
    ['2026-05-05', '2026-05-06', '5 mei (Tuesday) is an Atw holiday every year'],
    ['2026-05-14', '2026-05-18', 'Hemelvaartsdag 2026 + decree day 15 May 2026 + weekend'],
    ['2026-05-23', '2026-05-26', 'weekend + Tweede Pinksterdag 25 May 2026'],
    ['2026-12-25', '2026-12-28', 'Kerstdagen on Friday/Saturday, then Sunday'],
    ['2024-12-25', '2024-12-30', 'Kerstdagen + decree day 27 December 2024 + weekend'],
    ['2027-03-26', '2027-03-30', 'Goede Vrijdag 2027 + Easter weekend + Tweede Paasdag'],
    ['2027-05-05', '2027-05-10', '5 mei (Wednesday) + Hemelvaartsdag + decree day 7 May 2027 + weekend'],
    ['2027-12-25', '2027-12-27', 'Kerstdagen on the weekend: no substitute day in the Atw'],
    ['2028-04-27', '2028-05-01', 'Koningsdag 2028 + decree day 28 April 2028 + weekend'],
    ['2028-05-25', '2028-05-29', 'Hemelvaartsdag 2028 + decree day 26 May 2028 + weekend'],
    ['2030-04-19', '2030-04-23', 'Goede Vrijdag 2030 + Easter weekend + Tweede Paasdag'],
    ['2030-05-30', '2030-05-31', 'Hemelvaartsdag 2030 (no decree known)'],
  ])('%s shifts to %s (%s)', (nominal, expected) => {
    expect(termEnd(nominal, 'test', cal).date).toBe(expected);
  });

  it('working days that a general calendar might treat differently stay put', () => {
    expect(termEnd('2027-12-24', 'test', cal).shifted).toBe(false); // Kerstavond
    expect(termEnd('2026-05-26', 'test', cal).shifted).toBe(false); // after Tweede Pinksterdag: nothing
    expect(termEnd('2025-04-28', 'test', cal).shifted).toBe(false); // Monday after Koningsdag on Saturday
    expect(termEnd('2026-12-31', 'test', cal).shifted).toBe(false); // Oudejaarsdag
  });

  it('a chain across Christmas and the weekend lists every skipped day', () => {
    const r = termEnd('2024-12-25', 'test', cal);
    expect(r.skipped.map((s) => `${s.date} ${s.reason}`)).toEqual([
      '2024-12-25 Eerste Kerstdag',
      '2024-12-26 Tweede Kerstdag',
      '2024-12-27 bij besluit gelijkgestelde dag',
      '2024-12-28 zaterdag',
      '2024-12-29 zondag',
    ]);
    expect(r.skipped[2].basis).toBe(`Atw art. 3 lid 3 (${DECREE_2023_2025.decree})`);
  });

  it('a decree day is not a holiday when its decree is not passed in', () => {
    expect(nonWorkingDay('2026-05-15', noDecrees)).toBeNull();
    expect(isWorkingDay('2026-01-02', noDecrees)).toBe(true);
    expect(isWorkingDay('2026-01-02', cal)).toBe(false);
    const r = termEnd('2027-05-06', 'test', noDecrees);
    expect(r.date).toBe('2027-05-07');
    expect(r.uncoveredYears).toEqual([2027]);
    expect(r.text).toContain(' Let op: voor 2027 is nog geen besluit (Atw art. 3 lid 3) bekend;');
  });

  it('an uncovered year is reported even when the day is not shifted', () => {
    const r = termEnd('2029-07-02', 'test', cal);
    expect(r.shifted).toBe(false);
    expect(r.uncoveredYears).toEqual([2029]);
    expect(r.text).toMatch(/geen verschuiving: een werkdag volgens de Algemene termijnenwet\. Let op: voor 2029 /);
  });

  it('lists every uncovered year from nominal through result', () => {
    const r = termEnd('2033-12-31', 'test', cal); // Saturday; 1 Jan 2034 is Sunday and Nieuwjaarsdag
    expect(r.date).toBe('2034-01-02');
    expect(reasons(r)).toEqual(['zaterdag', 'Nieuwjaarsdag']);
    expect(r.uncoveredYears).toEqual([2033, 2034]);
    expect(r.text).toContain('voor 2033 en 2034 is nog geen besluit');
    expect(r.text).toContain('voor die jaren nog onbekend');
  });

  it('a shift into a covered year from an uncovered one reports only the uncovered year', () => {
    const r = termEnd('2022-12-31', 'test', cal);
    expect(r.date).toBe('2023-01-02');
    expect(r.uncoveredYears).toEqual([2022]);
  });

  it('adds no atw field: derivations from termEnd keep the shape that running workflows recorded', () => {
    expect(termEnd('2028-07-01', 'test', cal)).not.toHaveProperty('atw');
    expect(shiftToWorkingDay('2028-07-01', 'test', cal, 'backward')).not.toHaveProperty('atw');
  });

  it('omits the parenthesis when no rule is given', () => {
    expect(termEnd('2027-07-01', '', cal).text).toBe(
      'donderdag 1 juli 2027; geen verschuiving: een werkdag volgens de Algemene termijnenwet.',
    );
  });
});

describe('nonWorkingDay / statutoryHolidays', () => {
  it('lists all Atw holidays of 2026 in date order, including decree days', () => {
    expect(statutoryHolidays(2026, cal).map((h) => [h.date, h.reason, h.basis])).toEqual([
      ['2026-01-01', 'Nieuwjaarsdag', 'Atw art. 3 lid 1'],
      ['2026-01-02', 'bij besluit gelijkgestelde dag', `Atw art. 3 lid 3 (${DECREE_2026_2028.decree})`],
      ['2026-04-03', 'Goede Vrijdag', 'Atw art. 3 lid 2'],
      ['2026-04-06', 'Tweede Paasdag', 'Atw art. 3 lid 1'],
      ['2026-04-27', 'Koningsdag', 'Atw art. 3 lid 1'],
      ['2026-05-05', '5 mei (Bevrijdingsdag)', 'Atw art. 3 lid 1'],
      ['2026-05-14', 'Hemelvaartsdag', 'Atw art. 3 lid 1'],
      ['2026-05-15', 'bij besluit gelijkgestelde dag', `Atw art. 3 lid 3 (${DECREE_2026_2028.decree})`],
      ['2026-05-25', 'Tweede Pinksterdag', 'Atw art. 3 lid 1'],
      ['2026-12-25', 'Eerste Kerstdag', 'Atw art. 3 lid 1'],
      ['2026-12-26', 'Tweede Kerstdag', 'Atw art. 3 lid 1'],
    ]);
  });

  it('has exactly 9 Atw holidays plus the decree days of the year', () => {
    for (let y = 2023; y <= 2030; y++) {
      const decreeCount = [...DECREE_2023_2025.days, ...DECREE_2026_2028.days].filter((d) => d.startsWith(`${y}-`)).length;
      const list = statutoryHolidays(y, cal);
      expect(list).toHaveLength(9 + decreeCount);
      expect(list.map((h) => h.date)).toEqual([...list.map((h) => h.date)].sort());
    }
  });

  it('Koningsdag is 26 April when 27 April is a Sunday (2025), otherwise 27 April (also on a Saturday, 2030)', () => {
    const koningsdag = (y: number) => statutoryHolidays(y, cal).find((h) => h.reason === 'Koningsdag')!.date;
    expect(weekday('2025-04-27')).toBe(0);
    expect(koningsdag(2025)).toBe('2025-04-26');
    expect(koningsdag(2026)).toBe('2026-04-27');
    expect(koningsdag(2030)).toBe('2030-04-27');
    expect(weekday('2030-04-27')).toBe(6);
    expect(nonWorkingDay('2025-04-27', cal)).toEqual({ date: '2025-04-27', reason: 'zondag', basis: 'Atw art. 1' });
  });

  it('reports a holiday on a weekend as the holiday', () => {
    expect(nonWorkingDay('2025-04-26', cal)).toEqual({ date: '2025-04-26', reason: 'Koningsdag', basis: 'Atw art. 3 lid 1' });
    expect(nonWorkingDay('2027-12-26', cal)?.reason).toBe('Tweede Kerstdag');
  });

  it('5 mei is a holiday every year, whatever the weekday', () => {
    for (let y = 2025; y <= 2035; y++) {
      expect(nonWorkingDay(`${y}-05-05`, cal)).toEqual({ date: `${y}-05-05`, reason: '5 mei (Bevrijdingsdag)', basis: 'Atw art. 3 lid 1' });
    }
  });

  it('ordinary weekdays are working days; weekends are not', () => {
    expect(nonWorkingDay('2026-03-10', cal)).toBeNull();
    expect(isWorkingDay('2026-03-10', cal)).toBe(true);
    expect(nonWorkingDay('2026-03-14', cal)?.reason).toBe('zaterdag');
    expect(nonWorkingDay('2026-03-15', cal)?.reason).toBe('zondag');
  });

  it('decreeCovers knows which years have a decree', () => {
    expect([2022, 2023, 2025, 2026, 2028, 2029].map((y) => decreeCovers(y, cal))).toEqual([false, true, true, true, true, false]);
    expect(decreeCovers(2026, noDecrees)).toBe(false);
  });
});

describe('workingDayOnOrBefore / workingDayOnOrAfter', () => {
  it('a reminder on a non-working day moves to the working day before', () => {
    expect(workingDayOnOrBefore('2026-05-15', cal)).toEqual({
      date: '2026-05-13',
      skipped: [
        { date: '2026-05-15', reason: 'bij besluit gelijkgestelde dag', basis: `Atw art. 3 lid 3 (${DECREE_2026_2028.decree})` },
        { date: '2026-05-14', reason: 'Hemelvaartsdag', basis: 'Atw art. 3 lid 1' },
      ],
    });
    expect(workingDayOnOrBefore('2026-01-04', cal).date).toBe('2025-12-31'); // Sun, Sat, 2 Jan decree, Nieuwjaarsdag
  });

  it('an escalation on a non-working day moves to the working day after', () => {
    expect(workingDayOnOrAfter('2026-05-16', cal)).toEqual({
      date: '2026-05-18',
      skipped: [
        { date: '2026-05-16', reason: 'zaterdag', basis: 'Atw art. 1' },
        { date: '2026-05-17', reason: 'zondag', basis: 'Atw art. 1' },
      ],
    });
  });

  it('a working day stays', () => {
    expect(workingDayOnOrBefore('2026-05-13', cal)).toEqual({ date: '2026-05-13', skipped: [] });
    expect(workingDayOnOrAfter('2026-05-13', cal)).toEqual({ date: '2026-05-13', skipped: [] });
  });

  it('shiftToWorkingDay backward explains the earlier day', () => {
    const r = shiftToWorkingDay('2028-07-01', 'herinnering: termijneinde - 14 dagen', cal, 'backward');
    expect(r.date).toBe('2028-06-30');
    expect(r.direction).toBe('backward');
    expect(r.text).toBe(
      'zaterdag 1 juli 2028 (herinnering: termijneinde - 14 dagen) valt op een zaterdag; vervroegd naar de werkdag ervoor ' +
        'volgens de Algemene termijnenwet: vrijdag 30 juni 2028 (overgeslagen: zaterdag 1 juli 2028 – zaterdag).',
    );
    expect(shiftToWorkingDay('2029-01-01', 'test', cal, 'backward').uncoveredYears).toEqual([2029]);
    expect(shiftToWorkingDay('2029-01-01', 'test', cal, 'backward').date).toBe('2028-12-29');
  });
});

describe('input validation', () => {
  it('rejects invalid dates', () => {
    expect(() => termEnd('2027-02-30', 'test', cal)).toThrow(/2027-02 has no day 30/);
    expect(() => nonWorkingDay('2027-7-1', cal)).toThrow(/YYYY-MM-DD/);
  });

  it('rejects malformed decree data instead of silently ignoring it', () => {
    const bad = (d: Partial<DecreeDays>): TermCalendar => ({ decrees: [{ ...DECREE_2026_2028, ...d }] });
    expect(() => isWorkingDay('2026-03-10', bad({ days: ['2026-5-15'] }))).toThrow(/YYYY-MM-DD/);
    expect(() => isWorkingDay('2026-03-10', bad({ days: ['2029-05-11'] }))).toThrow(/outside the decree's years/);
    expect(() => isWorkingDay('2026-03-10', bad({ decree: '' }))).toThrow(/without citation/);
  });

  it('rejects years before the current Atw text (Koningsdag since 2014)', () => {
    expect(() => statutoryHolidays(2013, cal)).toThrow(/not supported/);
    expect(statutoryHolidays(2014, cal)).toHaveLength(9);
  });
});
