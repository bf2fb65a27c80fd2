import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RegieActivities } from '../activities';
import {
  applyRulebook,
  completeStep,
  grantExtension,
  PROGRAMME_PATCHES,
  ProgrammePatch,
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

const retry = { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' };
const { recordStepEvent, recordStepEvents, sendNotification, sendNotifications } = proxyActivities<RegieActivities>({ startToCloseTimeout: '1 minute', retry });
/**
 * The read-model write as a local activity: the worker runs it inside the workflow task that asks for it and
 * records one marker, with no activity task through the server. Only the main loop calls it, one at a time
 * (see `oneWriter`), so its result always comes back at the same point on replay.
 */
const local = proxyLocalActivities<RegieActivities>({ startToCloseTimeout: '1 minute', retry });

/**
 * Whether a change of `PROGRAMME_PATCHES` is in force: from the start for a run started at its level or
 * later (no marker), else as `patched()` answers (runs started before levels existed).
 */
function inForce(input: ProgrammeWorkflowInput, patch: ProgrammePatch): boolean {
  return (input.codeLevel ?? 0) >= PROGRAMME_PATCHES[patch] || patched(patch);
}

/** One municipality's steps (3, 4, 5 and the yearly prestatieafspraken): `programme-GM0363`. */
export async function programmeWorkflow(input: ProgrammeWorkflowInput): Promise<ProgrammeState> {
  return runSteps(input);
}

/** One region's steps (1 and 2), which count for all its member municipalities: `region-CR23`. */
export async function regionWorkflow(input: ProgrammeWorkflowInput): Promise<ProgrammeState> {
  return runSteps(input);
}

/**
 * Why an activity gave up for good, or the error thrown on when it is not one: an ordinary activity fails as
 * an ActivityFailure with the reason as its cause, a local activity with its own (non-retryable)
 * ApplicationFailure. Anything else is a bug.
 */
function givenUp(err: unknown): ActivityFailure | ApplicationFailure {
  if (err instanceof ActivityFailure || err instanceof ApplicationFailure) return err;
  throw err;
}
const reasonOf = (failure: ActivityFailure | ApplicationFailure) => (failure instanceof ActivityFailure ? failure.cause?.message ?? failure.message : failure.message);

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
    termRules: () => (inForce(input, 'atw-term-rules') ? 'statute' : 'legacy'),
  });
  const now = () => Date.now();

  /**
   * Several changes at once. Workflows started before this existed wrote them one activity each; they
   * keep doing so on replay (patched), while new runs write them in one activity.
   */
  const recordAll = async (writes: StepEventWrite[]) => {
    if (!writes.length) return;
    if (inForce(input, 'batched-step-records')) await survive('read-model write', () => recordStepEvents(writes));
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
   * step's next write carries its state. Only an activity's failure is caught (`givenUp`); anything else is a bug.
   */
  const survive = async (what: string, write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (err) {
      log.error(`${what} failed for good; the workflow goes on`, { cause: reasonOf(givenUp(err)) });
    }
  };

  /**
   * One writer (runs started since `one-read-model-writer`): every read-model write goes through the main
   * loop, as one local activity per batch, and is followed by the search attributes. An update handler
   * queues its writes and waits until the loop has written them, so a handler never runs an activity of
   * its own and nothing runs beside a local activity. Earlier runs keep their activities on replay.
   */
  const oneWriter = inForce(input, 'one-read-model-writer');
  const queued: StepEventWrite[] = [];
  let queuedTickets = 0;
  let writtenTickets = 0;
  const refused = new Map<number, ActivityFailure | ApplicationFailure>();
  let published = '';
  /** The main loop writes what is queued and what it brings itself, then the search attributes if they changed. */
  const flush = async (writes: StepEventWrite[] = []) => {
    queued.push(...writes);
    const batch = queued.splice(0);
    const tickets = queuedTickets;
    if (batch.length) {
      try {
        await local.recordStepEvents(batch);
      } catch (err) {
        const failure = givenUp(err);
        log.error('read-model write failed for good; the workflow goes on', { cause: reasonOf(failure) });
        for (let t = writtenTickets + 1; t <= tickets; t++) refused.set(t, failure);
      }
    }
    writtenTickets = tickets;
    const attributes = JSON.stringify(model.searchAttributes());
    if (attributes !== published) publishSearchAttributes();
    published = attributes;
  };
  /** An update handler's writes, queued for the main loop; resolves once written, with the failure if the write was refused for good. */
  const queueFromHandler = async (writes: StepEventWrite[]): Promise<ActivityFailure | ApplicationFailure | undefined> => {
    queued.push(...writes);
    const ticket = ++queuedTickets;
    await condition(() => writtenTickets >= ticket);
    const failure = refused.get(ticket);
    refused.delete(ticket);
    return failure;
  };
  /** Until every handler has finished, writing what they queue meanwhile. */
  const handlersFinished = async () => {
    for (;;) {
      await condition(() => allHandlersFinished() || queued.length > 0);
      if (!queued.length) return;
      await flush();
    }
  };

  const notify = async ({ request, recorded, failed }: NotificationEffect) => {
    const record = (w: StepEventWrite) => (oneWriter ? flush([w]) : survive('read-model write', () => recordStepEvent(w)));
    try {
      const result = await (oneWriter && inForce(input, 'local-notifications') ? local.sendNotification(request) : sendNotification(request));
      await record(recorded(result, now()));
      return result.outcome;
    } catch (err) {
      await record(failed(reasonOf(givenUp(err)), now()));
      return 'failed';
    }
  };
  /** Every pending change notice and cancellation in one activity, their outcomes in one write (runs since `batched-notices`). */
  const notifyAll = async () => {
    const notices: NotificationEffect[] = [];
    for (let notice = model.nextNotice(); notice; notice = model.nextNotice()) notices.push(notice);
    if (!notices.length) return;
    try {
      const requests = notices.map((n) => n.request);
      const attempts = await (inForce(input, 'local-notifications') ? local.sendNotifications(requests) : sendNotifications(requests));
      await flush(attempts.map((a, i) => ('result' in a ? notices[i].recorded(a.result, now()) : notices[i].failed(a.failed, now()))));
    } catch (err) {
      const reason = reasonOf(givenUp(err));
      await flush(notices.map((n) => n.failed(reason, now())));
    }
  };
  /** Runs a change, records it in the read model, and returns once the read model shows it. */
  const change = async (write: StepEventWrite) => {
    if (oneWriter) {
      const refusal = await queueFromHandler([write]);
      if (refusal) throw refusal;
    } else {
      await recordStepEvent(write);
      publishSearchAttributes();
    }
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
      // A refused write is logged by the loop; the step's next write carries its state (as `survive` does).
      if (oneWriter) await queueFromHandler(writes);
      else {
        await recordAll(writes);
        publishSearchAttributes();
      }
      model.dirty = true;
      return result;
    },
    { validator: (update) => refuse(model.validateApplyRulebook(update)) },
  );

  for (;;) {
    if (queued.length) {
      await flush();
      continue;
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || (input.continueAsNewAfterEvents && info.historyLength >= input.continueAsNewAfterEvents)) {
      await handlersFinished();
      return continueAsNew<typeof programmeWorkflow>(model.carry(now()));
    }
    if (model.dirty) {
      model.dirty = false;
      if (oneWriter) await flush([...model.ensureInstances(now()), ...model.skipPast(now())]);
      else {
        await recordAll(model.ensureInstances(now()));
        await recordAll(model.skipPast(now()));
      }
      if (oneWriter && inForce(input, 'batched-notices')) await notifyAll();
      else for (let notice = model.nextNotice(); notice; notice = model.nextNotice()) await notify(notice);
      if (!oneWriter) publishSearchAttributes();
      continue;
    }
    const wake = model.nextWake(now());
    if ('finished' in wake) {
      await handlersFinished();
      return model.state();
    }
    if (wake.at > now()) {
      // Wait for the moment, for a change (an update) that may move it, or for an update's writes.
      const woken = () => model.dirty || queued.length > 0;
      const changed = wake.at === Infinity ? (await condition(woken), true) : await condition(woken, wake.at - now());
      if (changed) continue;
    }
    const due = model.fire(now(), wake);
    if (!due) continue;
    if ('deadline' in due) {
      if (oneWriter) await flush([due.deadline]);
      else {
        await survive('read-model write', () => recordStepEvent(due.deadline));
        publishSearchAttributes();
      }
      continue;
    }
    const outcome = await notify(due.notification);
    log.info('Notification fired', { step: due.notification.request.step, firing: due.notification.request.firingKey, outcome });
  }
}
