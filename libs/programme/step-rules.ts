/**
 * The rules of one step instance, as pure functions: when it is closed, how a new one starts, how a date
 * moves, and what a rulebook version does to it. The programme model (`programme-steps.ts`) and the
 * rulebook preview (apps/api) call these same functions.
 */
import type { DateDerivation, IsoDate } from '../calendar';
import type { InitialStepState, StepInstance } from '../contracts';
import { CLOSED_STEP_STATUSES, INITIAL_STEP_STATUSES } from '../contracts/enums';
import { stepRuleError, StepRuleError, stepRuleMessage } from './errors';
import { checkDate, checkText, checkUrl, STEP_LIMITS } from './limits';
import { stepInstanceKey } from '../contracts/keys';
import type { Rulebook, RulebookStep } from '../rulebook/rulebook.schema';
import { dateKindOf, planFirings, rulebookDueDate, targetDateDerivation, TermRules } from '../rulebook/schedule';

export const isClosed = (step: Pick<StepInstance, 'status'>) => (CLOSED_STEP_STATUSES as readonly string[]).includes(step.status);

export const definitionOf = (rulebook: Rulebook, step: Pick<StepInstance, 'stepKey'>): RulebookStep | undefined =>
  rulebook.steps.find((d) => d.key === step.stepKey);

/**
 * What of an onboarding's initial state a workflow can take: the API checks the same limits first, so this
 * only meets input from before them. What fails is left out with a warning on the step, never thrown: a
 * workflow's first task must not fail on its input.
 */
export function acceptInitial(initial: InitialStepState | undefined, definition: RulebookStep): { initial: InitialStepState | undefined; warnings: string[] } {
  if (!initial) return { initial, warnings: [] };
  const warnings: string[] = [];
  const refuse = (error: StepRuleError | null) => {
    if (error) warnings.push(`bij aanmelding genegeerd: ${stepRuleMessage(error)}`);
    return !!error;
  };
  const status = initial.status === undefined || (INITIAL_STEP_STATUSES as readonly string[]).includes(initial.status) ? initial.status : undefined;
  if (initial.status !== status) refuse(stepRuleError('status-invalid', 'status', `status must be ${INITIAL_STEP_STATUSES.join(', ')}`, { allowed: [...INITIAL_STEP_STATUSES] }));
  const targetDate = initial.targetDate !== undefined && refuse(checkDate(initial.targetDate, 'targetDate')) ? undefined : initial.targetDate;
  const evidence = (initial.evidence ?? [])
    .slice(0, STEP_LIMITS.evidence)
    .filter((e, i) => !refuse(checkText(e.reference, `evidence.${i}.reference`, 'reference') ?? checkUrl(e.url, `evidence.${i}.url`) ?? (e.date !== undefined ? checkDate(e.date, `evidence.${i}.date`) : null)));
  const checklist = (initial.checklist ?? []).filter((key) => definition.checklist.some((c) => c.key === key));
  return { initial: { ...initial, status, targetDate, evidence, checklist }, warnings };
}

/** A new instance of a rulebook step (a yearly step per cycle), in the state onboarding gave it. */
export function newStepInstance(
  rulebook: Rulebook,
  definition: RulebookStep,
  cycleYear: number | null,
  given: InitialStepState | undefined,
  ownerName: string,
  recordedAt: string,
  rules: TermRules,
): StepInstance {
  const accepted = acceptInitial(given, definition);
  const initial = accepted.initial;
  const due = rulebookDueDate(rulebook, definition, cycleYear ?? undefined, rules);
  const target = initial?.targetDate && !due ? targetDateDerivation(initial.targetDate, ownerName) : null;
  return {
    key: stepInstanceKey(definition.key, cycleYear),
    stepKey: definition.key,
    cycleYear,
    status: initial?.status ?? 'open',
    dateKind: dateKindOf(definition),
    due: due ?? target,
    dueSource: due ? 'rulebook' : target ? 'target' : null,
    checklist: Object.fromEntries(definition.checklist.map((c) => [c.key, initial?.checklist?.includes(c.key) ?? false])),
    evidence: (initial?.evidence ?? []).map((e) => ({ ...e, recordedAt })),
    extensions: [],
    waiver: null,
    warnings: accepted.warnings,
    overdue: false,
    late: false,
    overdueSince: null,
    sequence: 0,
  };
}

/** The moment a due date has passed: overdue for a statutory term, late against plan for a target date. */
export function markPassed(step: StepInstance, day: IsoDate): void {
  if (step.dateKind === 'statutory') step.overdue = true;
  else step.late = true;
  step.overdueSince = day;
}

/**
 * Gives a step a new date. Returns the previous date when the day changed (a change notice is due and the
 * calendar entry's SEQUENCE rises), else null. A later date lifts the overdue state; its own timer sets it
 * again if the new date passes too.
 */
export function moveDate(step: StepInstance, due: DateDerivation, source: NonNullable<StepInstance['dueSource']>): DateDerivation | null {
  const previous = step.due;
  step.due = due;
  step.dueSource = source;
  const moved = !!previous && previous.date !== due.date;
  if (moved) step.sequence += 1;
  if (!previous || due.date > previous.date) {
    step.overdue = false;
    step.late = false;
    step.overdueSince = null;
  }
  return moved ? previous : null;
}

/** What a rulebook version does to one step: only open steps whose date comes from the rulebook move. */
export type RulebookChange =
  | { kind: 'removed' }
  | { kind: 'moved'; due: DateDerivation }
  /**
   * `same-date` carries the version's derivation of the same day (its wording may differ); none when the
   * version gives the step no date any more (it became a target-date step): it keeps the one it has.
   */
  | { kind: 'kept'; reason: 'same-date'; due?: DateDerivation }
  | { kind: 'kept'; reason: 'closed' | 'extension' | 'target-date' };

export function rulebookChange(step: StepInstance, rulebook: Rulebook, rules: TermRules): RulebookChange {
  const definition = definitionOf(rulebook, step);
  if (!definition) return { kind: 'removed' };
  if (isClosed(step)) return { kind: 'kept', reason: 'closed' };
  if (step.dueSource !== 'rulebook') return { kind: 'kept', reason: step.dueSource === 'extension' ? 'extension' : 'target-date' };
  const due = rulebookDueDate(rulebook, definition, step.cycleYear ?? undefined, rules);
  if (!due) return { kind: 'kept', reason: 'same-date' };
  return due.date !== step.due?.date ? { kind: 'moved', due } : { kind: 'kept', reason: 'same-date', due };
}

/** Epoch ms at which a step with this date counts as passed (09:00 on the first working day after it). */
export function passedAt(rulebook: Rulebook, definition: RulebookStep, dueDate: IsoDate): number {
  return planFirings(rulebook, definition, dueDate).find((f) => f.kind === 'deadline')!.at;
}
