import * as path from 'node:path';
import type { ProgrammeWorkflowInput, StepInstance } from '../contracts';
import { readRulebookDir } from '../rulebook/rulebook-files';
import type { Rulebook } from '../rulebook/rulebook.schema';
import { STEP_RULE_CATEGORY, stepRuleMessage } from './errors';
import { ProgrammeSteps } from './programme-steps';
import { rulebookChange } from './step-rules';

const versions = readRulebookDir(path.join(__dirname, '..', 'rulebook', 'versions'));
const v = (id: string) => versions.find((r) => r.rulebook.id === id)!;
const current = v('wvrv-2025-07-01.3');
const at = (iso: string) => Date.parse(iso);

const owner = (kind: 'municipality' | 'region' = 'municipality') => ({
  kind,
  code: kind === 'municipality' ? 'GM0363' : 'CR23',
  name: kind === 'municipality' ? 'Amsterdam' : 'Groot-Amsterdam',
  provinceCode: 'PV27',
  provinceName: 'Noord-Holland',
  regionCode: 'CR23',
  regionName: 'Groot-Amsterdam',
});

function model(input: Partial<ProgrammeWorkflowInput> = {}, rulebook = current) {
  return new ProgrammeSteps(
    { owner: owner(), rulebook: rulebook.rulebook, rulebookHash: rulebook.hash, ...input },
    { workflowId: `programme-${input.owner?.code ?? 'GM0363'}`, termRules: () => 'statute' },
  );
}
const step = (m: ProgrammeSteps, key: string) => m.state().steps.find((s) => s.key === key) as StepInstance;
const evidence = { kind: 'council-decision' as const, reference: 'Raadsbesluit 2026/12' };

describe('a new programme', () => {
  it('creates every municipality step once, and the yearly steps for the current cycle', () => {
    const m = model();
    const writes = m.ensureInstances(at('2026-03-02T10:00:00Z'));
    expect(writes.map((w) => [w.step.key, w.event, w.seq])).toEqual([
      ['volkshuisvestingsprogramma', 'created', 1],
      ['huisvestingsverordening', 'created', 2],
      ['wmo-beleidsplan', 'created', 3],
      ['prestatieafspraken-bod:2026', 'created', 4],
      ['prestatieafspraken:2026', 'created', 5],
    ]);
    expect(m.ensureInstances(at('2026-03-02T10:00:00Z'))).toEqual([]);
    expect(step(m, 'volkshuisvestingsprogramma')).toMatchObject({ dateKind: 'statutory', dueSource: 'rulebook', status: 'open', sequence: 0 });
    expect(step(m, 'volkshuisvestingsprogramma').due?.date).toBe('2027-07-01');
    expect(step(m, 'wmo-beleidsplan')).toMatchObject({ dateKind: 'target', due: null, dueSource: null });
  });

  it('starts a yearly step in next year\'s cycle once this year\'s last day has passed', () => {
    const m = model();
    m.ensureInstances(at('2026-12-20T10:00:00Z'));
    expect(m.state().steps.map((s) => s.key)).toEqual(expect.arrayContaining(['prestatieafspraken-bod:2027', 'prestatieafspraken:2027']));
  });

  it('records moments already past at onboarding as skipped, never as mail, and the passed deadline as overdue', () => {
    const m = model({ initialSteps: { 'wmo-beleidsplan': { targetDate: '2026-01-15' }, huisvestingsverordening: { status: 'done', evidence: [{ ...evidence, recordedBy: 'PM' }] } } });
    const now = at('2027-09-01T10:00:00Z');
    m.ensureInstances(now);
    const skipped = m.skipPast(now);
    const programme = step(m, 'volkshuisvestingsprogramma');
    expect(programme).toMatchObject({ overdue: true, overdueSince: '2027-07-02' });
    expect(step(m, 'wmo-beleidsplan')).toMatchObject({ late: true, overdue: false, dueSource: 'target' });
    expect(step(m, 'huisvestingsverordening')).toMatchObject({ status: 'done', overdue: false });
    expect(skipped.map((w) => w.step.key)).toEqual(expect.arrayContaining(['volkshuisvestingsprogramma', 'wmo-beleidsplan']));
    expect(skipped.find((w) => w.step.key === 'volkshuisvestingsprogramma')!.detail.skipped).toEqual(
      expect.arrayContaining([{ firing: 'reminder-180d', day: '2026-12-31' }, { firing: 'escalation-3', day: '2027-08-02' }]),
    );
    expect(m.state().firings.filter((f) => f.step === 'volkshuisvestingsprogramma').map((f) => f.outcome)).toEqual(
      expect.arrayContaining(['skipped-past', 'recorded']),
    );
    expect(m.skipPast(now)).toEqual([]);
  });
});

