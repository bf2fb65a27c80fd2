/**
 * The statutory steps of one owner (a municipality or a region) as plain state with transitions. Every
 * transition changes the state and returns what the workflow must do about it: read-model writes, a
 * notification to send, search attributes to publish. Nothing here knows Temporal: the workflow feeds
 * inputs and the clock (`now`, epoch ms from the workflow clock) and performs the effects in order.
 */
import { IsoDate, utcToAmsterdamDate } from '../calendar';
import type {
  ApplyRulebookInput,
  ApplyRulebookResult,
  CarriedState,
  CompleteInput,
  ExtensionInput,
  FiringRecord,
  NotificationKind,
  NotificationOutcome,
  NotificationRequest,
  OwnerRef,
  ProgrammeState,
  ProgrammeWorkflowInput,
  ProgressInput,
  StepEventWrite,
  StepInstance,
  TargetDateInput,
  WaiverInput,
} from '../contracts';
import { PROGRAMME_CODE_LEVEL } from '../contracts';
import { CANCELLATION_FIRING_KEY, CHANGE_NOTICE_FIRING_KEY, notificationBusinessKey, parseNotificationBusinessKey, stepInstanceKey } from '../contracts/keys';
import type { Role, Rulebook, RulebookStep } from '../rulebook/rulebook.schema';
import { extensionDerivation, isYearly, planFirings, PlannedFiring, rulebookDueDate, targetDateDerivation, TermRules } from '../rulebook/schedule';
import { StepRuleError } from './errors';
import { TEXT_LIMITS } from './limits';
import { definitionOf, isClosed, markPassed, moveDate, newStepInstance, rulebookChange } from './step-rules';
import * as validate from './validation';

type Change = [StepInstance, string, Record<string, unknown>];
type Firing = PlannedFiring & { businessKey: string };
type NoticeKind = 'change-notice' | 'cancellation';
const NOTICE_FIRING_KEYS: Record<NoticeKind, string> = { 'change-notice': CHANGE_NOTICE_FIRING_KEY, cancellation: CANCELLATION_FIRING_KEY };

/** A notification to send; `recorded` turns its outcome into the read-model write that follows it. */
export interface NotificationEffect {
  request: NotificationRequest;
  /** Records the outcome (in the model's firings for a reminder or rung) and returns its read-model write. */
  recorded(result: NotificationOutcome, now: number): StepEventWrite;
  /** The notification could not be queued for good: recorded on the step with the reason, and the loop goes on. */
  failed(reason: string, now: number): StepEventWrite;
}

/**
 * What the workflow waits for next: a moment (epoch ms) with the firing planned for it (none when only a
 * new yearly cycle is due), or nothing more to do at all. The workflow hands the wake back to `fire`, which
 * acts on exactly that firing, as planned before the wait.
 */
export type Wake = { at: number; planned?: { step: StepInstance; firing: Firing } } | { finished: true };

export interface StepModelOptions {
  workflowId: string;
  /** Which term rules date the rulebook's steps; the workflow answers this behind `patched()`. */
  termRules: () => TermRules;
}

export class ProgrammeSteps {
  readonly owner: OwnerRef;
  private rulebook: Rulebook;
  private rulebookHash: string;
  private seq: number;
  private readonly handled: Set<string>;
  private readonly firings: FiringRecord[];
  private readonly steps: StepInstance[];
  private readonly notices: { step: StepInstance; kind: NoticeKind; previous: StepInstance['due'] }[] = [];
  /** Steps whose moments were (re)planned: their moments already past are skipped, not sent. */
  private readonly replanned = new Set<string>();
  /** Onboarding states keyed by step (not instance) apply to that step's first instance only. */
  private readonly initialUsed = new Set<string>();
  /** Something changed: the workflow looks again before it waits. */
  dirty = true;
  /**
   * Pure results kept while the rulebook version stays (same inputs, same answer): each instance's planned
   * moments per due date, and the yearly steps' due dates per term rules and cycle.
   */
  private memo = newMemo('');

