import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The secrets of sign-in: links, session cookies and API tokens are random, handed out once and kept only
 * as their SHA-256 hash; a CSRF token is derived from the session, so it needs no storage.
 */

/** A sign-in link holds this long, and is useless once used or once a newer one is sent. */
export const SIGN_IN_LINK_MINUTES = 15;
/** The session cookie: HttpOnly, SameSite=Lax, Secure behind https. */
export const SESSION_COOKIE = 'regie_session';
/** Where a page form or a script sends the session's CSRF token on a write. */
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';
/** An API token reads `regie_<prefix>_<secret>`; the prefix is shown in lists and the audit log. */
export const API_TOKEN_PATTERN = /^regie_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$/;
/** The secret part of a link or cookie: 32 random bytes, base64url. */
export const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const newSecret = () => randomBytes(32).toString('base64url');
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function newApiToken(): { token: string; prefix: string; hash: string } {
  const prefix = randomBytes(8).toString('hex').slice(0, 10);
  const token = `regie_${prefix}_${newSecret()}`;
  return { token, prefix: `regie_${prefix}`, hash: hashSecret(token) };
}

/** The CSRF token of a session: an HMAC of its id's hash under the link secret. */
export const csrfToken = (key: string, sessionIdHash: string) => createHmac('sha256', key).update(`csrf\n${sessionIdHash}`).digest('base64url');

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