describe('the moments of a step', () => {
  it('fires the next reminder as a notification, then the deadline, then the rungs as mandatory notices', () => {
    const m = model();
    m.ensureInstances(at('2026-03-02T10:00:00Z'));
    m.skipPast(at('2026-03-02T10:00:00Z'));
    const kinds: string[] = [];
    let now = at('2026-03-02T10:00:00Z');
    for (let i = 0; i < 40; i++) {
      const next = m.nextWake(now);
      if ('finished' in next || next.at > at('2027-08-31T00:00:00Z')) break;
      now = next.at;
      const fired = m.fire(now, next);
      if (!fired) {
        m.dirty = false;
        m.ensureInstances(now);
        continue;
      }
      if ('deadline' in fired) {
        if (fired.deadline.step.key === 'volkshuisvestingsprogramma') kinds.push(`deadline:${fired.deadline.event}`);
      }
      else {
        const { request } = fired.notification;
        if (request.step === 'volkshuisvestingsprogramma') kinds.push(`${request.firingKey}:${request.mandatory}`);
        fired.notification.recorded({ outcome: 'queued', recipients: [] }, now);
      }
    }
    expect(kinds).toEqual([
      'reminder-180d:false',
      'reminder-90d:false',
      'reminder-30d:false',
      'reminder-7d:false',
      'deadline:overdue',
      'escalation-1:true',
      'escalation-2:true',
      'escalation-3:true',
    ]);
  });
});