  constructor(
    private readonly input: ProgrammeWorkflowInput,
    private readonly options: StepModelOptions,
  ) {
    this.owner = input.owner;
    this.rulebook = input.rulebook;
    this.rulebookHash = input.rulebookHash;
    this.seq = input.carried?.seq ?? 0;
    this.handled = new Set(input.carried?.handled ?? []);
    this.firings = input.carried?.firings ?? [];
    this.steps = input.carried?.steps ?? [];
  }

  state(): ProgrammeState {
    return { owner: this.owner, rulebookId: this.rulebook.id, rulebookHash: this.rulebookHash, steps: this.steps, firings: this.firings };
  }

  /** A copy of one step as it is now (an update's answer, once its write is recorded). */
  stepNow(key: string): StepInstance {
    return { ...this.find(key) };
  }

  searchAttributes(): { openSteps: string[]; overdue: boolean } {
    return { openSteps: this.steps.filter((s) => !isClosed(s)).map((s) => s.key), overdue: this.steps.some((s) => s.overdue && !isClosed(s)) };
  }

  // ---- the main loop's transitions -------------------------------------------------------------------

  /**
   * Creates missing instances: every one-off step of this owner's scope, and each yearly step's current
   * cycle. Called before the first await, so an update arriving at once finds every step.
   */
  ensureInstances(now: number): StepEventWrite[] {
    const created: StepInstance[] = [];
    for (const definition of this.ownSteps()) {
      const cycleYear = isYearly(definition) ? this.currentCycle(definition, now) : null;
      const key = stepInstanceKey(definition.key, cycleYear);
      if (this.steps.some((s) => s.key === key)) continue;
      const byStep = this.initialUsed.has(definition.key) ? undefined : this.input.initialSteps?.[definition.key];
      this.initialUsed.add(definition.key);
      const initial = this.input.carried ? undefined : (this.input.initialSteps?.[key] ?? byStep);
      const step = newStepInstance(this.rulebook, definition, cycleYear, initial, this.owner.name, iso(now), this.options.termRules());
      this.steps.push(step);
      this.replanned.add(step.key);
      created.push(step);
    }
    return this.writes(now, created.map((step) => [step, 'created', { status: step.status, dueDate: step.due?.date ?? null, cycleYear: step.cycleYear }]));
  }

  /** Moments already past when a date is (re)planned are recorded as skipped, never sent late. */
  skipPast(now: number): StepEventWrite[] {
    const candidates = this.steps.filter((s) => this.replanned.has(s.key));
    this.replanned.clear();
    const changes: Change[] = [];
    for (const step of candidates) {
      const past = this.firingsOf(step).filter((f) => !this.handled.has(f.businessKey) && f.at <= now);
      if (!past.length) continue;
      for (const f of past) {
        this.handled.add(f.businessKey);
        if (f.kind === 'deadline') markPassed(step, f.day);
        this.firings.push(firingRecord(step, f, f.kind === 'deadline' ? 'recorded' : 'skipped-past'));
      }
      changes.push([step, 'moments-skipped', { dueDate: step.due!.date, skipped: past.map((f) => ({ firing: f.key, day: f.day })) }]);
    }
    return this.writes(now, changes);
  }

  /** The next pending change notice or cancellation (one per moved date or waiver), or null. */
  nextNotice(): NotificationEffect | null {
    while (this.notices.length) {
      const { step, kind, previous } = this.notices.shift()!;
      if (!step.due || (kind === 'change-notice' && isClosed(step))) continue;
      const firingKey = NOTICE_FIRING_KEYS[kind];
      const key = notificationBusinessKey(this.options.workflowId, step.key, step.due.date, firingKey);
      if (this.handled.has(key)) continue;
      this.handled.add(key);
      return {
        request: this.request(step, kind, firingKey, { roles: this.stepRoles(step), mandatory: false, previous }),
        recorded: (result, at) => this.write(at, step, `${kind}-${result.outcome}`, { dueDate: step.due!.date, previousDueDate: previous?.date ?? null, recipients: result.recipients }),
        failed: (reason, at) => this.write(at, step, `${kind}-failed`, { dueDate: step.due!.date, reason: reason.slice(0, TEXT_LIMITS.reason) }),
      };
    }
    return null;
  }

