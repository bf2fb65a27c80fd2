/**
 * Pure planning of a step's due date and notification moments from a rulebook version.
 * Deterministic and free of I/O, so workflows import it directly.
 */
import {
  addDays,
  addYears,
  amsterdamWallTimeToUtc,
  AtwReading,
  DateDerivation,
  fixedDateEnd,
  statutoryTermEnd,
  formatDutchDate,
  IsoDate,
  NonWorkingDay,
  termEnd,
  workingDayOnOrAfter,
  workingDayOnOrBefore,
} from '../calendar';
import type { DateKind } from '../contracts/enums';
import { DEADLINE_FIRING_KEY, escalationFiringKey, reminderFiringKey } from '../contracts/keys';
import type { Role, Rulebook, RulebookStep } from './rulebook.schema';


export interface PlannedFiring {
  /** Stable within a step and due date: `reminder-180d`, `escalation-1`, `deadline-passed`. */
  key: string;
  /** `deadline` notifies no one: it marks the step overdue (statutory) or late against plan (target). */
  kind: 'reminder' | 'escalation' | 'deadline';
  offsetDays: number;
  rung?: number;
  /** The day the offset points at, and the day it fires after the working-day rule. */
  nominalDay: IsoDate;
  day: IsoDate;
  skippedDays: NonWorkingDay[];
  /** Epoch milliseconds: the configured time (09:00) on `day`, Europe/Amsterdam. */
  at: number;
  roles: Role[];
  /** A verplichte melding: may not be unsubscribed (project policy). */
  mandatory: boolean;
}

export function dateKindOf(step: RulebookStep): DateKind {
  return step.date.kind === 'target' ? 'target' : 'statutory';
}

/** Whether a reminder or rung may not be unsubscribed (a verplichte melding), in either format (old: `statutory`). */
export const isMandatory = (item: { mandatory?: boolean; statutory?: boolean }) => item.mandatory ?? item.statutory ?? false;

/** One instance per year (`prestatieafspraken:2027`), in either rulebook format. */
export const isYearly = (step: RulebookStep) => step.date.kind === 'yearly' || step.date.kind === 'yearly-date';

/**
 * Which rules date a rulebook step. `statute`: the Algemene termijnenwet as it reads (art. 1-5). `legacy`:
 * what workflows did before (the old format's `applyTermijnenwet` shifted every term by art. 1, also a term
 * in years); kept only so that histories recorded then replay (the workflow chooses behind `patched()`).
 */
export type TermRules = 'statute' | 'legacy';

const pad = (n: number) => String(n).padStart(2, '0');

/** The old format's flag, read as the reading it always was; a term in years is left to the statute (art. 4). */
const oldFlagReading = (applies: boolean): AtwReading => ({
  applies,
  reason: `regelboekversie in het oude formaat (applyTermijnenwet: ${applies ? 'ja' : 'nee'}); bron en niveau van de datum zijn daarin niet vastgelegd`,
});

/**
 * The date the rulebook sets for a step, with its derivation: a term from the effective date, a fixed or
 * yearly calendar date, each judged under the Atw by its source's level and its reading. A target-date
 * step has none (null): its municipality or region sets it.
 */
export function rulebookDueDate(rulebook: Rulebook, step: RulebookStep, cycleYear?: number, rules: TermRules = 'statute'): DateDerivation | null {
  return remembered(dueDateMemo, rulebook, step, `${rules} ${cycleYear}`, () => computeDueDate(rulebook, step, cycleYear, rules));
}

/**
 * Answers kept per rulebook version and step object (both immutable data: a version never changes once
 * parsed), held weakly: the calendar behind a due date or a moment is not cheap, and the programme loop, the
 * preview and the load simulation ask the same questions many times. Callers never change what they get.
 */
const dueDateMemo = new WeakMap<Rulebook, WeakMap<RulebookStep, Map<string, DateDerivation | null>>>();
const firingsMemo = new WeakMap<Rulebook, WeakMap<RulebookStep, Map<string, PlannedFiring[]>>>();

