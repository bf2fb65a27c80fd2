import { CancellationScope, ContinueAsNew, continueAsNew, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RegieActivities } from '../activities';
import type { RolloutCounts } from '../activities/rollout.activities';

export interface RulebookRolloutInput {
  rulebookId: string;
  /** Targets per batch activity (default 25) and updates in flight within one batch (default 10). */
  batchSize?: number;
  concurrency?: number;
  /** Set on continue-as-new: the targets are listed already and must not be listed again. */
  listed?: boolean;
  /** Continue as new after this many batches even if the SDK has not suggested it yet (tests). */
  continueAsNewAfterBatches?: number;
}

const { listRolloutTargets, finishRollout, releaseRollout } = proxyActivities<RegieActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// A batch waits on up to batchSize workflows; the heartbeat per target lets a dead worker's batch be retried within two minutes.
const { applyRolloutBatch } = proxyActivities<RegieActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Applies one rulebook version to every running programme and region workflow: `rulebook-rollout-<id>`.
 * The history carries only the version's id and counters; targets and their outcomes live in Postgres,
 * so a retried batch, a continued run or a re-run after the rollout closed skips what is done.
 * One rollout runs at a time: the API takes a lock in Postgres before it starts this workflow, and
 * `finishRollout` releases it; a rollout that fails or is cancelled releases it too.
 */
export async function rulebookRolloutWorkflow(input: RulebookRolloutInput): Promise<RolloutCounts> {
  try {
    return await rollOut(input);
  } catch (err) {
    // Continue-as-new keeps the lock: the rollout goes on in the next run. Histories recorded before this
    // release existed never reach here (they completed), so patched() only marks runs that do.
    if (!(err instanceof ContinueAsNew) && patched('rollout-releases-lock-on-failure')) {
      await CancellationScope.nonCancellable(() => releaseRollout({ rulebookId: input.rulebookId, error: failureReason(err) }));
    }
    throw err;
  }
}

async function rollOut(input: RulebookRolloutInput): Promise<RolloutCounts> {
  const { rulebookId } = input;
  const batchSize = input.batchSize ?? 25;
  const concurrency = input.concurrency ?? 10;
  if (!input.listed) await listRolloutTargets({ rulebookId });
  for (let batches = 0; ; batches++) {
    const info = workflowInfo();
    if (info.continueAsNewSuggested || (input.continueAsNewAfterBatches && batches >= input.continueAsNewAfterBatches)) {
      return continueAsNew<typeof rulebookRolloutWorkflow>({ ...input, listed: true });
    }
    const progress = await applyRolloutBatch({ rulebookId, batchSize, concurrency });
    if (progress.pending === 0 || progress.processed === 0) break;
  }
  return finishRollout({ rulebookId });
}

/** Why the rollout stopped, for a person: cancelled, or the innermost cause an activity's failure wraps. */
function failureReason(err: unknown): string {
  let cancelled = false;
  let message = '';
  for (let current = err as { name?: string; message?: string; cause?: unknown } | undefined; current && typeof current === 'object'; current = current.cause as typeof current) {
    if (current.name === 'CancelledFailure') cancelled = true;
    if (current.message) message = current.message;
  }
  return cancelled ? `uitrol geannuleerd / rollout cancelled${message ? `: ${message}` : ''}` : message || String(err);
}
