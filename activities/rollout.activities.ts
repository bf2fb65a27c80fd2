import { ApplicationFailure, CancelledFailure, Context, log } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { applyRulebook, ApplyRulebookResult, rolloutWorkflowId } from '../libs/contracts';
import { findRulebook } from '../libs/db/rulebook-store';
import type { HashedRulebook } from '../libs/rulebook/rulebook-files';
import type { EntityManager } from 'typeorm';
import type { ActivityDeps } from './index';

export interface RolloutCounts {
  rulebookId: string;
  total: number;
  applied: number;
  failed: number;
  pending: number;
  /** Step dates moved so far, summed over the targets' `changed`. */
  changedSteps: number;
}

export interface RolloutBatchInput {
  rulebookId: string;
  batchSize: number;
  concurrency: number;
}

type TargetOutcome =
  | { status: 'applied'; changed: ApplyRulebookResult['changed']; note: string | null }
  | { status: 'failed'; error: string };

/** How long one owner's workflow may take to answer the update before the target counts as failed. */
const UPDATE_DEADLINE_MS = 60_000;
/** gRPC UNAVAILABLE: Temporal itself is unreachable, so the batch is retried rather than every target failed. */
const UNAVAILABLE = 14;
/** Postgres: a unique index refused the row (here: another rollout holds the lock). */
const UNIQUE_VIOLATION = '23505';

/**
 * The rulebook rollout's activities: list the owners' workflows once, apply the version to pending
 * targets in batches, and close the rollout. Progress lives in `rulebook_rollout(_target)`, so a retried
 * batch or a re-run rollout skips what is done; counters are recounted from the targets, never incremented.
 */