  /** When to look again: the next moment, the next yearly cycle, or never (every step closed). */
  nextWake(now: number): Wake {
    const next = this.nextFiring();
    const cycleStart = this.nextCycleStart(now);
    if (!next && cycleStart === undefined && this.steps.every(isClosed)) return { finished: true };
    return { at: Math.min(next?.firing.at ?? Infinity, cycleStart ?? Infinity), planned: next };
  }

  /**
   * Acts on the firing `nextWake` planned, once its moment has come: a deadline marks the step passed (a
   * write), a reminder or rung becomes a notification. When only a new yearly cycle is due, the model
   * becomes dirty and returns null.
   */
  fire(now: number, wake: Extract<Wake, { at: number }>): { deadline: StepEventWrite } | { notification: NotificationEffect } | null {
    const next = wake.planned;
    if (!next || next.firing.at > now) {
      this.dirty = true; // a new cycle begins
      return null;
    }
    const { step, firing } = next;
    this.handled.add(firing.businessKey);
    if (firing.kind === 'deadline') {
      markPassed(step, firing.day);
      this.firings.push(firingRecord(step, firing, 'recorded'));
      return { deadline: this.write(now, step, step.dateKind === 'statutory' ? 'overdue' : 'late', { dueDate: step.due!.date, since: firing.day }) };
    }
    return {
      notification: {
        request: this.request(step, firing.kind, firing.key, { offsetDays: firing.offsetDays, rung: firing.rung, roles: firing.roles, mandatory: firing.mandatory }),
        recorded: (result, at) => {
          this.firings.push(firingRecord(step, firing, result.outcome));
          return this.write(at, step, `${firing.kind}-${result.outcome}`, { firing: firing.key, dueDate: step.due!.date, day: firing.day, recipients: result.recipients });
        },
        failed: (reason, at) => {
          this.firings.push(firingRecord(step, firing, 'failed'));
          return this.write(at, step, `${firing.kind}-failed`, { firing: firing.key, dueDate: step.due!.date, day: firing.day, reason: reason.slice(0, TEXT_LIMITS.reason) });
        },
      },
    };
  }

  /** The state the next run starts from: closed one-off steps and closed past cycles live on in the read model only. */
  carry(now: number): ProgrammeWorkflowInput {
    const year = Number(utcToAmsterdamDate(now).slice(0, 4));
    const keep = this.steps.filter((s) => !isClosed(s) || s.cycleYear === null || s.cycleYear >= year);
    const keepKeys = new Set<string | null>(keep.map((s) => s.key));
    const carried: CarriedState = {
      steps: keep,
      seq: this.seq,
      handled: [...this.handled].filter((k) => keepKeys.has(stepOfKey(k))),
      firings: this.firings.filter((f) => keepKeys.has(f.step)).slice(-50),
    };
    // The next run starts on this code: at its level.
    return { owner: this.owner, rulebook: this.rulebook, rulebookHash: this.rulebookHash, continueAsNewAfterEvents: this.input.continueAsNewAfterEvents, codeLevel: PROGRAMME_CODE_LEVEL, carried };
  }

  // ---- updates: validate (no change), then apply -------------------------------------------------------

  validateProgress = (input: ProgressInput): StepRuleError | null => validate.validateProgress(input, this.openStep);
  validateComplete = (input: CompleteInput): StepRuleError | null => validate.validateComplete(input, this.openStep);
  validateTargetDate = (input: TargetDateInput): StepRuleError | null => validate.validateTargetDate(input, this.openStep, this.rulebook);
  validateExtension = (input: ExtensionInput): StepRuleError | null => validate.validateExtension(input, this.openStep, this.rulebook);
  validateWaiver = (input: WaiverInput): StepRuleError | null => validate.validateWaiver(input, this.openStep);
  validateApplyRulebook = (input: ApplyRulebookInput): StepRuleError | null => validate.validateApplyRulebook(input);

  progress(input: ProgressInput, now: number): StepEventWrite {
    const step = this.find(input.step);
    if (input.status) step.status = input.status;
    Object.assign(step.checklist, input.checklist ?? {});
    return this.write(now, step, 'progress', { status: step.status, checklist: input.checklist ?? {}, note: input.note ?? null, by: input.by });
  }