describe('updates', () => {
  const fresh = () => {
    const m = model();
    m.ensureInstances(at('2026-03-02T10:00:00Z'));
    m.dirty = false;
    return m;
  };
  const now = at('2026-03-03T10:00:00Z');

  it('refuse with a code and the field, and change nothing', () => {
    const m = fresh();
    const before = JSON.stringify(m.state());
    const cases = [
      [m.validateProgress({ step: 'volkshuisvestingsprogramma', by: ' ' }), 'field-required', 'by'],
      [m.validateProgress({ step: 'nope', by: 'PM' }), 'step-unknown', 'step'],
      [m.validateProgress({ step: 'volkshuisvestingsprogramma', by: 'PM', checklist: { bogus: true } }), 'checklist-item-unknown', 'checklist.bogus'],
      [m.validateProgress({ step: 'volkshuisvestingsprogramma', by: 'PM', status: 'done' as never }), 'status-invalid', 'status'],
      [m.validateComplete({ step: 'volkshuisvestingsprogramma', by: 'PM', evidence: { kind: 'email' as never, reference: 'x' } }), 'evidence-kind-invalid', 'evidence.kind'],
      [m.validateComplete({ step: 'volkshuisvestingsprogramma', by: 'PM', evidence: { ...evidence, date: '2027-02-30' } }), 'date-invalid', 'evidence.date'],
      [m.validateTargetDate({ step: 'volkshuisvestingsprogramma', by: 'PM', date: '2027-01-01' }), 'target-date-not-allowed', 'date'],
      [m.validateTargetDate({ step: 'wmo-beleidsplan', by: 'PM', date: '2027-13-01' }), 'date-invalid', 'date'],
      [m.validateExtension({ step: 'wmo-beleidsplan', to: '2027-10-01', reason: 'r', grantedBy: 'Provincie' }), 'nothing-to-extend', 'to'],
      [m.validateExtension({ step: 'volkshuisvestingsprogramma', to: '2027-05-01', reason: 'r', grantedBy: 'Provincie' }), 'extension-not-later', 'to'],
      [m.validateWaiver({ step: 'volkshuisvestingsprogramma', reason: '', grantedBy: 'Provincie' }), 'field-required', 'reason'],
      [m.validateApplyRulebook({ rulebook: current.rulebook, rulebookHash: 'abc' }), 'rulebook-hash-invalid', 'rulebookHash'],
    ] as const;
    for (const [error, code, field] of cases) expect(error).toMatchObject({ code, field });
    expect(JSON.stringify(m.state())).toBe(before);
    expect(stepRuleMessage(cases[9][0]!)).toBe('Veld to moet na de huidige datum 2027-07-01 liggen / to must be after the current date 2027-07-01');
    expect(STEP_RULE_CATEGORY['step-unknown']).toBe('not-found');
  });

  it('record progress and completion; a closed step refuses every further change as a conflict', () => {
    const m = fresh();
    expect(m.validateProgress({ step: 'volkshuisvestingsprogramma', by: 'PM', status: 'in-progress', checklist: { doorstroming: true } })).toBeNull();
    const write = m.progress({ step: 'volkshuisvestingsprogramma', by: 'PM', status: 'in-progress', checklist: { doorstroming: true } }, now);
    expect(write).toMatchObject({ event: 'progress', seq: 6, step: { status: 'in-progress', checklist: { doorstroming: true, ouderen: false } } });
    const done = m.complete({ step: 'volkshuisvestingsprogramma', by: 'PM', evidence, unmetDependencies: ['woonzorganalyse'] }, now);
    expect(done.step).toMatchObject({ status: 'done', warnings: ['afgerond terwijl woonzorganalyse nog niet is afgerond'] });
    expect(m.dirty).toBe(true);
    expect(m.validateWaiver({ step: 'volkshuisvestingsprogramma', reason: 'r', grantedBy: 'P' })).toMatchObject({ code: 'step-closed', field: 'step' });
    expect(STEP_RULE_CATEGORY['step-closed']).toBe('conflict');
    expect(m.searchAttributes().openSteps).not.toContain('volkshuisvestingsprogramma');
  });

  it('an extension moves the date once: one change notice, SEQUENCE + 1, the overdue state lifted', () => {
    const m = fresh();
    const s = step(m, 'volkshuisvestingsprogramma');
    s.overdue = true;
    s.overdueSince = '2027-07-02';
    m.extend({ step: 'volkshuisvestingsprogramma', to: '2027-10-01', reason: 'raadsvergadering verschoven', grantedBy: 'Provincie Noord-Holland' }, now);
    expect(step(m, 'volkshuisvestingsprogramma')).toMatchObject({ dueSource: 'extension', sequence: 1, overdue: false, overdueSince: null, due: { date: '2027-10-01' } });
    const notice = m.nextNotice()!;
    expect(notice.request).toMatchObject({ kind: 'change-notice', firingKey: 'change-notice', sequence: 1, previousDue: { date: '2027-07-01' }, mandatory: false });
    expect(notice.request.businessKey).toBe('programme-GM0363:volkshuisvestingsprogramma:2027-10-01:change-notice');
    expect(notice.recorded({ outcome: 'queued', recipients: ['a@b.example'] }, now)).toMatchObject({ event: 'change-notice-queued', detail: { previousDueDate: '2027-07-01' } });
    expect(m.nextNotice()).toBeNull();
  });

  it('a target date is set only where the step has one; a waiver sends one cancellation', () => {
    const m = fresh();
    m.targetDate({ step: 'wmo-beleidsplan', by: 'PM', date: '2027-03-01' }, now);
    expect(step(m, 'wmo-beleidsplan')).toMatchObject({ dueSource: 'target', sequence: 0, due: { date: '2027-03-01' } });
    expect(m.nextNotice()).toBeNull(); // a first date is no change
    m.waive({ step: 'wmo-beleidsplan', reason: 'niet van toepassing', grantedBy: 'Provincie' }, now);
    expect(m.nextNotice()!.request).toMatchObject({ kind: 'cancellation', step: 'wmo-beleidsplan' });
    expect(m.nextNotice()).toBeNull();
  });
});

