/**
 * class-validator decorators for the API's inputs. Each runs the step model's own check
 * (`libs/programme/limits.ts`) or a code format (`./inputs.ts`), and sets the OpenAPI constraints
 * (maxLength, pattern, format) from the same constants, so the DTO, the documentation and the workflow's
 * last-line validator agree. A failed check keeps its code: the validation pipe answers
 * `{ error: 'text-too-long', field: 'note', message }`, not a generic one.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsOptional, Matches, MaxLength, ValidateBy, ValidateIf } from 'class-validator';
import { stepRuleError, stepRuleMessage, StepRuleError } from '../../../../libs/programme/errors';
import {
  checkDate,
  checkText,
  checkUrl,
  CONTROL_CLASS,
  CONTROL_CLASS_MULTILINE,
  DATE_RANGE,
  HTTP_URL_PATTERN,
  ISO_DATE_PATTERN,
  MULTILINE_TEXT_KINDS,
  TEXT_LIMITS,
  TextKind,
} from '../../../../libs/programme/limits';
import { CODE_FORMATS, CodeKind, LIST_LIMITS } from './inputs';

/** A refused input: a stable code, the field (its full path), and the message a person reads (Dutch / English). */
export interface InputProblem {
  code: string;
  field: string;
  message: string;
}
/** A pure check of one value, given the full path of its field; null when the value is fine. */
export type InputCheck = (value: unknown, field: string) => InputProblem | null;

/** The key under which a decorator's check travels in class-validator's `contexts`, for the pipe to re-run with the full path. */
export const INPUT_CHECK = 'regieInputCheck';

const fromRule = (error: StepRuleError | null): InputProblem | null => error && { code: error.code, field: error.field, message: stepRuleMessage(error) };

/** A class-validator check that keeps its code: the validation pipe re-runs it with the full path (`errors/validation.ts`). */
export const checkedBy = (name: string, check: InputCheck): PropertyDecorator =>
  ValidateBy(
    {
      name,
      validator: {
        validate: (value, args) => check(value, args!.property) === null,
        defaultMessage: (args) => check(args!.value, args!.property)?.message ?? `${args!.property} is invalid`,
      },
    },
    { context: { [INPUT_CHECK]: check } },
  );

/** A decorator that validates with `check` and documents the property with `schema`. */
function checked(name: string, check: InputCheck, schema: Parameters<typeof ApiProperty>[0], optional = false): PropertyDecorator {
  return applyDecorators(optional ? ApiPropertyOptional(schema) : ApiProperty(schema), checkedBy(name, check));
}

/**
 * OpenAPI patterns for texts: no control characters (multi-line texts may hold tab, line feed and carriage
 * return), the classes `checkText` uses; a required text is more than white space.
 */
const textPattern = (kind: TextKind, required: boolean) =>
  `^${required ? '(?!\\s*$)' : ''}[^${MULTILINE_TEXT_KINDS.includes(kind) ? CONTROL_CLASS_MULTILINE : CONTROL_CLASS}]*$`;

interface FieldOptions {
  optional?: boolean;
  example?: string;
  description?: string;
}

/** Absent means absent: an optional field may be left out, never sent as null (the OpenAPI says string). */
const absent = (value: unknown, field: string, optional: boolean | undefined, expected: string): InputProblem | null | undefined => {
  if (!optional) return undefined;
  if (value === undefined) return null;
  if (value === null) return fromRule(stepRuleError('field-invalid', field, `${field} must be ${expected}, or left out`));
  return undefined;
};

/** A text of one of the step model's kinds (`reason`, `note`, `actor`, `reference`): bounded, no control characters. */
export function StepText(kind: TextKind, options: FieldOptions = {}): PropertyDecorator {
  const check: InputCheck = (value, field) => {
    const none = absent(value, field, options.optional, 'text');
    return none !== undefined ? none : fromRule(checkText(value, field, kind, !options.optional));
  };
  return checked(`stepText:${kind}`, check, {
    type: String,
    required: !options.optional,
    maxLength: TEXT_LIMITS[kind],
    ...(options.optional ? {} : { minLength: 1 }),
    pattern: textPattern(kind, !options.optional),
    example: options.example,
    description: options.description,
  });
}

/** A real calendar day (YYYY-MM-DD) within the range the planner supports. */
export function StepDate(options: FieldOptions = {}): PropertyDecorator {
  const check: InputCheck = (value, field) => {
    const none = absent(value, field, options.optional, 'a date');
    return none !== undefined ? none : fromRule(checkDate(value, field));
  };
  return checked('stepDate', check, {
    type: String,
    required: !options.optional,
    format: 'date',
    pattern: ISO_DATE_PATTERN.source,
    example: options.example,
    description: [options.description, `A real day from ${DATE_RANGE.min} through ${DATE_RANGE.max}`].filter(Boolean).join('. '),
  });
}

/** An http(s) link, optional; an empty string is no link (leave the field out). */
export function HttpUrl(options: Omit<FieldOptions, 'optional'> = {}): PropertyDecorator {
  const check: InputCheck = (value, field) => {
    const none = absent(value, field, true, 'an http(s) link');
    if (none !== undefined) return none;
    if (value === '') return fromRule(stepRuleError('url-invalid', field, `${field} must be an http(s) link`));
    return fromRule(checkUrl(value, field));
  };
  return checked('httpUrl', check, {
    type: String,
    required: false,
    format: 'uri',
    maxLength: TEXT_LIMITS.url,
    pattern: HTTP_URL_PATTERN.source,
    example: options.example,
    description: options.description,
  });
}

