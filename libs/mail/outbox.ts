/** The Postgres channel the notification activity signals after queueing mail; dispatchers LISTEN on it. */
export const OUTBOX_CHANNEL = 'regie_outbox';

/** The smallest part of an SMTP error the dispatcher decides on (nodemailer sets these). */
export interface SmtpFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  message: string;
}

/**
 * A 5xx answer is the server's permanent refusal (unknown mailbox, policy): marked `failed`, visible and not
 * retried. Everything else (4xx, connection refused, timeouts, a dropped connection) is transient.
 */
export const isPermanentRefusal = (err: SmtpFailure) => typeof err.responseCode === 'number' && err.responseCode >= 500 && err.responseCode < 600;

/** Backoff for transient failures: doubling from `initialMs`, at most `maxMs`, with ±20% jitter so dispatchers do not retry in step. */
export function retryDelayMs(attempts: number, initialMs: number, maxMs: number, random = Math.random): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** One line for the log and the outbox row: the server's answer if there was one, else the error. */
export const describeFailure = (err: SmtpFailure) => (err.response ? err.response : `${err.code ?? 'error'}: ${err.message}`).slice(0, 500);
