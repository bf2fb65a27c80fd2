// Calendar-date arithmetic on plain `YYYY-MM-DD` strings.
// Pure and deterministic (imported by Temporal workflow code): no imports, no clock, no Intl.
// Internally a date is its Date.UTC midnight, so there are no time-zone or DST effects.

/** A calendar date without time zone, `YYYY-MM-DD`. Always produced by `parseIsoDate` or this module. */
export type IsoDate = string;

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Index = `weekday()` result (0 = zondag). */
export const DUTCH_WEEKDAYS = [
  'zondag',
  'maandag',
  'dinsdag',
  'woensdag',
  'donderdag',
  'vrijdag',
  'zaterdag',
] as const;

export const DUTCH_MONTHS = [
  'januari',
  'februari',
  'maart',
  'april',
  'mei',
  'juni',
  'juli',
  'augustus',
  'september',
  'oktober',
  'november',
  'december',
] as const;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Strictly validates `YYYY-MM-DD` (real calendar day, years 1000-9999) and returns it unchanged. */
export function parseIsoDate(value: string): IsoDate {
  const m = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  if (!m) throw new Error(`Invalid date ${JSON.stringify(value)}: expected YYYY-MM-DD`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1000) throw new Error(`Invalid date "${value}": year must be 1000-9999`);
  if (month < 1 || month > 12) throw new Error(`Invalid date "${value}": month ${m[2]} does not exist`);
  if (day < 1 || day > daysInMonth(year, month)) {
    throw new Error(`Invalid date "${value}": ${year}-${m[2]} has no day ${m[3]}`);
  }
  return value;
}

/** Year, month (1-12) and day of a validated date. */
export function dateParts(date: IsoDate): { year: number; month: number; day: number } {
  parseIsoDate(date);
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

/** Builds a date from parts; throws if the parts do not form a real day. */
export function isoDate(year: number, month: number, day: number): IsoDate {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return parseIsoDate(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`);
}

function toUtcMs(date: IsoDate): number {
  const { year, month, day } = dateParts(date);
  return Date.UTC(year, month - 1, day);
}

function fromUtcMs(ms: number): IsoDate {
  const d = new Date(ms);
  return isoDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

export function addDays(date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new Error(`addDays: n must be an integer, got ${n}`);
  return fromUtcMs(toUtcMs(date) + n * DAY_MS);
}

/** Same day n months later (or earlier), clamped to the month's last day: 31 January + 1 month = 28/29 February. */
export function addMonths(date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new Error(`addMonths: n must be an integer, got ${n}`);
  const { year, month, day } = dateParts(date);
  const index = year * 12 + (month - 1) + n;
  const [y, m] = [Math.floor(index / 12), (index % 12) + 1];
  return isoDate(y, m, Math.min(day, daysInMonth(y, m)));
}

/** Same month and day n years later; 29 February becomes 28 February in a non-leap year. */
export function addYears(date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) throw new Error(`addYears: n must be an integer, got ${n}`);
  return addMonths(date, 12 * n);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((toUtcMs(to) - toUtcMs(from)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: IsoDate): number {
  return new Date(toUtcMs(date)).getUTCDay();
}

/** Gregorian Easter Sunday (anonymous Gregorian / Meeus-Jones-Butcher computus). */
export function easterSunday(year: number): IsoDate {
  if (!Number.isInteger(year) || year < 1583 || year > 9999) {
    throw new Error(`easterSunday: year must be an integer 1583-9999, got ${year}`);
  }
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return isoDate(year, month, day);
}

/** e.g. `'2027-07-01'` → `'donderdag 1 juli 2027'`. */
export function formatDutchDate(date: IsoDate): string {
  const { year, month, day } = dateParts(date);
  return `${DUTCH_WEEKDAYS[weekday(date)]} ${day} ${DUTCH_MONTHS[month - 1]} ${year}`;
}
