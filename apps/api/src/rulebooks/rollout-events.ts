import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { RegieError } from '../errors/regie-error';
import type { RolloutStatus } from './rulebook-rollout.service';

/**
 * A rollout's progress as server-sent events (`GET /app/rulebooks/:id/rollout/events`), read from Postgres
 * (`rulebook_rollout`, which the rollout's activities recount after every batch, and the latest
 * `rulebook_rollout_run`), never from Temporal per poll. One watch per version however many pages look at
 * it: it polls every `pollMs`, sends an event to every stream when total, applied, failed or the status
 * changes, a heartbeat comment while nothing does, and a last event when the rollout has completed or was
 * interrupted, then ends the streams. A stream ends after `maxStreamMs` as well (EventSource reconnects
 * after `retry`), so no connection, proxy or test hangs on a rollout that never finishes.
 */

/** What each event carries (`data:` as JSON). */
export interface RolloutSnapshot {
  rulebookId: string;
  status: RolloutStatus;
  total: number | null;
  applied: number;
  failed: number;
  pending: number | null;
}

export const STREAM_LIMITS = {
  /** Every stream of this API process together: past it a 503 `streams-busy`. */
  total: 100,
  /** One caller (a person in a role, a token, the operator): past it a 429 `too-many-streams`. */
  perCaller: 5,
  pollMs: 500,
  heartbeatMs: 15_000,
  /** How often a stream whose tables still say "running" asks Temporal whether the workflow runs (a terminated one never writes again). */
  verifyMs: 15_000,
  maxStreamMs: 60_000,
  /** The `retry:` the stream sends: how long EventSource waits before it reconnects. */
  retryMs: 3_000,
  retryAfterSeconds: 30,
};
export type StreamLimits = typeof STREAM_LIMITS;

/** The columns of `rulebook_rollout` and of the version's latest `rulebook_rollout_run` the progress is made of. */
export interface RolloutRow {
  rollout_status: 'running' | 'completed' | null;
  total: number | null;
  applied: number | null;
  failed: number | null;
  run_status: 'running' | 'completed' | 'failed' | 'interrupted' | null;
}

/**
 * The status the tables alone give, in the words of `GET /rulebooks/:id/rollout` (RulebookRolloutService):
 * a lock held before the first activity ran is `starting` (also on a re-run, while the row still has the
 * last run's counts); a lock released as failed or interrupted is `interrupted`; null: never applied.
 */
export function statusFromTables(rollout: RolloutRow['rollout_status'], run: RolloutRow['run_status']): RolloutStatus | null {
  if (run === 'running') return rollout === 'running' ? 'running' : 'starting';
  if (run === 'completed') return 'completed';
  if (run === 'failed' || run === 'interrupted') return 'interrupted';
  if (rollout === null) return null;
  return rollout === 'completed' ? 'completed' : 'interrupted';
}

export const isFinal = (status: RolloutStatus) => status === 'completed' || status === 'interrupted';

/** The progress these columns say, or null when the version was never applied. */
export function snapshotFromRow(rulebookId: string, row: RolloutRow): RolloutSnapshot | null {
  const status = statusFromTables(row.rollout_status, row.run_status);
  if (!status) return null;
  // Before the first activity of a run the row (if any) has the last run's counts: they say nothing yet.
  const counted = status !== 'starting' && row.total !== null;
  const total = counted ? row.total : null;
  const applied = counted ? (row.applied ?? 0) : 0;
  const failed = counted ? (row.failed ?? 0) : 0;
  return { rulebookId, status, total, applied, failed, pending: total === null ? null : Math.max(0, total - applied - failed) };
}

/** The columns of `RolloutRow`, with their joins, for a query whose FROM names the version `v` (`v.id`). */
export const ROLLOUT_COLUMNS = `r.status AS rollout_status, r.total, r.applied, r.failed, run.status AS run_status`;
export const ROLLOUT_JOINS = `LEFT JOIN rulebook_rollout r ON r.rulebook_id = v.id
  LEFT JOIN LATERAL (SELECT status FROM rulebook_rollout_run WHERE rulebook_id = v.id ORDER BY id DESC LIMIT 1) run ON true`;

/** The progress as of now from the tables, or null when the version was never applied. */
export async function readSnapshot(db: DataSource, rulebookId: string): Promise<RolloutSnapshot | null> {
  const [row]: RolloutRow[] = await db.query(`SELECT ${ROLLOUT_COLUMNS} FROM (SELECT $1::text AS id) v ${ROLLOUT_JOINS}`, [rulebookId]);
  return snapshotFromRow(rulebookId, row);
}

