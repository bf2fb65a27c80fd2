/**
 * JSON as Postgres `jsonb` takes it. jsonb refuses the NUL character (`\u0000`), which a workflow's state
 * may hold from before input limits existed; it is stored as U+FFFD (the replacement character) instead,
 * so such a write succeeds rather than being retried for ever.
 */
export function jsonbText(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'string' && v.includes('\u0000') ? v.replaceAll('\u0000', '\uFFFD') : v));
}

/**
 * A database error that no retry can mend: bad data (SQLSTATE class 22) or a violated constraint (23).
 * Connection loss, timeouts and serialization failures are not, and are retried.
 */
export function isPermanentDatabaseError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23)/.test(code);
}
