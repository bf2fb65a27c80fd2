import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RegieActivities } from '../activities';
import {
  applyRulebook,
  completeStep,
  grantExtension,
  ProgrammeState,
  programmeStateQuery,
  ProgrammeWorkflowInput,
  searchAttributes,
  setTargetDate,
  StepEventWrite,
  updateProgress,
  waiveStep,
} from '../libs/contracts';
import { StepRuleError } from '../libs/programme/errors';
import { NotificationEffect, ProgrammeSteps } from '../libs/programme/programme-steps';

const { recordStepEvent, recordStepEvents, sendNotification } = proxyActivities<RegieActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** One municipality's steps (3, 4, 5 and the yearly prestatieafspraken): `programme-GM0363`. */
export async function programmeWorkflow(input: ProgrammeWorkflowInput): Promise<ProgrammeState> {
  return runSteps(input);
}

/** One region's steps (1 and 2), which count for all its member municipalities: `region-CR23`. */
export async function regionWorkflow(input: ProgrammeWorkflowInput): Promise<ProgrammeState> {
  return runSteps(input);
}

/** A refusal crosses to the caller as its code (the failure's type) with the rule error as details. */
function refuse(error: StepRuleError | null): void {
  if (error) throw ApplicationFailure.create({ type: error.code, message: error.message, details: [error], nonRetryable: true });
}

/**
 * The thin shell around the step model (`libs/programme`): it feeds the model updates and the workflow
 * clock, and performs what the model returns (read-model writes, notifications, search attributes) in
 * order. Every rule lives in the model; see its README for why one workflow holds all of an owner's steps.
 */
async function runSteps(input: ProgrammeWorkflowInput): Promise<ProgrammeState> {
  const model = new ProgrammeSteps(input, {
    workflowId: workflowInfo().workflowId,
    // Workflows that ran before the term rules were complete keep their old dating on replay.
    termRules: () => (patched('atw-term-rules') ? 'statute' : 'legacy'),
  });
  const now = () => Date.now();

  /**
   * Several changes at once. Workflows started before this existed wrote them one activity each; they
   * keep doing so on replay (patched), while new runs write them in one activity.
   */
  const recordAll = async (writes: StepEventWrite[]) => {
    if (!writes.length) return;
    if (patched('batched-step-records')) await survive('read-model write', () => recordStepEvents(writes));
    else for (const write of writes) await survive('read-model write', () => recordStepEvent(write));
  };
  const publishSearchAttributes = () => {
    const { openSteps, overdue } = model.searchAttributes();
    upsertSearchAttributes([
      { key: searchAttributes.openSteps, value: openSteps },
      { key: searchAttributes.overdue, value: overdue },
    ]);
  };
  /**
   * A write the activity gave up on for good (bad data it cannot store) is logged and the loop goes on: the
   * step's next write carries its state. Only an ActivityFailure is caught; anything else is a bug.
   */
  const survive = async (what: string, write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.error(`${what} failed for good; the workflow goes on`, { cause: err.cause?.message });
    }
  };
  const notify = async ({ request, recorded, failed }: NotificationEffect) => {
    try {
      const result = await sendNotification(request);
      await survive('read-model write', () => recordStepEvent(recorded(result, now())));
      return result.outcome;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      await survive('read-model write', () => recordStepEvent(failed(err.cause?.message ?? err.message, now())));
      return 'failed';
    }
  };
  /** Runs a change, records it in the read model, and returns once the read model shows it. */
  const change = async (write: StepEventWrite) => {
    await recordStepEvent(write);
    publishSearchAttributes();
    return model.stepNow(write.step.key);
  };

  setHandler(programmeStateQuery, () => model.state());
  setHandler(updateProgress, (update) => change(model.progress(update, now())), { validator: (update) => refuse(model.validateProgress(update)) });
  setHandler(completeStep, (update) => change(model.complete(update, now())), { validator: (update) => refuse(model.validateComplete(update)) });
  setHandler(setTargetDate, (update) => change(model.targetDate(update, now())), { validator: (update) => refuse(model.validateTargetDate(update)) });
  setHandler(grantExtension, (update) => change(model.extend(update, now())), { validator: (update) => refuse(model.validateExtension(update)) });
  setHandler(waiveStep, (update) => change(model.waive(update, now())), { validator: (update) => refuse(model.validateWaiver(update)) });
  setHandler(
    applyRulebook,
    async (update) => {
      const { result, writes } = model.applyRulebook(update, now());
      if (result.alreadyApplied) return result;
      await recordAll(writes);
      model.dirty = true;
      publishSearchAttributes();
      return result;
    },
    { validator: (update) => refuse(model.validateApplyRulebook(update)) },
  );

  for (;;) {
    const info = workflowInfo();
    if (info.continueAsNewSuggested || (input.continueAsNewAfterEvents && info.historyLength >= input.continueAsNewAfterEvents)) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof programmeWorkflow>(model.carry(now()));
    }
    if (model.dirty) {
      model.dirty = false;
      await recordAll(model.ensureInstances(now()));
      await recordAll(model.skipPast(now()));
      for (let notice = model.nextNotice(); notice; notice = model.nextNotice()) await notify(notice);
      publishSearchAttributes();
      continue;
    }
    const wake = model.nextWake(now());
    if ('finished' in wake) {
      await condition(allHandlersFinished);
      return model.state();
    }
    if (wake.at > now()) {
      // Wait for the moment, or for a change (an update) that may move it.
      const changed = wake.at === Infinity ? (await condition(() => model.dirty), true) : await condition(() => model.dirty, wake.at - now());
      if (changed) continue;
    }
    const due = model.fire(now(), wake);
    if (!due) continue;
    if ('deadline' in due) {
      await survive('read-model write', () => recordStepEvent(due.deadline));
      publishSearchAttributes();
      continue;
    }
    const outcome = await notify(due.notification);
    log.info('Notification fired', { step: due.notification.request.step, firing: due.notification.request.firingKey, outcome });
  }
}
