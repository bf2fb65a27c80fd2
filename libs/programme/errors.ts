/**
 * Why the step model refuses an input: a code, the field it concerns, and facts for the message. Codes cross
 * the Temporal boundary as the `ApplicationFailure` type (details: the rule error) and the API maps them
 * through `STEP_RULE_CATEGORY`; nobody parses a message.
 */
export const STEP_RULE_CODES = [
  'step-unknown',
  'step-closed',
  'field-required',
  'field-invalid',
  'text-too-long',
  'control-character',
  'date-invalid',
  'date-out-of-range',
  'url-invalid',
  'limit-reached',
  'checklist-value-invalid',
  'status-invalid',
  'checklist-item-unknown',
  'evidence-kind-invalid',
  'target-date-not-allowed',
  'nothing-to-extend',
  'extension-not-later',
  'rulebook-hash-invalid',
  'rulebook-invalid',
] as const;
export type StepRuleCode = (typeof STEP_RULE_CODES)[number];

export type StepRuleCategory = 'invalid-input' | 'not-found' | 'conflict';

export const STEP_RULE_CATEGORY: Record<StepRuleCode, StepRuleCategory> = {
  'step-unknown': 'not-found',
  'step-closed': 'conflict',
  'field-required': 'invalid-input',
  'field-invalid': 'invalid-input',
  'text-too-long': 'invalid-input',
  'control-character': 'invalid-input',
  'date-invalid': 'invalid-input',
  'date-out-of-range': 'invalid-input',
  'url-invalid': 'invalid-input',
  'limit-reached': 'conflict',
  'checklist-value-invalid': 'invalid-input',
  'status-invalid': 'invalid-input',
  'checklist-item-unknown': 'invalid-input',
  'evidence-kind-invalid': 'invalid-input',
  'target-date-not-allowed': 'invalid-input',
  'nothing-to-extend': 'invalid-input',
  'extension-not-later': 'invalid-input',
  'rulebook-hash-invalid': 'invalid-input',
  'rulebook-invalid': 'invalid-input',
};

export interface StepRuleError {
  code: StepRuleCode;
  field: string;
  /** English, for logs and the Temporal UI; people see `dutchMessage`. */
  message: string;
  /** Facts the message is built from (the current date, the allowed values, ...). */
  facts?: Record<string, string | string[]>;
}

const dutch: Record<StepRuleCode, (e: StepRuleError) => string> = {
  'step-unknown': (e) => `Stap ${e.facts?.step} bestaat niet in deze workflow`,
  'step-closed': (e) => `Stap ${e.facts?.step} is ${e.facts?.status === 'done' ? 'afgerond' : 'vrijgesteld'} en kan niet meer wijzigen`,
  'field-required': (e) => `Veld ${e.field} is verplicht`,
  'field-invalid': (e) => `Veld ${e.field} heeft niet de verwachte vorm`,
  'text-too-long': (e) => `Veld ${e.field} mag ten hoogste ${e.facts?.max} tekens bevatten`,
  'control-character': (e) => `Veld ${e.field} mag geen stuurtekens bevatten`,
  'date-invalid': (e) => `Veld ${e.field} moet een bestaande datum zijn (JJJJ-MM-DD)`,
  'date-out-of-range': (e) => `Veld ${e.field} moet liggen tussen ${e.facts?.min} en ${e.facts?.max} (beide inbegrepen)`,
  'url-invalid': (e) => `Veld ${e.field} moet een http(s)-link zijn`,
  'limit-reached': (e) => `Stap ${e.facts?.step} heeft al het maximum van ${e.facts?.max} ${e.facts?.what}`,
  'checklist-value-invalid': (e) => `Veld ${e.field} moet true of false zijn`,
  'status-invalid': (e) => `Veld ${e.field} moet een van ${(e.facts?.allowed as string[]).join(', ')} zijn`,
  'checklist-item-unknown': (e) => `Onderdeel ${e.facts?.item} hoort niet bij stap ${e.facts?.step}`,
  'evidence-kind-invalid': (e) => `Veld ${e.field} moet een van ${(e.facts?.allowed as string[]).join(', ')} zijn`,
  'target-date-not-allowed': (e) => `Stap ${e.facts?.step} heeft een wettelijke termijn: die datum volgt uit de wet (een verlenging verschuift hem)`,
  'nothing-to-extend': (e) => `Stap ${e.facts?.step} heeft nog geen datum om te verlengen: stel eerst een streefdatum vast`,
  'extension-not-later': (e) => `Veld ${e.field} moet na de huidige datum ${e.facts?.current} liggen`,
  'rulebook-hash-invalid': (e) => `Veld ${e.field} moet een sha256-hash zijn`,
  'rulebook-invalid': (e) => `Veld ${e.field} moet een regelboekversie met stappen zijn`,
};

export function stepRuleError(code: StepRuleCode, field: string, message: string, facts?: StepRuleError['facts']): StepRuleError {
  return { code, field, message, ...(facts ? { facts } : {}) };
}

/** The message a person reads: Dutch first, then the English one. */
export function stepRuleMessage(error: StepRuleError): string {
  return `${dutch[error.code](error)} / ${error.message}`;
}

export function isStepRuleError(value: unknown): value is StepRuleError {
  const v = value as StepRuleError | null;
  return !!v && typeof v === 'object' && (STEP_RULE_CODES as readonly string[]).includes(v.code) && typeof v.field === 'string';
}
