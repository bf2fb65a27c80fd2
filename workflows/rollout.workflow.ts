import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
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

const { listRolloutTargets, finishRollout } = proxyActivities<RegieActivities>({
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
 */
export async function rulebookRolloutWorkflow(input: RulebookRolloutInput): Promise<RolloutCounts> {
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
