import { OVERVIEW_STATES } from '../contracts/enums';
import { buildOverview, select, stateCounts, timeline, totals, type OverviewInput, type OverviewRow } from './overview';
import { currentInstance, DUE_SOON_DAYS, overviewState, type StepInstanceRow } from './states';

const instance = (over: Partial<StepInstanceRow> = {}): StepInstanceRow => ({
  step: 'volkshuisvestingsprogramma',
  stepKey: 'volkshuisvestingsprogramma',
  cycleYear: null,
  status: 'open',
  overdue: false,
  late: false,
  dueDate: '2027-07-01',
  dateKind: 'statutory',
  ...over,
});

describe('overviewState', () => {
  const today = '2027-01-10';
  it('decides each of the seven states, the workflow flags before the clock', () => {
    expect(overviewState(null, today)).toBe('not-onboarded');
    expect(overviewState(instance({ status: 'done', overdue: true }), today)).toBe('done');
    expect(overviewState(instance({ status: 'waived' }), today)).toBe('waived');
    expect(overviewState(instance({ overdue: true }), today)).toBe('overdue');
    expect(overviewState(instance({ late: true, dateKind: 'target' }), today)).toBe('late');
    expect(overviewState(instance({ dueDate: '2027-04-10' }), today)).toBe('due-soon');
    expect(overviewState(instance({ dueDate: '2027-04-11' }), today)).toBe('on-track');
    expect(overviewState(instance({ dueDate: null, dateKind: 'target' }), today)).toBe('on-track');
  });

  it('counts "due soon" to the day: today plus DUE_SOON_DAYS is within, a day later is not', () => {
    expect(DUE_SOON_DAYS).toBe(90);
    expect(overviewState(instance({ dueDate: '2027-04-10' }), today)).toBe('due-soon');
    // A date that has passed while the timer has not fired yet (no flag) is still due soon, never overdue by the clock.
    expect(overviewState(instance({ dueDate: '2027-01-01' }), today)).toBe('due-soon');
  });
});

describe('currentInstance', () => {
  it('takes the open instance due first, else the last closed one', () => {
    const y2026 = instance({ step: 'prestatieafspraken:2026', stepKey: 'prestatieafspraken', cycleYear: 2026, dueDate: '2026-12-15', status: 'done' });
    const y2027 = instance({ step: 'prestatieafspraken:2027', stepKey: 'prestatieafspraken', cycleYear: 2027, dueDate: '2027-12-15' });
    const y2028 = instance({ step: 'prestatieafspraken:2028', stepKey: 'prestatieafspraken', cycleYear: 2028, dueDate: '2028-12-15' });
    expect(currentInstance([y2028, y2026, y2027])?.step).toBe('prestatieafspraken:2027');
    expect(currentInstance([{ ...y2027, status: 'done' }, y2026])?.step).toBe('prestatieafspraken:2027');
    expect(currentInstance([])).toBeNull();
  });
});

const input = (rows: OverviewRow[]): OverviewInput => ({
  today: '2027-01-10',
  steps: [
    { key: 'woonzorganalyse', number: 2, nameNl: 'Woonzorganalyse', nameEn: 'Housing and care analysis', scope: 'region' },
    { key: 'volkshuisvestingsprogramma', number: 3, nameNl: 'Volkshuisvestingsprogramma', nameEn: 'Housing programme', scope: 'municipality' },
  ],
  provinces: [
    { code: 'PV27', name: 'Noord-Holland' },
    { code: 'PV28', name: 'Zuid-Holland' },
  ],
  municipalities: [
    { code: 'GM0363', name: 'Amsterdam', provinceCode: 'PV27' },
    { code: 'GM0384', name: 'Diemen', provinceCode: 'PV27' },
    { code: 'GM0599', name: 'Rotterdam', provinceCode: 'PV28' },
  ],
  regions: [
    { code: 'CR23', name: 'Groot-Amsterdam' },
    { code: 'CR31', name: 'Groot-Rijnmond' },
  ],
  members: [
    { regionCode: 'CR23', municipalityCode: 'GM0363' },
    { regionCode: 'CR23', municipalityCode: 'GM0384' },
    { regionCode: 'CR31', municipalityCode: 'GM0599' },
  ],
  rows,
});
const row = (ownerKind: 'municipality' | 'region', ownerCode: string, over: Partial<StepInstanceRow> = {}): OverviewRow => ({ ownerKind, ownerCode, rulebookId: 'wvrv-2025-07-01.3', ...instance(over) });

