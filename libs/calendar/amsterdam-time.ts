// Europe/Amsterdam wall time <-> UTC as pure code, so workflow code needs no time-zone database or Intl.
// Rules in force since 1996 (EU summer time): CET = UTC+1; CEST = UTC+2 from the last Sunday of March
// 01:00 UTC to the last Sunday of October 01:00 UTC. Earlier years had other rules and are rejected.
import { addDays, dateParts, daysInMonth, isoDate, weekday } from './dates';
import type { IsoDate } from './dates';

const HOUR_MS = 3_600_000;
const FIRST_YEAR = 1996;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Epoch ms of 01:00 UTC on the last Sunday of `month` (1-12) — the instant of an EU DST switch. */
function lastSunday0100Utc(year: number, month: number): number {
  const last = Date.UTC(year, month - 1, daysInMonth(year, month), 1);
  return last - new Date(last).getUTCDay() * 24 * HOUR_MS;
}

/** Each year's summer time, [start, end) in epoch ms, computed once: every instant's date asks for it. */
const summerTimes = new Map<number, readonly [number, number]>();

function isSummerTime(epochMs: number): boolean {
  const year = new Date(epochMs).getUTCFullYear();
  let summer = summerTimes.get(year);
  if (!summer) summerTimes.set(year, (summer = [lastSunday0100Utc(year, 3), lastSunday0100Utc(year, 10)]));
  return epochMs >= summer[0] && epochMs < summer[1];
}

/** UTC offset of Amsterdam at an instant, in minutes (60 or 120). */
export function amsterdamUtcOffsetMinutes(epochMs: number): number {
  return isSummerTime(epochMs) ? 120 : 60;
}

/**
 * Epoch ms of wall-clock `time` ('HH:MM', 24h) on `date` in Amsterdam.
 * At the switches it behaves like Temporal's 'compatible' disambiguation: a time that does not exist
 * (02:00-02:59 on the last Sunday of March) is read with the winter offset, i.e. lands one hour later
 * (02:30 → 03:30 CEST); a time that occurs twice (02:00-02:59 on the last Sunday of October) gives the
 * earlier instant (CEST).
 */
export function amsterdamWallTimeToUtc(date: IsoDate, time: string): number {
  const m = typeof time === 'string' ? HH_MM.exec(time) : null;
  if (!m) throw new Error(`Invalid time ${JSON.stringify(time)}: expected HH:MM (00:00-23:59)`);
  const { year, month, day } = dateParts(date);
  if (year < FIRST_YEAR) throw new Error(`Amsterdam time: only dates from ${FIRST_YEAR} are supported, got ${date}`);
  const wallAsUtc = Date.UTC(year, month - 1, day, Number(m[1]), Number(m[2]));
  const summer = wallAsUtc - 2 * HOUR_MS;
  return isSummerTime(summer) ? summer : wallAsUtc - HOUR_MS;
}

/** The Amsterdam calendar date of an instant. */
export function utcToAmsterdamDate(epochMs: number): IsoDate {
  if (!Number.isFinite(epochMs)) throw new Error(`Invalid instant ${epochMs}`);
  const local = new Date(epochMs + amsterdamUtcOffsetMinutes(epochMs) * 60_000);
  const year = local.getUTCFullYear();
  if (year < FIRST_YEAR) throw new Error(`Amsterdam time: only instants from ${FIRST_YEAR} are supported`);
  if (year > 9999) return isoDate(year, local.getUTCMonth() + 1, local.getUTCDate());
  // The parts of a Date are a real day: written out directly, without validating them again.
  return `${year}-${String(local.getUTCMonth() + 1).padStart(2, '0')}-${String(local.getUTCDate()).padStart(2, '0')}`;
}

/**
 * The next weekly moment strictly after `epochMs`: `weekdayNumber` (0 Sunday … 6 Saturday) at wall-clock
 * `time` in Amsterdam, with the date it falls on. The weekly digest goes out on Monday 08:00.
 */
export function nextWeeklyAmsterdamMoment(epochMs: number, weekdayNumber: number, time: string): { date: IsoDate; at: number } {
  const today = utcToAmsterdamDate(epochMs);
  for (let i = 0; i <= 7; i++) {
    const date = addDays(today, i);
    if (weekday(date) !== weekdayNumber) continue;
    const at = amsterdamWallTimeToUtc(date, time);
    if (at > epochMs) return { date, at };
  }
  throw new Error('unreachable: a weekday recurs within eight days');
}
