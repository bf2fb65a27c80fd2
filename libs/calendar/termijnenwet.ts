// Algemene termijnenwet (Atw): which days are not working days (art. 1 and 3), and the plain shift to a
// working day. Whether and how the Atw applies to a term (art. 1 lid 2, 2, 4 and 5) is in `terms.ts`.
// Only the Atw's own list counts (art. 1 and 3) — not a general public-holiday calendar: e.g. 5 mei is
// a holiday every year here. Days equated by decree (art. 3 lid 3) are data passed in by the caller,
// because they change every few years and must never be baked into workflow code.
import { addDays, dateParts, easterSunday, formatDutchDate, isoDate, parseIsoDate, weekday } from './dates';
import type { IsoDate } from './dates';

/** One decree under Atw art. 3 lid 3 (a "Besluit gelijkstelling …"), e.g. for 2026-2028. */
export interface DecreeDays {
  /** Citation or title of the decree, shown in derivations. */
  decree: string;
  /** Years for which the decree fixes the equated days (also the years in which none is equated). */
  years: number[];
  days: IsoDate[];
}

export interface TermCalendar {
  decrees: DecreeDays[];
}

export interface NonWorkingDay {
  date: IsoDate;
  /** Dutch: 'zaterdag', 'zondag', 'Goede Vrijdag', 'Koningsdag', …, 'bij besluit gelijkgestelde dag'. */
  reason: string;
  /** 'Atw art. 1' (weekend), 'Atw art. 3 lid 1', 'Atw art. 3 lid 2' or 'Atw art. 3 lid 3 (<decree>)'. */
  basis: string;
}

export interface DateDerivation {
  /** The resulting working day. */
  date: IsoDate;
  /** The date before any shift. */
  nominal: IsoDate;
  /** How the nominal date was obtained, e.g. 'inwerkingtreding 1 juli 2026 + 2 jaar'. */
  rule: string;
  shifted: boolean;
  /** Non-working days passed over, in walking order (starts with `nominal` when art. 1 moved it). */
  skipped: NonWorkingDay[];
  direction: 'none' | 'forward' | 'backward';
  /**
   * Years whose decree days the result depends on (nominal through result; for Atw art. 2 also the days of
   * the term it counted) for which no decree was passed in: the result may still move. Empty when no
   * shift was computed.
   */
  uncoveredYears: number[];
  /** Dutch explanation for a civil servant. */
  text: string;
  /** How the Algemene termijnenwet bears on this date: whether it applies, by which article, and whether that is a reading. */
  atw?: { applies: boolean; article: string; reading: string | null };
}

export interface WorkingDayResult {
  date: IsoDate;
  skipped: NonWorkingDay[];
}

const LID_1 = 'Atw art. 3 lid 1';
const LID_2 = 'Atw art. 3 lid 2';
const DECREE_REASON = 'bij besluit gelijkgestelde dag';
/** Koningsdag in its current form (27/26 April) and the current art. 3 text apply from 2014. */
const FIRST_SUPPORTED_YEAR = 2014;
/** Guards against a runaway walk on absurd decree data; real chains are at most a few days. */
const MAX_WALK_DAYS = 366;

/** Holidays of Atw art. 3 lid 1 and lid 2 for a year (no decree days), unsorted. */
function atwHolidays(year: number): NonWorkingDay[] {
  if (!Number.isInteger(year) || year < FIRST_SUPPORTED_YEAR) {
    throw new Error(`Algemene termijnenwet: year ${year} not supported (rules implemented from ${FIRST_SUPPORTED_YEAR})`);
  }
  const easter = easterSunday(year);
  // Koningsdag is 27 April, or Saturday 26 April when the 27th is a Sunday.
  const koningsdag = weekday(isoDate(year, 4, 27)) === 0 ? isoDate(year, 4, 26) : isoDate(year, 4, 27);
  const lid1 = (date: IsoDate, reason: string): NonWorkingDay => ({ date, reason, basis: LID_1 });
  return [
    lid1(isoDate(year, 1, 1), 'Nieuwjaarsdag'),
    { date: addDays(easter, -2), reason: 'Goede Vrijdag', basis: LID_2 },
    lid1(addDays(easter, 1), 'Tweede Paasdag'),
    lid1(koningsdag, 'Koningsdag'),
    lid1(isoDate(year, 5, 5), '5 mei (Bevrijdingsdag)'),
    lid1(addDays(easter, 39), 'Hemelvaartsdag'),
    lid1(addDays(easter, 50), 'Tweede Pinksterdag'),
    lid1(isoDate(year, 12, 25), 'Eerste Kerstdag'),
    lid1(isoDate(year, 12, 26), 'Tweede Kerstdag'),
  ];
}