  complete(input: CompleteInput, now: number): StepEventWrite {
    const step = this.find(input.step);
    step.status = 'done';
    step.evidence.push({ ...input.evidence, recordedBy: input.by, recordedAt: iso(now) });
    const warnings = (input.unmetDependencies ?? []).map((d) => `afgerond terwijl ${d} nog niet is afgerond`);
    step.warnings.push(...warnings);
    this.dirty = true;
    return this.write(now, step, 'done', { evidence: input.evidence, warnings, by: input.by });
  }

  targetDate(input: TargetDateInput, now: number): StepEventWrite {
    const step = this.find(input.step);
    this.redate(step, targetDateDerivation(input.date, input.by), 'target');
    return this.write(now, step, 'target-date-set', { date: input.date, by: input.by });
  }

  extend(input: ExtensionInput, now: number): StepEventWrite {
    const step = this.find(input.step);
    const from = step.due?.date ?? null;
    step.extensions.push({ from, to: input.to, reason: input.reason, grantedBy: input.grantedBy, grantedAt: iso(now) });
    this.redate(step, extensionDerivation(input.to, step.due, input.grantedBy, input.reason), 'extension');
    return this.write(now, step, 'extended', { from, to: input.to, reason: input.reason, grantedBy: input.grantedBy });
  }

  waive(input: WaiverInput, now: number): StepEventWrite {
    const step = this.find(input.step);
    step.status = 'waived';
    step.waiver = { reason: input.reason, grantedBy: input.grantedBy, grantedAt: iso(now) };
    if (step.due) this.notices.push({ step, kind: 'cancellation', previous: null });
    this.dirty = true;
    return this.write(now, step, 'waived', { reason: input.reason, grantedBy: input.grantedBy });
  }

  /** A new rulebook version: open steps dated by the rulebook move (one change notice each); the rest keep theirs. */
  applyRulebook(input: ApplyRulebookInput, now: number): { result: ApplyRulebookResult; writes: StepEventWrite[] } {
    if (input.rulebookHash === this.rulebookHash) return { result: { rulebookId: this.rulebook.id, changed: [], alreadyApplied: true }, writes: [] };
    const previousId = this.rulebook.id;
    this.rulebook = input.rulebook;
    this.rulebookHash = input.rulebookHash;
    const rules = this.options.termRules();
    const changed: ApplyRulebookResult['changed'] = [];
    for (const step of this.steps) {
      const change = rulebookChange(step, this.rulebook, rules);
      if (change.kind === 'removed') {
        step.warnings.push(`stap komt niet meer voor in regelboek ${this.rulebook.id}`);
        continue;
      }
      for (const item of definitionOf(this.rulebook, step)!.checklist) if (!(item.key in step.checklist)) step.checklist[item.key] = false;
      if (change.kind === 'moved') {
        changed.push({ step: step.key, from: step.due?.date ?? null, to: change.due.date });
        this.redate(step, change.due, 'rulebook');
      } else if (change.reason === 'same-date' && change.due) {
        step.due = change.due;
      }
    }
    // Offsets may have changed too: moments of the new version that already passed are skipped.
    for (const step of this.steps) this.replanned.add(step.key);
    const writes = this.writes(now, this.steps.map((step) => [step, 'rulebook-applied', { from: previousId, to: this.rulebook.id, dueDate: changed.find((c) => c.step === step.key) ?? null }]));
    // The caller sets `dirty` once these writes are recorded (a moved date has set it already): the loop
    // then looks again, in the order workflows have always followed.
    return { result: { rulebookId: this.rulebook.id, changed, alreadyApplied: false }, writes };
  }

  // ---- internals ---------------------------------------------------------------------------------------

  private readonly openStep = (key: string) => validate.openStep(this.steps, this.rulebook.steps, key);

  private find(key: string): StepInstance {
    const step = this.steps.find((s) => s.key === key);
    if (!step) throw new Error(`unknown step ${key}: the validator lets no such update through`);
    return step;
  }

  private ownSteps(): RulebookStep[] {
    const memo = this.memoNow();
    return (memo.ownSteps ??= this.rulebook.steps.filter((d) => d.scope === this.owner.kind));
  }

