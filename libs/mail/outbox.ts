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

/** Why a send failed, in a few words for the dispatcher's failure counter (bounded: never the server's text). */
export const SEND_FAILURE_REASONS = ['smtp-5xx', 'smtp-4xx', 'connection', 'timeout', 'auth', 'other'] as const;
export type SendFailureReason = (typeof SEND_FAILURE_REASONS)[number];

const CONNECTION_CODES = new Set(['ECONNECTION', 'ECONNREFUSED', 'ECONNRESET', 'ESOCKET', 'EDNS', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE']);

/** The reason code of a failed send: the server's answer class if it answered, else what nodemailer says went wrong. */
export function failureReason(err: SmtpFailure): SendFailureReason {
  if (typeof err.responseCode === 'number' && err.responseCode >= 500 && err.responseCode < 600) return 'smtp-5xx';
  if (typeof err.responseCode === 'number' && err.responseCode >= 400 && err.responseCode < 500) return 'smtp-4xx';
  if (err.code === 'EAUTH') return 'auth';
  if (err.code === 'ETIMEDOUT' || err.code === 'ETIMEOUT') return 'timeout';
  if (err.code && CONNECTION_CODES.has(err.code)) return 'connection';
  return 'other';
}
