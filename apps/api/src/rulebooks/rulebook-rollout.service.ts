import { callTemporal } from '../temporal/temporal-calls';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { DataSource, EntityManager } from 'typeorm';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import type { RegieConfig } from '../../../../libs/config/config';
import { RULEBOOK_ROLLOUT_WORKFLOW_TYPE, rolloutWorkflowId } from '../../../../libs/contracts';
import type { rulebookRolloutWorkflow } from '../../../../workflows/rollout.workflow';
import { RegieError } from '../errors/regie-error';
import { previewRulebookChange, ReadModelStep, RulebookPreview } from './rulebook-preview';
import { RulebooksService } from './rulebooks.service';

/** Postgres: a unique index refused the row (here: the partial index that admits one running rollout). */
const UNIQUE_VIOLATION = '23505';
/** A lock whose workflow has not started yet belongs to a request still starting it, for this long. */
const STARTING_GRACE_MS = 2 * 60_000;

export interface ApplyRequest {
  /** Apply a version older than the one the workflows follow. */
  override?: boolean;
  /** Why; required with override, recorded with the rollout. */
  reason?: string;
}

export interface ApplyResult {
  rulebookId: string;
  workflowId: string;
  runId: string;
  progress: string;
  /** The version the workflows followed before this apply (absent when it attached to a running rollout). */
  previousRulebookId?: string | null;
  override?: { reason: string };
}

interface RunRow {
  id: string;
  rulebook_id: string;
  workflow_id: string;
  workflow_run_id: string | null;
  requested_at: Date;
}

interface LockedRun {
  id: string;
  previousRulebookId: string | null;
  override: boolean;
  reason: string | null;
}

export type RolloutStatus = 'starting' | 'running' | 'completed' | 'interrupted';

export interface RolloutProgress {
  rulebookId: string;
  workflowId: string;
  status: RolloutStatus;
  total: number | null;
  applied: number;
  failed: number;
  pending: number | null;
  changedSteps: number;
  startedAt: string | null;
  finishedAt: string | null;
  failures: { workflowId: string; error: string; at: string }[];
  /** Targets applied with a remark: already on this version, or a closed workflow. */
  notes: { workflowId: string; note: string }[];
  /** The latest apply of this version, from `rulebook_rollout_run`: the lock's state, the version before, an override. */
  lastApply: {
    status: 'running' | 'completed' | 'failed' | 'interrupted';
    requestedVia: 'api' | 'workflow';
    requestedAt: string;
    finishedAt: string | null;
    previousRulebookId: string | null;
    override: { reason: string } | null;
    error: string | null;
  } | null;
}

/**
 * A law change: preview from the read model, apply through one rollout workflow per version, and its
 * progress from `rulebook_rollout(_target)`. Never one Temporal call per owner here.
 */
@Injectable()
export class RulebookRolloutService {
  private readonly logger = new Logger('RulebookRollout');

