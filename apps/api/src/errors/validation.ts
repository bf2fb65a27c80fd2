import { ValidationError, ValidationPipe } from '@nestjs/common';
import { RegieError } from './regie-error';

function flatten(errors: ValidationError[], parent = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Rejects bad input with a 400 that names the field; unknown fields are refused, not ignored. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => {
    const [first] = flatten(errors);
    return new RegieError('invalid-input', 'invalid-input', `Ongeldige invoer in veld ${first.field}: ${first.problems.join('; ')}`, first.field);
  },
});

/** The message of an `@IsIn(values)` check, naming the field and every allowed value (from libs/contracts/enums.ts). */
export const oneOfMessage = (field: string, values: readonly string[]) => `${field} must be one of ${values.join(', ')}`;
