import { CONTROL_CHARACTER } from '../../../../libs/programme/limits';

/** The longest `next` kept through sign-in: a page path with its query. */
export const NEXT_PATH_MAX = 500;

/**
 * Where to go after signing in: a path on this site only (`/municipalities/GM0363/steps/...`), never another
 * site (`//evil.example`, `/\evil.example`, `https://...`), never a control character; otherwise undefined.
 */
export function safeNext(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > NEXT_PATH_MAX) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || CONTROL_CHARACTER.test(value) || value.includes('\\')) return undefined;
  try {
    const base = 'http://regie.invalid';
    const url = new URL(value, base);
    if (url.origin !== base) return undefined;
    // Sign-in pages are no place to land after signing in.
    if (url.pathname.startsWith('/auth/')) return undefined;
    return `${url.pathname}${url.search}`;
  } catch {
    return undefined;
  }
}