  private redate(step: StepInstance, due: NonNullable<StepInstance['due']>, source: NonNullable<StepInstance['dueSource']>): void {
    const previous = moveDate(step, due, source);
    this.replanned.add(step.key);
    if (previous) this.notices.push({ step, kind: 'change-notice', previous });
    this.dirty = true;
  }

  /** The cycle a yearly step is in today: this year's, or next year's once this year's last day has passed. */
  private currentCycle(definition: RulebookStep, now: number, today: IsoDate = utcToAmsterdamDate(now)): number {
    const year = Number(today.slice(0, 4));
    return this.dueOf(definition, year).date < today ? year + 1 : year;
  }

  /** A yearly step's next cycle starts the day after the current cycle's last day, even when it was done early. */
  private nextCycleStart(now: number): number | undefined {
    // The loop asks on every turn: one pass, today's date read once.
    let today: IsoDate | undefined;
    let first: number | undefined;
    for (const d of this.ownSteps()) {
      if (!isYearly(d)) continue;
      today ??= utcToAmsterdamDate(now);
      const start = dayAfter(this.dueOf(d, this.currentCycle(d, now, today)).date);
      if (first === undefined || start < first) first = start;
    }
    return first;
  }

  private dueOf(definition: RulebookStep, cycleYear: number) {
    // The term rules are asked first, every time, as before the memo: where `patched()` is first called stays put.
    const rules = this.options.termRules();
    const byRules = this.memoNow().dueDates;
    const byStep = byRules.get(rules) ?? byRules.set(rules, new Map()).get(rules)!;
    const byYear = byStep.get(definition) ?? byStep.set(definition, new Map()).get(definition)!;
    let due = byYear.get(cycleYear);
    if (!due) byYear.set(cycleYear, (due = rulebookDueDate(this.rulebook, definition, cycleYear, rules)!));
    return due;
  }

  private memoNow() {
    if (this.memo.hash !== this.rulebookHash) this.memo = newMemo(this.rulebookHash);
    return this.memo;
  }

  private firingsOf(step: StepInstance): Firing[] {
    return this.planOf(step)?.firings ?? [];
  }

  /**
   * A step's moments for its current date, planned once per version, instance and date (the loop asks on
   * every turn, and the calendar is not cheap), with how many at the front are handled already: `handled`
   * only grows, so that count only rises. Null: nothing to plan (closed, no date, or a date the planner cannot plan).
   */
  private planOf(step: StepInstance): { due: Due; firings: Firing[]; handledUpTo: number } | null {
    if (!step.due || isClosed(step)) return null;
    const memo = this.memoNow().planned;
    // Per instance and date object: a moved date is a new object (moveDate), a new version a new memo.
    let plan = memo.get(step);
    if (plan?.due !== step.due) {
      const definition = definitionOf(this.rulebook, step);
      let firings: Firing[] | Error | null = null;
      if (definition) {
        try {
          firings = planFirings(this.rulebook, definition, step.due.date).map((f) => ({ ...f, businessKey: notificationBusinessKey(this.options.workflowId, step.key, step.due!.date, f.key) }));
        } catch (err) {
          firings = err as Error;
        }
      }
      memo.set(step, (plan = { due: step.due, firings, handledUpTo: 0 }));
    }
    // A step this version does not know has no moments.
    if (!plan.firings) return null;
    if (plan.firings instanceof Error) {
      // A date the planner cannot plan (accepted before the input limits existed): no timers for it, and
      // the step says why, instead of a workflow task that fails for ever.
      const warning = `geen herinneringen of escalaties: de datum ${step.due.date} kan niet worden gepland (${plan.firings.message})`;
      if (!step.warnings.includes(warning)) step.warnings.push(warning);
      return null;
    }
    return plan as { due: Due; firings: Firing[]; handledUpTo: number };
  }

