import * as path from 'node:path';
import { readRulebookDir } from './rulebook-files';
import { parseRulebook, Rulebook, RulebookValidationError } from './rulebook.schema';
import { planFirings, rulebookDueDate } from './schedule';

/** Content hashes of the released versions, as stored by every installation that loaded them. */
const RELEASED: Record<string, string> = {
  'wvrv-2025-07-01': '69af22b6fcaa4c292221d52a3ebbbd2d1c60a09295abc38df43b846429c2cbb2',
  'wvrv-2025-07-01.2': '84f818ee21df5d748c72545438f700dc66b9c5fea3ad0a9dd8c68d60609bbe14',
};
const versions = readRulebookDir(path.join(__dirname, 'versions'));
const shipped = versions.find((v) => v.rulebook.id === 'wvrv-2025-07-01.2')!;
const programme = (rb: Rulebook) => rb.steps.find((s) => s.key === 'volkshuisvestingsprogramma')!;
const effective = (date: string): Rulebook => ({ ...shipped.rulebook, effectiveDate: date });

describe('statutory due date of the programme', () => {
  it('is Thursday 1 July 2027 under the default rulebook (effective 1 July 2025)', () => {
    const due = rulebookDueDate(shipped.rulebook, programme(shipped.rulebook))!;
    expect(shipped.rulebook.effectiveDate).toBe('2025-07-01');
    expect(due).toMatchObject({ date: '2027-07-01', nominal: '2027-07-01', shifted: false });
    expect(due.text).toBe(
      'donderdag 1 juli 2027 (inwerkingtreding dinsdag 1 juli 2025 + 2 jaar); geen verschuiving: een werkdag volgens de Algemene termijnenwet.',
    );
  });

  it('is Monday 3 July 2028 when the law takes effect on 1 July 2026 (1 July 2028 is a Saturday)', () => {
    const due = rulebookDueDate(effective('2026-07-01'), programme(shipped.rulebook))!;
    expect(due).toMatchObject({ date: '2028-07-03', nominal: '2028-07-01', shifted: true, direction: 'forward' });
    expect(due.skipped.map((d) => [d.date, d.reason])).toEqual([
      ['2028-07-01', 'zaterdag'],
      ['2028-07-02', 'zondag'],
    ]);
    expect(due.text).toContain('verschoven naar maandag 3 juli 2028');
  });

  it('stays on the nominal day when the rulebook says the Atw does not apply to the step', () => {
    const step = { ...programme(shipped.rulebook), applyTermijnenwet: false };
    expect(rulebookDueDate(effective('2026-07-01'), step)).toMatchObject({ date: '2028-07-01', shifted: false });
  });
});

describe('reminder and escalation moments', () => {
  it('moves reminders to the working day before and rungs to the working day after, at 09:00 Amsterdam time', () => {
    const firings = planFirings(shipped.rulebook, programme(shipped.rulebook), '2027-07-01');
    expect(firings.map((f) => [f.key, f.day, new Date(f.at).toISOString()])).toEqual([
      // 2 January 2027 is a Saturday and 1 January Nieuwjaarsdag: the reminder goes out on Thursday 31 December (CET).
      ['reminder-180d', '2026-12-31', '2026-12-31T08:00:00.000Z'],
      ['reminder-90d', '2027-04-02', '2027-04-02T07:00:00.000Z'],
      ['reminder-30d', '2027-06-01', '2027-06-01T07:00:00.000Z'],
      ['reminder-7d', '2027-06-24', '2027-06-24T07:00:00.000Z'],
      ['deadline-passed', '2027-07-02', '2027-07-02T07:00:00.000Z'],
      ['escalation-1', '2027-07-02', '2027-07-02T07:00:00.000Z'],
      ['escalation-2', '2027-07-15', '2027-07-15T07:00:00.000Z'],
      // 31 July 2027 is a Saturday: the rung goes out on Monday 2 August.
      ['escalation-3', '2027-08-02', '2027-08-02T07:00:00.000Z'],
    ]);
    expect(firings[0].skippedDays.map((d) => d.reason)).toEqual(['zaterdag', 'Nieuwjaarsdag']);
  });
});

describe('yearly and target dates', () => {
  const step = (key: string) => shipped.rulebook.steps.find((s) => s.key === key)!;

  it('takes the bid of 30 June as the last timely day, moved by the Atw when it is a weekend', () => {
    expect(rulebookDueDate(shipped.rulebook, step('prestatieafspraken-bod'), 2027)).toMatchObject({ date: '2027-06-30', shifted: false });
    // 30 June 2029 is a Saturday.
    expect(rulebookDueDate(shipped.rulebook, step('prestatieafspraken-bod'), 2029)).toMatchObject({ date: '2029-07-02', shifted: true });
  });

  it('marks the unverified source of the 15 December date', () => {
    const due = rulebookDueDate(shipped.rulebook, step('prestatieafspraken'), 2026)!;
    expect(due.date).toBe('2026-12-15');
    expect(due.rule).toContain('niet geverifieerd');
  });

  it('has no rulebook date for a target-date step, and plans no escalation for it', () => {
    expect(rulebookDueDate(shipped.rulebook, step('woonzorganalyse'))).toBeNull();
    expect(planFirings(shipped.rulebook, step('woonzorganalyse'), '2027-03-01').map((f) => f.key)).toEqual(['reminder-30d', 'reminder-7d', 'deadline-passed']);
  });
});

describe('rulebook validation', () => {
  it('accepts the shipped versions and hashes them stably', () => {
    expect(shipped.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(readRulebookDir(path.join(__dirname, 'versions')).find((v) => v.rulebook.id === shipped.rulebook.id)!.hash).toBe(shipped.hash);
  });

  it('never changes a shipped version: running workflows and stored copies follow it by id and hash', () => {
    // A new reading of the law is a new file with a new id, never an edit of a released one.
    expect(Object.fromEntries(versions.map((v) => [v.rulebook.id, v.hash]))).toEqual({
      'wvrv-2025-07-01': RELEASED['wvrv-2025-07-01'],
      'wvrv-2025-07-01.2': RELEASED['wvrv-2025-07-01.2'],
    });
  });

  it('names the bad field', () => {
    const bad = structuredClone(shipped.rulebook) as unknown as { steps: { reminders: { offsetDays: unknown }[] }[] };
    bad.steps[0].reminders[1].offsetDays = 'ninety';
    expect(() => parseRulebook(bad, 'test')).toThrow(RulebookValidationError);
    expect(() => parseRulebook(bad, 'test')).toThrow(/steps\.0\.reminders\.1\.offsetDays/);
  });

  it('refuses a dependency on an unknown step', () => {
    const bad = structuredClone(shipped.rulebook);
    bad.steps[1].dependsOn = ['woonzorgvisie'];
    expect(() => parseRulebook(bad, 'test')).toThrow(/steps\.1\.dependsOn\.0: unknown step woonzorgvisie/);
  });
});
