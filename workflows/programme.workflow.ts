import { log, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { RegieActivities } from '../activities';
import {
  FiringRecord,
  notificationBusinessKey,
  ProgrammeState,
  programmeStateQuery,
  ProgrammeWorkflowInput,
  StepEventWrite,
} from '../libs/contracts';
import { planStatutoryStep, PlannedFiring, StepPlan } from '../libs/rulebook/schedule';

const { recordStepEvent, sendNotification } = proxyActivities<RegieActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * One municipality's statutory programme: plans each municipal statutory step's due date from the
 * rulebook it was given, then sleeps until each reminder and escalation moment and notifies once.
 * Moments already past when it starts are recorded as skipped, never sent late.
 */
export async function programmeWorkflow(input: ProgrammeWorkflowInput): Promise<ProgrammeState> {
  const { workflowId } = workflowInfo();
  const { municipality, rulebook, rulebookHash } = input;
  const plans = rulebook.steps
    .filter((step) => step.scope === 'municipality' && step.date.kind === 'statutory-term')
    .map((step) => planStatutoryStep(rulebook, step));

  const state: ProgrammeState = {
    municipalityCode: municipality.code,
    rulebookId: rulebook.id,
    rulebookHash,
    steps: plans.map((p) => ({ stepKey: p.stepKey, status: 'open', overdue: false, due: p.due })),
    firings: [],
  };
  setHandler(programmeStateQuery, () => state);

  let seq = 0;
  const record = (plan: StepPlan, event: string, detail: Record<string, unknown>) => {
    const step = state.steps.find((s) => s.stepKey === plan.stepKey)!;
    const write: StepEventWrite = {
      workflowId,
      seq: ++seq,
      municipalityCode: municipality.code,
      stepKey: plan.stepKey,
      event,
      occurredAt: new Date().toISOString(),
      detail,
      state: { status: step.status, overdue: step.overdue, dateKind: plan.dateKind, due: plan.due, rulebookId: rulebook.id, rulebookHash },
    };
    return recordStepEvent(write);
  };

  for (const plan of plans) {
    await record(plan, 'planned', { dueDate: plan.due.date, firings: plan.firings.map((f) => ({ key: f.key, day: f.day })) });
  }

  const queue: { plan: StepPlan; firing: PlannedFiring }[] = plans
    .flatMap((plan) => plan.firings.map((firing) => ({ plan, firing })))
    .sort((a, b) => a.firing.at - b.firing.at);

  for (const { plan, firing } of queue) {
    const firingRecord: FiringRecord = {
      stepKey: plan.stepKey,
      dueDate: plan.due.date,
      key: firing.key,
      kind: firing.kind,
      day: firing.day,
      at: new Date(firing.at).toISOString(),
      roles: firing.roles,
      outcome: 'skipped-past',
    };
    const wait = firing.at - Date.now();
    if (wait <= 0) {
      state.firings.push(firingRecord);
      await record(plan, `${firing.kind}-skipped`, { firing: firing.key, day: firing.day, reason: 'moment already past' });
      continue;
    }
    await sleep(wait);
    if (firing.kind === 'escalation') state.steps.find((s) => s.stepKey === plan.stepKey)!.overdue = true;
    const result = await sendNotification({
      businessKey: notificationBusinessKey(workflowId, plan.stepKey, plan.due.date, firing.key),
      workflowId,
      municipalityCode: municipality.code,
      stepKey: plan.stepKey,
      kind: firing.kind,
      firingKey: firing.key,
      offsetDays: firing.offsetDays,
      rung: firing.rung,
      roles: firing.roles,
      statutory: firing.statutory,
      dateKind: plan.dateKind,
      due: plan.due,
      rulebookId: rulebook.id,
      rulebookHash,
    });
    firingRecord.outcome = result.outcome;
    state.firings.push(firingRecord);
    log.info('Notification fired', { firing: firing.key, step: plan.stepKey, outcome: result.outcome });
    await record(plan, `${firing.kind}-${result.outcome}`, { firing: firing.key, day: firing.day, recipients: result.recipients });
  }
  return state;
}
