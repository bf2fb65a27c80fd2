import { randomUUID } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import { Client as PgClient } from 'pg';
import type { DataSource } from 'typeorm';
import { isMandatoryNotice, type NotificationRequest } from '../contracts';
import { CLOSED_STEP_STATUSES, isOneOf, type Language, type OutboxKind } from '../contracts/enums';
import { findRulebook } from '../db/rulebook-store';
import type { RulebookStep } from '../rulebook/rulebook.schema';
import { mailLinks } from './links';
import { composeDigestMessage, composeNotificationMessage, NotificationMessageInput } from './notification-message';
import { describeFailure, failureReason, isPermanentRefusal, OUTBOX_CHANNEL, retryDelayMs, SendFailureReason, SmtpFailure } from './outbox';

/** Told of every mail the server accepted and every failed attempt (the dispatcher's metrics, `dispatcher-metrics.ts`). */
export interface DispatchObserver {
  /** The server accepted a mail; `seconds` is how long the SMTP conversation took. */
  sent(kind: OutboxKind, seconds: number): void;
  /** An attempt failed: `final` when the row is now `failed` (a 5xx, or transient failures for too long), else it is retried. */
  failed(reason: SendFailureReason, final: boolean): void;
}

export interface DispatcherOptions {
  dataSource: DataSource;
  /** A dedicated connection LISTENs for new mail; the pool serves the rest. */
  databaseUrl: string;
  mail: Transporter;
  mailFrom: string;
  publicBaseUrl: string;
  linkSecret: string;
  actionLinkDays: number;
  /** Rows claimed per round, and sent concurrently (the transport's pool limits connections). */
  batchSize?: number;
  /** How long a claim holds; a row still `sending` after it (its dispatcher died) is sent again. */
  leaseSeconds?: number;
  /** Polling, besides the wake-up: retries fall due without a signal. */
  pollMs?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Transient failures end as `failed` after this long (default 3 days). */
  giveUpAfterMs?: number;
  log?: { log(message: string): void; warn(message: string): void; error(message: string): void };
  observer?: DispatchObserver;
}

interface ClaimedRow {
  id: string;
  kind: OutboxKind;
  business_key: string;
  recipient: string;
  organisation_name: string;
  language: Language;
  /** A digest's week (its Monday); null for a notification's mail. */
  week_of: string | null;
  optional: boolean;
  attempts: number;
  message_id: string;
  created_at: Date;
  interrupted: boolean;
}

type Outcome = { status: 'sent'; response: string } | { status: 'cancelled' | 'unsubscribed'; reason: string };

/**
 * Sends what the outbox holds, at once: timing belongs to the workflows. Several dispatchers may run
 * (claims use FOR UPDATE SKIP LOCKED and a lease). Each mail is marked sent in its own statement right
 * after the server accepted it, so a dispatcher killed at any moment re-sends at most the mails in flight
 * (accepted but not yet recorded), with the same Message-ID; see README, "Mail".
 */
export class OutboxDispatcher {
  private readonly opts: Required<Omit<DispatcherOptions, 'log' | 'observer'>> & Pick<DispatcherOptions, 'log' | 'observer'>;
  private listener?: PgClient;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private woken = false;
  private readonly rulebooks = new Map<string, Promise<RulebookStep[]>>();

  constructor(options: DispatcherOptions) {
    this.opts = {
      batchSize: 20,
      leaseSeconds: 300,
      pollMs: 2000,
      retryInitialMs: 5000,
      retryMaxMs: 60_000,
      giveUpAfterMs: 3 * 86400_000,
      ...options,
    };
  }

