import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import {
  DUTCH_WEEKDAYS,
  addDays,
  addMonths,
  addYears,
  daysBetween,
  easterSunday,
  formatDutchDate,
  isoDate,
  parseIsoDate,
  weekday,
} from './dates';

describe('parseIsoDate', () => {
  it.each(['2027-07-01', '2024-02-29', '2000-02-29', '1999-12-31', '2027-12-31'])('accepts %s', (s) => {
    expect(parseIsoDate(s)).toBe(s);
  });

  it.each([
    ['2027-02-30', /2027-02 has no day 30/],
    ['2023-02-29', /2023-02 has no day 29/],
    ['1900-02-29', /1900-02 has no day 29/],
    ['2027-04-31', /no day 31/],
    ['2027-13-01', /month 13 does not exist/],
    ['2027-00-10', /month 00 does not exist/],
    ['2027-01-00', /no day 00/],
    ['2027-7-1', /expected YYYY-MM-DD/],
    ['2027-07-01T00:00:00Z', /expected YYYY-MM-DD/],
    [' 2027-07-01', /expected YYYY-MM-DD/],
    ['', /expected YYYY-MM-DD/],
    ['0999-01-01', /year must be 1000-9999/],
  ])('rejects %p', (s, message) => {
    expect(() => parseIsoDate(s)).toThrow(message);
  });

  it('rejects non-strings at runtime', () => {
    expect(() => parseIsoDate(20270701 as unknown as string)).toThrow(/expected YYYY-MM-DD/);
  });
});

describe('addDays / addYears / daysBetween / weekday', () => {
  it('adds days across month, year and leap-day boundaries', () => {
    expect(addDays('2027-06-30', 1)).toBe('2027-07-01');
    expect(addDays('2027-12-31', 1)).toBe('2028-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(addDays('2026-07-01', 730)).toBe('2028-06-30');
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29'); // no DST effects: dates are UTC internally
    expect(() => addDays('2026-01-01', 1.5)).toThrow(/integer/);
  });

  it('agrees with the platform Date for every day 2020-2040', () => {
    for (let ms = Date.UTC(2020, 0, 1); ms < Date.UTC(2041, 0, 1); ms += 86_400_000) {
      const d = new Date(ms).toISOString().slice(0, 10);
      const next = new Date(ms + 86_400_000).toISOString().slice(0, 10);
      expect(addDays(d, 1)).toBe(next);
      expect(weekday(d)).toBe(new Date(ms).getUTCDay());
    }
  });

  it('adds years; 29 February becomes 28 February in a non-leap year', () => {
    expect(addYears('2026-07-01', 2)).toBe('2028-07-01');
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2024-02-29', -1)).toBe('2023-02-28');
    expect(addYears('2096-02-29', 4)).toBe('2100-02-28'); // 2100 is not a leap year
    expect(addYears('2027-03-01', -3)).toBe('2024-03-01');
  });

  it('adds months, clamped to the last day of the month', () => {
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2027-01-31', 3)).toBe('2027-04-30');
    expect(addMonths('2026-11-06', 3)).toBe('2027-02-06');
    expect(addMonths('2027-11-30', 2)).toBe('2028-01-30');
    expect(addMonths('2027-03-31', -1)).toBe('2027-02-28');
    expect(addMonths('2027-01-15', -1)).toBe('2026-12-15');
    expect(addMonths('2027-01-15', -13)).toBe('2025-12-15');
    expect(addMonths('2027-05-20', 0)).toBe('2027-05-20');
    expect(() => addMonths('2027-01-01', 0.5)).toThrow(/addMonths: n must be an integer/);
  });

  it('counts days between dates', () => {
    expect(daysBetween('2026-07-01', '2028-07-01')).toBe(731);
    expect(daysBetween('2028-07-03', '2028-07-01')).toBe(-2);
  });

  it('numbers weekdays 0 = zondag … 6 = zaterdag', () => {
    expect(weekday('2028-07-01')).toBe(6);
    expect(weekday('2028-07-02')).toBe(0);
    expect(weekday('2027-07-01')).toBe(4);
    expect(DUTCH_WEEKDAYS[weekday('2027-07-01')]).toBe('donderdag');
  });

  it('isoDate builds and validates', () => {
    expect(isoDate(2027, 7, 1)).toBe('2027-07-01');
    expect(() => isoDate(2027, 2, 30)).toThrow(/no day 30/);
  });
});

describe('easterSunday', () => {
  it.each([
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2029, '2029-04-01'],
    [2030, '2030-04-21'],
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    [2038, '2038-04-25'],
    [1818, '1818-03-22'], // earliest possible
    [1943, '1943-04-25'], // latest possible
  ])('%i → %s', (year, expected) => {
    expect(easterSunday(year)).toBe(expected);
  });

  it('is always a Sunday between 22 March and 25 April', () => {
    for (let y = 1990; y <= 2100; y++) {
      const e = easterSunday(y);
      expect(weekday(e)).toBe(0);
      expect(e.slice(5) >= '03-22' && e.slice(5) <= '04-25').toBe(true);
    }
  });

  it('rejects years outside the Gregorian range', () => {
    expect(() => easterSunday(1582)).toThrow(/1583-9999/);
    expect(() => easterSunday(2026.5)).toThrow(/integer/);
  });
});

describe('formatDutchDate', () => {
  it('formats in lower-case Dutch', () => {
    expect(formatDutchDate('2027-07-01')).toBe('donderdag 1 juli 2027');
    expect(formatDutchDate('2028-07-01')).toBe('zaterdag 1 juli 2028');
    expect(formatDutchDate('2029-03-30')).toBe('vrijdag 30 maart 2029');
    expect(formatDutchDate('2026-01-02')).toBe('vrijdag 2 januari 2026');
  });

  it('agrees with Intl nl-NL for every day 2025-2030', () => {
    const fmt = new Intl.DateTimeFormat('nl-NL', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
    for (let ms = Date.UTC(2025, 0, 1); ms < Date.UTC(2031, 0, 1); ms += 86_400_000) {
      const d = new Date(ms).toISOString().slice(0, 10);
      expect(formatDutchDate(d)).toBe(fmt.format(ms));
    }
  });
});

describe('module purity (the calendar library is imported by Temporal workflows)', () => {
  const sources = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
  const code = (f: string) =>
    readFileSync(join(__dirname, f), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');

  it('finds the module files', () => {
    expect(sources.sort()).toEqual(['amsterdam-time.ts', 'dates.ts', 'index.ts', 'termijnenwet.ts', 'terms.ts']);
  });

  it.each(['amsterdam-time.ts', 'dates.ts', 'index.ts', 'termijnenwet.ts', 'terms.ts'])('%s imports only sibling files and never reads the clock', (f) => {
    const src = code(f);
    // Import and export statements (also over several lines), side-effect imports, import() and require().
    const statements = /^(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]|\b(?:require|import)\s*\(\s*['"]([^'"]+)['"]/gm;
    for (const m of src.matchAll(statements)) {
      expect(m[1] ?? m[2] ?? m[3]).toMatch(/^\.\/[a-z-]+$/);
    }
    expect(src).not.toMatch(/Date\.now|new Date\(\s*\)|Intl\b|performance\.|process\.|Math\.random/);
  });
});