/** Checks one decree's data; a malformed day would otherwise silently never match. */
function checkDecree(d: DecreeDays): void {
  if (!d.decree) throw new Error('TermCalendar: decree without citation');
  for (const y of d.years) {
    if (!Number.isInteger(y)) throw new Error(`TermCalendar: ${d.decree}: invalid year ${y}`);
  }
  for (const day of d.days) {
    parseIsoDate(day);
    if (!d.years.includes(dateParts(day).year)) {
      throw new Error(`TermCalendar: ${d.decree}: day ${day} lies outside the decree's years ${d.years.join(', ')}`);
    }
  }
}

/** Throws a clear Error when the calendar data are malformed. Called by every lookup. */
export function validateTermCalendar(cal: TermCalendar): void {
  cal.decrees.forEach(checkDecree);
}

function decreeDays(year: number, cal: TermCalendar): NonWorkingDay[] {
  validateTermCalendar(cal);
  return cal.decrees.flatMap((d) =>
    d.days
      .filter((day) => dateParts(day).year === year)
      .map((date) => ({ date, reason: DECREE_REASON, basis: `Atw art. 3 lid 3 (${d.decree})` })),
  );
}

/** True when some decree passed in fixes the equated days for `year` (even if it equates none). */
export function decreeCovers(year: number, cal: TermCalendar): boolean {
  validateTermCalendar(cal);
  return cal.decrees.some((d) => d.years.includes(year));
}

/**
 * A year's holidays per calendar, kept once computed: every working-day step asks for them, and planning
 * one step's moments asks dozens of times. Keyed by the decrees' list itself (a rulebook version is
 * immutable data, never changed in place), held weakly: a calendar no one holds any more is forgotten.
 */
const holidayMemo = new WeakMap<readonly DecreeDays[], Map<number, readonly NonWorkingDay[]>>();

function holidaysOf(year: number, cal: TermCalendar): readonly NonWorkingDay[] {
  let years = holidayMemo.get(cal.decrees);
  let holidays = years?.get(year);
  if (!holidays) {
    holidays = [...atwHolidays(year), ...decreeDays(year, cal)].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    if (!years) holidayMemo.set(cal.decrees, (years = new Map()));
    years.set(year, holidays);
  }
  return holidays;
}

/** All Atw holidays of a year, including decree days, sorted by date (weekend days not listed). */
export function statutoryHolidays(year: number, cal: TermCalendar): NonWorkingDay[] {
  // Copies: a caller may keep (and change) what it gets, never the memo's entries.
  return holidaysOf(year, cal).map((h) => ({ ...h }));
}

/**
 * Why `date` is not a working day under the Atw, or null if it is one.
 * A holiday on a weekend is reported as the holiday (the more specific fact; the weekday shows in the date).
 */
export function nonWorkingDay(date: IsoDate, cal: TermCalendar): NonWorkingDay | null {
  const holiday = holidaysOf(dateParts(date).year, cal).find((h) => h.date === date);
  if (holiday) return { ...holiday };
  const wd = weekday(date);
  if (wd === 6) return { date, reason: 'zaterdag', basis: 'Atw art. 1' };
  if (wd === 0) return { date, reason: 'zondag', basis: 'Atw art. 1' };
  return null;
}

export function isWorkingDay(date: IsoDate, cal: TermCalendar): boolean {
  return nonWorkingDay(date, cal) === null;
}

function walk(date: IsoDate, step: 1 | -1, cal: TermCalendar): WorkingDayResult {
  const skipped: NonWorkingDay[] = [];
  let d = parseIsoDate(date);
  for (let n = 0; n <= MAX_WALK_DAYS; n++) {
    const nwd = nonWorkingDay(d, cal);
    if (!nwd) return { date: d, skipped };
    skipped.push(nwd);
    d = addDays(d, step);
  }
  throw new Error(`No working day within ${MAX_WALK_DAYS} days of ${date}: check the decree data`);
}

/** The working day on or before `date` (e.g. a reminder moves earlier). */
export function workingDayOnOrBefore(date: IsoDate, cal: TermCalendar): WorkingDayResult {
  return walk(date, -1, cal);
}