describe('a rulebook change', () => {
  it('moves open rulebook dates (one change notice each), keeps extensions, target dates and closed steps', () => {
    const m = model();
    m.ensureInstances(at('2026-03-02T10:00:00Z'));
    m.complete({ step: 'huisvestingsverordening', by: 'PM', evidence }, at('2026-03-02T10:00:00Z'));
    const later: Rulebook = { ...current.rulebook, id: 'test-later', effectiveDate: '2026-07-01' };
    const { result, writes } = m.applyRulebook({ rulebook: later, rulebookHash: 'f'.repeat(64) }, at('2026-03-03T10:00:00Z'));
    expect(result).toEqual({ rulebookId: 'test-later', alreadyApplied: false, changed: [{ step: 'volkshuisvestingsprogramma', from: '2027-07-01', to: '2028-07-01' }] });
    expect(writes).toHaveLength(m.state().steps.length);
    expect(step(m, 'volkshuisvestingsprogramma').due?.text).toContain('art. 4 onder a');
    expect(m.nextNotice()!.request).toMatchObject({ kind: 'change-notice', previousDue: { date: '2027-07-01' } });
    expect(m.applyRulebook({ rulebook: later, rulebookHash: 'f'.repeat(64) }, at('2026-03-03T10:00:00Z')).result.alreadyApplied).toBe(true);
  });

  it('is decided per step by the one rule the preview uses too', () => {
    const open = { stepKey: 'volkshuisvestingsprogramma', cycleYear: null, status: 'open', dueSource: 'rulebook', due: { date: '2027-07-01' } } as StepInstance;
    const later: Rulebook = { ...current.rulebook, effectiveDate: '2026-07-01' };
    expect(rulebookChange(open, later, 'statute')).toMatchObject({ kind: 'moved', due: { date: '2028-07-01' } });
    expect(rulebookChange({ ...open, status: 'done' }, later, 'statute')).toEqual({ kind: 'kept', reason: 'closed' });
    expect(rulebookChange({ ...open, dueSource: 'extension' }, later, 'statute')).toEqual({ kind: 'kept', reason: 'extension' });
    expect(rulebookChange({ ...open, stepKey: 'gone' }, later, 'statute')).toEqual({ kind: 'removed' });
    expect(rulebookChange(open, current.rulebook, 'statute')).toMatchObject({ kind: 'kept', reason: 'same-date' });
  });
});

describe('the firing planned before a wait', () => {
  it('is the one that fires, even when a rulebook change arrived during the wait (its writes still being recorded)', () => {
    const m = model();
    const start = at('2026-03-02T10:00:00Z');
    m.ensureInstances(start);
    m.skipPast(start);
    m.dirty = false;
    const wake = m.nextWake(start);
    if ('finished' in wake) throw new Error('a new programme has moments ahead');
    const planned = wake.planned!.firing.businessKey;
    // Every reminder three days earlier: under the new version another moment would come first, and be past.
    const shifted: Rulebook = { ...current.rulebook, steps: current.rulebook.steps.map((s) => ({ ...s, reminders: s.reminders.map((r) => ({ ...r, offsetDays: r.offsetDays + 3 })) })) };
    m.applyRulebook({ rulebook: shifted, rulebookHash: 'e'.repeat(64) }, start);
    const fired = m.fire(wake.at, wake);
    expect(fired && 'notification' in fired && fired.notification.request.businessKey).toBe(planned);
  });
});

