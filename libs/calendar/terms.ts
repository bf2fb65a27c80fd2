// Terms and fixed dates as the Algemene termijnenwet (Atw) phrases them: whether the Atw applies
// (art. 1 lid 2, art. 4, art. 5) and how it moves the end (art. 1 lid 1, art. 2). Which days count as
// non-working days (art. 1 and 3, decree days as data) is termijnenwet.ts's business.
// Pure and deterministic (imported by Temporal workflow code): no clock, no Intl, no dependencies.
import { addDays, addMonths, addYears, daysBetween, formatDutchDate, parseIsoDate } from './dates';
import type { IsoDate } from './dates';
import {
  isWorkingDay,
  movedClause,
  skippedList,
  uncoveredNote,
  uncoveredYearsBetween,
  validateTermCalendar,
  workingDayOnOrAfter,
} from './termijnenwet';
import type { DateDerivation, NonWorkingDay, TermCalendar, WorkingDayResult } from './termijnenwet';

// The one place these enumerations are listed (tuples, so a zod schema can take them as they are).
export const TERM_UNITS = ['hours', 'days', 'weeks', 'months', 'years'] as const;
export type TermUnit = (typeof TERM_UNITS)[number];
/** Where a term or date is set: Atw art. 1 reaches a formal law, art. 5 an AMvB; nothing else. */
export const SOURCE_LEVELS = ['formal-law', 'amvb', 'ministerial-regulation', 'practice'] as const;
export type SourceLevel = (typeof SOURCE_LEVELS)[number];
/** Atw art. 4 onder b and c; 'general' is any other term. */
export const TERM_SUBJECTS = ['general', 'publication-entry-into-force', 'deprivation-of-liberty'] as const;
export type TermSubject = (typeof TERM_SUBJECTS)[number];
export const TERM_DIRECTIONS = ['after', 'before'] as const;
export type TermDirection = (typeof TERM_DIRECTIONS)[number];
export const FIXED_DATE_WORDINGS = ['uiterlijk', 'voor'] as const;
export type FixedDateWording = (typeof FIXED_DATE_WORDINGS)[number];

export interface TermSpec {
  /** Integer >= 1. */
  amount: number;
  unit: TermUnit;
  /** 'after': counted forward from the event; 'before': counted back from a moment (art. 1 lid 2: no shift). */
  direction: TermDirection;
  level: SourceLevel;
  /** Default 'general'. */
  subject?: TermSubject;
  /** Dutch, what the term counts from, e.g. 'inwerkingtreding 1 juli 2026' or 'instructie van 3 maart 2027'. */
  from: string;
}

/** An explicit, reasoned reading that overrides the statute's own answer; shown as a reading in the derivation. */
export interface AtwReading {
  applies: boolean;
  reason: string;
}

export interface FixedDateSpec {
  /** The date the text names: 'uiterlijk 1 januari 2028' -> 2028-01-01; 'vóór 1 juli' in 2029 -> 2029-07-01. */
  date: IsoDate;
  /** 'uiterlijk': that day is the last timely day; 'voor' ("vóór"): the day before is. */
  wording: FixedDateWording;
  level: SourceLevel;
  /** Whether Atw art. 1 applies to a fixed calendar date is a reading; required, with its reason. */
  reading: AtwReading;
  /** Dutch description of the source for the derivation, e.g. 'Woningwet art. 44'. */
  source: string;
}

interface UnitRule {
  one: string;
  many: string;
  /** The longest term in this unit the Atw still covers (art. 4 onder a); 0: none. */
  atwMax: number;
  /** Why art. 4 onder a excludes a longer one. */
  excluded: string;
  /** The day `amount` units after (sign 1) or before (sign -1) `date`. */
  count: (date: IsoDate, amount: number, sign: 1 | -1) => IsoDate;
}

