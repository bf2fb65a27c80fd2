import { addMonths, dateParts, isoDate, type IsoDate } from '../calendar';
import type { DateKind, OverviewSort, OverviewState, OverviewView, OwnerKind } from '../contracts/enums';
import { OVERVIEW_STATES } from '../contracts/enums';
import { currentInstance, overviewState, type StepInstanceRow } from './states';

/**
 * The national overview as pure data: every municipality and region with, per step key, the state the
 * legend shows; the selection a filter makes; totals per province and step; the 12-month timeline. Built
 * from one read of the read model (apps/api/src/overview/overview.service.ts), cached there while the read
 * model is unchanged. No I/O, no clock: `today` comes in.
 */

export interface OverviewStep {
  key: string;
  number: number;
  nameNl: string;
  nameEn: string;
  scope: OwnerKind;
}

export interface OverviewRow extends StepInstanceRow {
  ownerKind: OwnerKind;
  ownerCode: string;
  rulebookId: string;
}

export interface OverviewInput {
  today: IsoDate;
  steps: OverviewStep[];
  provinces: { code: string; name: string }[];
  municipalities: { code: string; name: string; provinceCode: string }[];
  regions: { code: string; name: string }[];
  /** Membership in the regional grouping that runs the region steps. */
  members: { regionCode: string; municipalityCode: string }[];
  rows: OverviewRow[];
}

/** One owner's state for one step key: the instance that stands for it (states.ts) and its date. */
export interface OverviewCell {
  state: OverviewState;
  /** The instance (`prestatieafspraken:2027`); null when not onboarded. */
  step: string | null;
  dueDate: IsoDate | null;
  dateKind: DateKind | null;
  /** A municipality's cell of a region step is its region's. */
  owner: { kind: OwnerKind; code: string };
}

export interface OverviewMunicipality {
  code: string;
  name: string;
  provinceCode: string;
  regionCode: string | null;
  onboarded: boolean;
  cells: Record<string, OverviewCell>;
}

export interface OverviewRegion {
  code: string;
  name: string;
  provinceCodes: string[];
  memberCodes: string[];
  cells: Record<string, OverviewCell>;
}

export interface Overview {
  today: IsoDate;
  /** The rulebook versions the owners run under. */
  rulebookIds: string[];
  steps: OverviewStep[];
  provinces: { code: string; name: string }[];
  municipalities: OverviewMunicipality[];
  regions: OverviewRegion[];
  /** Every open instance with a date (all cycles), for the timeline. */
  due: { ownerKind: OwnerKind; ownerCode: string; stepKey: string; dueDate: IsoDate }[];
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'nl');

export function buildOverview(input: OverviewInput): Overview {
  const instances = new Map<string, OverviewRow[]>();
  for (const row of input.rows) {
    const key = `${row.ownerKind}:${row.ownerCode}:${row.stepKey}`;
    (instances.get(key) ?? instances.set(key, []).get(key)!).push(row);
  }
  const cellOf = (kind: OwnerKind, code: string, stepKey: string): OverviewCell => {
    const current = currentInstance(instances.get(`${kind}:${code}:${stepKey}`) ?? []);
    return {
      state: overviewState(current, input.today),
      step: current?.step ?? null,
      dueDate: current?.dueDate ?? null,
      dateKind: current?.dateKind ?? null,
      owner: { kind, code },
    };
  };
  const regionOf = new Map(input.members.map((m) => [m.municipalityCode, m.regionCode]));
  const provinceOf = new Map(input.municipalities.map((m) => [m.code, m.provinceCode]));
  const onboarded = new Set(input.rows.filter((r) => r.ownerKind === 'municipality').map((r) => r.ownerCode));
  const regionSteps = input.steps.filter((s) => s.scope === 'region');

  const regions = input.regions
    .map((r) => {
      const memberCodes = input.members.filter((m) => m.regionCode === r.code).map((m) => m.municipalityCode).sort();
      return {
        code: r.code,
        name: r.name,
        memberCodes,
        provinceCodes: [...new Set(memberCodes.map((c) => provinceOf.get(c)).filter((c): c is string => !!c))].sort(),
        cells: Object.fromEntries(regionSteps.map((s) => [s.key, cellOf('region', r.code, s.key)])),
      };
    })
    .sort(byName);
  const regionCells = new Map(regions.map((r) => [r.code, r.cells]));

  const municipalities = input.municipalities
    .map((m) => {
      const regionCode = regionOf.get(m.code) ?? null;
      const cells = Object.fromEntries(
        input.steps.map((s) => [
          s.key,
          s.scope === 'region'
            ? (regionCode && regionCells.get(regionCode)?.[s.key]) || { state: 'not-onboarded' as const, step: null, dueDate: null, dateKind: null, owner: { kind: 'region' as const, code: regionCode ?? '' } }
            : cellOf('municipality', m.code, s.key),
        ]),
      );
      return { code: m.code, name: m.name, provinceCode: m.provinceCode, regionCode, onboarded: onboarded.has(m.code), cells };
    })
    .sort(byName);

  return {
    today: input.today,
    rulebookIds: [...new Set(input.rows.map((r) => r.rulebookId))].sort(),
    steps: [...input.steps].sort((a, b) => a.number - b.number || a.key.localeCompare(b.key)),
    provinces: [...input.provinces].sort(byName),
    municipalities,
    regions,
    due: input.rows
      .filter((r) => r.dueDate && r.status !== 'done' && r.status !== 'waived')
      .map((r) => ({ ownerKind: r.ownerKind, ownerCode: r.ownerCode, stepKey: r.stepKey, dueDate: r.dueDate! }))
      .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.ownerCode.localeCompare(b.ownerCode)),
  };
}

