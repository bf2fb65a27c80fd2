/**
 * Pure planning of a statutory step's due date and notification moments from a rulebook version.
 * Deterministic and free of I/O, so the programme workflow imports it directly.
 */
import {
  addDays,
  addYears,
  amsterdamWallTimeToUtc,
  DateDerivation,
  formatDutchDate,
  IsoDate,
  NonWorkingDay,
  termEnd,
  workingDayOnOrAfter,
  workingDayOnOrBefore,
} from '../calendar';
import type { Role, Rulebook, RulebookStep } from './rulebook.schema';

export interface PlannedFiring {
  /** Stable within a step and due date: `reminder-180d`, `escalation-1`. */
  key: string;
  kind: 'reminder' | 'escalation';
  offsetDays: number;
  rung?: number;
  /** The day the offset points at, and the day it fires after the working-day rule. */
  nominalDay: IsoDate;
  day: IsoDate;
  skippedDays: NonWorkingDay[];
  /** Epoch milliseconds: the configured time (09:00) on `day`, Europe/Amsterdam. */
  at: number;
  roles: Role[];
  statutory: boolean;
}

export interface StepPlan {
  stepKey: string;
  dateKind: 'statutory' | 'target';
  due: DateDerivation;
  firings: PlannedFiring[];
}

/** The due date of a statutory term: effective date + N years, shifted by the Atw where the step says so. */
export function statutoryDueDate(rulebook: Rulebook, step: RulebookStep): DateDerivation {
  if (step.date.kind !== 'statutory-term') throw new Error(`step ${step.key} has no statutory term`);
  const { years } = step.date.rule;
  const nominal = addYears(rulebook.effectiveDate, years);
  const rule = `inwerkingtreding ${formatDutchDate(rulebook.effectiveDate)} + ${years} jaar`;
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

/** Reminders before the due date (moved to the working day before) and escalation rungs after it (moved to the working day after). */
export function planStatutoryStep(rulebook: Rulebook, step: RulebookStep): StepPlan {
  const due = statutoryDueDate(rulebook, step);
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
    key: `reminder-${r.offsetDays}d`,
    kind: 'reminder',
    offsetDays: r.offsetDays,
    ...moment(addDays(due.date, -r.offsetDays), 'before'),
    roles: r.roles,
    statutory: r.statutory,
  }));
  // Rung offsets count from the day after the due date: offset 0 is the first working day after it.
  const escalations: PlannedFiring[] = step.escalations.map((e) => ({
    key: `escalation-${e.rung}`,
    kind: 'escalation',
    offsetDays: e.offsetDays,
    rung: e.rung,
    ...moment(addDays(due.date, Math.max(1, e.offsetDays)), 'after'),
    roles: e.roles,
    statutory: e.statutory,
  }));
  const firings = [...reminders, ...escalations].sort((a, b) => a.at - b.at || (a.kind === b.kind ? 0 : a.kind === 'reminder' ? -1 : 1));
  return { stepKey: step.key, dateKind: 'statutory', due, firings };
}