export function createRolloutActivities({ dataSource, temporal }: Pick<ActivityDeps, 'dataSource' | 'temporal'>) {
  const client = () => {
    if (!temporal) throw ApplicationFailure.nonRetryable('This worker has no Temporal client for the rulebook rollout (ActivityDeps.temporal)');
    return temporal;
  };

  const rulebookOrFail = async (rulebookId: string): Promise<HashedRulebook> => {
    const stored = await findRulebook(dataSource, rulebookId);
    if (!stored) throw ApplicationFailure.nonRetryable(`Rulebook ${rulebookId} is not in the database: publish it first`);
    return stored;
  };

  const recount = async (rulebookId: string): Promise<RolloutCounts> => {
    await dataSource.query(
      `UPDATE rulebook_rollout r SET total = c.total, applied = c.applied, failed = c.failed
       FROM (SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'applied')::int AS applied,
               count(*) FILTER (WHERE status = 'failed')::int AS failed
             FROM rulebook_rollout_target WHERE rulebook_id = $1) c
       WHERE r.rulebook_id = $1`,
      [rulebookId],
    );
    const [row] = await dataSource.query(
      `SELECT r.total, r.applied, r.failed,
         (SELECT count(*)::int FROM rulebook_rollout_target WHERE rulebook_id = $1 AND status = 'pending') AS pending,
         (SELECT coalesce(sum(jsonb_array_length(changed)), 0)::int FROM rulebook_rollout_target WHERE rulebook_id = $1 AND changed IS NOT NULL) AS changed_steps
       FROM rulebook_rollout r WHERE r.rulebook_id = $1`,
      [rulebookId],
    );
    return { rulebookId, total: row.total, applied: row.applied, failed: row.failed, pending: row.pending, changedSteps: row.changed_steps };
  };

  /** Sends the update to one workflow and says what became of it; throws only when Temporal is unreachable. */
  const applyTo = async (workflowId: string, { rulebook, hash }: HashedRulebook): Promise<TargetOutcome> => {
    const temporalClient = client();
    const handle = temporalClient.workflow.getHandle(workflowId);
    try {
      const result = await temporalClient.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
        handle.executeUpdate(applyRulebook, { args: [{ rulebook, rulebookHash: hash }] }),
      );
      return { status: 'applied', changed: result.changed, note: result.alreadyApplied ? 'al toegepast / already applied' : null };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        return { status: 'failed', error: `geweigerd / rejected: ${(err.cause as Error | undefined)?.message ?? err.message}` };
      }
      const code = (err as { code?: number; cause?: { code?: number } }).code ?? (err as { cause?: { code?: number } }).cause?.code;
      if (code === UNAVAILABLE) throw err;
      // A closed workflow (all steps done or waived) refuses updates: it has nothing left to re-date.
      const status = await handle
        .describe()
        .then((d) => d.status.name)
        .catch(() => null);
      if (status && status !== 'RUNNING') {
        return { status: 'applied', changed: [], note: `workflow afgesloten (${status}): niets meer te herdateren / workflow closed, nothing left to re-date` };
      }
      return { status: 'failed', error: status ? (err as Error).message : `workflow ${workflowId} niet gevonden / not found: ${(err as Error).message}` };
    }
  };

  /**
   * The API takes the lock (a `running` row in `rulebook_rollout_run`) before it starts the workflow. A
   * workflow started straight from a Temporal client takes it here, so the database holds one rollout at a
   * time either way; while another version holds it, this rollout fails at once and says which.
   */
  const takeLockIfStartedDirectly = async (tx: EntityManager, rulebookId: string, runId: string | null) => {
    const [mine] = await tx.query(`SELECT id FROM rulebook_rollout_run WHERE rulebook_id = $1 AND status = 'running'`, [rulebookId]);
    if (mine) return;
    const [holder] = await tx.query(`SELECT rulebook_id FROM rulebook_rollout_run WHERE status = 'running'`);
    const [previous] = await tx.query(`SELECT rulebook_id FROM rulebook_rollout_run ORDER BY id DESC LIMIT 1`);
    try {
      await tx.query('SAVEPOINT take_lock');
      await tx.query(
        `INSERT INTO rulebook_rollout_run (rulebook_id, workflow_id, workflow_run_id, status, requested_via, previous_rulebook_id)
         VALUES ($1, $2, $3, 'running', 'workflow', $4)`,
        [rulebookId, rolloutWorkflowId(rulebookId), runId, previous?.rulebook_id ?? null],
      );
    } catch (err) {
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      await tx.query('ROLLBACK TO SAVEPOINT take_lock');
      const [other] = holder ? [holder] : await tx.query(`SELECT rulebook_id FROM rulebook_rollout_run WHERE status = 'running'`);
      throw ApplicationFailure.nonRetryable(
        `Regelboek ${other?.rulebook_id ?? '?'} wordt al uitgerold; start deze uitrol via POST /rulebooks/${rulebookId}/apply als die klaar is / ` +
          `rulebook ${other?.rulebook_id ?? '?'} is being rolled out; apply this version once it has finished`,
        'rollout-running',
      );
    }
  };

  return {
    /**
     * Opens (or re-opens) the rollout of a version and lists its targets: every onboarded owner's
     * workflow. Targets applied earlier stay applied; failed ones become pending again, so a re-run
     * picks up exactly the failures and owners onboarded since.
     */
    async listRolloutTargets({ rulebookId }: { rulebookId: string }): Promise<RolloutCounts> {
      await rulebookOrFail(rulebookId);
      const { workflowExecution } = Context.current().info;
      await dataSource.transaction(async (tx) => {
        await takeLockIfStartedDirectly(tx, rulebookId, workflowExecution?.runId ?? null);
        // Targets applied in an earlier rollout of this version count as done only while no other version
        // has rolled out since; after one has (going back with an override), every target is sent again.
        await tx.query(
          `UPDATE rulebook_rollout_target SET status = 'pending', changed = NULL, error = NULL, updated_at = now()
           WHERE rulebook_id = $1 AND status = 'applied' AND EXISTS (
             SELECT 1 FROM rulebook_rollout_run o WHERE o.rulebook_id <> $1 AND o.id > coalesce(
               (SELECT max(m.id) FROM rulebook_rollout_run m WHERE m.rulebook_id = $1 AND m.status <> 'running'), 0))`,
          [rulebookId],
        );
        await tx.query(
          `INSERT INTO rulebook_rollout (rulebook_id, workflow_id, status, total) VALUES ($1, $2, 'running', 0)
           ON CONFLICT (rulebook_id) DO UPDATE SET status = 'running', workflow_id = EXCLUDED.workflow_id, started_at = now(), finished_at = NULL`,
          [rulebookId, rolloutWorkflowId(rulebookId)],
        );
        await tx.query(
          `INSERT INTO rulebook_rollout_target (rulebook_id, workflow_id, status)
           SELECT $1, workflow_id, 'pending' FROM onboarding WHERE workflow_started_at IS NOT NULL
           UNION
           SELECT $1, workflow_id, 'pending' FROM region_onboarding WHERE workflow_started_at IS NOT NULL
           ON CONFLICT (rulebook_id, workflow_id) DO UPDATE SET status = 'pending', error = NULL, changed = NULL, updated_at = now()
           WHERE rulebook_rollout_target.status = 'failed'`,
          [rulebookId],
        );
      });
      const counts = await recount(rulebookId);
      log.info('Rollout targets listed', { ...counts });
      return counts;
    },

    /**
     * Applies the version to the next `batchSize` pending targets, `concurrency` at a time, marking each
     * applied or failed as it finishes and heartbeating per target. The rulebook is read from the
     * database here, so the workflow's history carries only its id.
     */
    async applyRolloutBatch({ rulebookId, batchSize, concurrency }: RolloutBatchInput): Promise<RolloutCounts & { processed: number }> {
      const stored = await rulebookOrFail(rulebookId);
      const targets: { workflow_id: string }[] = await dataSource.query(
        `SELECT workflow_id FROM rulebook_rollout_target WHERE rulebook_id = $1 AND status = 'pending' ORDER BY workflow_id LIMIT $2`,
        [rulebookId, batchSize],
      );
      const ctx = Context.current();
      let done = 0;
      ctx.heartbeat({ done, of: targets.length });
      const queue = targets.map((t) => t.workflow_id);
      const work = Promise.all(
        Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
          for (let workflowId = queue.shift(); workflowId && !ctx.cancellationSignal.aborted; workflowId = queue.shift()) {
            const outcome = await applyTo(workflowId, stored);
            await dataSource.query(
              `UPDATE rulebook_rollout_target SET status = $3, changed = $4, error = $5, updated_at = now()
               WHERE rulebook_id = $1 AND workflow_id = $2`,
              outcome.status === 'applied'
                ? [rulebookId, workflowId, 'applied', JSON.stringify(outcome.changed), outcome.note]
                : [rulebookId, workflowId, 'failed', null, outcome.error],
            );
            if (outcome.status === 'failed') log.warn('Rollout target failed', { workflowId, error: outcome.error });
            ctx.heartbeat({ done: ++done, of: targets.length, last: workflowId });
          }
        }),
      );
      // A cancelled activity (heartbeat timeout, rollout cancelled) stops taking targets; the rest stay pending.
      await Promise.race([work, ctx.cancelled]);
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure('rollout batch cancelled');
      return { ...(await recount(rulebookId)), processed: targets.length };
    },

    /**
     * Closes the rollout with its final counts (a target still pending would mean a bug: it is counted, not
     * hidden) and releases the lock, so the next version may roll out.
     */
    async finishRollout({ rulebookId }: { rulebookId: string }): Promise<RolloutCounts> {
      const counts = await recount(rulebookId);
      await dataSource.transaction(async (tx) => {
        await tx.query(`UPDATE rulebook_rollout SET status = 'completed', finished_at = now() WHERE rulebook_id = $1`, [rulebookId]);
        await tx.query(`UPDATE rulebook_rollout_run SET status = 'completed', finished_at = now() WHERE rulebook_id = $1 AND status = 'running'`, [rulebookId]);
      });
      log.info('Rollout finished', { ...counts });
      return counts;
    },

    /** The rollout failed or was cancelled: releases the lock and keeps the reason. Progress stays as it is, to resume. */
    async releaseRollout({ rulebookId, error }: { rulebookId: string; error: string }): Promise<void> {
      await dataSource.query(
        `UPDATE rulebook_rollout_run SET status = 'failed', error = $2, finished_at = now() WHERE rulebook_id = $1 AND status = 'running'`,
        [rulebookId, error.slice(0, 2000)],
      );
      log.warn('Rollout failed; lock released', { rulebookId, error });
    },
  };
}