  constructor(
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Client) private readonly temporal: Client,
    @Inject(RulebooksService) private readonly rulebooks: RulebooksService,
  ) {}

  async preview(id: string): Promise<RulebookPreview> {
    const stored = await this.rulebooks.require(id);
    const rows = await this.dataSource.query(
      `SELECT s.owner_kind, s.owner_code, coalesce(m.name, r.name, s.owner_code) AS owner_name, s.workflow_id, s.seq,
         s.rulebook_id, s.rulebook_hash, s.detail
       FROM step_state s
       LEFT JOIN municipality m ON s.owner_kind = 'municipality' AND m.code = s.owner_code
       LEFT JOIN region r ON s.owner_kind = 'region' AND r.code = s.owner_code
       WHERE s.detail ? 'stepKey'`,
    );
    const steps: ReadModelStep[] = rows.map((row: Record<string, any>) => ({
      owner: { kind: row.owner_kind, code: row.owner_code, name: row.owner_name },
      workflowId: row.workflow_id,
      seq: row.seq,
      rulebookId: row.rulebook_id,
      rulebookHash: row.rulebook_hash,
      step: row.detail,
    }));
    // "Today" as the workflows see it: the Amsterdam date of the API's clock (this is no workflow code).
    return previewRulebookChange(steps, stored, Date.now());
  }

  /**
   * Starts `rulebook-rollout-<id>`, or attaches to it while it runs (a repeated apply is harmless). A
   * closed rollout may run again: it skips targets already applied and retries the failed ones.
   *
   * One rollout at a time, decided by Postgres: the request first inserts a `running` row in
   * `rulebook_rollout_run` (a partial unique index admits one), and only then starts the workflow. Of two
   * applies at the same instant, the second insert waits for the first and fails; it gets a 409 naming the
   * running rollout. A version older than the one the workflows follow needs `override` with a reason.
   */
  async apply(id: string, request: ApplyRequest = {}): Promise<ApplyResult> {
    await this.rulebooks.require(id);
    const override = request.override === true;
    const reason = request.reason?.trim() || null;
    if (override && !reason) {
      throw new RegieError('override-reason-required', 'invalid-input', 'Een override vraagt een reden (veld reason) / an override needs a reason', 'reason');
    }
    // A stale lock (its workflow was terminated or never started) is released and the insert tried again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const outcome = await this.takeLock(id, override, reason);
      if (outcome.taken) return this.startRollout(id, outcome.run);
      const holder = outcome.holder;
      if (!holder) continue; // released between the failed insert and the read: try again
      if (!(await this.holds(holder))) {
        await this.releaseStale(holder);
        continue;
      }
      if (holder.rulebook_id === id) return this.startRollout(id, null);
      throw new RegieError(
        'rollout-running',
        'conflict',
        `Regelboek ${holder.rulebook_id} wordt nu uitgerold (workflow ${holder.workflow_id}, sinds ${holder.requested_at.toISOString()}); ` +
          `er loopt één uitrol tegelijk: pas ${id} toe als die klaar is (GET /rulebooks/${holder.rulebook_id}/rollout) / ` +
          `rulebook ${holder.rulebook_id} is being rolled out (workflow ${holder.workflow_id}); one rollout at a time: apply ${id} (field id) once it has completed`,
        'id',
      );
    }
    throw new RegieError('rollout-running', 'conflict', `Een andere uitrol nam net het slot; probeer opnieuw / another rollout just took the lock (field id); try again`, 'id');
  }

  /**
   * Inserts the `running` row, or says who holds it. In the same transaction, with the lock held, the
   * version is checked against the one the workflows follow, so no apply slips between check and start.
   */
  private async takeLock(id: string, override: boolean, reason: string | null): Promise<{ taken: true; run: LockedRun } | { taken: false; holder: RunRow | null }> {
    try {
      const run = await this.dataSource.transaction(async (tx) => {
        const [inserted]: { id: string }[] = await tx.query(
          `INSERT INTO rulebook_rollout_run (rulebook_id, workflow_id, status, requested_via, override, override_reason)
           VALUES ($1, $2, 'running', 'api', $3, $4) RETURNING id`,
          [id, rolloutWorkflowId(id), override, override ? reason : null],
        );
        const current = await this.currentVersion(tx, inserted.id);
        const [applying]: { seq: string }[] = await tx.query(`SELECT seq FROM rulebook_version WHERE id = $1`, [id]);
        if (current && current.id !== id && BigInt(applying.seq) < BigInt(current.seq) && !override) {
          throw new RegieError(
            'rulebook-older-than-current',
            'conflict',
            `Regelboek ${id} is ouder dan ${current.id}, dat de workflows nu volgen (gepubliceerd als nr. ${applying.seq}, ${current.id} als nr. ${current.seq}); ` +
              `wie echt terug wil, stuurt {"override": true, "reason": "..."} (veld override) / rulebook ${id} is older than ${current.id}, which the workflows follow now; ` +
              `to go back anyway, send override with a reason`,
            'override',
          );
        }
        await tx.query(`UPDATE rulebook_rollout_run SET previous_rulebook_id = $2 WHERE id = $1`, [inserted.id, current?.id ?? null]);
        return { id: inserted.id, previousRulebookId: current?.id ?? null, override, reason: override ? reason : null };
      });
      return { taken: true, run };
    } catch (err) {
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      const [holder]: RunRow[] = await this.dataSource.query(
        `SELECT id, rulebook_id, workflow_id, workflow_run_id, requested_at FROM rulebook_rollout_run WHERE status = 'running'`,
      );
      return { taken: false, holder: holder ?? null };
    }
  }

  /**
   * The version the workflows follow now: the latest rollout that runs, completed or reached any workflow;
   * before any rollout, the newest version an owner was onboarded under.
   */
  private async currentVersion(tx: EntityManager, excludeRunId: string): Promise<{ id: string; seq: string } | null> {
    const [lastRollout] = await tx.query(
      `SELECT v.id, v.seq FROM rulebook_rollout_run r JOIN rulebook_version v ON v.id = r.rulebook_id
       WHERE r.id <> $1 AND (r.status IN ('running', 'completed')
         OR EXISTS (SELECT 1 FROM rulebook_rollout_target t WHERE t.rulebook_id = r.rulebook_id AND t.status = 'applied'))
       ORDER BY r.id DESC LIMIT 1`,
      [excludeRunId],
    );
    if (lastRollout) return lastRollout;
    const [onboarded] = await tx.query(
      `SELECT v.id, v.seq FROM rulebook_version v
       WHERE v.id IN (SELECT rulebook_id FROM onboarding WHERE workflow_started_at IS NOT NULL
                      UNION SELECT rulebook_id FROM region_onboarding WHERE workflow_started_at IS NOT NULL)
       ORDER BY v.seq DESC LIMIT 1`,
    );
    return onboarded ?? null;
  }

  /** Starts the workflow once the lock is ours (`run`), or attaches to the running one of this version (`null`). */
  private async startRollout(id: string, run: LockedRun | null): Promise<ApplyResult> {
    const workflowId = rolloutWorkflowId(id);
    let handle: { firstExecutionRunId: string };
    try {
      handle = await callTemporal(this.temporal, () => this.temporal.workflow.start<typeof rulebookRolloutWorkflow>(RULEBOOK_ROLLOUT_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: this.config.temporal.taskQueue,
        args: [{ rulebookId: id }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      }));
    } catch (err) {
      // Nothing started (or, after a timeout, perhaps it did: then its first activity takes the lock itself).
      if (run) await this.dataSource.query(`DELETE FROM rulebook_rollout_run WHERE id = $1 AND workflow_run_id IS NULL`, [run.id]);
      throw err;
    }
    if (run) await this.dataSource.query(`UPDATE rulebook_rollout_run SET workflow_run_id = $2 WHERE id = $1`, [run.id, handle.firstExecutionRunId]);
    this.logger.log(
      `Rollout ${workflowId} running (run ${handle.firstExecutionRunId})${run?.override ? `, override of ${run.previousRulebookId}: ${run.reason}` : ''}`,
    );
    return {
      rulebookId: id,
      workflowId,
      runId: handle.firstExecutionRunId,
      progress: `/rulebooks/${encodeURIComponent(id)}/rollout`,
      ...(run ? { previousRulebookId: run.previousRulebookId } : {}),
      ...(run?.override ? { override: { reason: run.reason! } } : {}),
    };
  }

  /** Whether the lock's holder still rolls out: its workflow runs, or the request that took it is still starting it. */
  private async holds(holder: RunRow): Promise<boolean> {
    if (await this.isRunning(holder.workflow_id)) return true;
    return !holder.workflow_run_id && Date.now() - holder.requested_at.getTime() < STARTING_GRACE_MS;
  }

  private async releaseStale(holder: RunRow): Promise<void> {
    const [, released]: [unknown, number] = await this.dataSource.query(
      `UPDATE rulebook_rollout_run SET status = 'interrupted', finished_at = now(),
         error = 'workflow ' || workflow_id || ' loopt niet meer / no longer runs' WHERE id = $1 AND status = 'running' RETURNING id`,
      [holder.id],
    );
    if (released) this.logger.warn(`Released the lock of rollout ${holder.workflow_id}: its workflow no longer runs`);
  }

  async progress(id: string): Promise<RolloutProgress> {
    await this.rulebooks.require(id);
    const workflowId = rolloutWorkflowId(id);
    const [[row], running, [run]] = await Promise.all([
      this.dataSource.query(
        `SELECT r.*, (SELECT count(*)::int FROM rulebook_rollout_target t WHERE t.rulebook_id = r.rulebook_id AND t.status = 'pending') AS pending,
           (SELECT coalesce(sum(jsonb_array_length(t.changed)), 0)::int FROM rulebook_rollout_target t
            WHERE t.rulebook_id = r.rulebook_id AND t.changed IS NOT NULL) AS changed_steps
         FROM rulebook_rollout r WHERE r.rulebook_id = $1`,
        [id],
      ),
      this.isRunning(workflowId),
      this.dataSource.query(
        `SELECT status, requested_via, requested_at, finished_at, previous_rulebook_id, override, override_reason, error
         FROM rulebook_rollout_run WHERE rulebook_id = $1 ORDER BY id DESC LIMIT 1`,
        [id],
      ) as Promise<Record<string, any>[]>,
    ]);
    if (!row && !running && !run) {
      throw new RegieError('rollout-not-found', 'not-found', `Regelboek ${id} is nog niet toegepast (POST /rulebooks/${id}/apply) / not applied yet`, 'id');
    }
    // The workflow says whether it runs; the table keeps the counts (and a re-run starts from the last ones).
    const status: RolloutStatus = running ? (row ? 'running' : 'starting') : row?.status === 'completed' ? 'completed' : 'interrupted';
    const targets: { workflow_id: string; status: string; error: string; updated_at: Date }[] = row
      ? await this.dataSource.query(
          `SELECT workflow_id, status, error, updated_at FROM rulebook_rollout_target
           WHERE rulebook_id = $1 AND error IS NOT NULL ORDER BY workflow_id`,
          [id],
        )
      : [];
    return {
      rulebookId: id,
      workflowId,
      status,
      total: row?.total ?? null,
      applied: row?.applied ?? 0,
      failed: row?.failed ?? 0,
      pending: row?.pending ?? null,
      changedSteps: row?.changed_steps ?? 0,
      startedAt: row?.started_at?.toISOString() ?? null,
      finishedAt: row?.finished_at?.toISOString() ?? null,
      failures: targets.filter((t) => t.status === 'failed').map((t) => ({ workflowId: t.workflow_id, error: t.error, at: t.updated_at.toISOString() })),
      notes: targets.filter((t) => t.status === 'applied').map((t) => ({ workflowId: t.workflow_id, note: t.error })),
      lastApply: run
        ? {
            status: run.status,
            requestedVia: run.requested_via,
            requestedAt: run.requested_at.toISOString(),
            finishedAt: run.finished_at?.toISOString() ?? null,
            previousRulebookId: run.previous_rulebook_id,
            override: run.override ? { reason: run.override_reason } : null,
            error: run.error,
          }
        : null,
    };
  }

  private async isRunning(workflowId: string): Promise<boolean> {
    try {
      return (await callTemporal(this.temporal, () => this.temporal.workflow.getHandle(workflowId).describe())).status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }
}