const UNITS: Record<TermUnit, UnitRule> = {
  // A plain date has no hours: whole days only. The Atw never applies to such a term anyway.
  hours: { one: 'uur', many: 'uur', atwMax: 0, excluded: 'termijn in uren', count: (d, n, s) => addDays(d, s * Math.floor(n / 24)) },
  days: { one: 'dag', many: 'dagen', atwMax: 90, excluded: 'termijn van meer dan 90 dagen', count: (d, n, s) => addDays(d, s * n) },
  weeks: { one: 'week', many: 'weken', atwMax: 12, excluded: 'termijn van meer dan twaalf weken', count: (d, n, s) => addDays(d, s * 7 * n) },
  months: { one: 'maand', many: 'maanden', atwMax: 3, excluded: 'termijn van meer dan drie maanden', count: (d, n, s) => addMonths(d, s * n) },
  years: { one: 'jaar', many: 'jaar', atwMax: 0, excluded: 'termijn in jaren', count: (d, n, s) => addYears(d, s * n) },
};

/** Atw art. 5: the Atw reaches terms in a law or an AMvB only. */
const OUTSIDE_ATW: Partial<Record<SourceLevel, string>> = {
  'ministerial-regulation': 'alleen termijnen in een wet of AMvB, niet in een ministeriële regeling',
  practice: 'alleen termijnen in een wet of AMvB, niet uit de praktijk',
};

/** Atw art. 4 onder b and c. */
const EXCLUDED_SUBJECTS: Partial<Record<TermSubject, { article: string; why: string }>> = {
  'publication-entry-into-force': {
    article: 'art. 4 onder b',
    why: 'termijn over de bekendmaking, de inwerkingtreding of het vervallen van wettelijke voorschriften',
  },
  'deprivation-of-liberty': { article: 'art. 4 onder c', why: 'termijn over vrijheidsbeneming' },
};

/** The statute's own answer for a term. */
interface Verdict {
  applies: boolean;
  article: string;
  /** Why not, when it does not apply. */
  why: string | null;
}

/** What applying (or not applying) the Atw did to a nominal date. */
interface Outcome {
  date: IsoDate;
  skipped: NonWorkingDay[];
  article: string;
  /** The Dutch text between the head ('<nominal> (<rule>)') and the reading, if any. */
  clause: string;
  uncoveredYears: number[];
}

/** An article of art. 1-4 as it reaches a term in an AMvB: through art. 5. */
function cite(article: string, level: SourceLevel): string {
  return level === 'amvb' ? `${article} jo. art. 5` : article;
}

/** The statute's answer, checked in this order: art. 5, art. 4 onder b and c, art. 4 onder a, art. 1 lid 2. */
function statuteVerdict(spec: TermSpec): Verdict {
  const outside = OUTSIDE_ATW[spec.level];
  if (outside) return { applies: false, article: 'art. 5', why: outside };
  const subject = EXCLUDED_SUBJECTS[spec.subject ?? 'general'];
  if (subject) return { applies: false, article: cite(subject.article, spec.level), why: subject.why };
  const unit = UNITS[spec.unit];
  if (spec.amount > unit.atwMax) return { applies: false, article: cite('art. 4 onder a', spec.level), why: unit.excluded };
  if (spec.direction === 'before') {
    return { applies: false, article: cite('art. 1 lid 2', spec.level), why: 'termijn bepaald door terugrekening vanaf een tijdstip of gebeurtenis' };
  }
  return { applies: true, article: cite('art. 1 lid 1', spec.level), why: null };
}

/** Working days from `end` back to the day after `start`, counted up to two; `earliest`: the last day looked at. */
function workingDaysBack(start: IsoDate, end: IsoDate, cal: TermCalendar): { count: number; earliest: IsoDate } {
  let count = 0;
  for (let day = end; ; day = addDays(day, -1)) {
    if (isWorkingDay(day, cal)) count++;
    if (count === 2 || daysBetween(start, day) <= 1) return { count, earliest: day };
  }
}

/**
 * Atw art. 1 lid 1: an end on a Saturday, Sunday or holiday moves to the next day that is none of these.
 * Then art. 2 for a term of at least three days from `termStart` (null: no such term, e.g. a fixed date):
 * extended where needed so that the days after `termStart` through the end hold at least two such days.
 */
