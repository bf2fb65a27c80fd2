/**
 * Pure planning of a step's due date and notification moments from a rulebook version.
 * Deterministic and free of I/O, so workflows import it directly.
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

export type DateKind = 'statutory' | 'target';

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
  statutory: boolean;
}

export function dateKindOf(step: RulebookStep): DateKind {
  return step.date.kind === 'target' ? 'target' : 'statutory';
}

function shifted(rulebook: Rulebook, step: RulebookStep, nominal: IsoDate, rule: string): DateDerivation {
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

/**
 * The date the rulebook sets for a step: a statutory term (effective date + N years) or a yearly last
 * timely day, shifted by the Atw where the step says so. A target-date step has none (null): its
 * municipality or region sets it.
 */
export function rulebookDueDate(rulebook: Rulebook, step: RulebookStep, cycleYear?: number): DateDerivation | null {
  const { date } = step;
  if (date.kind === 'statutory-term') {
    const { years } = date.rule;
    return shifted(rulebook, step, addYears(rulebook.effectiveDate, years), `inwerkingtreding ${formatDutchDate(rulebook.effectiveDate)} + ${years} jaar`);
  }
  if (date.kind === 'yearly') {
    if (cycleYear === undefined) throw new Error(`step ${step.key} is yearly: a cycle year is required`);
    const nominal = `${cycleYear}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
    return shifted(rulebook, step, nominal, `jaarlijkse termijn: ${date.source}${date.verified ? '' : ' (bron niet geverifieerd)'}`);
  }
  return null;
}

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
    text: `${formatDutchDate(date)} (streefdatum, vastgesteld door ${setBy}); gepland, geen wettelijke termijn.`,
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
      (previous ? `; eerder ${formatDutchDate(previous.date)}.` : '.'),
  };
}

/**
 * The moments of a step for one due date: reminders (moved to the working day before), the moment the
 * date has passed, and the escalation rungs (moved to the working day after). Sorted by time.
 */
export function planFirings(rulebook: Rulebook, step: RulebookStep, dueDate: IsoDate): PlannedFiring[] {
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
    ...moment(addDays(dueDate, -r.offsetDays), 'before'),
    roles: r.roles,
    statutory: r.statutory,
  }));
  // The day after the due date is the first on which the step is late; rung offsets count from the
  // due date, and offset 0 means that first working day after it.
  const passed: PlannedFiring = { key: 'deadline-passed', kind: 'deadline', offsetDays: 0, ...moment(addDays(dueDate, 1), 'after'), roles: [], statutory: false };
  const escalations: PlannedFiring[] = step.escalations.map((e) => ({
    key: `escalation-${e.rung}`,
    kind: 'escalation',
    offsetDays: e.offsetDays,
    rung: e.rung,
    ...moment(addDays(dueDate, Math.max(1, e.offsetDays)), 'after'),
    roles: e.roles,
    statutory: e.statutory,
  }));
  const order = { reminder: 0, deadline: 1, escalation: 2 };
  return [...reminders, passed, ...escalations].sort((a, b) => a.at - b.at || order[a.kind] - order[b.kind]);
}
