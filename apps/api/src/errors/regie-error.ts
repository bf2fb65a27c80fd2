export type ErrorCategory = 'invalid-input' | 'not-found' | 'conflict' | 'unauthorized' | 'unavailable';

/** One table maps each category to its HTTP status. */
export const HTTP_STATUS_BY_CATEGORY: Record<ErrorCategory, number> = {
  'invalid-input': 400,
  unauthorized: 401,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
};

/**
 * A domain error with a stable code. `userMessage` is what the caller sees (Dutch first, English second);
 * the logged message may carry more detail and never reaches the caller.
 */
export class RegieError extends Error {
  constructor(
    readonly code: string,
    readonly category: ErrorCategory,
    readonly userMessage: string,
    readonly field?: string,
    logMessage?: string,
  ) {
    super(logMessage ?? userMessage);
    this.name = 'RegieError';
  }
}
