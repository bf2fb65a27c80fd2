import { ArgumentMetadata, SetMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { INPUT_CHECK, InputCheck, InputProblem } from '../edge/validators';
import { RegieError } from './regie-error';

/** Every failed property, with its full path (`evidence.url`, `contacts.1.role`). */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): { field: string; error: ValidationError }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, error: e }] : [];
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/**
 * The problem of one failed property: a check of `edge/validators.ts` is run again with the full path, so
 * its code (`text-too-long`, `date-out-of-range`, ...) and a message naming the field reach the caller;
 * any other constraint is an `invalid-input` with class-validator's messages.
 */
export function validationProblem(error: ValidationError, field: string): InputProblem {
  for (const name of Object.keys(error.constraints ?? {})) {
    const check = (error.contexts?.[name] as Record<string, InputCheck> | undefined)?.[INPUT_CHECK];
    const problem = check?.(error.value, field);
    if (problem) return problem;
  }
  return { code: 'invalid-input', field, message: `Ongeldige invoer in veld ${field}: ${Object.values(error.constraints ?? {}).join('; ')}` };
}

export const problemError = (problem: InputProblem) => new RegieError(problem.code, 'invalid-input', problem.message, problem.field);

const OPTIONAL_BODY = 'regie:optionalBody';
/**
 * Marks a DTO whose body may be left out altogether (an apply without override); its route says so in the
 * OpenAPI with `@ApiBody({ type, required: false })`. Every other DTO body is required.
 */
export const OptionalBody = (): ClassDecorator => SetMetadata(OPTIONAL_BODY, true);

/** Not DTOs: a body of these types is the route's own to check (a rulebook, a mail-link form). */
const PLAIN_TYPES: unknown[] = [Object, Array, String, Number, Boolean, Buffer, Date];

export const bodyRequired = () => new RegieError('body-required', 'invalid-input', 'Een JSON-body is verplicht / A JSON body is required');

/**
 * Rejects bad input with a 400 that names the field; unknown fields are refused, not ignored. A request
 * without a body where the route takes a DTO is a 400 `body-required` too, as the OpenAPI says (the body
 * is required unless the DTO is an `@OptionalBody()`): class-validator would read a missing body as `{}`
 * and accept it when every field is optional (POST /onboardings/all would onboard everyone on an empty POST).
 */
class RegieValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata) {
    const type = metadata.metatype;
    if (metadata.type === 'body' && value === undefined && typeof type === 'function' && !PLAIN_TYPES.includes(type) && !Reflect.getMetadata(OPTIONAL_BODY, type)) {
      throw bodyRequired();
    }
    return super.transform(value, metadata);
  }
}

export const validationPipe = new RegieValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => {
    const [first] = flattenValidationErrors(errors);
    return problemError(validationProblem(first.error, first.field));
  },
});

/** The message of an `@IsIn(values)` check, naming the field and every allowed value (from libs/contracts/enums.ts). */
export const oneOfMessage = (field: string, values: readonly string[]) => `${field} must be one of ${values.join(', ')}`;
