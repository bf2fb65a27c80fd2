/**
 * JSON as Postgres `jsonb` takes it. jsonb refuses the NUL character (`\u0000`), which a workflow's state
 * may hold from before input limits existed; it is stored as U+FFFD (the replacement character) instead,
 * so such a write succeeds rather than being retried for ever.
 */
export function jsonbText(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'string' && v.includes('\u0000') ? v.replaceAll('\u0000', '\uFFFD') : v));
}

/**
 * The database cannot be reached or is going away: connection refused or reset, the pool's connect
 * timeout, a server shutting down or starting (SQLSTATE 57P01-57P03), a connection exception (class 08).
 * The caller should retry later; nothing was changed.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03'].includes(code) || code.startsWith('08')) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED/.test(message);
}

/**
 * A database error that no retry can mend: bad data (SQLSTATE class 22) or a violated constraint (23).
 * Connection loss, timeouts and serialization failures are not, and are retried.
 */
export function isPermanentDatabaseError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23)/.test(code);
}