/** A map of checklist items to true or false: bounded, keys in the rulebook's key format, values real booleans. */
export function ChecklistValues(max: number): PropertyDecorator {
  const item = CODE_FORMATS.checklistItem;
  const check: InputCheck = (value, field) => {
    if (value === undefined) return null;
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      return { code: 'invalid-input', field, message: `Veld ${field} moet onderdelen op true of false zetten / ${field} must map item keys to true or false` };
    }
    const entries = Object.entries(value);
    if (entries.length > max) {
      return { code: 'invalid-input', field, message: `Veld ${field} mag ten hoogste ${max} onderdelen bevatten / ${field} may hold at most ${max} items` };
    }
    for (const [key, checked] of entries) {
      if (!item.pattern.test(key)) {
        return { code: 'invalid-input', field, message: `Veld ${field} bevat een sleutel die geen onderdeelsleutel is (zoals ${item.example}) / ${field} holds a key that is not ${item.what}` };
      }
      if (typeof checked !== 'boolean') {
        return fromRule(stepRuleError('checklist-value-invalid', `${field}.${key}`, `${field}.${key} must be true or false`));
      }
    }
    return null;
  };
  return checked(
    'checklistValues',
    check,
    { type: 'object', additionalProperties: { type: 'boolean' }, maxProperties: max, example: { doorstroming: true } },
    true,
  );
}

/**
 * A map keyed by code or step: an object of at most `max` entries, each key in its format. Its values are
 * validated where it is read (`validateMapValues`), as the DTO `values` names, which the OpenAPI shows (the
 * controller registers it with `@ApiExtraModels`).
 */
export function BoundedMap(max: number, keys: CodeKind, options: { description?: string; values?: Function } = {}): PropertyDecorator {
  const format = CODE_FORMATS[keys];
  const check: InputCheck = (value, field) => {
    if (value === undefined) return null;
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      return { code: 'invalid-input', field, message: `Ongeldige invoer in veld ${field}: ${field} must be an object keyed by ${format.what}` };
    }
    const names = Object.keys(value);
    if (names.length > max) {
      return { code: 'invalid-input', field, message: `Ongeldige invoer in veld ${field}: ten hoogste ${max} sleutels / at most ${max} keys` };
    }
    if (names.some((name) => !format.pattern.test(name))) {
      return { code: 'invalid-input', field, message: `Ongeldige invoer in veld ${field}: elke sleutel moet ${format.wat} zijn, zoals ${format.example} / every key must be ${format.what}` };
    }
    return null;
  };
  const values = options.values ? { $ref: getSchemaPath(options.values) } : true;
  const description = [options.description, `Keyed by ${format.what} such as ${format.example}`].filter(Boolean).join('. ');
  return checked(`boundedMap:${keys}`, check, { type: 'object', additionalProperties: values, maxProperties: max, description }, true);
}

/**
 * An optional field is validated unless left out: null is not "left out" (the OpenAPI gives its type, and
 * null is not of it). Use this, not class-validator's `IsOptional`, which lets null through.
 */
export const LeftOutOrValid = () => ValidateIf((_object, value) => value !== undefined);

const codeMessage = (field: string, kind: CodeKind) => `${field} must be ${CODE_FORMATS[kind].what} such as ${CODE_FORMATS[kind].example}`;

/** A code or key in its format (`./inputs.ts`), optional or required. */
export function Code(kind: CodeKind, field: string, options: FieldOptions = {}): PropertyDecorator {
  const format = CODE_FORMATS[kind];
  return applyDecorators(
    ApiProperty({ type: String, required: !options.optional, pattern: format.pattern.source, example: options.example ?? format.example, description: options.description }),
    ...(options.optional ? [LeftOutOrValid()] : []),
    Matches(format.pattern, { message: codeMessage(field, kind) }),
  );
}

/** A list of codes, each in its format, at most `max` long. */
export function CodeList(kind: CodeKind, field: string, max: number, options: FieldOptions & { minSize?: number } = {}): PropertyDecorator {
  const format = CODE_FORMATS[kind];
  return applyDecorators(
    ApiProperty({
      type: 'array',
      required: !options.optional,
      items: { type: 'string', pattern: format.pattern.source },
      maxItems: max,
      ...(options.minSize ? { minItems: options.minSize } : {}),
      example: [format.example],
      description: options.description,
    }),
    ...(options.optional ? [LeftOutOrValid()] : []),
    IsArray({ message: `${field} must be a list of codes` }),
    ArrayMaxSize(max, { message: `${field} may hold at most ${max} codes` }),
    Matches(format.pattern, { each: true, message: codeMessage(field, kind) }),
  );
}

/** An e-mail address, at most 254 characters (RFC 5321). */
export function Email(field: string, options: FieldOptions = {}): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ type: String, format: 'email', required: !options.optional, maxLength: LIST_LIMITS.email, example: options.example, description: options.description }),
    ...(options.optional ? [LeftOutOrValid()] : []),
    MaxLength(LIST_LIMITS.email, { message: `${field} may hold at most ${LIST_LIMITS.email} characters` }),
    IsEmail({}, { message: `${field} must be an email address` }),
  );
}

/** A boolean query parameter: exactly `true` or `false` (`1`, `yes`, `TRUE` are refused, never read as false). */
export function BooleanQuery(field: string, options: { description?: string } = {}): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ type: String, enum: ['true', 'false'], required: false, description: options.description }),
    IsOptional(),
    IsIn(['true', 'false'], { message: `${field} must be true or false` }),
  );
}
