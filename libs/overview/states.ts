import { addDays, type IsoDate } from '../calendar';
import { CLOSED_STEP_STATUSES, type DateKind, type OverviewState, type StepStatus } from '../contracts/enums';

/** A step due within this many days (and not yet overdue or late) is "due soon" in the overview. */
export const DUE_SOON_DAYS = 90;

/** One step instance as the read model holds it (step_state), as far as the overview decides on it. */
export interface StepInstanceRow {
  /** The instance: `volkshuisvestingsprogramma`, `prestatieafspraken:2027`. */
  step: string;
  stepKey: string;
  cycleYear: number | null;
  status: StepStatus;
  overdue: boolean;
  late: boolean;
  dueDate: IsoDate | null;
  dateKind: DateKind;
}

const closed = (s: StepInstanceRow) => (CLOSED_STEP_STATUSES as readonly string[]).includes(s.status);

/**
 * Which instance of a step key stands for the owner: the open one due first (a yearly step's current
 * cycle, or an older cycle still open), else the last closed one (by cycle year, then due date).
 */
export function currentInstance(instances: readonly StepInstanceRow[]): StepInstanceRow | null {
  if (!instances.length) return null;
  const open = instances.filter((s) => !closed(s));
  const byDue = (a: StepInstanceRow, b: StepInstanceRow) =>
    (a.dueDate ?? '9999-12-31').localeCompare(b.dueDate ?? '9999-12-31') || (a.cycleYear ?? 0) - (b.cycleYear ?? 0) || a.step.localeCompare(b.step);
  if (open.length) return [...open].sort(byDue)[0];
  return [...instances].sort(byDue).at(-1)!;
}

/**
 * The overview state of one instance on `today` (Amsterdam's date). Overdue and late are the workflow's
 * own flags (set at its timers, never computed here from a clock); only "due soon" reads today.
 */
export function overviewState(instance: StepInstanceRow | null, today: IsoDate): OverviewState {
  if (!instance) return 'not-onboarded';
  if (instance.status === 'done') return 'done';
  if (instance.status === 'waived') return 'waived';
  if (instance.overdue) return 'overdue';
  if (instance.late) return 'late';
  if (instance.dueDate && instance.dueDate <= addDays(today, DUE_SOON_DAYS)) return 'due-soon';
  return 'on-track';
}
