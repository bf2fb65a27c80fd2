import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { RegieError } from './regie-error';

function firstProblem(errors: ValidationError[], path: string): { field: string; problem: string } | null {
  for (const e of errors) {
    const field = `${path}.${e.property}`;
    if (e.constraints) return { field, problem: Object.values(e.constraints)[0] };
    const nested = firstProblem(e.children ?? [], field);
    if (nested) return nested;
  }
  return null;
}

/**
 * Validates the values of a map (an object keyed by step or code), which the global pipe cannot see
 * into, and names the full path of the first bad field (`municipalities.GM0363.steps.woonzorganalyse.status`).
 */
export function validateMapValues<T extends object>(cls: new () => T, map: Record<string, unknown> | undefined, path: string): Record<string, T> {
  const result: Record<string, T> = {};
  for (const [key, value] of Object.entries(map ?? {})) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new RegieError('invalid-input', 'invalid-input', `Ongeldige invoer in veld ${path}.${key}: must be an object`, `${path}.${key}`);
    }
    const instance = plainToInstance(cls, value);
    const problem = firstProblem(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true }), `${path}.${key}`);
    if (problem) throw new RegieError('invalid-input', 'invalid-input', `Ongeldige invoer in veld ${problem.field}: ${problem.problem}`, problem.field);
    result[key] = instance;
  }
  return result;
}
