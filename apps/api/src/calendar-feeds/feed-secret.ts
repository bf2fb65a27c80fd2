import { createHmac } from 'node:crypto';
import { hashSecret } from '../../../../libs/access/secrets';

/**
 * A calendar feed's secret: an HMAC-SHA256 of the feed's id under the server's link secret (LINK_SECRET, as
 * the CSRF tokens of libs/access/secrets.ts), 43 base64url characters.
 *
 * Why derived, not random: the issue wants the URL shown on the person's page, again and again, and a
 * calendar client keeps polling the same URL for years. A random secret would have to be stored readable
 * (or encrypted) to be shown again; derived from the id, nothing secret is stored at all, and the row keeps
 * only the hash of the secret to find itself by the URL, as sessions and API tokens do. Revoking is the
 * row's `revoked_at`, never a changed secret: a new feed is a new row, so a new id and a new secret.
 * Rotating LINK_SECRET makes every feed URL unknown (a 404), as it makes every mailed link useless; the
 * person's page then shows the new URLs of the same rows.
 */
export const feedSecret = (linkSecret: string, feedId: string) => createHmac('sha256', linkSecret).update(`calendar-feed\n${feedId}`).digest('base64url');

/** What the row keeps: the SHA-256 of the secret (the key the feed's URL is looked up by). */
export const feedSecretHash = (secret: string) => hashSecret(secret);

/** The feed's path: `/calendar/<secret>.ics` (`calendarFeedFile` in edge/path-params.ts). */
export const feedPath = (secret: string) => `/calendar/${secret}.ics`;