  /**
   * The earliest moment not yet handled; of equal moments the first in step order, then plan order (what a
   * stable sort of all of them gives). A step's moments are sorted by time, so its first unhandled one is its earliest.
   */
  private nextFiring(): { step: StepInstance; firing: Firing } | undefined {
    let next: { step: StepInstance; firing: Firing } | undefined;
    for (const step of this.steps) {
      const plan = this.planOf(step);
      if (!plan) continue;
      while (plan.handledUpTo < plan.firings.length && this.handled.has(plan.firings[plan.handledUpTo].businessKey)) plan.handledUpTo += 1;
      const firing = plan.firings[plan.handledUpTo];
      if (firing && (!next || firing.at < next.firing.at)) next = { step, firing };
    }
    return next;
  }

  private stepRoles(step: StepInstance): Role[] {
    return [...new Set((definitionOf(this.rulebook, step)?.reminders ?? []).flatMap((r) => r.roles))];
  }

  private request(
    step: StepInstance,
    kind: NotificationKind,
    firingKey: string,
    extra: { offsetDays?: number; rung?: number; roles: Role[]; mandatory: boolean; previous?: StepInstance['due'] },
  ): NotificationRequest {
    const { workflowId } = this.options;
    return {
      businessKey: notificationBusinessKey(workflowId, step.key, step.due!.date, firingKey),
      workflowId,
      owner: { kind: this.owner.kind, code: this.owner.code },
      step: step.key,
      stepKey: step.stepKey,
      cycleYear: step.cycleYear,
      kind,
      firingKey,
      offsetDays: extra.offsetDays ?? 0,
      rung: extra.rung,
      roles: extra.roles,
      mandatory: extra.mandatory,
      dateKind: step.dateKind,
      due: step.due!,
      previousDue: extra.previous ?? null,
      sequence: step.sequence,
      openChecklist: Object.entries(step.checklist).filter(([, done]) => !done).map(([key]) => key),
      overdueSince: step.overdueSince,
      rulebookId: this.rulebook.id,
      rulebookHash: this.rulebookHash,
      stateSeq: this.seq,
    };
  }

  private write(now: number, step: StepInstance, event: string, detail: Record<string, unknown>): StepEventWrite {
    return {
      workflowId: this.options.workflowId,
      seq: ++this.seq,
      owner: { kind: this.owner.kind, code: this.owner.code },
      event,
      occurredAt: iso(now),
      detail,
      step: { ...step },
      rulebookId: this.rulebook.id,
      rulebookHash: this.rulebookHash,
    };
  }

  private writes(now: number, changes: Change[]): StepEventWrite[] {
    return changes.map(([step, event, detail]) => this.write(now, step, event, detail));
  }
}

/** An instant as ISO text; the loop writes many rows at one instant, so the last one is kept. */
let lastIso = { at: NaN, text: '' };
const iso = (now: number) => (now === lastIso.at ? lastIso.text : (lastIso = { at: now, text: new Date(now).toISOString() }).text);

/** Midnight UTC of the day after a date (epoch ms): a yearly cycle's start, asked on every turn. */
const dayAfterMemo = new Map<IsoDate, number>();
function dayAfter(date: IsoDate): number {
  let ms = dayAfterMemo.get(date);
  if (ms === undefined) {
    if (dayAfterMemo.size > 1000) dayAfterMemo.clear();
    dayAfterMemo.set(date, (ms = Date.parse(`${date}T00:00:00Z`) + 86_400_000));
  }
  return ms;
}

type Due = NonNullable<StepInstance['due']>;
/** What one rulebook version's answers are kept under (see `memo`). */
const newMemo = (hash: string) => ({
  hash,
  ownSteps: undefined as RulebookStep[] | undefined,
  planned: new WeakMap<StepInstance, { due: Due; firings: Firing[] | Error | null; handledUpTo: number }>(),
  dueDates: new Map<TermRules, Map<RulebookStep, Map<number, Due>>>(),
});

/** The step of a handled key; a key of another shape is not carried (it names no step this run keeps). */
function stepOfKey(key: string): string | null {
  try {
    return parseNotificationBusinessKey(key).step;
  } catch {
    return null;
  }
}

function firingRecord(step: StepInstance, f: PlannedFiring, outcome: FiringRecord['outcome']): FiringRecord {
  return { step: step.key, dueDate: step.due!.date, key: f.key, kind: f.kind, day: f.day, at: iso(f.at), roles: f.roles, outcome };
}
