import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { amsterdamUtcOffsetMinutes, utcToAmsterdamDate } from '../../../../libs/calendar';
import type { RegieConfig } from '../../../../libs/config/config';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import { ACKNOWLEDGEMENT_ACTIONS, DEFAULT_DELIVERY, DELIVERIES, isOneOf, OPTIONAL_MAIL_CHOICES } from '../../../../libs/contracts';
import type { Delivery, LinkAction } from '../../../../libs/contracts';
import { LinkPayload, tokenDigest, verifyLink } from '../../../../libs/mail/links';
import { MailLanguage, mailTemplates } from '../../../../libs/mail/mail-templates';
import { formatDate } from '../../../../libs/mail/notification-mail';

/** What a link page answers: the status and the rendered HTML (headers are the controller's). */
export interface Page {
  status: number;
  html: string;
}

type RefusalReason = 'malformed' | 'forged' | 'expired' | 'replayed' | 'unknown';

const REFUSAL_STATUS: Record<RefusalReason, number> = { malformed: 400, forged: 403, expired: 410, replayed: 409, unknown: 404 };

/** Which token actions each endpoint takes; a signed token used at another endpoint is refused as malformed. */
const ENDPOINT_ACTIONS: Record<'preferences' | 'action', readonly LinkAction[]> = {
  preferences: ['preferences'],
  action: ACKNOWLEDGEMENT_ACTIONS,
};

type Endpoint = keyof typeof ENDPOINT_ACTIONS;

type Opened = { ok: true; payload: LinkPayload & { rcp: string } } | { ok: false; page: Page };

interface Preference {
  delivery: Delivery;
  optionalStoppedAt: Date | null;
}

/**
 * The pages behind the signed links in mails: one-click unsubscribe (RFC 8058), the preferences page, and
 * acknowledging an escalation or confirming receipt. A GET only shows; only a POST changes anything (mail
 * scanners open links). Every refused token is recorded by its sha256, never the token itself.
 */
