import { IsoDate, utcToAmsterdamDate } from '../../../../libs/calendar';
import type { OwnerRef, StepInstance } from '../../../../libs/contracts';
import type { HashedRulebook } from '../../../../libs/rulebook/rulebook-files';
import { definitionOf, passedAt, rulebookChange } from '../../../../libs/programme/step-rules';

/** One row of the `step_state` read model, with the owner's name. */
export interface ReadModelStep {
  owner: OwnerSummary;
  workflowId: string;
  seq: number;
  rulebookId: string;
  rulebookHash: string;
  /** The step as the workflow last recorded it (`step_state.detail`). */
  step: StepInstance;
}

export interface OwnerSummary {
  kind: OwnerRef['kind'];
  code: string;
  name: string;
}

export interface MovedStep {
  owner: OwnerSummary;
  step: string;
  stepKey: string;
  cycleYear: number | null;
  from: IsoDate | null;
  to: IsoDate;
  /** Not overdue now, and the new date's deadline moment (09:00 on the first working day after it) has passed. */
  becomesOverdue: boolean;
  /** Overdue now, and the new date's deadline moment is still ahead: the workflow lifts the overdue state. */
  noLongerOverdue: boolean;
  currentRulebookId: string;
}

export interface RulebookPreview {
  rulebook: { id: string; hash: string; title: string; effectiveDate: IsoDate };
  today: IsoDate;
  totals: {
    owners: number;
    ownersMoving: number;
    steps: number;
    moved: number;
    becomesOverdue: number;
    noLongerOverdue: number;
    /** Steps that keep their date, by reason. */
    kept: { sameDate: number; extension: number; targetDate: number; closed: number };
    removed: number;
    /** Owners already on this version (same hash): their workflow answers "already applied". */
    alreadyApplied: number;
  };
  moved: MovedStep[];
  /** Steps whose rulebook step no longer exists in the new version: they keep their date and get a warning. */
  removed: { owner: OwnerSummary; step: string; stepKey: string; status: StepInstance['status'] }[];
}

const KEPT = { 'same-date': 'sameDate', extension: 'extension', 'target-date': 'targetDate', closed: 'closed' } as const;

/**
 * What applying a rulebook version would change, from the read model alone, decided per step by the same
 * rule the workflows apply (`rulebookChange` in libs/programme): an owner already on this hash changes
 * nothing; only open steps whose date comes from the rulebook move; extensions and target dates keep
 * theirs; steps the version no longer has keep their date with a warning. Overdue follows the workflow's
 * own moment for it (the deadline-passed timer, `passedAt`), not the calendar date alone.
 */
export function previewRulebookChange(rows: ReadModelStep[], { rulebook, hash }: HashedRulebook, now: number): RulebookPreview {
  const today = utcToAmsterdamDate(now);
  const byOwner = new Map<string, ReadModelStep[]>();
  for (const row of rows) {
    const key = `${row.owner.kind}:${row.owner.code}`;
    byOwner.set(key, [...(byOwner.get(key) ?? []), row]);
  }
  const preview: RulebookPreview = {
    rulebook: { id: rulebook.id, hash, title: rulebook.title, effectiveDate: rulebook.effectiveDate },
    today,
    totals: {
      owners: byOwner.size,
      ownersMoving: 0,
      steps: rows.length,
      moved: 0,
      becomesOverdue: 0,
      noLongerOverdue: 0,
      kept: { sameDate: 0, extension: 0, targetDate: 0, closed: 0 },
      removed: 0,
      alreadyApplied: 0,
    },
    moved: [],
    removed: [],
  };
  const { totals, moved, removed } = preview;

  for (const ownerRows of byOwner.values()) {
    const { owner, workflowId } = ownerRows[0];
    // The workflow's current version is the one of its latest write.
    const latest = ownerRows.reduce((a, b) => (b.seq > a.seq ? b : a));
    if (latest.rulebookHash === hash) {
      totals.alreadyApplied += 1;
      continue;
    }
    let moving = false;
    for (const { step, rulebookId } of ownerRows) {
      const change = rulebookChange(step, rulebook, 'statute');
      if (change.kind === 'removed') {
        removed.push({ owner, step: step.key, stepKey: step.stepKey, status: step.status });
      } else if (change.kind === 'moved') {
        const passed = passedAt(rulebook, definitionOf(rulebook, step)!, change.due.date) <= now;
        const becomesOverdue = !step.overdue && passed;
        const noLongerOverdue = step.overdue && !passed;
        moved.push({
          owner,
          step: step.key,
          stepKey: step.stepKey,
          cycleYear: step.cycleYear,
          from: step.due?.date ?? null,
          to: change.due.date,
          becomesOverdue,
          noLongerOverdue,
          currentRulebookId: rulebookId,
        });
        moving = true;
        if (becomesOverdue) totals.becomesOverdue += 1;
        if (noLongerOverdue) totals.noLongerOverdue += 1;
      } else {
        totals.kept[KEPT[change.reason]] += 1;
      }
    }
    if (moving) totals.ownersMoving += 1;
  }
  const order = (a: { owner: OwnerSummary; step: string }, b: { owner: OwnerSummary; step: string }) =>
    a.owner.kind.localeCompare(b.owner.kind) || a.owner.code.localeCompare(b.owner.code) || a.step.localeCompare(b.step);
  moved.sort(order);
  removed.sort(order);
  totals.moved = moved.length;
  totals.removed = removed.length;
  return preview;
}
