import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import { randomUUID } from 'node:crypto';
import { isEmail } from 'class-validator';
import { DataSource } from 'typeorm';
import { changedRows } from '../../../../libs/db/returning';
import { csrfToken, hashSecret, newSecret, SESSION_COOKIE, SIGN_IN_LINK_MINUTES } from '../../../../libs/access/secrets';
import type { RegieConfig } from '../../../../libs/config/config';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import { DEFAULT_LANGUAGE, isOneOf, LANGUAGES, type Language, type Role } from '../../../../libs/contracts/enums';
import { createMailTransport } from '../../../../libs/mail/mailer';
import { isPermanentRefusal, type SmtpFailure } from '../../../../libs/mail/outbox';
import { mailTemplates } from '../../../../libs/mail/mail-templates';
import { formatMoment } from '../mail-links/mail-links.service';
import { LIST_LIMITS } from '../edge/inputs';
import { AuditService } from './audit.service';

/** One (organisation, role) a person may act for: a contact row of that address. */
export interface Membership {
  organisationKey: string;
  organisationName: string;
  role: Role;
}

export interface SessionView {
  email: string;
  via: 'mail' | 'oidc';
  current: Membership | null;
  choices: Membership[];
  csrfToken: string;
  expiresAt: string;
}

/** An address as contacts store it: trimmed and lower case; valid as the contacts' DTO checks it (class-validator's isEmail, at most LIST_LIMITS.email). */
export const normaliseEmail = (value: unknown) => (typeof value === 'string' ? value.trim().toLowerCase() : '');
export const isAddress = (email: string) => email.length <= LIST_LIMITS.email && isEmail(email);

/**
 * Sign-in by mail and the sessions it opens. A link is random, kept only as a hash, used once, valid for
 * 15 minutes and useless after a newer one; it is sent at once (never in a digest) and not retried past
 * its expiry. Sessions live in Postgres with idle and absolute timeouts; the cookie holds a random id
 * whose hash is the row's key, rotated at every sign-in.
 */
@Injectable()
export class SessionsService implements OnModuleDestroy {
  private readonly logger = new Logger('SignIn');
  private transport?: Transporter;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  /**
   * Asks for a sign-in link. The caller's answer never depends on the address (no account probing): the
   * work happens after the answer, and an unknown address gets nothing.
   */
  requestLink(email: string, next?: string, pageLanguage?: Language): void {
    const job = this.sendLink(email, next, pageLanguage).catch((err) => this.logger.error(`Sign-in link not sent: ${(err as Error).message}`));
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
  }

