import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type AcknowledgementAction, isOneOf, type Language, LANGUAGES, LINK_ACTIONS, type LinkAction } from '../contracts/enums';

export type { LinkAction } from '../contracts/enums';

/**
 * Signed links in mails, usable without an account. A token is `<payload>.<signature>`, both base64url:
 * the payload names one recipient, one action and (for an acknowledgement) one notification; the signature
 * is an HMAC-SHA256 over the payload with LINK_SECRET. Nothing is stored when a link is made: the database
 * records only what a link was used for (and which links were refused).
 */
export interface LinkPayload {
  /** What the link does: the preferences page and one-click unsubscribe, or an acknowledgement. */
  act: LinkAction;
  /** The recipient's address, lower case. */
  rcp: string;
  /** The notification an acknowledgement is about (its business key); absent for preferences. */
  key?: string;
  /** The language of the pages the link opens. */
  lang: Language;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export type LinkCheck = { ok: true; payload: LinkPayload } | { ok: false; reason: 'malformed' | 'forged' | 'expired'; payload?: LinkPayload };

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(`regie-link.v1.${body}`).digest('base64url');

export function signLink(secret: string, payload: LinkPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/** Checks a token's form, signature (in constant time) and expiry; an expired or forged token still names what it claimed. */
export function verifyLink(secret: string, token: string, nowMs = Date.now()): LinkCheck {
  const match = /^([A-Za-z0-9_-]{10,2000})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, body, signature] = match;
  let payload: LinkPayload | undefined;
  try {
    const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    if (
      isOneOf(LINK_ACTIONS, parsed?.act) &&
      typeof parsed.rcp === 'string' &&
      isOneOf(LANGUAGES, parsed.lang) &&
      Number.isInteger(parsed.exp) &&
      (parsed.key === undefined || typeof parsed.key === 'string')
    ) {
      payload = { act: parsed.act, rcp: parsed.rcp, key: parsed.key, lang: parsed.lang, exp: parsed.exp };
    }
  } catch {
    payload = undefined;
  }
  const expected = Buffer.from(sign(secret, body));
  if (!timingSafeEqual(expected, Buffer.from(signature))) return { ok: false, reason: 'forged', payload };
  if (!payload) return { ok: false, reason: 'malformed' };
  if (payload.exp * 1000 <= nowMs) return { ok: false, reason: 'expired', payload };
  return { ok: true, payload };
}

/** What a refused token is recorded by: its hash, never the token itself. */
export const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');

export interface MailLinks {
  /** The preferences page (every mail). */
  preferencesUrl: string;
  /** RFC 8058 one-click target (POST) and the page a GET shows; only on optional mail. */
  unsubscribeUrl: string | null;
  action: { kind: AcknowledgementAction; url: string } | null;
}

/**
 * The links of one mail to one recipient: the preferences page (every mail), one-click unsubscribe (optional
 * mail only) and an acknowledgement (escalations) or receipt confirmation (other notifications).
 */
export function mailLinks(opts: {
  secret: string;
  publicBaseUrl: string;
  recipient: string;
  language: Language;
  optional: boolean;
  action: { kind: AcknowledgementAction; businessKey: string; validDays: number } | null;
  nowMs?: number;
}): MailLinks {
  const now = Math.floor((opts.nowMs ?? Date.now()) / 1000);
  const base = opts.publicBaseUrl.replace(/\/+$/, '');
  // Unsubscribe links stay valid long (mail clients show the button for old mail too): 400 days.
  const preferences = signLink(opts.secret, { act: 'preferences', rcp: opts.recipient, lang: opts.language, exp: now + 400 * 86400 });
  return {
    preferencesUrl: `${base}/mail/preferences/${preferences}`,
    unsubscribeUrl: opts.optional ? `${base}/mail/unsubscribe/${preferences}` : null,
    action: opts.action
      ? {
          kind: opts.action.kind,
          url: `${base}/mail/actions/${signLink(opts.secret, {
            act: opts.action.kind,
            rcp: opts.recipient,
            key: opts.action.businessKey,
            lang: opts.language,
            exp: now + opts.action.validDays * 86400,
          })}`,
        }
      : null,
  };
}