@Injectable()
export class MailLinksService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
  ) {}

  async unsubscribePage(token: string): Promise<Page> {
    const link = await this.open(token, 'preferences');
    if (!link.ok) return link.page;
    const preference = await this.preference(link.payload.rcp);
    return this.page(200, link.payload.lang, 'page-unsubscribe', {
      recipient: link.payload.rcp,
      stoppedAt: preference.optionalStoppedAt ? formatMoment(preference.optionalStoppedAt, link.payload.lang) : null,
      preferencesUrl: this.preferencesUrl(token),
    });
  }

  /**
   * RFC 8058 one-click: the POST itself is the request (its body is `List-Unsubscribe=One-Click`, urlencoded
   * or multipart, and carries no cookies or credentials: the signed token is the authority). Idempotent: a
   * second POST keeps the first stop time.
   */
  async unsubscribe(token: string): Promise<Page> {
    const link = await this.open(token, 'preferences');
    if (!link.ok) return link.page;
    await this.dataSource.query(
      `INSERT INTO mail_preference (recipient, optional_stopped_at, updated_at, updated_via) VALUES ($1, now(), now(), 'one-click')
       ON CONFLICT (recipient) DO UPDATE SET optional_stopped_at = now(), updated_at = now(), updated_via = 'one-click'
       WHERE mail_preference.optional_stopped_at IS NULL`,
      [link.payload.rcp],
    );
    return this.page(200, link.payload.lang, 'page-unsubscribed', { recipient: link.payload.rcp, preferencesUrl: this.preferencesUrl(token) });
  }

  async preferencesPage(token: string): Promise<Page> {
    const link = await this.open(token, 'preferences');
    if (!link.ok) return link.page;
    return this.preferences(200, link.payload, { saved: false, invalidField: null });
  }

  /** Form fields `delivery` (DELIVERIES: `immediate` or `digest`) and `optional` (`stop` or `resume`); at least one. */
  async updatePreferences(token: string, body: Record<string, unknown> | undefined): Promise<Page> {
    const link = await this.open(token, 'preferences');
    if (!link.ok) return link.page;
    const delivery = body?.delivery;
    const optional = body?.optional;
    const invalidField =
      delivery !== undefined && !isOneOf(DELIVERIES, delivery)
        ? 'delivery'
        : optional !== undefined && !isOneOf(OPTIONAL_MAIL_CHOICES, optional)
          ? 'optional'
          : delivery === undefined && optional === undefined
            ? 'delivery'
            : null;
    if (invalidField) return this.preferences(400, link.payload, { saved: false, invalidField });
    // Stopping again keeps the first stop time; only a real change moves updated_at.
    await this.dataSource.query(
      `INSERT INTO mail_preference AS p (recipient, delivery, optional_stopped_at, updated_at, updated_via)
       VALUES ($1, COALESCE($2::text, 'immediate'), CASE WHEN $3::text = 'stop' THEN now() END, now(), 'preferences-page')
       ON CONFLICT (recipient) DO UPDATE SET
         delivery = COALESCE($2, p.delivery),
         optional_stopped_at = CASE WHEN $3 = 'stop' THEN COALESCE(p.optional_stopped_at, now()) WHEN $3 = 'resume' THEN NULL ELSE p.optional_stopped_at END,
         updated_at = now(), updated_via = 'preferences-page'
       WHERE p.delivery IS DISTINCT FROM COALESCE($2, p.delivery)
          OR ($3 = 'stop' AND p.optional_stopped_at IS NULL) OR ($3 = 'resume' AND p.optional_stopped_at IS NOT NULL)`,
      [link.payload.rcp, (delivery as string | undefined) ?? null, (optional as string | undefined) ?? null],
    );
    return this.preferences(200, link.payload, { saved: true, invalidField: null });
  }

  /** Shows what the link confirms, with one button; changes nothing. */
  async actionPage(token: string): Promise<Page> {
    const link = await this.open(token, 'action');
    if (!link.ok) return link.page;
    const notification = await this.notificationFor(token, link.payload);
    if (!notification.ok) return notification.page;
    const acknowledgedAt = await this.acknowledgedAt(link.payload);
    return this.page(200, link.payload.lang, 'page-action', {
      ...notification.context,
      acknowledgedAt: acknowledgedAt ? formatMoment(acknowledgedAt, link.payload.lang) : null,
    });
  }

  /** Records the acknowledgement once; a second use is answered 409 and recorded as replayed. */
  async act(token: string): Promise<Page> {
    const link = await this.open(token, 'action');
    if (!link.ok) return link.page;
    const notification = await this.notificationFor(token, link.payload);
    if (!notification.ok) return notification.page;
    const { rcp, key, act, lang } = link.payload;
    const inserted: { acknowledged_at: Date }[] = await this.dataSource.query(
      `INSERT INTO mail_acknowledgement (business_key, recipient, action, owner_kind, owner_code, step)
       SELECT business_key, $2, $3, owner_kind, owner_code, step FROM notification WHERE business_key = $1
       ON CONFLICT (business_key, recipient, action) DO NOTHING RETURNING acknowledged_at`,
      [key, rcp, act],
    );
    if (inserted.length) {
      return this.page(200, lang, 'page-action-done', { ...notification.context, already: false, acknowledgedAt: formatMoment(inserted[0].acknowledged_at, lang) });
    }
    const acknowledgedAt = (await this.acknowledgedAt(link.payload))!;
    await this.recordRefusal('replayed', token, link.payload);
    return this.page(409, lang, 'page-action-done', { ...notification.context, already: true, acknowledgedAt: formatMoment(acknowledgedAt, lang) });
  }

  /** When this recipient already used this action on this notification, if they did. */
  private async acknowledgedAt({ key, rcp, act }: LinkPayload): Promise<Date | null> {
    const [row] = await this.dataSource.query(
      `SELECT acknowledged_at FROM mail_acknowledgement WHERE business_key = $1 AND recipient = $2 AND action = $3`,
      [key, rcp, act],
    );
    return row?.acknowledged_at ?? null;
  }

  /** Verifies the token and that its action belongs to this endpoint; a refusal is recorded and answered with a page. */
  private async open(token: string, endpoint: Endpoint): Promise<Opened> {
    const check = verifyLink(this.config.links.secret, token);
    if (!check.ok) return { ok: false, page: await this.refuse(check.reason, token, check.payload) };
    const { payload } = check;
    const fits = ENDPOINT_ACTIONS[endpoint].includes(payload.act) && (endpoint !== 'action' || !!payload.key);
    // Signed by us but opened at another endpoint (an edited URL): not forged, but not a link we made.
    if (!fits) return { ok: false, page: await this.refuse('malformed', token, payload) };
    return { ok: true, payload: { ...payload, rcp: payload.rcp.toLowerCase() } };
  }

  private async notificationFor(token: string, payload: LinkPayload): Promise<{ ok: true; context: object } | { ok: false; page: Page }> {
    const [row] = await this.dataSource.query(
      `SELECT n.owner_kind, n.owner_code, n.step, n.kind, n.due_date::text, n.rung,
         COALESCE(n.request->>'dateKind', s.date_kind) AS date_kind, COALESCE(m.name, r.name, n.owner_code) AS owner_name,
         def.step->>'nameNl' AS name_nl, def.step->>'nameEn' AS name_en, n.cycle_year
       FROM notification n
       JOIN outbox o ON o.business_key = n.business_key AND o.recipient = $2
       LEFT JOIN municipality m ON n.owner_kind = 'municipality' AND m.code = n.owner_code
       LEFT JOIN region r ON n.owner_kind = 'region' AND r.code = n.owner_code
       LEFT JOIN step_state s ON s.owner_code = n.owner_code AND s.step = n.step
       LEFT JOIN rulebook_version rv ON rv.id = n.rulebook_id
       LEFT JOIN LATERAL (SELECT d AS step FROM jsonb_array_elements(rv.content->'steps') d
                          WHERE d->>'key' = n.step_key LIMIT 1) def ON true
       WHERE n.business_key = $1`,
      [payload.key, payload.rcp],
    );
    if (!row) return { ok: false, page: await this.refuse('unknown', token, payload) };
    const name = (payload.lang === 'en' ? row.name_en : row.name_nl) ?? row.step;
    return {
      ok: true,
      context: {
        action: payload.act,
        recipient: payload.rcp,
        owner: { name: row.owner_name, code: row.owner_code, isRegion: row.owner_kind === 'region' },
        step: { name: row.cycle_year ? `${name} ${row.cycle_year}` : name },
        kind: row.kind,
        rung: row.rung === null ? null : Number(row.rung),
        statutory: row.date_kind !== 'target',
        date: formatDate(row.due_date, payload.lang),
      },
    };
  }

  private async refuse(reason: RefusalReason, token: string, payload: LinkPayload | undefined): Promise<Page> {
    await this.recordRefusal(reason, token, payload);
    return this.page(REFUSAL_STATUS[reason], payload?.lang ?? 'nl', 'page-refused', { reason });
  }

  private async recordRefusal(reason: RefusalReason, token: string, payload: LinkPayload | undefined): Promise<void> {
    await this.dataSource.query(`INSERT INTO mail_link_refusal (reason, action, recipient, business_key, token_sha256) VALUES ($1, $2, $3, $4, $5)`, [
      reason,
      payload?.act ?? null,
      payload?.rcp ?? null,
      payload?.key ?? null,
      tokenDigest(token),
    ]);
  }

  private async preferences(status: number, payload: LinkPayload, extra: { saved: boolean; invalidField: string | null }): Promise<Page> {
    const preference = await this.preference(payload.rcp);
    return this.page(status, payload.lang, 'page-preferences', {
      recipient: payload.rcp,
      digest: preference.delivery === 'digest',
      stoppedAt: preference.optionalStoppedAt ? formatMoment(preference.optionalStoppedAt, payload.lang) : null,
      ...extra,
    });
  }

  private async preference(recipient: string): Promise<Preference> {
    const [row] = await this.dataSource.query(`SELECT delivery, optional_stopped_at FROM mail_preference WHERE recipient = $1`, [recipient]);
    return { delivery: row?.delivery ?? DEFAULT_DELIVERY, optionalStoppedAt: row?.optional_stopped_at ?? null };
  }

  private preferencesUrl(token: string): string {
    return `${this.config.http.publicBaseUrl}/mail/preferences/${token}`;
  }

  private page(status: number, language: MailLanguage, template: string, context: object): Page {
    return { status, html: mailTemplates().render(language, `${template}.html`, { language, ...context }) };
  }
}

/** `maandag 3 juli 2028 om 14:05` / `Monday 3 July 2028 at 14:05`, Amsterdam time. */
export function formatMoment(at: Date, language: MailLanguage): string {
  const ms = at.getTime();
  const local = new Date(ms + amsterdamUtcOffsetMinutes(ms) * 60_000);
  const time = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
  return `${formatDate(utcToAmsterdamDate(ms), language)} ${language === 'en' ? 'at' : 'om'} ${time}`;
}