  /** Waits for the links being sent (tests, and a clean shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async onModuleDestroy(): Promise<void> {
    await this.settled();
    this.transport?.close();
  }

  /** `next` (checked by the caller: a path of this site) rides in the link's query; the link's page checks it again. */
  private async sendLink(email: string, next?: string, pageLanguage?: Language): Promise<void> {
    const [contact] = await this.db.query(`SELECT language FROM contact WHERE email = $1 ORDER BY organisation_key, role LIMIT 1`, [email]);
    if (!contact) return;
    const secret = newSecret();
    const expiresAt = await this.db.transaction(async (tx) => {
      await tx.query(`UPDATE sign_in_link SET superseded_at = now() WHERE email = $1 AND used_at IS NULL AND superseded_at IS NULL`, [email]);
      const [row] = await tx.query(
        `INSERT INTO sign_in_link (token_hash, email, expires_at) VALUES ($1, $2, now() + make_interval(mins => $3)) RETURNING expires_at`,
        [hashSecret(secret), email, SIGN_IN_LINK_MINUTES],
      );
      return row.expires_at as Date;
    });
    const language: Language = isOneOf(LANGUAGES, contact.language) ? contact.language : DEFAULT_LANGUAGE;
    const query = new URLSearchParams({ ...(pageLanguage && pageLanguage !== DEFAULT_LANGUAGE ? { lang: pageLanguage } : {}), ...(next ? { next } : {}) }).toString();
    const context = { email, url: `${this.config.http.publicBaseUrl}/auth/link/${secret}${query ? `?${query}` : ''}`, validUntil: formatMoment(expiresAt, language) };
    const templates = mailTemplates();
    const message = {
      from: this.config.smtp.from,
      to: email,
      subject: templates.render(language, 'sign-in.subject', context).trim(),
      text: templates.render(language, 'sign-in.text', context),
      html: templates.render(language, 'sign-in.html', context),
      messageId: `<sign-in-${randomUUID()}@regie>`,
      headers: { 'Auto-Submitted': 'auto-generated' },
    };
    // At once; a transient failure is tried again with a growing pause, never past the link's expiry.
    for (let attempt = 1, pause = 2000; ; attempt++, pause *= 2) {
      try {
        await this.mail().sendMail(message);
        return;
      } catch (err) {
        if (isPermanentRefusal(err as SmtpFailure) || Date.now() + pause >= expiresAt.getTime()) throw err;
        this.logger.warn(`Sign-in mail attempt ${attempt} failed, trying again in ${pause / 1000} s: ${(err as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
  }

  private mail(): Transporter {
    this.transport ??= createMailTransport(this.config.smtp.url, this.config.smtp.maxConnections, this.config.smtp.dkim);
    return this.transport;
  }

  /** Whether a link would sign in now (the page behind it shows its button); changes nothing. */
  async linkIsValid(secret: string): Promise<boolean> {
    const [row] = await this.db.query(`SELECT 1 FROM sign_in_link WHERE token_hash = $1 AND used_at IS NULL AND superseded_at IS NULL AND expires_at > now()`, [hashSecret(secret)]);
    return !!row;
  }

  /**
   * Spends a link (once: the UPDATE decides) and opens a session; a person with one membership acts for it
   * at once, with several they choose. Ends the session the browser had (rotation). Null when refused.
   */
  async signInWithLink(secret: string, previousSessionIdHash: string | undefined, requestId: string): Promise<{ sessionId: string; view: SessionView } | null> {
    const [link] = await changedRows(
      this.db,
      `UPDATE sign_in_link SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND superseded_at IS NULL AND expires_at > now() RETURNING email`,
      [hashSecret(secret)],
    );
    if (!link) return null;
    return this.open(link.email, 'mail', previousSessionIdHash, requestId);
  }

  /** Opens a session for an address an OpenID provider vouched for; null when it is no contact. */
  signInWithOidc(email: string, previousSessionIdHash: string | undefined, requestId: string) {
    return this.open(email, 'oidc', previousSessionIdHash, requestId);
  }

  private async open(email: string, via: 'mail' | 'oidc', previous: string | undefined, requestId: string) {
    const choices = await this.memberships(email);
    if (!choices.length) return null;
    if (previous) await this.end(previous, 'rotated');
    const sessionId = newSecret();
    const only = choices.length === 1 ? choices[0] : null;
    await this.db.query(
      `INSERT INTO web_session (id_hash, email, via, organisation_key, role, expires_at) VALUES ($1, $2, $3, $4, $5, now() + make_interval(hours => $6))`,
      [hashSecret(sessionId), email, via, only?.organisationKey ?? null, only?.role ?? null, this.config.access.sessionAbsoluteHours],
    );
    await this.audit.recordQuietly({
      principal: { kind: 'choosing', actor: email },
      action: via === 'mail' ? 'sign-in' : 'sign-in-oidc',
      target: only ? `organisation:${only.organisationKey}` : undefined,
      on: only ?? undefined,
      outcome: 'allowed',
      status: 303,
      requestId,
      method: 'POST',
      path: via === 'mail' ? '/auth/link' : '/auth/oidc/callback',
    });
    return { sessionId, view: (await this.view(hashSecret(sessionId)))! };
  }

  async memberships(email: string): Promise<Membership[]> {
    const rows = await this.db.query(
      `SELECT c.organisation_key, o.name, c.role FROM contact c JOIN organisation o ON o.key = c.organisation_key WHERE c.email = $1 ORDER BY o.name, c.role`,
      [email],
    );
    return rows.map((r: { organisation_key: string; name: string; role: Role }) => ({ organisationKey: r.organisation_key, organisationName: r.name, role: r.role }));
  }

  async view(idHash: string): Promise<SessionView | null> {
    const [row] = await this.db.query(
      `SELECT s.email, s.via, s.organisation_key, s.role, o.name, s.expires_at FROM web_session s LEFT JOIN organisation o ON o.key = s.organisation_key
        WHERE s.id_hash = $1 AND s.ended_at IS NULL`,
      [idHash],
    );
    if (!row) return null;
    const all = await this.memberships(row.email);
    const current = row.organisation_key ? { organisationKey: row.organisation_key, organisationName: row.name, role: row.role } : null;
    return {
      email: row.email,
      via: row.via,
      current,
      choices: all.filter((m) => !current || m.organisationKey !== current.organisationKey || m.role !== current.role),
      csrfToken: csrfToken(this.config.links.secret, idHash),
      expiresAt: (row.expires_at as Date).toISOString(),
    };
  }

  /** Acts for one of the person's memberships from now on; false when it is not theirs. */
  async choose(idHash: string, organisationKey: string, role: string): Promise<boolean> {
    const [row] = await changedRows(
      this.db,
      `UPDATE web_session s SET organisation_key = c.organisation_key, role = c.role
         FROM contact c WHERE s.id_hash = $1 AND s.ended_at IS NULL AND c.email = s.email AND c.organisation_key = $2 AND c.role = $3
       RETURNING s.id_hash`,
      [idHash, organisationKey, role],
    );
    return !!row;
  }

  async end(idHash: string, reason: 'signed-out' | 'rotated'): Promise<void> {
    await this.db.query(`UPDATE web_session SET ended_at = now(), ended_reason = $2 WHERE id_hash = $1 AND ended_at IS NULL`, [idHash, reason]);
  }

  /** The Set-Cookie value of a session (or of its removal). */
  cookie(sessionId: string | null): string {
    const parts = [`${SESSION_COOKIE}=${sessionId ?? ''}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${sessionId ? this.config.access.sessionAbsoluteHours * 3600 : 0}`];
    if (this.config.access.secureCookies) parts.push('Secure');
    return parts.join('; ');
  }
}