describe('buildOverview and what a filter selects', () => {
  const overview = buildOverview(
    input([
      row('municipality', 'GM0363', { overdue: true }),
      row('municipality', 'GM0599', { status: 'done' }),
      row('region', 'CR23', { step: 'woonzorganalyse', stepKey: 'woonzorganalyse', dueDate: '2027-02-01' }),
    ]),
  );

  it('gives every municipality a cell per step; a region step is its region\'s', () => {
    const amsterdam = overview.municipalities.find((m) => m.code === 'GM0363')!;
    expect(amsterdam.cells.volkshuisvestingsprogramma.state).toBe('overdue');
    expect(amsterdam.cells.woonzorganalyse).toMatchObject({ state: 'due-soon', owner: { kind: 'region', code: 'CR23' } });
    expect(overview.municipalities.find((m) => m.code === 'GM0384')!.cells.volkshuisvestingsprogramma.state).toBe('not-onboarded');
    expect(overview.municipalities.find((m) => m.code === 'GM0599')!.cells.woonzorganalyse.state).toBe('not-onboarded');
    expect(overview.regions.find((r) => r.code === 'CR23')!.provinceCodes).toEqual(['PV27']);
  });

  it('narrows by province, region and state, counting the legend before the state filter', () => {
    const base = { step: 'volkshuisvestingsprogramma', view: 'municipalities' as const, sort: 'name' as const, descending: false };
    expect(select(overview, base).shown.map((o) => o.code)).toEqual(['GM0363', 'GM0384', 'GM0599']);
    expect(select(overview, { ...base, province: 'PV27' }).shown.map((o) => o.code)).toEqual(['GM0363', 'GM0384']);
    expect(select(overview, { ...base, region: 'CR31' }).shown.map((o) => o.code)).toEqual(['GM0599']);
    const { all, shown } = select(overview, { ...base, state: 'overdue' });
    expect(shown.map((o) => o.code)).toEqual(['GM0363']);
    expect(stateCounts(all)).toMatchObject({ overdue: 1, done: 1, 'not-onboarded': 1 });
    expect(Object.keys(stateCounts(all))).toEqual([...OVERVIEW_STATES]);
  });

  it('sorts by state in the legend\'s order and by date, either way', () => {
    const base = { step: 'volkshuisvestingsprogramma', view: 'municipalities' as const, descending: false };
    expect(select(overview, { ...base, sort: 'state' }).shown.map((o) => o.cell.state)).toEqual(['done', 'not-onboarded', 'overdue']);
    expect(select(overview, { ...base, sort: 'state', descending: true }).shown.map((o) => o.cell.state)).toEqual(['overdue', 'not-onboarded', 'done']);
  });

  it('shows regions in the region view', () => {
    const regions = select(overview, { step: 'woonzorganalyse', view: 'regions', sort: 'name', descending: false }).shown;
    expect(regions.map((r) => [r.code, r.cell.state])).toEqual([
      ['CR23', 'due-soon'],
      ['CR31', 'not-onboarded'],
    ]);
  });

  it('totals per province and step, and the 12 months of what falls due', () => {
    const t = totals(overview, {});
    expect(t.provinces.map((p) => p.code)).toEqual(['PV27', 'PV28']);
    const nh = t.provinces[0].steps.find((s) => s.step === 'volkshuisvestingsprogramma')!;
    expect(nh).toMatchObject({ total: 2, counts: { overdue: 1, 'not-onboarded': 1 } });
    const months = timeline(overview, {});
    expect(months).toHaveLength(12);
    expect(months[0].month).toBe('2027-01');
    expect(months.find((m) => m.month === '2027-02')!.total).toBe(1);
    expect(months.find((m) => m.month === '2027-07')!.total).toBe(1);
    expect(timeline(overview, { province: 'PV28' }).reduce((n, m) => n + m.total, 0)).toBe(0);
  });
});
