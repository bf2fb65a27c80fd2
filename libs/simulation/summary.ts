/**
 * What the simulated mail means for the people who run Regie: how many mails, per day and per week (the
 * week from Monday, Europe/Amsterdam), the busiest days, per role, per province and per kind, and how
 * one run differs from another (a new rulebook version against the one in force). Pure.
 */
import { addDays, IsoDate, utcToAmsterdamDate, weekday } from '../calendar';
import type { NotificationKind, Role } from '../contracts';
import type { SimulationResult } from './simulate';

export interface LoadSummary {
  /** The period, as Amsterdam dates: [from, until). */
  from: IsoDate;
  until: IsoDate;
  /** Mails the SMTP server receives: each immediate mail and each weekly digest. */
  mails: number;
  /** Reminders, rungs, change notices and cancellations that fired (one per firing, whatever its recipients). */
  notifications: number;
  /** Firings that found no address (recorded as `no-recipients`). */
  withoutRecipients: number;
  /** One notification to one recipient, by how it went. */
  deliveries: { immediate: number; digest: number; unsubscribed: number; cancelled: number; afterPeriod: number };
  digests: number;
  /** Deadline moments: a statutory term passed (overdue) or a streefdatum (late). */
  deadlines: number;
  /** Every day with mail, in order. */
  perDay: { day: IsoDate; mails: number }[];
  /** Every week of the period from its Monday, also the quiet ones. */
  perWeek: { week: IsoDate; mails: number }[];
  peakWeek: { week: IsoDate; mails: number } | null;
  /** The ten busiest days, busiest first (the earlier of equal days first). */
  busiestDays: { day: IsoDate; mails: number }[];
  perRole: Partial<Record<Role, number>>;
  perProvince: { code: string; mails: number }[];
  perKind: Partial<Record<NotificationKind | 'digest', number>>;
}

/** The Monday of a date's week. */
export const mondayOf = (date: IsoDate): IsoDate => addDays(date, -((weekday(date) + 6) % 7));

export function summarise(result: SimulationResult, from: number, until: number, busiest = 10): LoadSummary {
  const fromDay = utcToAmsterdamDate(from);
  const lastDay = utcToAmsterdamDate(until - 1);
  const perDay = new Map<IsoDate, number>();
  const perRole: LoadSummary['perRole'] = {};
  const perProvince = new Map<string, number>();
  const perKind: LoadSummary['perKind'] = {};
  // Mails come in time order and many share a moment (09:00 on one day): one date per moment.
  let lastAt = NaN;
  let lastDate = '';
  for (const mail of result.mails) {
    if (mail.at !== lastAt) [lastAt, lastDate] = [mail.at, utcToAmsterdamDate(mail.at)];
    perDay.set(lastDate, (perDay.get(lastDate) ?? 0) + 1);
    perRole[mail.role] = (perRole[mail.role] ?? 0) + 1;
    const province = mail.province ?? '–';
    perProvince.set(province, (perProvince.get(province) ?? 0) + 1);
    perKind[mail.kind] = (perKind[mail.kind] ?? 0) + 1;
  }
  const weeks = new Map<IsoDate, number>();
  for (let week = mondayOf(fromDay); week <= lastDay; week = addDays(week, 7)) weeks.set(week, 0);
  for (const [day, mails] of perDay) weeks.set(mondayOf(day), (weeks.get(mondayOf(day)) ?? 0) + mails);
  const perWeek = [...weeks].map(([week, mails]) => ({ week, mails }));
  const count = (kind: string) => result.deliveries.filter((d) => d.delivery === kind).length;
  return {
    from: fromDay,
    until: utcToAmsterdamDate(until),
    mails: result.mails.length,
    notifications: result.notifications.length,
    withoutRecipients: result.notifications.filter((n) => !n.recipients.length).length,
    deliveries: { immediate: count('immediate'), digest: count('digest'), unsubscribed: count('unsubscribed'), cancelled: count('cancelled'), afterPeriod: count('after-period') },
    digests: result.mails.filter((m) => m.kind === 'digest').length,
    deadlines: result.deadlines.length,
    perDay: [...perDay].map(([day, mails]) => ({ day, mails })).sort((a, b) => (a.day < b.day ? -1 : 1)),
    perWeek,
    peakWeek: perWeek.reduce<LoadSummary['peakWeek']>((peak, w) => (w.mails > (peak?.mails ?? 0) ? w : peak), null),
    busiestDays: [...perDay]
      .map(([day, mails]) => ({ day, mails }))
      .sort((a, b) => b.mails - a.mails || (a.day < b.day ? -1 : 1))
      .slice(0, busiest),
    perRole,
    perProvince: [...perProvince].map(([code, mails]) => ({ code, mails })).sort((a, b) => b.mails - a.mails || (a.code < b.code ? -1 : 1)),
    perKind,
  };
}

/** How a run under another rulebook version differs from the run before it. */
export interface LoadComparison {
  mails: { before: number; after: number };
  /** Weeks whose count changed, in order. */
  weeks: { week: IsoDate; before: number; after: number }[];
  peakWeek: { before: LoadSummary['peakWeek']; after: LoadSummary['peakWeek'] };
  /** The busiest days of each run, and every day among either's busiest whose count changes. */
  busiestDays: { before: LoadSummary['busiestDays']; after: LoadSummary['busiestDays']; changed: { day: IsoDate; before: number; after: number }[] };
  perRole: { role: Role; before: number; after: number }[];
  perKind: { kind: NotificationKind | 'digest'; before: number; after: number }[];
}

export function compareLoads(before: LoadSummary, after: LoadSummary): LoadComparison {
  const afterWeeks = new Map(after.perWeek.map((w) => [w.week, w.mails]));
  const beforeWeeks = new Map(before.perWeek.map((w) => [w.week, w.mails]));
  const allWeeks = [...new Set([...beforeWeeks.keys(), ...afterWeeks.keys()])].sort();
  const beforeDays = new Map(before.perDay.map((d) => [d.day, d.mails]));
  const afterDays = new Map(after.perDay.map((d) => [d.day, d.mails]));
  const busiest = [...new Set([...before.busiestDays, ...after.busiestDays].map((d) => d.day))].sort();
  const keysOf = <K extends string>(a: Partial<Record<K, number>>, b: Partial<Record<K, number>>) => [...new Set([...Object.keys(a), ...Object.keys(b)])].sort() as K[];
  return {
    mails: { before: before.mails, after: after.mails },
    weeks: allWeeks
      .map((week) => ({ week, before: beforeWeeks.get(week) ?? 0, after: afterWeeks.get(week) ?? 0 }))
      .filter((w) => w.before !== w.after),
    peakWeek: { before: before.peakWeek, after: after.peakWeek },
    busiestDays: {
      before: before.busiestDays,
      after: after.busiestDays,
      changed: busiest.map((day) => ({ day, before: beforeDays.get(day) ?? 0, after: afterDays.get(day) ?? 0 })).filter((d) => d.before !== d.after),
    },
    perRole: keysOf(before.perRole, after.perRole).map((role) => ({ role, before: before.perRole[role] ?? 0, after: after.perRole[role] ?? 0 })),
    perKind: keysOf(before.perKind, after.perKind).map((kind) => ({ kind, before: before.perKind[kind] ?? 0, after: after.perKind[kind] ?? 0 })),
  };
}