describe('a version that no longer dates a step', () => {
  it('keeps the date the step has (preview and workflow alike)', () => {
    const open = { stepKey: 'volkshuisvestingsprogramma', cycleYear: null, status: 'open', dueSource: 'rulebook', due: { date: '2027-07-01' } } as StepInstance;
    const undated: Rulebook = { ...current.rulebook, steps: current.rulebook.steps.map((s) => (s.key === open.stepKey ? { ...s, date: { kind: 'target' as const } } : s)) };
    expect(rulebookChange(open, undated, 'statute')).toEqual({ kind: 'kept', reason: 'same-date' });
    const m = model();
    m.ensureInstances(at('2026-03-02T10:00:00Z'));
    const { result } = m.applyRulebook({ rulebook: undated, rulebookHash: 'd'.repeat(64) }, at('2026-03-02T10:00:00Z'));
    expect(result.changed).toEqual([]);
    expect(step(m, 'volkshuisvestingsprogramma').due?.date).toBe('2027-07-01');
  });
});

describe('input from before the limits', () => {
  it('leaves out what onboarding gave that a workflow cannot take, with a warning, instead of failing its first task', () => {
    const m = model({
      initialSteps: {
        'wmo-beleidsplan': { targetDate: '2027-02-30' },
        volkshuisvestingsprogramma: { evidence: [{ kind: 'publication', reference: 'ok', url: 'javascript:alert(1)', recordedBy: 'PM' }], checklist: ['doorstroming', 'bestaat-niet'] },
      },
    });
    m.ensureInstances(at('2026-03-02T10:00:00Z'));
    expect(step(m, 'wmo-beleidsplan')).toMatchObject({ due: null, warnings: [expect.stringMatching(/^bij aanmelding genegeerd: Veld targetDate moet een bestaande datum zijn/)] });
    const programme = step(m, 'volkshuisvestingsprogramma');
    expect(programme.evidence).toEqual([]);
    expect(programme.warnings).toEqual([expect.stringContaining('evidence.0.url')]);
    expect(programme.checklist).toMatchObject({ doorstroming: true });
    expect(programme.checklist).not.toHaveProperty('bestaat-niet');
  });

  it('gives a date the planner cannot plan no timers and a warning, and the other steps go on', () => {
    const m = model();
    m.ensureInstances(at('2026-03-02T10:00:00Z'));
    step(m, 'wmo-beleidsplan').due = { date: '2013-05-01' } as StepInstance['due'];
    expect(m.nextWake(at('2026-03-02T10:00:00Z'))).toMatchObject({ planned: expect.anything() });
    expect(step(m, 'wmo-beleidsplan').warnings).toEqual([expect.stringContaining('de datum 2013-05-01 kan niet worden gepland')]);
    m.nextWake(at('2026-03-02T10:00:00Z'));
    expect(step(m, 'wmo-beleidsplan').warnings).toHaveLength(1);
  });

  it('refuses a 21st extension: a step cannot grow without bound', () => {
    const m = model();
    m.ensureInstances(at('2026-03-02T10:00:00Z'));
    for (let i = 1; i <= 20; i++) {
      const input = { step: 'volkshuisvestingsprogramma', to: `2027-08-${String(i).padStart(2, '0')}`, reason: 'r', grantedBy: 'P' };
      expect(m.validateExtension(input)).toBeNull();
      m.extend(input, at('2026-03-02T10:00:00Z'));
    }
    expect(m.validateExtension({ step: 'volkshuisvestingsprogramma', to: '2027-09-01', reason: 'r', grantedBy: 'P' })).toMatchObject({ code: 'limit-reached', facts: { max: '20' } });
  });
});

describe('continue-as-new', () => {
  it('carries open steps, their handled moments and the sequence; drops closed past cycles', () => {
    const m = model();
    m.ensureInstances(at('2026-03-02T10:00:00Z'));
    m.skipPast(at('2026-03-02T10:00:00Z'));
    const carried = m.carry(at('2026-03-02T10:00:00Z')).carried!;
    expect(carried.seq).toBe(5);
    expect(carried.steps).toHaveLength(5);
    const next = new ProgrammeSteps({ owner: owner(), rulebook: current.rulebook, rulebookHash: current.hash, carried }, { workflowId: 'programme-GM0363', termRules: () => 'statute' });
    expect(next.ensureInstances(at('2026-03-02T10:00:00Z'))).toEqual([]);
  });
});