/** The working day on or after `date` (Atw art. 1; e.g. an escalation moves later). */
export function workingDayOnOrAfter(date: IsoDate, cal: TermCalendar): WorkingDayResult {
  return walk(date, 1, cal);
}

/** 'een zaterdag' / 'Koningsdag, een algemeen erkende feestdag volgens Atw art. 3 lid 1' / … */
function describeDay(d: NonWorkingDay): string {
  if (d.basis === 'Atw art. 1') return `een ${d.reason}`;
  if (d.basis === LID_1) return `${d.reason}, een algemeen erkende feestdag volgens ${d.basis}`;
  if (d.basis === LID_2) return `${d.reason}, gelijkgesteld met een algemeen erkende feestdag volgens ${d.basis}`;
  return `een dag die gelijkgesteld is met een algemeen erkende feestdag volgens ${d.basis}`;
}

function joinDutch(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} en ${items[items.length - 1]}`;
}

/** The years from `from` through `to` (either order) for which no decree was passed in. */
export function uncoveredYearsBetween(from: IsoDate, to: IsoDate, cal: TermCalendar): number[] {
  const [first, last] = [dateParts(from).year, dateParts(to).year].sort((a, b) => a - b);
  const years: number[] = [];
  for (let y = first; y <= last; y++) if (!decreeCovers(y, cal)) years.push(y);
  return years;
}

/** ' Let op: voor 2029 is nog geen besluit …' (with a leading space), or '' when every year is covered. */
export function uncoveredNote(years: number[]): string {
  if (years.length === 0) return '';
  const one = years.length === 1;
  return (
    ` Let op: voor ${joinDutch(years.map(String))} is nog geen besluit (Atw art. 3 lid 3) bekend;` +
    ` bij besluit gelijkgestelde dagen zijn voor ${one ? 'dat jaar' : 'die jaren'} nog onbekend en niet meegenomen.`
  );
}

/** 'vrijdag 30 maart 2029 – Goede Vrijdag; zaterdag 31 maart 2029 – zaterdag' */
export function skippedList(skipped: NonWorkingDay[]): string {
  return skipped.map((s) => `${formatDutchDate(s.date)} – ${s.reason}`).join('; ');
}

/** ' valt op <first skipped day>; <how> <date> (overgeslagen: …)', for a walk that moved. */
export function movedClause(walked: WorkingDayResult, how: string): string {
  return ` valt op ${describeDay(walked.skipped[0])}; ${how} ${formatDutchDate(walked.date)} (overgeslagen: ${skippedList(walked.skipped)})`;
}

/**
 * Moves `nominal` to the nearest working day in `direction` and explains why.
 * 'forward' is Atw art. 1 (end of a term); 'backward' is for reminders that must fall before a deadline.
 */
export function shiftToWorkingDay(
  nominal: IsoDate,
  rule: string,
  cal: TermCalendar,
  direction: 'forward' | 'backward',
): DateDerivation {
  const walked = walk(nominal, direction === 'forward' ? 1 : -1, cal);
  const { date, skipped } = walked;
  const shifted = skipped.length > 0;
  const uncoveredYears = uncoveredYearsBetween(nominal, date, cal);

  const head = `${formatDutchDate(nominal)}${rule ? ` (${rule})` : ''}`;
  const how =
    direction === 'forward'
      ? 'volgens de Algemene termijnenwet (art. 1) verschoven naar'
      : 'vervroegd naar de werkdag ervoor volgens de Algemene termijnenwet:';
  const text =
    (shifted ? `${head}${movedClause(walked, how)}.` : `${head}; geen verschuiving: een werkdag volgens de Algemene termijnenwet.`) +
    uncoveredNote(uncoveredYears);

  return { date, nominal, rule, shifted, skipped, direction: shifted ? direction : 'none', uncoveredYears, text };
}

/**
 * `nominal` moved forward to the next working day (Atw art. 1 lid 1), unconditionally: it does not ask
 * whether the Atw applies (art. 1 lid 2, 4, 5) nor apply art. 2. Kept for existing callers and recorded
 * workflows; for a term as the statute phrases it use `statutoryTermEnd` (terms.ts).
 */
export function termEnd(nominal: IsoDate, rule: string, cal: TermCalendar): DateDerivation {
  return shiftToWorkingDay(nominal, rule, cal, 'forward');
}
