import type { IsoDate } from '../../../../libs/calendar';
import type { OwnerRef, StepInstance } from '../../../../libs/contracts';
import type { HashedRulebook } from '../../../../libs/rulebook/rulebook-files';
import { rulebookDueDate } from '../../../../libs/rulebook/schedule';

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
  /** Not overdue now, and the new date lies before today. */
  becomesOverdue: boolean;
  /** Overdue now, and the new date is today or later: the workflow lifts the overdue state. */
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
    /** Owners whose workflow refuses the version (it has no steps of their kind). */
    refused: number;
  };
  moved: MovedStep[];
  /** Steps whose rulebook step no longer exists in the new version: they keep their date and get a warning. */
  removed: { owner: OwnerSummary; step: string; stepKey: string; status: StepInstance['status'] }[];
  refused: { owner: OwnerSummary; workflowId: string; reason: string }[];
}

const closed = (step: StepInstance) => step.status === 'done' || step.status === 'waived';

/**
 * What applying a rulebook version would change, from the read model alone. Mirrors the programme
 * workflow's `applyRulebook` handler (workflows/programme.workflow.ts): an owner already on this hash
 * changes nothing; an owner kind without steps in the version is refused; only open steps whose date
 * comes from the rulebook move; extensions and target dates keep theirs.
 */
export function previewRulebookChange(rows: ReadModelStep[], { rulebook, hash }: HashedRulebook, today: IsoDate): RulebookPreview {
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
      refused: 0,
    },
    moved: [],
    removed: [],
    refused: [],
  };
  const { totals, moved, removed, refused } = preview;

  for (const ownerRows of byOwner.values()) {
    const { owner, workflowId } = ownerRows[0];
    // The workflow's current version is the one of its latest write.
    const latest = ownerRows.reduce((a, b) => (b.seq > a.seq ? b : a));
    if (latest.rulebookHash === hash) {
      totals.alreadyApplied += 1;
      continue;
    }
    if (!rulebook.steps.some((d) => d.scope === owner.kind)) {
      refused.push({ owner, workflowId, reason: `regelboek ${rulebook.id} heeft geen ${owner.kind === 'region' ? 'regionale' : 'gemeentelijke'} stappen / no ${owner.kind} steps` });
      continue;
    }
    let moving = false;
    for (const { step, rulebookId } of ownerRows) {
      const definition = rulebook.steps.find((d) => d.key === step.stepKey);
      if (!definition) {
        removed.push({ owner, step: step.key, stepKey: step.stepKey, status: step.status });
        continue;
      }
      const due = step.dueSource === 'rulebook' ? rulebookDueDate(rulebook, definition, step.cycleYear ?? undefined) : null;
      if (due && !closed(step) && due.date !== step.due?.date) {
        const becomesOverdue = !step.overdue && due.date < today;
        const noLongerOverdue = step.overdue && due.date >= today;
        moved.push({
          owner,
          step: step.key,
          stepKey: step.stepKey,
          cycleYear: step.cycleYear,
          from: step.due?.date ?? null,
          to: due.date,
          becomesOverdue,
          noLongerOverdue,
          currentRulebookId: rulebookId,
        });
        moving = true;
        if (becomesOverdue) totals.becomesOverdue += 1;
        if (noLongerOverdue) totals.noLongerOverdue += 1;
      } else if (closed(step)) totals.kept.closed += 1;
      else if (step.dueSource === 'extension') totals.kept.extension += 1;
      else if (step.dueSource !== 'rulebook') totals.kept.targetDate += 1;
      else totals.kept.sameDate += 1;
    }
    if (moving) totals.ownersMoving += 1;
  }
  const order = (a: { owner: OwnerSummary; step: string }, b: { owner: OwnerSummary; step: string }) =>
    a.owner.kind.localeCompare(b.owner.kind) || a.owner.code.localeCompare(b.owner.code) || a.step.localeCompare(b.step);
  moved.sort(order);
  removed.sort(order);
  refused.sort((a, b) => a.owner.kind.localeCompare(b.owner.kind) || a.owner.code.localeCompare(b.owner.code));
  totals.moved = moved.length;
  totals.removed = removed.length;
  totals.refused = refused.length;
  return preview;
}
