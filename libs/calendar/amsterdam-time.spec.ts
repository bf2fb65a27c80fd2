import { amsterdamUtcOffsetMinutes, amsterdamWallTimeToUtc, nextWeeklyAmsterdamMoment, utcToAmsterdamDate } from './amsterdam-time';

// The spec may use Intl (the module may not) to cross-check against the platform's tz database.
const amsterdam = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const intlWall = (ms: number): string => {
  const p = Object.fromEntries(amsterdam.formatToParts(ms).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
};
const utc = (iso: string) => Date.parse(iso);
const DAY_MS = 86_400_000;

describe('amsterdamWallTimeToUtc', () => {
  it('09:00 on every day of 2025-2035 agrees with Intl Europe/Amsterdam', () => {
    let days = 0;
    for (let ms = Date.UTC(2025, 0, 1); ms < Date.UTC(2036, 0, 1); ms += DAY_MS) {
      const date = new Date(ms).toISOString().slice(0, 10);
      const instant = amsterdamWallTimeToUtc(date, '09:00');
      expect(intlWall(instant)).toBe(`${date} 09:00`);
      expect(utcToAmsterdamDate(instant)).toBe(date);
      days++;
    }
    expect(days).toBe(4017);
  });

  it('winter is UTC+1, summer UTC+2', () => {
    expect(amsterdamWallTimeToUtc('2026-01-15', '09:00')).toBe(utc('2026-01-15T08:00:00Z'));
    expect(amsterdamWallTimeToUtc('2026-07-01', '09:00')).toBe(utc('2026-07-01T07:00:00Z'));
    expect(amsterdamWallTimeToUtc('2026-07-01', '00:00')).toBe(utc('2026-06-30T22:00:00Z'));
    expect(amsterdamWallTimeToUtc('2026-12-31', '23:59')).toBe(utc('2026-12-31T22:59:00Z'));
  });

  it('spring forward on Sunday 29 March 2026 (02:00 CET → 03:00 CEST)', () => {
    expect(amsterdamWallTimeToUtc('2026-03-28', '09:00')).toBe(utc('2026-03-28T08:00:00Z'));
    expect(amsterdamWallTimeToUtc('2026-03-29', '01:59')).toBe(utc('2026-03-29T00:59:00Z'));
    expect(amsterdamWallTimeToUtc('2026-03-29', '03:00')).toBe(utc('2026-03-29T01:00:00Z'));
    expect(amsterdamWallTimeToUtc('2026-03-29', '09:00')).toBe(utc('2026-03-29T07:00:00Z'));
    // 02:30 does not exist that night: read with the winter offset, i.e. 03:30 CEST (like Temporal 'compatible').
    expect(amsterdamWallTimeToUtc('2026-03-29', '02:30')).toBe(utc('2026-03-29T01:30:00Z'));
    expect(intlWall(utc('2026-03-29T01:30:00Z'))).toBe('2026-03-29 03:30');
  });

  it('fall back on Sunday 25 October 2026 (03:00 CEST → 02:00 CET)', () => {
    expect(amsterdamWallTimeToUtc('2026-10-24', '09:00')).toBe(utc('2026-10-24T07:00:00Z'));
    expect(amsterdamWallTimeToUtc('2026-10-25', '01:59')).toBe(utc('2026-10-24T23:59:00Z'));
    // 02:30 occurs twice that night: the earlier instant (CEST) is taken.
    expect(amsterdamWallTimeToUtc('2026-10-25', '02:30')).toBe(utc('2026-10-25T00:30:00Z'));
    expect(amsterdamWallTimeToUtc('2026-10-25', '03:00')).toBe(utc('2026-10-25T02:00:00Z'));
    expect(amsterdamWallTimeToUtc('2026-10-25', '09:00')).toBe(utc('2026-10-25T08:00:00Z'));
    expect(amsterdamWallTimeToUtc('2026-10-26', '09:00')).toBe(utc('2026-10-26T08:00:00Z'));
  });

  it('uses the last Sunday also when the month ends on a Sunday (31 March 2030, 31 October 2027)', () => {
    expect(amsterdamWallTimeToUtc('2030-03-31', '03:00')).toBe(utc('2030-03-31T01:00:00Z'));
    expect(amsterdamWallTimeToUtc('2030-03-30', '09:00')).toBe(utc('2030-03-30T08:00:00Z'));
    expect(amsterdamWallTimeToUtc('2027-10-31', '03:00')).toBe(utc('2027-10-31T02:00:00Z'));
    expect(amsterdamWallTimeToUtc('2027-10-30', '09:00')).toBe(utc('2027-10-30T07:00:00Z'));
  });

  it('every whole and half hour on every switch day 2025-2035 agrees with Intl (except the non-existent hour)', () => {
    for (let y = 2025; y <= 2035; y++) {
      for (const month of [3, 10]) {
        const last = new Date(Date.UTC(y, month, 0));
        const sunday = new Date(last.getTime() - last.getUTCDay() * DAY_MS).toISOString().slice(0, 10);
        for (let minutes = 0; minutes < 24 * 60; minutes += 30) {
          const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
          if (month === 3 && time.startsWith('02:')) continue;
          expect(intlWall(amsterdamWallTimeToUtc(sunday, time))).toBe(`${sunday} ${time}`);
        }
      }
    }
  });

  it.each(['9:00', '24:00', '12:60', '12:00:00', '', '0900', 'T09:00'])('rejects time %p', (t) => {
    expect(() => amsterdamWallTimeToUtc('2026-07-01', t)).toThrow(/expected HH:MM/);
  });

  it('rejects invalid dates and years before 1996', () => {
    expect(() => amsterdamWallTimeToUtc('2026-02-30', '09:00')).toThrow(/no day 30/);
    expect(() => amsterdamWallTimeToUtc('1995-07-01', '09:00')).toThrow(/from 1996/);
  });
});

describe('utcToAmsterdamDate / amsterdamUtcOffsetMinutes', () => {
  it('gives the Amsterdam calendar date around midnight', () => {
    expect(utcToAmsterdamDate(utc('2026-06-30T21:59:00Z'))).toBe('2026-06-30');
    expect(utcToAmsterdamDate(utc('2026-06-30T22:00:00Z'))).toBe('2026-07-01');
    expect(utcToAmsterdamDate(utc('2026-12-31T22:59:00Z'))).toBe('2026-12-31');
    expect(utcToAmsterdamDate(utc('2026-12-31T23:00:00Z'))).toBe('2027-01-01');
  });

  it('agrees with Intl for every hour of 2025-2035', () => {
    for (let ms = Date.UTC(2025, 0, 1); ms < Date.UTC(2036, 0, 1); ms += 3_600_000) {
      expect(utcToAmsterdamDate(ms)).toBe(intlWall(ms).slice(0, 10));
    }
  });

  it('switches offset exactly at 01:00 UTC on the switch Sundays', () => {
    expect(amsterdamUtcOffsetMinutes(utc('2026-03-29T00:59:59Z'))).toBe(60);
    expect(amsterdamUtcOffsetMinutes(utc('2026-03-29T01:00:00Z'))).toBe(120);
    expect(amsterdamUtcOffsetMinutes(utc('2026-10-25T00:59:59Z'))).toBe(120);
    expect(amsterdamUtcOffsetMinutes(utc('2026-10-25T01:00:00Z'))).toBe(60);
  });

  it('rejects non-finite instants', () => {
    expect(() => utcToAmsterdamDate(NaN)).toThrow(/Invalid instant/);
  });
});

describe('nextWeeklyAmsterdamMoment', () => {
  const MONDAY = 1;
  it('finds the coming Monday 08:00 in winter (UTC+1) and summer (UTC+2)', () => {
    // Wednesday 8 January 2031, noon UTC → Monday 13 January 2031 07:00 UTC.
    expect(nextWeeklyAmsterdamMoment(Date.UTC(2031, 0, 8, 12), MONDAY, '08:00')).toEqual({ date: '2031-01-13', at: Date.UTC(2031, 0, 13, 7) });
    // Sunday 6 July 2031 → Monday 7 July 2031 06:00 UTC.
    expect(nextWeeklyAmsterdamMoment(Date.UTC(2031, 6, 6, 12), MONDAY, '08:00')).toEqual({ date: '2031-07-07', at: Date.UTC(2031, 6, 7, 6) });
  });

  it('on Monday itself: today before 08:00, next week at or after it', () => {
    expect(nextWeeklyAmsterdamMoment(Date.UTC(2031, 0, 13, 6, 59), MONDAY, '08:00').date).toBe('2031-01-13');
    expect(nextWeeklyAmsterdamMoment(Date.UTC(2031, 0, 13, 7), MONDAY, '08:00').date).toBe('2031-01-20');
  });

  it('crosses the end of a year and the switch to summer time', () => {
    expect(nextWeeklyAmsterdamMoment(Date.UTC(2030, 11, 31, 12), MONDAY, '08:00')).toEqual({ date: '2031-01-06', at: Date.UTC(2031, 0, 6, 7) });
    // Summer time starts Sunday 30 March 2031: Monday 31 March 08:00 CEST is 06:00 UTC.
    expect(nextWeeklyAmsterdamMoment(Date.UTC(2031, 2, 29, 12), MONDAY, '08:00')).toEqual({ date: '2031-03-31', at: Date.UTC(2031, 2, 31, 6) });
  });
});
