/**
 * The limits of every input a person sends to a step, defined once: the API's DTOs and OpenAPI use these
 * numbers and checks, and the workflow's validators run the same checks as the last line before anything
 * is accepted into history. Pure (workflows import it).
 */
import { parseIsoDate } from '../calendar';
import { stepRuleError, StepRuleError } from './errors';

/** Maximum lengths, in characters. */
export const TEXT_LIMITS = {
  /** A person or organisation: `by`, `grantedBy`. */
  actor: 200,
  /** A reason for an extension or a waiver, a progress note. */
  reason: 2000,
  note: 2000,
  /** A decision number or document reference. */
  reference: 500,
  url: 2000,
} as const;
export type TextKind = keyof typeof TEXT_LIMITS;

/** How much one step may hold, so that no caller can grow a workflow's state or payloads without bound. */
export const STEP_LIMITS = { extensions: 20, evidence: 20, checklistItems: 100 } as const;

/**
 * The dates the planner supports: from 2014 (the Atw's holidays as implemented, libs/calendar) to 2099,
 * so that every reminder and rung of a date in range is a real day too.
 */
export const DATE_RANGE = { min: '2014-01-01', max: '2099-12-31' } as const;

export const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Control characters (NUL above all), as the body of a character class, so that the checks here and the
 * OpenAPI patterns of the API (apps/api/src/edge/validators.ts) are built from the same text. Multi-line
 * texts may hold tab, line feed and carriage return.
 */
export const CONTROL_CLASS = '\\u0000-\\u001f\\u007f';
export const CONTROL_CLASS_MULTILINE = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f';
/** The text kinds that may span lines (and so hold tab, line feed and carriage return). */
export const MULTILINE_TEXT_KINDS: readonly TextKind[] = ['reason', 'note'];
/** One control character anywhere (texts, and at the API's edge paths and query parameters). */
export const CONTROL_CHARACTER = new RegExp(`[${CONTROL_CLASS}]`);
const CONTROL = CONTROL_CHARACTER;
const CONTROL_MULTILINE = new RegExp(`[${CONTROL_CLASS_MULTILINE}]`);
const MULTILINE = MULTILINE_TEXT_KINDS;

/** An http(s) link: no white space, no control characters. Spelled without the `i` flag, so OpenAPI can carry its source. */
export const HTTP_URL_PATTERN = new RegExp(`^[Hh][Tt][Tt][Pp][Ss]?:\\/\\/[^\\s${CONTROL_CLASS}]+$`);

/** A required or optional text within its limit and without control characters. */
export function checkText(value: unknown, field: string, kind: TextKind, required = true): StepRuleError | null {
  if (value === undefined || value === null || value === '') {
    return required ? stepRuleError('field-required', field, `${field} is required`) : null;
  }
  if (typeof value !== 'string') return stepRuleError('field-invalid', field, `${field} must be text`);
  if (required && !value.trim()) return stepRuleError('field-required', field, `${field} is required`);
  const max = TEXT_LIMITS[kind];
  if (value.length > max) return stepRuleError('text-too-long', field, `${field} may hold at most ${max} characters`, { max: String(max) });
  if ((MULTILINE.includes(kind) ? CONTROL_MULTILINE : CONTROL).test(value)) {
    return stepRuleError('control-character', field, `${field} must not contain control characters`);
  }
  return null;
}

/** A real calendar day (YYYY-MM-DD) within DATE_RANGE; the error names both ends. */
export function checkDate(value: unknown, field: string): StepRuleError | null {
  try {
    parseIsoDate(value as string);
  } catch {
    return stepRuleError('date-invalid', field, `${field} must be a date as YYYY-MM-DD`);
  }
  if ((value as string) < DATE_RANGE.min || (value as string) > DATE_RANGE.max) {
    return stepRuleError('date-out-of-range', field, `${field} must lie from ${DATE_RANGE.min} through ${DATE_RANGE.max}`, { min: DATE_RANGE.min, max: DATE_RANGE.max });
  }
  return null;
}

/** An http(s) link within its limit. */
export function checkUrl(value: unknown, field: string): StepRuleError | null {
  const text = checkText(value, field, 'url', false);
  if (text || value === undefined || value === null || value === '') return text;
  return HTTP_URL_PATTERN.test(value as string) ? null : stepRuleError('url-invalid', field, `${field} must be an http(s) link`);
}
