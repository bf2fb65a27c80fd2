// Public API of the calendar library: pure, deterministic date and term code (safe in Temporal workflows).
export type { IsoDate } from './dates';
export {
  DUTCH_WEEKDAYS,
  DUTCH_MONTHS,
  parseIsoDate,
  isoDate,
  dateParts,
  isLeapYear,
  daysInMonth,
  addDays,
  addMonths,
  addYears,
  daysBetween,
  weekday,
  easterSunday,
  formatDutchDate,
} from './dates';
export type { DecreeDays, TermCalendar, NonWorkingDay, DateDerivation, WorkingDayResult } from './termijnenwet';
export {
  validateTermCalendar,
  decreeCovers,
  statutoryHolidays,
  nonWorkingDay,
  isWorkingDay,
  workingDayOnOrBefore,
  workingDayOnOrAfter,
  shiftToWorkingDay,
  termEnd,
} from './termijnenwet';
export type {
  TermUnit,
  SourceLevel,
  TermSubject,
  TermDirection,
  FixedDateWording,
  TermSpec,
  AtwReading,
  FixedDateSpec,
} from './terms';
export { TERM_UNITS, SOURCE_LEVELS, TERM_SUBJECTS, TERM_DIRECTIONS, FIXED_DATE_WORDINGS, statutoryTermEnd, fixedDateEnd } from './terms';
export { amsterdamWallTimeToUtc, utcToAmsterdamDate, amsterdamUtcOffsetMinutes, nextWeeklyAmsterdamMoment } from './amsterdam-time';
