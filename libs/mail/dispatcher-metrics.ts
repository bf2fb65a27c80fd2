/**
 * The dispatcher's Prometheus metrics: what it sent and how long the SMTP server took, what failed and why
 * (a bounded reason code), and the outbox as it stands (rows per status, the age of the oldest mail still
 * waiting to go out), read from Postgres with one GROUP BY when scraped. Every dispatcher reports the same
 * outbox figures: aggregate them with max(), not sum().
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { OUTBOX_KINDS, OUTBOX_STATUSES, type OutboxKind, type OutboxStatus } from '../contracts/enums';
import type { DispatchObserver } from './dispatcher';
import { SEND_FAILURE_REASONS, type SendFailureReason } from './outbox';

interface OutboxStats {
  rows: Map<string, number>;
  /** Seconds since the oldest immediate mail not yet sent (pending or being sent) was queued; 0 when there is none. */
  oldestPendingSeconds: number;
}

/** The statuses of a mail that still has to go out. */
const WAITING: readonly OutboxStatus[] = ['pending', 'sending'];

export class DispatcherMetrics implements DispatchObserver {
  private readonly sendDuration: Histogram<'kind'>;
  private readonly failures: Counter<'reason' | 'outcome'>;
  private stats?: { at: number; loading: Promise<OutboxStats | null> };

  constructor(
    registry: Registry,
    private readonly dataSource: DataSource,
  ) {
    this.sendDuration = new Histogram({
      name: 'regie_mail_send_duration_seconds',
      help: 'How long the SMTP server took to accept one mail, by outbox kind',
      labelNames: ['kind'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'regie_mail_send_failures_total',
      help: 'Failed send attempts by reason (smtp-5xx, smtp-4xx, connection, timeout, auth, other) and outcome (retry: tried again later; failed: given up, the row is failed)',
      labelNames: ['reason', 'outcome'],
      registers: [registry],
    });
    // Every label value exists from the start, so a rate() over it is 0, not absent, before the first failure.
    for (const kind of OUTBOX_KINDS) this.sendDuration.zero({ kind });
    for (const reason of SEND_FAILURE_REASONS) for (const outcome of ['retry', 'failed']) this.failures.inc({ reason, outcome }, 0);

    const self = this;
    new Gauge({
      name: 'regie_outbox_rows',
      help: 'Outbox rows by status, as Postgres holds them at scrape time (the same figure from every dispatcher)',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const stats = await self.load();
        if (!stats) return;
        for (const status of OUTBOX_STATUSES) this.set({ status }, stats.rows.get(status) ?? 0);
      },
    });
    new Gauge({
      name: 'regie_outbox_oldest_pending_seconds',
      help: 'Age of the oldest mail for immediate delivery not yet sent (pending or being sent), 0 when none waits; digest rows wait for Monday by design and are not counted',
      registers: [registry],
      async collect() {
        const stats = await self.load();
        if (stats) this.set(stats.oldestPendingSeconds);
      },
    });
    new Gauge({
      name: 'regie_outbox_stats_up',
      help: 'Whether the outbox figures could be read from Postgres at this scrape (1) or not (0: the outbox gauges keep their last value)',
      registers: [registry],
      async collect() {
        this.set((await self.load()) ? 1 : 0);
      },
    });
  }

  sent(kind: OutboxKind, seconds: number): void {
    this.sendDuration.observe({ kind }, seconds);
  }

  failed(reason: SendFailureReason, final: boolean): void {
    this.failures.inc({ reason, outcome: final ? 'failed' : 'retry' });
  }

  /** One query per scrape, shared by the gauges (the registry collects them concurrently). */
  private load(): Promise<OutboxStats | null> {
    if (this.stats && Date.now() - this.stats.at < 1000) return this.stats.loading;
    const loading = this.query().catch(() => null);
    this.stats = { at: Date.now(), loading };
    return loading;
  }

  private async query(): Promise<OutboxStats> {
    const rows: { status: string; n: number; oldest: number | null }[] = await this.dataSource.query(
      `SELECT status, count(*)::int AS n,
         extract(epoch FROM now() - min(created_at) FILTER (WHERE delivery = 'immediate' AND status = ANY($1)))::float8 AS oldest
       FROM outbox GROUP BY status`,
      [WAITING],
    );
    const oldest = rows.map((r) => r.oldest).filter((v): v is number => v !== null);
    return { rows: new Map(rows.map((r) => [r.status, r.n])), oldestPendingSeconds: oldest.length ? Math.max(0, ...oldest) : 0 };
  }
}
