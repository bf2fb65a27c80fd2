/**
 * The workflow's updates as data, with the one table that says, per update, which validator the model asks
 * and which transition it applies: what the handlers in workflows/programme.workflow.ts register. The load
 * simulation replays an owner's history through it (step-loop.ts `runUntil`).
 */
import type { ApplyRulebookInput, CompleteInput, ExtensionInput, ProgressInput, StepEventWrite, TargetDateInput, WaiverInput } from '../contracts';
import type { StepRuleError } from './errors';
import type { ProgrammeSteps } from './programme-steps';

export type UpdateInput =
  | { kind: 'progress'; input: ProgressInput }
  | { kind: 'complete'; input: CompleteInput }
  | { kind: 'targetDate'; input: TargetDateInput }
  | { kind: 'extend'; input: ExtensionInput }
  | { kind: 'waive'; input: WaiverInput }
  | { kind: 'applyRulebook'; input: ApplyRulebookInput };

/** The validator's answer for an update: a coded refusal, or null. Changes nothing. */
export function validateUpdate(model: ProgrammeSteps, u: UpdateInput): StepRuleError | null {
  switch (u.kind) {
    case 'progress':
      return model.validateProgress(u.input);
    case 'complete':
      return model.validateComplete(u.input);
    case 'targetDate':
      return model.validateTargetDate(u.input);
    case 'extend':
      return model.validateExtension(u.input);
    case 'waive':
      return model.validateWaiver(u.input);
    case 'applyRulebook':
      return model.validateApplyRulebook(u.input);
  }
}

/**
 * Validates and applies an update at `now` as the workflow's handler does; returns its read-model writes,
 * or null when the validator refuses it (the workflow would answer the caller with the code, and change nothing).
 */
export function applyUpdate(model: ProgrammeSteps, u: UpdateInput, now: number): StepEventWrite[] | null {
  if (validateUpdate(model, u)) return null;
  switch (u.kind) {
    case 'progress':
      return [model.progress(u.input, now)];
    case 'complete':
      return [model.complete(u.input, now)];
    case 'targetDate':
      return [model.targetDate(u.input, now)];
    case 'extend':
      return [model.extend(u.input, now)];
    case 'waive':
      return [model.waive(u.input, now)];
    case 'applyRulebook': {
      const { result, writes } = model.applyRulebook(u.input, now);
      if (result.alreadyApplied) return [];
      // The handler sets `dirty` once the writes are recorded: the loop looks again.
      model.dirty = true;
      return writes;
    }
  }
}
