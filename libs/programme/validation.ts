/**
 * The checks an update must pass before it changes anything: pure, returning a coded error (or null).
 * The workflow runs them as update validators; the messages name the field in English for the logs.
 */
import { parseIsoDate } from '../calendar';
import type { ApplyRulebookInput, CompleteInput, ExtensionInput, ProgressInput, StepInstance, TargetDateInput, WaiverInput } from '../contracts';
import { EVIDENCE_KINDS, PROGRESS_STATUSES } from '../contracts/enums';
import { stepRuleError, StepRuleError } from './errors';
import { isClosed } from './step-rules';
import type { RulebookStep } from '../rulebook/rulebook.schema';

type Found = { step: StepInstance; definition: RulebookStep | undefined };
type Finder = (key: string) => Found | StepRuleError;

const required = (value: string | undefined, field: string): StepRuleError | null =>
  !value || typeof value !== 'string' || !value.trim() ? stepRuleError('field-required', field, `${field} is required`) : null;

const validDate = (value: string | undefined, field: string): StepRuleError | null => {
  try {
    parseIsoDate(value as string);
    return null;
  } catch {
    return stepRuleError('date-invalid', field, `${field} must be a date as YYYY-MM-DD`);
  }
};

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
    () => required(input.by, 'by'),
    () =>
      withOpenStep(find, input.step, ({ step, definition }) => {
        for (const item of Object.keys(input.checklist ?? {})) {
          if (!definition?.checklist.some((c) => c.key === item)) {
            return stepRuleError('checklist-item-unknown', `checklist.${item}`, `checklist item ${item} is not part of step ${step.key}`, { item, step: step.key });
          }
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
    () => required(input.by, 'by'),
    () => withOpenStep(find, input.step),
    () =>
      !input.evidence || !(EVIDENCE_KINDS as readonly string[]).includes(input.evidence.kind)
        ? stepRuleError('evidence-kind-invalid', 'evidence.kind', `evidence.kind must be ${EVIDENCE_KINDS.join(', ')}`, { allowed: [...EVIDENCE_KINDS] })
        : null,
    () => required(input.evidence.reference, 'evidence.reference'),
    () => (input.evidence.date ? validDate(input.evidence.date, 'evidence.date') : null),
  );
}

export function validateTargetDate(input: TargetDateInput, find: Finder): StepRuleError | null {
  return first(
    () => required(input.by, 'by'),
    () =>
      withOpenStep(find, input.step, ({ step }) =>
        step.dateKind !== 'target'
          ? stepRuleError('target-date-not-allowed', 'date', `step ${step.key} has a statutory term: its date comes from the law (an extension moves it)`, { step: step.key })
          : null,
      ),
    () => validDate(input.date, 'date'),
  );
}

export function validateExtension(input: ExtensionInput, find: Finder): StepRuleError | null {
  return first(
    () => required(input.grantedBy, 'grantedBy'),
    () => required(input.reason, 'reason'),
    () =>
      withOpenStep(find, input.step, ({ step }) => {
        const bad = validDate(input.to, 'to');
        if (bad) return bad;
        if (!step.due) return stepRuleError('nothing-to-extend', 'to', `step ${step.key} has no date yet to extend: set a target date first`, { step: step.key });
        if (input.to <= step.due.date) return stepRuleError('extension-not-later', 'to', `to must be after the current date ${step.due.date}`, { current: step.due.date });
        return null;
      }),
  );
}

export function validateWaiver(input: WaiverInput, find: Finder): StepRuleError | null {
  return first(
    () => required(input.grantedBy, 'grantedBy'),
    () => required(input.reason, 'reason'),
    () => withOpenStep(find, input.step),
  );
}

export function validateApplyRulebook(input: ApplyRulebookInput): StepRuleError | null {
  if (!/^[0-9a-f]{64}$/.test(input.rulebookHash ?? '')) return stepRuleError('rulebook-hash-invalid', 'rulebookHash', 'rulebookHash must be a sha256 hex digest');
  // A version without this owner's steps is accepted: its steps stay, with a warning, and get no more timers.
  if (!input.rulebook?.id || !Array.isArray(input.rulebook.steps)) return stepRuleError('rulebook-invalid', 'rulebook', 'rulebook must be a rulebook version with steps');
  return null;
}