function remembered<T>(memo: WeakMap<Rulebook, WeakMap<RulebookStep, Map<string, T>>>, rulebook: Rulebook, step: RulebookStep, key: string, compute: () => T): T {
  let byStep = memo.get(rulebook);
  if (!byStep) memo.set(rulebook, (byStep = new WeakMap()));
  let answers = byStep.get(step);
  if (!answers) byStep.set(step, (answers = new Map()));
  if (answers.has(key)) return answers.get(key)!;
  // An error is not kept: the next call throws it again.
  const answer = compute();
  answers.set(key, answer);
  return answer;
}

function computeDueDate(rulebook: Rulebook, step: RulebookStep, cycleYear: number | undefined, rules: TermRules): DateDerivation | null {
  const { date } = step;
  const cal = rulebook.calendar;
  const cycle = () => {
    if (cycleYear === undefined) throw new Error(`step ${step.key} is yearly: a cycle year is required`);
    return cycleYear;
  };
  switch (date.kind) {
    case 'target':
      return null;
    case 'statutory-term': {
      const { years } = date.rule;
      const from = `inwerkingtreding ${formatDutchDate(rulebook.effectiveDate)}`;
      if (rules === 'legacy') return legacyShift(rulebook, step, addYears(rulebook.effectiveDate, years), `${from} + ${years} jaar`);
      return statutoryTermEnd(rulebook.effectiveDate, { amount: years, unit: 'years', direction: 'after', level: 'formal-law', from }, cal);
    }
    case 'term':
      return statutoryTermEnd(
        rulebook.effectiveDate,
        { amount: date.amount, unit: date.unit, direction: date.direction ?? 'after', level: date.source.level, subject: date.subject, from: `inwerkingtreding ${formatDutchDate(rulebook.effectiveDate)}` },
        cal,
        date.reading,
      );
    case 'fixed-date':
      return fixedDateEnd({ date: date.date, wording: date.wording, level: date.source.level, reading: date.reading, source: sourceText(date.source) }, cal);
    case 'yearly-date':
      return fixedDateEnd({ date: `${cycle()}-${pad(date.month)}-${pad(date.day)}`, wording: date.wording, level: date.source.level, reading: date.reading, source: sourceText(date.source) }, cal);
    case 'yearly': {
      const nominal = `${cycle()}-${pad(date.month)}-${pad(date.day)}`;
      const source = `jaarlijkse termijn: ${date.source}${date.verified ? '' : ' (bron niet geverifieerd)'}`;
      if (rules === 'legacy') return legacyShift(rulebook, step, nominal, source);
      return fixedDateEnd({ date: nominal, wording: 'uiterlijk', level: 'formal-law', reading: oldFlagReading(step.applyTermijnenwet ?? false), source }, cal);
    }
  }
}

/** The source as the derivation names it; why it is unverified stays in the rulebook (`source.note`). */
const sourceText = (source: { citation: string; verified: boolean }) => `${source.citation}${source.verified ? '' : ' (niet geverifieerd)'}`;

/** The dating of the first releases (see TermRules): art. 1 wherever the flag said so. */
function legacyShift(rulebook: Rulebook, step: RulebookStep, nominal: IsoDate, rule: string): DateDerivation {
  const derived = termEnd(nominal, rule, rulebook.calendar);
  if (step.applyTermijnenwet) return derived;
  return {
    ...derived,
    date: nominal,
    shifted: false,
    skipped: [],
    direction: 'none',
    text: `${formatDutchDate(nominal)} (${rule}); de Algemene termijnenwet is volgens het regelboek niet van toepassing.`,
  };
}

/** Why a date set by a decision, not by a law, never shifts. */
const NO_TERM_IN_LAW = 'de Algemene termijnenwet is niet van toepassing (art. 1 lid 1: geen in een wet gestelde termijn)';

/** A streefdatum: set by the municipality or region, no statutory term, so the Atw does not move it. */
export function targetDateDerivation(date: IsoDate, setBy: string): DateDerivation {
  return {
    date,
    nominal: date,
    rule: `streefdatum, vastgesteld door ${setBy}`,
    shifted: false,
    skipped: [],
    direction: 'none',
    uncoveredYears: [],
    text: `${formatDutchDate(date)} (streefdatum, vastgesteld door ${setBy}); gepland, geen wettelijke termijn; ${NO_TERM_IN_LAW}.`,
    atw: { applies: false, article: 'art. 1 lid 1', reading: null },
  };
}