function applyAtw(nominal: IsoDate, level: SourceLevel, cal: TermCalendar, termStart: IsoDate | null): Outcome {
  const art1 = workingDayOnOrAfter(nominal, cal);
  const moved = art1.skipped.length > 0;
  let earliest = nominal;
  let art2: WorkingDayResult | null = null;
  if (termStart !== null && daysBetween(termStart, nominal) >= 3) {
    const counted = workingDaysBack(termStart, art1.date, cal);
    if (counted.earliest < earliest) earliest = counted.earliest;
    // art1.date is itself a working day inside the term, so a short count is exactly one.
    if (counted.count < 2) art2 = workingDayOnOrAfter(addDays(art1.date, 1), cal);
  }
  const date = art2?.date ?? art1.date;
  let clause = moved
    ? movedClause(art1, `volgens de Algemene termijnenwet (${cite('art. 1 lid 1', level)}) verschoven naar`)
    : art2
      ? ''
      : `; geen verschuiving: een werkdag volgens de Algemene termijnenwet (${cite('art. 1 lid 1', level)})`;
  if (art2) {
    clause +=
      `; de termijn bevat ${moved ? 'dan ' : ''}maar één dag die geen zaterdag, zondag of algemeen erkende feestdag is,` +
      ` dus volgens de Algemene termijnenwet (${cite('art. 2', level)}) verlengd tot ${formatDutchDate(date)}` +
      (art2.skipped.length > 0 ? ` (overgeslagen: ${skippedList(art2.skipped)})` : '');
  }
  return {
    date,
    skipped: [...art1.skipped, ...(art2?.skipped ?? [])],
    article: cite(art2 ? (moved ? 'art. 1 lid 1 en art. 2' : 'art. 2') : 'art. 1 lid 1', level),
    clause,
    uncoveredYears: uncoveredYearsBetween(earliest, date, cal),
  };
}

function notApplied(nominal: IsoDate, article: string, clause: string): Outcome {
  return { date: nominal, skipped: [], article, clause, uncoveredYears: [] };
}

function derivation(nominal: IsoDate, rule: string, outcome: Outcome, applies: boolean, reading: AtwReading | null, suffix: string): DateDerivation {
  const shifted = outcome.date !== nominal;
  return {
    date: outcome.date,
    nominal,
    rule,
    shifted,
    skipped: outcome.skipped,
    direction: shifted ? 'forward' : 'none',
    uncoveredYears: outcome.uncoveredYears,
    text: `${formatDutchDate(nominal)} (${rule})${outcome.clause}${suffix}.${uncoveredNote(outcome.uncoveredYears)}`,
    atw: { applies, article: outcome.article, reading: reading?.reason ?? null },
  };
}

/** '; volgens de lezing van het regelboek is de Algemene termijnenwet wel/niet van toepassing<on>: <reason>' */
function readingClause(reading: AtwReading, on: string): string {
  const reason = reading.reason.trim().replace(/\.+$/, '');
  return `; volgens de lezing van het regelboek is de Algemene termijnenwet ${reading.applies ? 'wel' : 'niet'} van toepassing${on}: ${reason}`;
}

/**
 * The end of a term that starts on `start` (the event's day; the term runs from the day after), with
 * the Atw applied as the statute says (art. 5, 4, 1 lid 2, 1 lid 1, 2) unless `reading` overrides it. A
 * reading that applies the Atw applies art. 1 lid 1, and art. 2 to a term counted forward.
 */
