import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { RegieError } from './regie-error';
import { flattenValidationErrors, problemError, validationProblem } from './validation';

/**
 * Validates the values of a map (an object keyed by step or code), which the global pipe cannot see
 * into, and names the full path of the first bad field (`municipalities.GM0363.steps.woonzorganalyse.status`).
 */
export function validateMapValues<T extends object>(cls: new () => T, map: Record<string, unknown> | undefined, path: string): Record<string, T> {
  const result: Record<string, T> = Object.create(null);
  for (const [key, value] of Object.entries(map ?? {})) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new RegieError('invalid-input', 'invalid-input', `Ongeldige invoer in veld ${path}.${key}: must be an object`, `${path}.${key}`);
    }
    const instance = plainToInstance(cls, value);
    const [first] = flattenValidationErrors(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }), `${path}.${key}`);
    if (first) throw problemError(validationProblem(first.error, first.field));
    result[key] = instance;
  }
  return result;
}