  async start(): Promise<void> {
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  /**
   * A dedicated connection LISTENs for new mail. When it is lost (Postgres restarted, a network cut) the
   * dispatcher polls meanwhile and connects again with a growing pause, so it recovers without a restart.
   */
  private async listen(): Promise<void> {
    const listener = new PgClient({ connectionString: this.opts.databaseUrl, application_name: 'regie-dispatcher-listen', connectionTimeoutMillis: 5000 });
    this.listener = listener;
    let lost = false;
    const onLost = (why: string) => {
      if (lost || !this.running) return;
      lost = true;
      this.opts.log?.warn(`LISTEN connection lost (${why}); polling every ${this.opts.pollMs} ms and connecting again`);
      listener.end().catch(() => undefined);
      this.relisten(1000);
    };
    listener.on('error', (err) => onLost(err.message));
    listener.on('end', () => onLost('connection ended'));
    listener.on('notification', () => this.poke());
    try {
      await listener.connect();
      await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      lost = true; // the caller decides whether to try again; no second attempt from the events above
      listener.end().catch(() => undefined);
      throw err;
    }
  }

  private relisten(pauseMs: number): void {
    const timer = setTimeout(() => {
      if (!this.running) return;
      this.listen().then(
        () => {
          this.opts.log?.log('LISTEN connection restored');
          this.poke(); // whatever was queued meanwhile
        },
        () => this.relisten(Math.min(pauseMs * 2, 30_000)),
      );
    }, pauseMs);
    timer.unref();
  }

  /** Stops claiming; mails already claimed are finished (or, if the process dies first, re-sent after their lease). */
  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  private poke(): void {
    this.woken = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let claimed = 0;
      try {
        claimed = await this.dispatchOnce();
      } catch (err) {
        this.opts.log?.error(`Dispatch round failed: ${(err as Error).message}`);
      }
      if (claimed > 0 || !this.running || this.woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.opts.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Claims one batch of due rows and sends them; answers how many were claimed. */
  async dispatchOnce(): Promise<number> {
    const lease = randomUUID();
    const [rows]: [ClaimedRow[], number] = await this.opts.dataSource.query(
      `WITH due AS (
         SELECT id, status AS previous_status FROM outbox
         WHERE delivery = 'immediate' AND ((status = 'pending' AND next_attempt_at <= now()) OR (status = 'sending' AND lease_until < now()))
         ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE outbox o SET status = 'sending', attempts = o.attempts + 1, lease_token = $2,
         lease_until = now() + make_interval(secs => $3)
       FROM due WHERE o.id = due.id
       RETURNING o.id, o.kind, o.business_key, o.recipient, o.organisation_name, o.language, o.optional, o.attempts, o.message_id, o.created_at,
         o.week_of::text AS week_of, due.previous_status = 'sending' AS interrupted`,
      [this.opts.batchSize, lease, this.opts.leaseSeconds],
    );
    await Promise.all(rows.map((row) => this.deliver(row, lease)));
    return rows.length;
  }

  private async deliver(row: ClaimedRow, lease: string): Promise<void> {
    const db = this.opts.dataSource;
    try {
      const outcome = await this.send(row);
      if (outcome.status === 'sent') {
        await db.query(
          `UPDATE outbox SET status = 'sent', sent_at = now(), smtp_response = $3, lease_until = NULL, last_error = NULL,
             status_reason = CASE WHEN $4 THEN 'sent again after an interrupted attempt (same Message-ID)' ELSE status_reason END
           WHERE id = $1 AND lease_token = $2`,
          [row.id, lease, outcome.response, row.interrupted],
        );
      } else {
        await db.query(`UPDATE outbox SET status = $3, status_reason = $4, lease_until = NULL WHERE id = $1 AND lease_token = $2`, [
          row.id, lease, outcome.status, outcome.reason,
        ]);
        if (row.kind === 'digest') await db.query(`UPDATE outbox SET status = 'cancelled', status_reason = $2 WHERE digest_id = $1`, [row.id, outcome.reason]);
      }
    } catch (e) {
      const err = e as SmtpFailure;
      const detail = describeFailure(err);
      const giveUp = Date.now() - new Date(row.created_at).getTime() > this.opts.giveUpAfterMs;
      this.opts.observer?.failed(failureReason(err), isPermanentRefusal(err) || giveUp);
      if (isPermanentRefusal(err) || giveUp) {
        this.opts.log?.warn(`Mail ${row.business_key} to ${row.recipient} failed for good: ${detail}`);
        await db.query(
          `UPDATE outbox SET status = 'failed', status_reason = $3, last_error = $4, smtp_response = $5, lease_until = NULL WHERE id = $1 AND lease_token = $2`,
          [row.id, lease, isPermanentRefusal(err) ? 'refused by the mail server' : 'gave up after repeated transient failures', detail, err.response ?? null],
        );
      } else {
        const delay = retryDelayMs(row.attempts, this.opts.retryInitialMs, this.opts.retryMaxMs);
        this.opts.log?.warn(`Mail ${row.business_key} to ${row.recipient} not sent (attempt ${row.attempts}), retrying in ${delay} ms: ${detail}`);
        await db.query(
          `UPDATE outbox SET status = 'pending', last_error = $3, next_attempt_at = now() + make_interval(secs => $4), lease_until = NULL
           WHERE id = $1 AND lease_token = $2`,
          [row.id, lease, detail, delay / 1000],
        );
      }
    }
  }

  private async send(row: ClaimedRow): Promise<Outcome> {
    const db = this.opts.dataSource;
    const [preference] = await db.query(`SELECT optional_stopped_at FROM mail_preference WHERE recipient = $1`, [row.recipient]);
    if (row.optional && preference?.optional_stopped_at) return { status: 'unsubscribed', reason: 'the recipient stopped optional mail' };
    const linkOptions = { secret: this.opts.linkSecret, publicBaseUrl: this.opts.publicBaseUrl, recipient: row.recipient, language: row.language };

    if (row.kind === 'notification') {
      const entry = await this.entry(row.business_key, row.recipient, row.language);
      if ('cancelled' in entry) return { status: 'cancelled', reason: entry.cancelled };
      const { message } = composeNotificationMessage({ ...entry.input, from: this.opts.mailFrom, messageId: row.message_id });
      const info = await this.sendMail(row.kind, message);
      return { status: 'sent', response: info.response ?? '' };
    }

    const items: { id: string; business_key: string }[] = await db.query(`SELECT id, business_key FROM outbox WHERE digest_id = $1 AND status = 'in-digest' ORDER BY id`, [row.id]);
    const entries: NotificationMessageInput[] = [];
    for (const item of items) {
      const entry = await this.entry(item.business_key, row.recipient, row.language);
      if ('cancelled' in entry) await db.query(`UPDATE outbox SET status = 'cancelled', status_reason = $2 WHERE id = $1`, [item.id, entry.cancelled]);
      else entries.push(entry.input);
    }
    if (!entries.length) return { status: 'cancelled', reason: 'nothing left in the digest: every item was overtaken' };
    if (!row.week_of) return { status: 'cancelled', reason: 'the digest has no week (outbox.week_of)' };
    const { message } = composeDigestMessage({
      businessKey: row.business_key,
      from: this.opts.mailFrom,
      messageId: row.message_id,
      recipient: { email: row.recipient, language: row.language },
      organisationName: row.organisation_name,
      weekOf: row.week_of,
      entries,
      links: mailLinks({ ...linkOptions, optional: row.optional, action: null }),
    });
    const info = await this.sendMail(row.kind, message);
    await db.query(`UPDATE outbox SET sent_at = now() WHERE digest_id = $1 AND status = 'in-digest'`, [row.id]);
    return { status: 'sent', response: info.response ?? '' };
  }

  /** One SMTP conversation, timed for the observer when the server accepts. */
  private async sendMail(kind: OutboxKind, message: Parameters<Transporter['sendMail']>[0]) {
    const started = process.hrtime.bigint();
    const info = await this.opts.mail.sendMail(message);
    this.opts.observer?.sent(kind, Number(process.hrtime.bigint() - started) / 1e9);
    return info;
  }

  /**
   * One notification as this recipient reads it, or why it no longer applies: the step closed, or its date
   * moved, after the workflow fired (the read model shows a later change than the firing's `stateSeq`).
   */
  private async entry(businessKey: string, recipient: string, language: Language): Promise<{ input: NotificationMessageInput } | { cancelled: string }> {
    const db = this.opts.dataSource;
    const [n] = await db.query(
      `SELECT n.request, n.owner_kind, n.owner_code, coalesce(m.name, r.name) AS owner_name, s.status, s.due_date::text AS state_due, s.seq,
         o.optional
       FROM notification n
       LEFT JOIN municipality m ON n.owner_kind = 'municipality' AND m.code = n.owner_code
       LEFT JOIN region r ON n.owner_kind = 'region' AND r.code = n.owner_code
       LEFT JOIN step_state s ON s.owner_code = n.owner_code AND s.step = n.step
       LEFT JOIN outbox o ON o.business_key = n.business_key AND o.recipient = $2
       WHERE n.business_key = $1`,
      [businessKey, recipient],
    );
    if (!n?.request) return { cancelled: 'the notification is not in the database' };
    const req = n.request as NotificationRequest;
    if (req.kind !== 'cancellation' && n.seq !== null && Number(n.seq) > (req.stateSeq ?? Number.MAX_SAFE_INTEGER)) {
      if (isOneOf(CLOSED_STEP_STATUSES, n.status)) return { cancelled: `the step is ${n.status === 'done' ? 'completed' : 'waived'}` };
      if (n.state_due !== req.due.date) return { cancelled: `the date moved from ${req.due.date} to ${n.state_due ?? 'none'}` };
    }
    const steps = await this.rulebookSteps(req.rulebookId);
    const definition = steps.find((s) => s.key === req.stepKey);
    if (!definition) return { cancelled: `rulebook ${req.rulebookId} has no step ${req.stepKey}` };
    const told = req.kind === 'escalation' ? await this.told(req) : undefined;
    return {
      input: {
        request: req,
        owner: { kind: n.owner_kind, code: n.owner_code, name: n.owner_name },
        definition,
        recipient: { email: recipient, language },
        publicBaseUrl: this.opts.publicBaseUrl,
        told,
        links: mailLinks({
          secret: this.opts.linkSecret,
          publicBaseUrl: this.opts.publicBaseUrl,
          recipient,
          language,
          // The recipient's outbox row decides; without one, a mandatory notice is never offered an unsubscribe link.
          optional: n.optional ?? !isMandatoryNotice(req),
          action: { kind: req.kind === 'escalation' ? 'acknowledge' : 'confirm-receipt', businessKey, validDays: this.opts.actionLinkDays },
        }),
      },
    };
  }

  /**
   * An escalation names who is told now and who was told at the earlier rungs for the same date. The rung
   * is the request's (`req.rung`) and the notification's `rung` column, never read from a business key.
   */
  private async told(req: NotificationRequest) {
    const rungs: { business_key: string; rung: number | null; recipients: string[] }[] = await this.opts.dataSource.query(
      `SELECT business_key, rung, recipients FROM notification
       WHERE workflow_id = $1 AND step = $2 AND due_date = $3 AND kind = 'escalation' AND status <> 'no-recipients'
         AND (business_key = $4 OR rung < $5)
       ORDER BY recorded_at, business_key`,
      [req.workflowId, req.step, req.due.date, req.businessKey, req.rung ?? 0],
    );
    return {
      now: rungs.find((r) => r.business_key === req.businessKey)?.recipients ?? [],
      earlier: rungs.filter((r) => r.business_key !== req.businessKey).map((r) => ({ rung: r.rung!, recipients: r.recipients })),
    };
  }

  private rulebookSteps(id: string): Promise<RulebookStep[]> {
    if (!this.rulebooks.has(id)) {
      const loading = findRulebook(this.opts.dataSource, id).then((r) => r?.rulebook.steps ?? []);
      loading.catch(() => this.rulebooks.delete(id));
      this.rulebooks.set(id, loading);
    }
    return this.rulebooks.get(id)!;
  }
}