export function statutoryTermEnd(start: IsoDate, spec: TermSpec, cal: TermCalendar, reading?: AtwReading): DateDerivation {
  checkTermSpec(spec);
  if (reading !== undefined) checkReading(reading, 'statutoryTermEnd');
  validateTermCalendar(cal);
  const unit = UNITS[spec.unit];
  const sign = spec.direction === 'after' ? 1 : -1;
  const nominal = unit.count(parseIsoDate(start), spec.amount, sign);
  const rule = `${spec.from} ${sign === 1 ? '+' : '-'} ${spec.amount} ${spec.amount === 1 ? unit.one : unit.many}`;

  const statute = statuteVerdict(spec);
  const statuteText = statute.applies
    ? `van toepassing (${statute.article})`
    : `niet van toepassing (${statute.article}: ${statute.why})`;
  const applies = reading ? reading.applies : statute.applies;
  const outcome = applies
    ? applyAtw(nominal, spec.level, cal, spec.direction === 'after' ? start : null)
    : notApplied(nominal, statute.article, reading ? '; geen verschuiving' : `; de Algemene termijnenwet is ${statuteText}`);
  const suffix = reading ? `${readingClause(reading, '')}; volgens de wet zelf is zij ${statuteText}` : '';
  return derivation(nominal, rule, outcome, applies, reading ?? null, suffix);
}

/**
 * The last timely day for a fixed calendar date ('uiterlijk 1 januari 2028', 'vóór 1 juli'). Outside a
 * law or an AMvB the Atw does not apply (art. 5) and the reading is not consulted; inside, the reading
 * decides whether art. 1 lid 1 moves the day (never art. 2: a fixed date is no term of days).
 */
export function fixedDateEnd(spec: FixedDateSpec, cal: TermCalendar): DateDerivation {
  checkFixedDateSpec(spec);
  validateTermCalendar(cal);
  const named = formatDutchDate(spec.date).replace(/^\S+ /, ''); // '1 juli 2029', without the weekday
  const nominal = spec.wording === 'voor' ? addDays(spec.date, -1) : spec.date;
  const rule = spec.wording === 'voor' ? `${spec.source}: vóór ${named}, dus uiterlijk de dag ervoor` : `${spec.source}: uiterlijk ${named}`;

  const outside = OUTSIDE_ATW[spec.level];
  if (outside) {
    const clause = `; de Algemene termijnenwet is niet van toepassing (art. 5: ${outside}); de lezing van het regelboek is daarom niet gebruikt`;
    return derivation(nominal, rule, notApplied(nominal, 'art. 5', clause), false, null, '');
  }
  const { reading } = spec;
  const outcome = reading.applies
    ? applyAtw(nominal, spec.level, cal, null)
    : notApplied(nominal, cite('art. 1 lid 1', spec.level), '; geen verschuiving');
  return derivation(nominal, rule, outcome, reading.applies, reading, readingClause(reading, ' op deze vaste datum'));
}

function checkOneOf(name: string, value: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(value as string)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

function checkReading(reading: AtwReading, name: string): void {
  if (typeof reading.applies !== 'boolean') throw new Error(`${name}: reading.applies must be true or false`);
  if (typeof reading.reason !== 'string' || reading.reason.trim() === '') throw new Error(`${name}: a reading needs its reason`);
}

function checkTermSpec(spec: TermSpec): void {
  if (!Number.isInteger(spec.amount) || spec.amount < 1) throw new Error(`TermSpec.amount must be an integer >= 1, got ${spec.amount}`);
  checkOneOf('TermSpec.unit', spec.unit, TERM_UNITS);
  checkOneOf('TermSpec.direction', spec.direction, TERM_DIRECTIONS);
  checkOneOf('TermSpec.level', spec.level, SOURCE_LEVELS);
  checkOneOf('TermSpec.subject', spec.subject ?? 'general', TERM_SUBJECTS);
  if (typeof spec.from !== 'string' || spec.from.trim() === '') throw new Error('TermSpec.from must say what the term counts from');
}

function checkFixedDateSpec(spec: FixedDateSpec): void {
  parseIsoDate(spec.date);
  checkOneOf('FixedDateSpec.wording', spec.wording, FIXED_DATE_WORDINGS);
  checkOneOf('FixedDateSpec.level', spec.level, SOURCE_LEVELS);
  checkReading(spec.reading, 'fixedDateEnd');
  if (typeof spec.source !== 'string' || spec.source.trim() === '') throw new Error('FixedDateSpec.source must name the source');
}