/** One `text/event-stream` message; the JSON has no line breaks, so one `data:` line. */
export const sseMessage = (event: string, id: number, data: object) => `event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;

/** Where a stream's bytes go (the HTTP response), and how it is ended. */
export interface StreamSink {
  write(chunk: string): void;
  end(): void;
}

interface Stream {
  sink: StreamSink;
  caller: string;
  openedAt: number;
  ended: boolean;
}

interface Watch {
  rulebookId: string;
  streams: Set<Stream>;
  last: RolloutSnapshot | null;
  lastBeat: number;
  lastVerify: number;
  /** Consecutive answers of Temporal that the workflow does not run while the tables say it does. */
  notRunning: number;
  timer: NodeJS.Timeout | null;
  events: number;
}

const same = (a: RolloutSnapshot | null, b: RolloutSnapshot) =>
  !!a && a.status === b.status && a.total === b.total && a.applied === b.applied && a.failed === b.failed;

/**
 * The open streams of this process, grouped into one watch per version. Not a Nest provider: the pages'
 * controller owns it (and ends every stream when the app shuts down, so `close()` does not wait for them).
 */
export class RolloutEventStreams {
  private readonly logger = new Logger('RolloutEvents');
  private readonly watches = new Map<string, Watch>();
  private readonly perCaller = new Map<string, number>();
  private open = 0;
  private closed = false;

  constructor(
    private readonly read: (rulebookId: string) => Promise<RolloutSnapshot | null>,
    /** Whether the workflow itself still runs (Temporal); null when that cannot be told now. */
    private readonly workflowRuns: (rulebookId: string) => Promise<boolean | null>,
    private readonly limits: StreamLimits = STREAM_LIMITS,
  ) {}

  /** Refuses a stream past the limits (429 for one caller, 503 for the process), before any byte is sent. */
  admit(caller: string): void {
    if (this.closed || this.open >= this.limits.total) {
      throw new RegieError(
        'streams-busy',
        'unavailable',
        `Te veel open voortgangsstromen; probeer het over ${this.limits.retryAfterSeconds} seconden opnieuw / too many open progress streams; retry after ${this.limits.retryAfterSeconds} seconds`,
        undefined,
        undefined,
        this.limits.retryAfterSeconds,
      );
    }
    if ((this.perCaller.get(caller) ?? 0) >= this.limits.perCaller) {
      throw new RegieError(
        'too-many-streams',
        'rate-limited',
        `U hebt al ${this.limits.perCaller} voortgangsstromen open; sluit er een / you already have ${this.limits.perCaller} progress streams open; close one`,
        undefined,
        undefined,
        this.limits.retryAfterSeconds,
      );
    }
  }

  /**
   * Starts a stream on `sink` (call `admit` first): `retry:`, the progress as of now, then changes. Returns
   * what to call when the client goes away.
   */
  start(rulebookId: string, caller: string, sink: StreamSink, first: RolloutSnapshot): () => void {
    this.admit(caller);
    const stream: Stream = { sink, caller, openedAt: Date.now(), ended: false };
    this.open += 1;
    this.perCaller.set(caller, (this.perCaller.get(caller) ?? 0) + 1);
    let watch = this.watches.get(rulebookId);
    const fresh = !watch;
    if (!watch) {
      watch = { rulebookId, streams: new Set(), last: first, lastBeat: Date.now(), lastVerify: Date.now(), notRunning: 0, timer: null, events: 0 };
      this.watches.set(rulebookId, watch);
    }
    watch.streams.add(stream);
    sink.write(`retry: ${this.limits.retryMs}\n\n`);
    // The caller read `first` just now: as fresh as the watch's last poll, or fresher.
    sink.write(sseMessage(isFinal(first.status) ? 'end' : 'progress', ++watch.events, first));
    if (isFinal(first.status)) {
      this.finish(watch, stream);
    } else if (fresh) {
      this.schedule(watch);
    }
    return () => this.finish(watch, stream);
  }

  /** Ends every stream (the app is shutting down). */
  closeAll(): void {
    this.closed = true;
    for (const watch of [...this.watches.values()]) for (const stream of [...watch.streams]) this.finish(watch, stream);
  }

  get openStreams(): number {
    return this.open;
  }

  private schedule(watch: Watch): void {
    watch.timer = setTimeout(() => void this.tick(watch), this.limits.pollMs);
    watch.timer.unref?.();
  }

  private async tick(watch: Watch): Promise<void> {
    watch.timer = null;
    if (!watch.streams.size) return;
    try {
      let snapshot = await this.read(watch.rulebookId);
      const now = Date.now();
      if (snapshot && !isFinal(snapshot.status) && now - watch.lastVerify >= this.limits.verifyMs) {
        watch.lastVerify = now;
        const runs = await this.workflowRuns(watch.rulebookId).catch(() => null);
        watch.notRunning = runs === false ? watch.notRunning + 1 : 0;
        // Twice in a row, so the moment between the apply's lock and its workflow's start is no false end.
        if (watch.notRunning >= 2) snapshot = { ...snapshot, status: 'interrupted' };
      }
      if (snapshot && !same(watch.last, snapshot)) {
        watch.last = snapshot;
        this.broadcast(watch, sseMessage(isFinal(snapshot.status) ? 'end' : 'progress', ++watch.events, snapshot));
        watch.lastBeat = now;
      }
      if (snapshot && isFinal(snapshot.status)) {
        for (const stream of [...watch.streams]) this.finish(watch, stream);
        return;
      }
      if (now - watch.lastBeat >= this.limits.heartbeatMs) {
        this.broadcast(watch, `: heartbeat ${new Date(now).toISOString()}\n\n`);
        watch.lastBeat = now;
      }
      for (const stream of [...watch.streams]) if (now - stream.openedAt >= this.limits.maxStreamMs) this.finish(watch, stream);
    } catch (err) {
      // The database away for a moment: the streams stay open (heartbeats keep proxies from closing them) and the next poll tries again.
      this.logger.warn(`Progress of ${watch.rulebookId} not read: ${(err as Error).message}`);
    }
    if (watch.streams.size && !this.closed) this.schedule(watch);
  }

  private broadcast(watch: Watch, chunk: string): void {
    for (const stream of watch.streams) stream.sink.write(chunk);
  }

  private finish(watch: Watch, stream: Stream): void {
    if (stream.ended) return;
    stream.ended = true;
    watch.streams.delete(stream);
    this.open -= 1;
    const left = (this.perCaller.get(stream.caller) ?? 1) - 1;
    if (left > 0) this.perCaller.set(stream.caller, left);
    else this.perCaller.delete(stream.caller);
    stream.sink.end();
    if (!watch.streams.size) {
      if (watch.timer) clearTimeout(watch.timer);
      watch.timer = null;
      if (this.watches.get(watch.rulebookId) === watch) this.watches.delete(watch.rulebookId);
    }
  }
}
