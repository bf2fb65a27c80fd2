/**
 * The checks an update must pass before it changes anything: pure, returning a coded error (or null).
 * The workflow runs them as update validators; the messages name the field in English for the logs.
 */
import type { ApplyRulebookInput, CompleteInput, ExtensionInput, ProgressInput, StepInstance, TargetDateInput, WaiverInput } from '../contracts';
import { EVIDENCE_KINDS, PROGRESS_STATUSES } from '../contracts/enums';
import { stepRuleError, StepRuleError } from './errors';
import { isClosed } from './step-rules';
import type { Rulebook, RulebookStep } from '../rulebook/rulebook.schema';
import { planFirings } from '../rulebook/schedule';
import { checkDate, checkText, checkUrl, DATE_RANGE, STEP_LIMITS } from './limits';

type Found = { step: StepInstance; definition: RulebookStep | undefined };
type Finder = (key: string) => Found | StepRuleError;

/** The planner must be able to plan every moment of a new date (the last line before history). */
const plannable = (rulebook: Rulebook, definition: RulebookStep | undefined, date: string, field: string): StepRuleError | null => {
  if (!definition) return null;
  try {
    planFirings(rulebook, definition, date);
    return null;
  } catch {
    return stepRuleError('date-out-of-range', field, `${field} must lie from ${DATE_RANGE.min} through ${DATE_RANGE.max}`, { min: DATE_RANGE.min, max: DATE_RANGE.max });
  }
};

const atMost = (step: StepInstance, list: unknown[], max: number, what: string, field: string): StepRuleError | null =>
  list.length >= max ? stepRuleError('limit-reached', field, `step ${step.key} already holds the maximum of ${max} ${what}`, { step: step.key, max: String(max), what }) : null;

/** The step must exist and still be open. */
export function openStep(steps: StepInstance[], definitions: RulebookStep[], key: string): Found | StepRuleError {
  const step = steps.find((s) => s.key === key);
  if (!step) return stepRuleError('step-unknown', 'step', `unknown step ${key}; this workflow has ${steps.map((s) => s.key).join(', ')}`, { step: String(key) });
  if (isClosed(step)) {
    return stepRuleError('step-closed', 'step', `step ${key} is ${step.status === 'done' ? 'done' : 'waived'}: it cannot change any more`, { step: key, status: step.status });
  }
  return { step, definition: definitions.find((d) => d.key === step.stepKey) };
}

const first = (...checks: (() => StepRuleError | null)[]): StepRuleError | null => {
  for (const check of checks) {
    const error = check();
    if (error) return error;
  }
  return null;
};

/** Runs `more` on the open step, or returns why there is none. */
const withOpenStep = (find: Finder, key: string, more: (found: Found) => StepRuleError | null = () => null) => {
  const found = find(key);
  return 'code' in found ? found : more(found);
};

export function validateProgress(input: ProgressInput, find: Finder): StepRuleError | null {
  return first(
    () => checkText(input.by, 'by', 'actor'),
    () => checkText(input.note, 'note', 'note', false),
    () =>
      withOpenStep(find, input.step, ({ step, definition }) => {
        if (input.checklist !== undefined && (typeof input.checklist !== 'object' || input.checklist === null || Array.isArray(input.checklist))) {
          return stepRuleError('field-invalid', 'checklist', 'checklist must map item keys to true or false');
        }
        for (const [item, value] of Object.entries(input.checklist ?? {})) {
          if (!definition?.checklist.some((c) => c.key === item)) {
            return stepRuleError('checklist-item-unknown', `checklist.${item}`, `checklist item ${item} is not part of step ${step.key}`, { item, step: step.key });
          }
          if (typeof value !== 'boolean') return stepRuleError('checklist-value-invalid', `checklist.${item}`, `checklist.${item} must be true or false`);
        }
        if (input.status && !(PROGRESS_STATUSES as readonly string[]).includes(input.status)) {
          return stepRuleError('status-invalid', 'status', `status must be ${PROGRESS_STATUSES.join(', ')}`, { allowed: [...PROGRESS_STATUSES] });
        }
        return null;
      }),
  );
}

export function validateComplete(input: CompleteInput, find: Finder): StepRuleError | null {
  return first(
    () => checkText(input.by, 'by', 'actor'),
    () => withOpenStep(find, input.step, ({ step }) => atMost(step, step.evidence, STEP_LIMITS.evidence, 'bewijsstukken', 'evidence')),
    () =>
      !input.evidence || !(EVIDENCE_KINDS as readonly string[]).includes(input.evidence.kind)
        ? stepRuleError('evidence-kind-invalid', 'evidence.kind', `evidence.kind must be ${EVIDENCE_KINDS.join(', ')}`, { allowed: [...EVIDENCE_KINDS] })
        : null,
    () => checkText(input.evidence.reference, 'evidence.reference', 'reference'),
    () => checkUrl(input.evidence.url, 'evidence.url'),
    () => (input.evidence.date !== undefined ? checkDate(input.evidence.date, 'evidence.date') : null),
    () => (input.unmetDependencies ?? []).length > STEP_LIMITS.checklistItems ? stepRuleError('field-invalid', 'unmetDependencies', 'unmetDependencies is too long') : null,
  );
}

export function validateTargetDate(input: TargetDateInput, find: Finder, rulebook: Rulebook): StepRuleError | null {
  return first(
    () => checkText(input.by, 'by', 'actor'),
    () =>
      withOpenStep(find, input.step, ({ step, definition }) =>
        step.dateKind !== 'target'
          ? stepRuleError('target-date-not-allowed', 'date', `step ${step.key} has a statutory term: its date comes from the law (an extension moves it)`, { step: step.key })
          : checkDate(input.date, 'date') ?? plannable(rulebook, definition, input.date, 'date'),
      ),
  );
}

export function validateExtension(input: ExtensionInput, find: Finder, rulebook: Rulebook): StepRuleError | null {
  return first(
    () => checkText(input.grantedBy, 'grantedBy', 'actor'),
    () => checkText(input.reason, 'reason', 'reason'),
    () =>
      withOpenStep(find, input.step, ({ step, definition }) => {
        const bad = checkDate(input.to, 'to');
        if (bad) return bad;
        if (!step.due) return stepRuleError('nothing-to-extend', 'to', `step ${step.key} has no date yet to extend: set a target date first`, { step: step.key });
        if (input.to <= step.due.date) return stepRuleError('extension-not-later', 'to', `to must be after the current date ${step.due.date}`, { current: step.due.date });
        return atMost(step, step.extensions, STEP_LIMITS.extensions, 'verlengingen', 'to') ?? plannable(rulebook, definition, input.to, 'to');
      }),
  );
}

export function validateWaiver(input: WaiverInput, find: Finder): StepRuleError | null {
  return first(
    () => checkText(input.grantedBy, 'grantedBy', 'actor'),
    () => checkText(input.reason, 'reason', 'reason'),
    () => withOpenStep(find, input.step),
  );
}

export function validateApplyRulebook(input: ApplyRulebookInput): StepRuleError | null {
  if (!/^[0-9a-f]{64}$/.test(input.rulebookHash ?? '')) return stepRuleError('rulebook-hash-invalid', 'rulebookHash', 'rulebookHash must be a sha256 hex digest');
  // A version without this owner's steps is accepted: its steps stay, with a warning, and get no more timers.
  if (!input.rulebook?.id || !Array.isArray(input.rulebook.steps)) return stepRuleError('rulebook-invalid', 'rulebook', 'rulebook must be a rulebook version with steps');
  return null;
}
