export type ErrorCategory =
  | 'invalid-input'
  | 'not-found'
  | 'conflict'
  | 'unprocessable'
  | 'unauthorized'
  | 'forbidden'
  | 'too-large'
  | 'unsupported-media-type'
  | 'rate-limited'
  | 'unavailable';

/** One table maps each category to its HTTP status. */
export const HTTP_STATUS_BY_CATEGORY: Record<ErrorCategory, number> = {
  'invalid-input': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
  'too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
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
    /** For a 429 or 503: when to try again, sent as `Retry-After` (seconds). */
    readonly retryAfterSeconds?: number,
  ) {
    super(logMessage ?? userMessage);
    this.name = 'RegieError';
  }
}