/** A date granted by an extension: a decision, not a term, so it is not shifted again. */
export function extensionDerivation(date: IsoDate, previous: DateDerivation | null, grantedBy: string, reason: string): DateDerivation {
  return {
    date,
    nominal: date,
    rule: `verlenging verleend door ${grantedBy}`,
    shifted: false,
    skipped: [],
    direction: 'none',
    uncoveredYears: [],
    text:
      `${formatDutchDate(date)} (verlenging verleend door ${grantedBy}: ${reason})` +
      (previous ? `; eerder ${formatDutchDate(previous.date)}` : '') +
      `; een besluit, geen termijn: ${NO_TERM_IN_LAW}.`,
    atw: { applies: false, article: 'art. 1 lid 1', reading: null },
  };
}

/**
 * The moments of a step for one due date: reminders (moved to the working day before), the moment the
 * date has passed, and the escalation rungs (moved to the working day after). Sorted by time.
 */
export function planFirings(rulebook: Rulebook, step: RulebookStep, dueDate: IsoDate): PlannedFiring[] {
  // A copy of the list (a caller may sort or filter it); the moments themselves are shared.
  return [...remembered(firingsMemo, rulebook, step, dueDate, () => computeFirings(rulebook, step, dueDate))];
}

function computeFirings(rulebook: Rulebook, step: RulebookStep, dueDate: IsoDate): PlannedFiring[] {
  const { time, workingDaysOnly } = rulebook.reminderSchedule;
  const moment = (nominalDay: IsoDate, direction: 'before' | 'after') => {
    const moved = !workingDaysOnly
      ? { date: nominalDay, skipped: [] as NonWorkingDay[] }
      : direction === 'before'
        ? workingDayOnOrBefore(nominalDay, rulebook.calendar)
        : workingDayOnOrAfter(nominalDay, rulebook.calendar);
    return { nominalDay, day: moved.date, skippedDays: moved.skipped, at: amsterdamWallTimeToUtc(moved.date, time) };
  };
  const reminders: PlannedFiring[] = step.reminders.map((r) => ({
    key: reminderFiringKey(r.offsetDays),
    kind: 'reminder',
    offsetDays: r.offsetDays,
    ...moment(addDays(dueDate, -r.offsetDays), 'before'),
    roles: r.roles,
    mandatory: isMandatory(r),
  }));
  // The day after the due date is the first on which the step is late; rung offsets count from the
  // due date, and offset 0 means that first working day after it.
  const passed: PlannedFiring = { key: DEADLINE_FIRING_KEY, kind: 'deadline', offsetDays: 0, ...moment(addDays(dueDate, 1), 'after'), roles: [], mandatory: false };
  const escalations: PlannedFiring[] = step.escalations.map((e) => ({
    key: escalationFiringKey(e.rung),
    kind: 'escalation',
    offsetDays: e.offsetDays,
    rung: e.rung,
    ...moment(addDays(dueDate, Math.max(1, e.offsetDays)), 'after'),
    roles: e.roles,
    mandatory: isMandatory(e),
  }));
  const order = { reminder: 0, deadline: 1, escalation: 2 };
  return [...reminders, passed, ...escalations].sort((a, b) => a.at - b.at || order[a.kind] - order[b.kind]);
}

/** The escalation ladder as the step view shows it: the project's policy, never the statute's. */
export interface EscalationLadder {
  basis: 'project-policy';
  nl: string;
  en: string;
  rungs: { rung: number; offsetDays: number; roles: Role[]; mandatory: boolean }[];
}

/** What versions without `escalationLadder` say about their ladder (the first releases). */
const POLICY_LADDER = {
  nl: 'De escalatieladder is beleid van dit project, geen wettelijke plicht. Een trede die niet kan worden uitgezet heet een verplichte melding.',
  en: 'The escalation ladder is the policy of this project, not a statutory duty. A rung that cannot be unsubscribed is a mandatory notice.',
};

export function escalationLadderOf(rulebook: Rulebook, step: RulebookStep): EscalationLadder {
  const { nl, en } = rulebook.escalationLadder ?? POLICY_LADDER;
  return { basis: 'project-policy', nl, en, rungs: step.escalations.map((e) => ({ rung: e.rung, offsetDays: e.offsetDays, roles: e.roles, mandatory: isMandatory(e) })) };
}
