import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { DataSource } from 'typeorm';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import type { RegieConfig } from '../../../../libs/config/config';
import { RULEBOOK_ROLLOUT_WORKFLOW_TYPE, rolloutWorkflowId } from '../../../../libs/contracts';
import type { rulebookRolloutWorkflow } from '../../../../workflows/rollout.workflow';
import { RegieError } from '../errors/regie-error';
import { previewRulebookChange, ReadModelStep, RulebookPreview } from './rulebook-preview';
import { RulebooksService } from './rulebooks.service';

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
   */
  async apply(id: string): Promise<{ rulebookId: string; workflowId: string; runId: string; progress: string }> {
    await this.rulebooks.require(id);
    await this.refuseWhileAnotherRuns(id);
    const workflowId = rolloutWorkflowId(id);
    const handle = await this.temporal.workflow.start<typeof rulebookRolloutWorkflow>(RULEBOOK_ROLLOUT_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: this.config.temporal.taskQueue,
      args: [{ rulebookId: id }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    this.logger.log(`Rollout ${workflowId} running (run ${handle.firstExecutionRunId})`);
    return { rulebookId: id, workflowId, runId: handle.firstExecutionRunId, progress: `/rulebooks/${encodeURIComponent(id)}/rollout` };
  }

  async progress(id: string): Promise<RolloutProgress> {
    await this.rulebooks.require(id);
    const workflowId = rolloutWorkflowId(id);
    const [[row], running] = await Promise.all([
      this.dataSource.query(
        `SELECT r.*, (SELECT count(*)::int FROM rulebook_rollout_target t WHERE t.rulebook_id = r.rulebook_id AND t.status = 'pending') AS pending,
           (SELECT coalesce(sum(jsonb_array_length(t.changed)), 0)::int FROM rulebook_rollout_target t
            WHERE t.rulebook_id = r.rulebook_id AND t.changed IS NOT NULL) AS changed_steps
         FROM rulebook_rollout r WHERE r.rulebook_id = $1`,
        [id],
      ),
      this.isRunning(workflowId),
    ]);
    if (!row && !running) {
      throw new RegieError('rollout-not-found', 'not-found', `Regelboek ${id} is nog niet toegepast (POST /rulebooks/${id}/apply) / not applied yet`, 'id');
    }
    // The workflow says whether it runs; the table keeps the counts (and a re-run starts from the last ones).
    const status: RolloutStatus = running ? (row ? 'running' : 'starting') : row.status === 'completed' ? 'completed' : 'interrupted';
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
    };
  }

  /** Two versions rolling out at once would race on every workflow; the last one to arrive would win. */
  private async refuseWhileAnotherRuns(id: string): Promise<void> {
    const others: { rulebook_id: string; workflow_id: string }[] = await this.dataSource.query(
      `SELECT rulebook_id, workflow_id FROM rulebook_rollout WHERE status = 'running' AND rulebook_id <> $1`,
      [id],
    );
    for (const other of others) {
      if (await this.isRunning(other.workflow_id)) {
        throw new RegieError(
          'rollout-running',
          'conflict',
          `Regelboek ${other.rulebook_id} wordt nog uitgerold; wacht tot die uitrol klaar is (veld id) / another rollout is still running`,
          'id',
        );
      }
    }
  }

  private async isRunning(workflowId: string): Promise<boolean> {
    try {
      return (await this.temporal.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }
}
