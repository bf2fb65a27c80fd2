import * as path from 'node:path';
import type { DateDerivation } from '../../../../libs/calendar';
import type { StepInstance } from '../../../../libs/contracts';
import { parseStepInstanceKey } from '../../../../libs/contracts/keys';
import { hashRulebook, readRulebookDir } from '../../../../libs/rulebook/rulebook-files';
import { previewRulebookChange, ReadModelStep } from './rulebook-preview';

const current = readRulebookDir(path.join(__dirname, '..', '..', '..', '..', 'libs', 'rulebook', 'versions')).find((r) => r.rulebook.id === 'wvrv-2025-07-01.2')!;
// In force a year later: the programme and the ordinance move from Thursday 1 July 2027 to Saturday 1 July 2028
// (a term in years never shifts, Atw art. 4 onder a).
const later = hashRulebook({ ...current.rulebook, id: 'later', effectiveDate: '2026-07-01' });
const municipalOnly = hashRulebook({ ...later.rulebook, id: 'municipal-only', steps: later.rulebook.steps.filter((s) => s.scope === 'municipality') });

const due = (date: string) => ({ date }) as DateDerivation;
const step = (key: string, over: Partial<StepInstance> = {}): StepInstance => ({
  key,
  ...parseStepInstanceKey(key),
  status: 'open',
  dateKind: 'statutory',
  due: due('2027-07-01'),
  dueSource: 'rulebook',
  checklist: {},
  evidence: [],
  extensions: [],
  waiver: null,
  warnings: [],
  overdue: false,
  late: false,
  overdueSince: null,
  sequence: 0,
  ...over,
});
let seq = 0;
const row = (code: string, s: StepInstance, hash = current.hash): ReadModelStep => ({
  owner: { kind: code.startsWith('GM') ? 'municipality' : 'region', code, name: `naam ${code}` },
  workflowId: `${code.startsWith('GM') ? 'programme' : 'region'}-${code}`,
  seq: ++seq,
  rulebookId: 'wvrv-2025-07-01.2',
  rulebookHash: hash,
  step: s,
});

describe('previewRulebookChange', () => {
  const rows = [
    row('GM0363', step('volkshuisvestingsprogramma')),
    row('GM0363', step('huisvestingsverordening', { due: due('2027-10-01'), dueSource: 'extension' })),
    row('GM0363', step('wmo-beleidsplan', { dateKind: 'target', due: null, dueSource: null })),
    row('GM0363', step('prestatieafspraken:2026', { due: due('2026-12-15') })),
    row('GM0599', step('volkshuisvestingsprogramma', { status: 'done' })),
    row('GM0599', step('huisvestingsverordening', { overdue: true })),
    row('CR23', step('overlegstructuur', { dateKind: 'target', due: due('2026-09-01'), dueSource: 'target' })),
  ];

  it('moves only open steps dated by the rulebook, and says who becomes overdue or no longer is', () => {
    const preview = previewRulebookChange(rows, later, Date.parse('2027-08-01T12:00:00Z'));
    expect(preview.moved.map((m) => [m.owner.code, m.step, m.from, m.to, m.becomesOverdue, m.noLongerOverdue])).toEqual([
      ['GM0363', 'volkshuisvestingsprogramma', '2027-07-01', '2028-07-01', false, false],
      ['GM0599', 'huisvestingsverordening', '2027-07-01', '2028-07-01', false, true],
    ]);
    expect(preview.totals).toEqual({
      owners: 3,
      ownersMoving: 2,
      steps: 7,
      moved: 2,
      becomesOverdue: 0,
      noLongerOverdue: 1,
      kept: { sameDate: 1, extension: 1, targetDate: 2, closed: 1 },
      removed: 0,
      alreadyApplied: 0,
    });
  });

  it('marks a new date before today as becoming overdue', () => {
    const earlier = hashRulebook({ ...current.rulebook, id: 'earlier', effectiveDate: '2024-07-01' });
    const preview = previewRulebookChange(rows, earlier, Date.parse('2026-11-25T12:00:00Z'));
    expect(preview.moved.find((m) => m.owner.code === 'GM0363')).toMatchObject({ from: '2027-07-01', to: '2026-07-01', becomesOverdue: true });
    // Overdue already: it stays overdue, it does not "become" so.
    expect(preview.moved.find((m) => m.owner.code === 'GM0599')).toMatchObject({ to: '2026-07-01', becomesOverdue: false, noLongerOverdue: false });
  });

  it('is exact about the moment a step becomes overdue: the first working day after the date, 09:00', () => {
    const earlier = hashRulebook({ ...current.rulebook, id: 'earlier', effectiveDate: '2024-07-01' });
    // Due Wednesday 1 July 2026: overdue from Thursday 2 July 09:00 Amsterdam (07:00 UTC), not before.
    const at = (iso: string) => previewRulebookChange(rows, earlier, Date.parse(iso)).moved.find((m) => m.owner.code === 'GM0363' && m.step === 'volkshuisvestingsprogramma')!;
    expect(at('2026-07-02T06:59:00Z').becomesOverdue).toBe(false);
    expect(at('2026-07-02T07:00:00Z').becomesOverdue).toBe(true);
  });

  it('skips owners already on the version, and lists the steps a version no longer has (also a region\'s)', () => {
    const onNew = [row('GM0014', step('volkshuisvestingsprogramma'), municipalOnly.hash)];
    const preview = previewRulebookChange([...rows, ...onNew], municipalOnly, Date.parse('2027-08-01T12:00:00Z'));
    expect(preview.totals).toMatchObject({ owners: 4, alreadyApplied: 1, moved: 2, removed: 1 });
    expect(preview.removed).toEqual([{ owner: { kind: 'region', code: 'CR23', name: 'naam CR23' }, step: 'overlegstructuur', stepKey: 'overlegstructuur', status: 'open' }]);

    const withoutOrdinance = hashRulebook({ ...later.rulebook, id: 'no-ordinance', steps: later.rulebook.steps.filter((s) => s.key !== 'huisvestingsverordening') });
    const removed = previewRulebookChange(rows, withoutOrdinance, Date.parse('2027-08-01T12:00:00Z'));
    expect(removed.removed.map((r) => [r.owner.code, r.step])).toEqual([
      ['GM0363', 'huisvestingsverordening'],
      ['GM0599', 'huisvestingsverordening'],
    ]);
    expect(removed.totals).toMatchObject({ moved: 1, removed: 2 });
  });

  it('previews the shipped 1 July 2026 reading against owners on the default: only the ordinance moves, to Monday 3 January 2028', () => {
    const shipped = readRulebookDir(path.join(__dirname, '..', '..', '..', '..', 'libs', 'rulebook', 'versions'));
    const onDefault = shipped.find((r) => r.rulebook.id === 'wvrv-2025-07-01.3')!;
    const reading2026 = shipped.find((r) => r.rulebook.id === 'wvrv-2026-07-01')!;
    const owners = ['volkshuisvestingsprogramma', 'huisvestingsverordening'].map((key) => row('GM0153', step(key), onDefault.hash));
    const preview = previewRulebookChange(owners, reading2026, Date.parse('2026-12-01T12:00:00Z'));
    expect(preview.moved.map((m) => [m.step, m.from, m.to, m.becomesOverdue])).toEqual([['huisvestingsverordening', '2027-07-01', '2028-01-03', false]]);
    expect(preview.totals.kept.sameDate).toBe(1);
  });
});