/** What a view of the overview shows: one step, municipalities or regions, narrowed and sorted. */
export interface OverviewFilter {
  step: string;
  view: OverviewView;
  province?: string;
  region?: string;
  state?: OverviewState;
  sort: OverviewSort;
  descending: boolean;
}

/** One line of the table, one shape on the map. */
export interface SelectedOwner {
  kind: OwnerKind;
  code: string;
  name: string;
  provinceCodes: string[];
  regionCode: string | null;
  cell: OverviewCell;
}

/** The step a view shows; the region view only for steps of region scope. */
export function stepOf(overview: Overview, key: string): OverviewStep | undefined {
  return overview.steps.find((s) => s.key === key);
}

/** The owners a filter shows, before the state filter (the legend counts these) and after it (the table). */
export function select(overview: Overview, filter: OverviewFilter): { all: SelectedOwner[]; shown: SelectedOwner[] } {
  const owners: SelectedOwner[] =
    filter.view === 'regions'
      ? overview.regions.map((r) => ({ kind: 'region' as const, code: r.code, name: r.name, provinceCodes: r.provinceCodes, regionCode: r.code, cell: r.cells[filter.step] }))
      : overview.municipalities.map((m) => ({ kind: 'municipality' as const, code: m.code, name: m.name, provinceCodes: [m.provinceCode], regionCode: m.regionCode, cell: m.cells[filter.step] }));
  const all = owners.filter(
    (o) => o.cell && (!filter.province || o.provinceCodes.includes(filter.province)) && (!filter.region || o.regionCode === filter.region),
  );
  const shown = all.filter((o) => !filter.state || o.cell.state === filter.state);
  return { all, shown: sortOwners(overview, shown, filter.sort, filter.descending) };
}

function sortOwners(overview: Overview, owners: SelectedOwner[], sort: OverviewSort, descending: boolean): SelectedOwner[] {
  const provinceName = new Map(overview.provinces.map((p) => [p.code, p.name]));
  const regionName = new Map(overview.regions.map((r) => [r.code, r.name]));
  const text = (o: SelectedOwner): string => {
    switch (sort) {
      case 'province':
        return provinceName.get(o.provinceCodes[0] ?? '') ?? '';
      case 'region':
        return regionName.get(o.regionCode ?? '') ?? '';
      case 'due':
        return o.cell.dueDate ?? '9999-12-31';
      case 'state':
        return String(OVERVIEW_STATES.indexOf(o.cell.state)).padStart(2, '0');
      default:
        return o.name;
    }
  };
  const sign = descending ? -1 : 1;
  return [...owners].sort((a, b) => sign * (text(a).localeCompare(text(b), 'nl') || a.name.localeCompare(b.name, 'nl')));
}

/** How many owners are in each state, in the legend's order. */
export function stateCounts(owners: readonly SelectedOwner[]): Record<OverviewState, number> {
  const counts = Object.fromEntries(OVERVIEW_STATES.map((s) => [s, 0])) as Record<OverviewState, number>;
  for (const o of owners) counts[o.cell.state] += 1;
  return counts;
}

/** Per province (narrowed by the filter's province and region) and step: the municipalities in each state. */
export function totals(overview: Overview, filter: Pick<OverviewFilter, 'province' | 'region'>) {
  const municipalities = overview.municipalities.filter(
    (m) => (!filter.province || m.provinceCode === filter.province) && (!filter.region || m.regionCode === filter.region),
  );
  const provinces = overview.provinces.filter((p) => municipalities.some((m) => m.provinceCode === p.code));
  const row = (members: OverviewMunicipality[]) =>
    overview.steps.map((s) => ({ step: s.key, total: members.length, counts: stateCounts(members.map((m) => ({ cell: m.cells[s.key] }) as SelectedOwner)) }));
  return {
    provinces: provinces.map((p) => ({ code: p.code, name: p.name, steps: row(municipalities.filter((m) => m.provinceCode === p.code)) })),
    all: row(municipalities),
  };
}

/** What falls due in each of the 12 months from today's month: open instances of the owners the filter's province and region select. */
export function timeline(overview: Overview, filter: Pick<OverviewFilter, 'province' | 'region'>) {
  const { year, month } = dateParts(overview.today);
  const first = isoDate(year, month, 1);
  const months = Array.from({ length: 12 }, (_, i) => addMonths(first, i).slice(0, 7));
  const inScope = new Set<string>();
  for (const m of overview.municipalities) {
    if ((!filter.province || m.provinceCode === filter.province) && (!filter.region || m.regionCode === filter.region)) inScope.add(`municipality:${m.code}`);
  }
  for (const r of overview.regions) {
    if ((!filter.province || r.provinceCodes.includes(filter.province)) && (!filter.region || r.code === filter.region)) inScope.add(`region:${r.code}`);
  }
  const counts = new Map(months.map((m) => [m, new Map<string, number>()]));
  for (const d of overview.due) {
    const perStep = counts.get(d.dueDate.slice(0, 7));
    if (!perStep || !inScope.has(`${d.ownerKind}:${d.ownerCode}`)) continue;
    perStep.set(d.stepKey, (perStep.get(d.stepKey) ?? 0) + 1);
  }
  return months.map((m) => {
    const perStep = counts.get(m)!;
    return { month: m, total: [...perStep.values()].reduce((a, b) => a + b, 0), steps: overview.steps.map((s) => ({ step: s.key, count: perStep.get(s.key) ?? 0 })) };
  });
}
