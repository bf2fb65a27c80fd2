import {
  allHandlersFinished,
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
import { IsoDate, parseIsoDate, utcToAmsterdamDate } from '../libs/calendar';
import {
  applyRulebook,
  completeStep,
  FiringRecord,
  grantExtension,
  notificationBusinessKey,
  NotificationKind,
  ProgrammeState,
  programmeStateQuery,
  ProgrammeWorkflowInput,
  searchAttributes,
  setTargetDate,
  StepEventWrite,
  StepInstance,
  updateProgress,
  waiveStep,
} from '../libs/contracts';
import type { Role, Rulebook, RulebookStep } from '../libs/rulebook/rulebook.schema';
import { dateKindOf, extensionDerivation, planFirings, PlannedFiring, rulebookDueDate, targetDateDerivation } from '../libs/rulebook/schedule';

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

const closed = (step: StepInstance) => step.status === 'done' || step.status === 'waived';

/**
 * The statutory steps of one owner as state in one workflow (not a child workflow per step: far fewer
 * workflow starts, see README). Timers follow the domain brief: every reminder and rung at most once per
 * step and due date; a moved date sends one change notice and keeps only the moments still ahead;
 * moments already past are recorded as skipped; completion or waiver stops everything.
 */
async function runSteps(input: ProgrammeWorkflowInput): Promise<ProgrammeState> {
  const { workflowId } = workflowInfo();
  const { owner } = input;
  let rulebook: Rulebook = input.rulebook;
  let rulebookHash = input.rulebookHash;
  let seq = input.carried?.seq ?? 0;
  const handled = new Set(input.carried?.handled ?? []);
  const firings: FiringRecord[] = input.carried?.firings ?? [];
  const steps: StepInstance[] = input.carried?.steps ?? [];
  const notices: { step: StepInstance; kind: NotificationKind; previous: StepInstance['due'] }[] = [];
  /** Steps whose moments were (re)planned: their moments already past are skipped, not sent. */
  const replanned = new Set<string>();
  /** Something changed: wake up and look again. */
  let dirty = true;

  const now = () => Date.now();
  const today = () => utcToAmsterdamDate(now());
  const definitionOf = (step: StepInstance): RulebookStep | undefined => rulebook.steps.find((d) => d.key === step.stepKey);
  const ownSteps = () => rulebook.steps.filter((d) => d.scope === owner.kind);

  const write = (step: StepInstance, event: string, detail: Record<string, unknown>): StepEventWrite => ({
    workflowId,
    seq: ++seq,
    owner: { kind: owner.kind, code: owner.code },
    event,
    occurredAt: new Date(now()).toISOString(),
    detail,
    step: { ...step },
    rulebookId: rulebook.id,
    rulebookHash,
  });
  const record = (step: StepInstance, event: string, detail: Record<string, unknown>) => recordStepEvent(write(step, event, detail));
  /**
   * Several changes at once. Workflows started before this existed wrote them one activity each; they
   * keep doing so on replay (patched), while new runs write them in one activity.
   */
  const recordAll = async (changes: [StepInstance, string, Record<string, unknown>][]) => {
    if (!changes.length) return;
    if (patched('batched-step-records')) await recordStepEvents(changes.map(([step, event, detail]) => write(step, event, detail)));
    else for (const [step, event, detail] of changes) await record(step, event, detail);
  };

  /** Onboarding states keyed by step (not instance) apply to that step's first instance only, not to later cycles. */
  const initialUsed = new Set<string>();
  const newInstance = (definition: RulebookStep, cycleYear: number | null): StepInstance => {
    const key = cycleYear === null ? definition.key : `${definition.key}:${cycleYear}`;
    const byStep = initialUsed.has(definition.key) ? undefined : input.initialSteps?.[definition.key];
    initialUsed.add(definition.key);
    const initial = input.carried ? undefined : (input.initialSteps?.[key] ?? byStep);
    const due = rulebookDueDate(rulebook, definition, cycleYear ?? undefined);
    const target = initial?.targetDate && !due ? targetDateDerivation(initial.targetDate, owner.name) : null;
    const recordedAt = new Date(now()).toISOString();
    return {
      key,
      stepKey: definition.key,
      cycleYear,
      status: initial?.status ?? 'open',
      dateKind: dateKindOf(definition),
      due: due ?? target,
      dueSource: due ? 'rulebook' : target ? 'target' : null,
      checklist: Object.fromEntries(definition.checklist.map((c) => [c.key, initial?.checklist?.includes(c.key) ?? false])),
      evidence: (initial?.evidence ?? []).map((e) => ({ ...e, recordedAt })),
      extensions: [],
      waiver: null,
      warnings: [],
      overdue: false,
      late: false,
      overdueSince: null,
      sequence: 0,
    };
  };

  /** The cycle a yearly step is in today: this year's, or next year's once this year's last day has passed. */
  const currentCycle = (definition: RulebookStep): number => {
    const year = Number(today().slice(0, 4));
    return rulebookDueDate(rulebook, definition, year)!.date < today() ? year + 1 : year;
  };

  /**
   * Creates missing instances: every one-off step of this owner's scope, and each yearly step's current
   * cycle. All are in place before the first await, so an update arriving at once finds every step.
   */
  const ensureInstances = async () => {
    const created: StepInstance[] = [];
    for (const definition of ownSteps()) {
      const cycleYear = definition.date.kind === 'yearly' ? currentCycle(definition) : null;
      const key = cycleYear === null ? definition.key : `${definition.key}:${cycleYear}`;
      if (steps.some((s) => s.key === key)) continue;
      const step = newInstance(definition, cycleYear);
      steps.push(step);
      replanned.add(step.key);
      created.push(step);
    }
    await recordAll(created.map((step) => [step, 'created', { status: step.status, dueDate: step.due?.date ?? null, cycleYear: step.cycleYear }]));
  };

  const firingsOf = (step: StepInstance): (PlannedFiring & { businessKey: string })[] => {
    const definition = definitionOf(step);
    if (!definition || !step.due || closed(step)) return [];
    return planFirings(rulebook, definition, step.due.date).map((f) => ({
      ...f,
      businessKey: notificationBusinessKey(workflowId, step.key, step.due!.date, f.key),
    }));
  };

  const firingRecord = (step: StepInstance, f: PlannedFiring, outcome: FiringRecord['outcome']): FiringRecord => ({
    step: step.key,
    dueDate: step.due!.date,
    key: f.key,
    kind: f.kind,
    day: f.day,
    at: new Date(f.at).toISOString(),
    roles: f.roles,
    outcome,
  });

  /** The moment a due date has passed: overdue for a statutory term, late against plan for a target date. */
  const markPassed = (step: StepInstance, day: IsoDate) => {
    if (step.dateKind === 'statutory') step.overdue = true;
    else step.late = true;
    step.overdueSince = day;
  };

  /** Moments already past when a date is (re)planned are recorded as skipped, never sent late. */
  const skipPast = async () => {
    const candidates = steps.filter((s) => replanned.has(s.key));
    replanned.clear();
    const changes: [StepInstance, string, Record<string, unknown>][] = [];
    for (const step of candidates) {
      const past = firingsOf(step).filter((f) => !handled.has(f.businessKey) && f.at <= now());
      if (!past.length) continue;
      for (const f of past) {
        handled.add(f.businessKey);
        if (f.kind === 'deadline') markPassed(step, f.day);
        firings.push(firingRecord(step, f, f.kind === 'deadline' ? 'recorded' : 'skipped-past'));
      }
      changes.push([step, 'moments-skipped', { dueDate: step.due!.date, skipped: past.map((f) => ({ firing: f.key, day: f.day })) }]);
    }
    await recordAll(changes);
  };

  const stepRoles = (step: StepInstance): Role[] => [...new Set((definitionOf(step)?.reminders ?? []).flatMap((r) => r.roles))];

  const notify = async (step: StepInstance, kind: NotificationKind, firingKey: string, extra: { offsetDays?: number; rung?: number; roles: Role[]; statutory: boolean; previous?: StepInstance['due'] }) => {
    return sendNotification({
      businessKey: notificationBusinessKey(workflowId, step.key, step.due!.date, firingKey),
      workflowId,
      owner: { kind: owner.kind, code: owner.code },
      step: step.key,
      stepKey: step.stepKey,
      cycleYear: step.cycleYear,
      kind,
      firingKey,
      offsetDays: extra.offsetDays ?? 0,
      rung: extra.rung,
      roles: extra.roles,
      statutory: extra.statutory,
      dateKind: step.dateKind,
      due: step.due!,
      previousDue: extra.previous ?? null,
      sequence: step.sequence,
      openChecklist: Object.entries(step.checklist).filter(([, done]) => !done).map(([key]) => key),
      overdueSince: step.overdueSince,
      rulebookId: rulebook.id,
      rulebookHash,
      stateSeq: seq,
    });
  };

  /** One change notice per moved date, one cancellation per waiver: keyed by step, date and kind. */
  const sendNotices = async () => {
    while (notices.length) {
      const { step, kind, previous } = notices.shift()!;
      if (!step.due || (kind === 'change-notice' && closed(step))) continue;
      const key = notificationBusinessKey(workflowId, step.key, step.due.date, kind);
      if (handled.has(key)) continue;
      handled.add(key);
      const result = await notify(step, kind, kind, { roles: stepRoles(step), statutory: step.dateKind === 'statutory', previous });
      await record(step, `${kind}-${result.outcome}`, { dueDate: step.due.date, previousDueDate: previous?.date ?? null, recipients: result.recipients });
    }
  };

  const publishSearchAttributes = () =>
    upsertSearchAttributes([
      { key: searchAttributes.openSteps, value: steps.filter((s) => !closed(s)).map((s) => s.key) },
      { key: searchAttributes.overdue, value: steps.some((s) => s.overdue && !closed(s)) },
    ]);

  const nextFiring = () =>
    steps
      .flatMap((step) => firingsOf(step).filter((f) => !handled.has(f.businessKey)).map((firing) => ({ step, firing })))
      .sort((a, b) => a.firing.at - b.firing.at)[0];

  /** A yearly step's next cycle starts the day after the current cycle's last day, even when it was done early. */
  const nextCycleStart = () =>
    ownSteps()
      .filter((d) => d.date.kind === 'yearly')
      .map((d) => Date.parse(`${rulebookDueDate(rulebook, d, currentCycle(d))!.date}T00:00:00Z`) + 86_400_000)
      .sort((a, b) => a - b)[0];

  const find = (key: string): StepInstance => {
    const step = steps.find((s) => s.key === key);
    if (!step) throw new Error(`unknown step ${key}; this workflow has ${steps.map((s) => s.key).join(', ')}`);
    return step;
  };
  const open = (key: string): StepInstance => {
    const step = find(key);
    if (closed(step)) throw new Error(`step ${key} is ${step.status === 'done' ? 'done' : 'waived'}: it cannot change any more`);
    return step;
  };
  const required = (value: string | undefined, field: string) => {
    if (!value || !value.trim()) throw new Error(`${field} is required`);
  };
  const date = (value: string, field: string): IsoDate => {
    try {
      return parseIsoDate(value);
    } catch {
      throw new Error(`${field} must be a date as YYYY-MM-DD`);
    }
  };
  /** Runs a change, records it in the read model, and returns once the read model shows it. */
  const change = async (step: StepInstance, event: string, detail: Record<string, unknown>) => {
    await record(step, event, detail);
    publishSearchAttributes();
    return { ...step };
  };
  const moveDate = (step: StepInstance, due: NonNullable<StepInstance['due']>, source: NonNullable<StepInstance['dueSource']>) => {
    const previous = step.due;
    step.due = due;
    step.dueSource = source;
    replanned.add(step.key);
    if (previous && previous.date !== due.date) {
      step.sequence += 1;
      notices.push({ step, kind: 'change-notice', previous });
    }
    // A later date lifts the overdue state; its own timer sets it again if the new date passes too.
    if (!previous || due.date > previous.date) {
      step.overdue = false;
      step.late = false;
      step.overdueSince = null;
    }
    dirty = true;
  };

  setHandler(programmeStateQuery, () => ({ owner, rulebookId: rulebook.id, rulebookHash, steps, firings }));

  setHandler(
    updateProgress,
    async (input) => {
      const step = find(input.step);
      if (input.status) step.status = input.status;
      Object.assign(step.checklist, input.checklist ?? {});
      return change(step, 'progress', { status: step.status, checklist: input.checklist ?? {}, note: input.note ?? null, by: input.by });
    },
    {
      validator: (input) => {
        required(input.by, 'by');
        const step = open(input.step);
        const definition = definitionOf(step)!;
        for (const key of Object.keys(input.checklist ?? {})) {
          if (!definition.checklist.some((c) => c.key === key)) throw new Error(`checklist item ${key} is not part of step ${step.key}`);
        }
        if (input.status && !['open', 'in-progress', 'submitted'].includes(input.status)) throw new Error('status must be open, in-progress or submitted');
      },
    },
  );

  setHandler(
    completeStep,
    async (input) => {
      const step = find(input.step);
      step.status = 'done';
      step.evidence.push({ ...input.evidence, recordedBy: input.by, recordedAt: new Date(now()).toISOString() });
      const warnings = (input.unmetDependencies ?? []).map((d) => `afgerond terwijl ${d} nog niet is afgerond`);
      step.warnings.push(...warnings);
      dirty = true;
      return change(step, 'done', { evidence: input.evidence, warnings, by: input.by });
    },
    {
      validator: (input) => {
        required(input.by, 'by');
        open(input.step);
        if (!input.evidence || !['council-decision', 'publication', 'document'].includes(input.evidence.kind)) {
          throw new Error('evidence.kind must be council-decision, publication or document');
        }
        required(input.evidence.reference, 'evidence.reference');
        if (input.evidence.date) date(input.evidence.date, 'evidence.date');
      },
    },
  );

  setHandler(
    setTargetDate,
    async (input) => {
      const step = find(input.step);
      moveDate(step, targetDateDerivation(input.date, input.by), 'target');
      return change(step, 'target-date-set', { date: input.date, by: input.by });
    },
    {
      validator: (input) => {
        required(input.by, 'by');
        const step = open(input.step);
        if (step.dateKind !== 'target') throw new Error(`step ${step.key} has a statutory term: its date comes from the law (an extension moves it)`);
        date(input.date, 'date');
      },
    },
  );

  setHandler(
    grantExtension,
    async (input) => {
      const step = find(input.step);
      const from = step.due?.date ?? null;
      step.extensions.push({ from, to: input.to, reason: input.reason, grantedBy: input.grantedBy, grantedAt: new Date(now()).toISOString() });
      moveDate(step, extensionDerivation(input.to, step.due, input.grantedBy, input.reason), 'extension');
      return change(step, 'extended', { from, to: input.to, reason: input.reason, grantedBy: input.grantedBy });
    },
    {
      validator: (input) => {
        required(input.grantedBy, 'grantedBy');
        required(input.reason, 'reason');
        const step = open(input.step);
        const to = date(input.to, 'to');
        if (!step.due) throw new Error(`step ${step.key} has no date yet to extend: set a target date first`);
        if (to <= step.due.date) throw new Error(`to must be after the current date ${step.due.date}`);
      },
    },
  );

  setHandler(
    waiveStep,
    async (input) => {
      const step = find(input.step);
      step.status = 'waived';
      step.waiver = { reason: input.reason, grantedBy: input.grantedBy, grantedAt: new Date(now()).toISOString() };
      if (step.due) notices.push({ step, kind: 'cancellation', previous: null });
      dirty = true;
      return change(step, 'waived', { reason: input.reason, grantedBy: input.grantedBy });
    },
    {
      validator: (input) => {
        required(input.grantedBy, 'grantedBy');
        required(input.reason, 'reason');
        open(input.step);
      },
    },
  );

  setHandler(
    applyRulebook,
    async (input) => {
      if (input.rulebookHash === rulebookHash) return { rulebookId: rulebook.id, changed: [], alreadyApplied: true };
      const previousId = rulebook.id;
      rulebook = input.rulebook;
      rulebookHash = input.rulebookHash;
      const changed: { step: string; from: IsoDate | null; to: IsoDate | null }[] = [];
      for (const step of steps) {
        const definition = definitionOf(step);
        if (!definition) {
          step.warnings.push(`stap komt niet meer voor in regelboek ${rulebook.id}`);
          continue;
        }
        for (const item of definition.checklist) if (!(item.key in step.checklist)) step.checklist[item.key] = false;
        const due = step.dueSource === 'rulebook' ? rulebookDueDate(rulebook, definition, step.cycleYear ?? undefined) : null;
        if (due && !closed(step) && due.date !== step.due?.date) {
          changed.push({ step: step.key, from: step.due?.date ?? null, to: due.date });
          moveDate(step, due, 'rulebook');
        } else if (due && !closed(step)) {
          step.due = due;
        }
      }
      // Offsets may have changed too: moments of the new version that already passed are skipped.
      for (const step of steps) replanned.add(step.key);
      await recordAll(steps.map((step) => [step, 'rulebook-applied', { from: previousId, to: rulebook.id, dueDate: changed.find((c) => c.step === step.key) ?? null }]));
      dirty = true;
      publishSearchAttributes();
      return { rulebookId: rulebook.id, changed, alreadyApplied: false };
    },
    {
      validator: (input) => {
        if (!/^[0-9a-f]{64}$/.test(input.rulebookHash ?? '')) throw new Error('rulebookHash must be a sha256 hex digest');
        // A version without this owner's steps is accepted: its steps stay, with a warning, and get no more timers.
        if (!input.rulebook?.id || !Array.isArray(input.rulebook.steps)) throw new Error('rulebook must be a rulebook version with steps');
      },
    },
  );

  for (;;) {
    const info = workflowInfo();
    if (info.continueAsNewSuggested || (input.continueAsNewAfterEvents && info.historyLength >= input.continueAsNewAfterEvents)) {
      await condition(allHandlersFinished);
      // Closed one-off steps and closed past cycles live on in the read model; the next run carries the rest.
      const keep = steps.filter((s) => !closed(s) || s.cycleYear === null || s.cycleYear >= Number(today().slice(0, 4)));
      const keepKeys = new Set(keep.map((s) => s.key));
      return continueAsNew<typeof programmeWorkflow>({
        owner,
        rulebook,
        rulebookHash,
        continueAsNewAfterEvents: input.continueAsNewAfterEvents,
        carried: {
          steps: keep,
          seq,
          handled: [...handled].filter((k) => keepKeys.has(k.split(':').slice(1, -2).join(':'))),
          firings: firings.filter((f) => keepKeys.has(f.step)).slice(-50),
        },
      });
    }
    if (dirty) {
      dirty = false;
      await ensureInstances();
      await skipPast();
      await sendNotices();
      publishSearchAttributes();
      continue;
    }
    const next = nextFiring();
    const cycleStart = nextCycleStart();
    if (!next && cycleStart === undefined && steps.every(closed)) {
      await condition(allHandlersFinished);
      return { owner, rulebookId: rulebook.id, rulebookHash, steps, firings };
    }
    const wakeAt = Math.min(next?.firing.at ?? Infinity, cycleStart ?? Infinity);
    if (wakeAt > now()) {
      // Wait for the moment, or for a change (an update) that may move it.
      const changed = wakeAt === Infinity ? (await condition(() => dirty), true) : await condition(() => dirty, wakeAt - now());
      if (changed) continue;
    }
    if (!next || next.firing.at > now()) {
      dirty = true; // a new cycle begins
      continue;
    }
    const { step, firing } = next;
    handled.add(firing.businessKey);
    if (firing.kind === 'deadline') {
      markPassed(step, firing.day);
      firings.push(firingRecord(step, firing, 'recorded'));
      await record(step, step.dateKind === 'statutory' ? 'overdue' : 'late', { dueDate: step.due!.date, since: firing.day });
      publishSearchAttributes();
      continue;
    }
    const result = await notify(step, firing.kind, firing.key, {
      offsetDays: firing.offsetDays,
      rung: firing.rung,
      roles: firing.roles,
      statutory: firing.statutory,
    });
    firings.push(firingRecord(step, firing, result.outcome));
    log.info('Notification fired', { step: step.key, firing: firing.key, outcome: result.outcome });
    await record(step, `${firing.kind}-${result.outcome}`, { firing: firing.key, dueDate: step.due!.date, day: firing.day, recipients: result.recipients });
  }
}

