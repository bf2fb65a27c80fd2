import * as path from 'node:path';
import { readRulebookDir } from './rulebook-files';
import { parseRulebook, Rulebook, RulebookValidationError } from './rulebook.schema';
import { escalationLadderOf, planFirings, rulebookDueDate } from './schedule';

/** Content hashes of the released versions, as stored by every installation that loaded them. */
const RELEASED: Record<string, string> = {
  'wvrv-2025-07-01': '69af22b6fcaa4c292221d52a3ebbbd2d1c60a09295abc38df43b846429c2cbb2',
  'wvrv-2025-07-01.2': '84f818ee21df5d748c72545438f700dc66b9c5fea3ad0a9dd8c68d60609bbe14',
  'wvrv-2025-07-01.3': '85af56052c26d0496f6e581e5fe578651200e6f42fcde224787bcff810f06bc7',
  'wvrv-2026-07-01': '07db7af2b9c655911413f81673e29090eaa78090aeb8e53f8f59393592aa93ea',
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
      'donderdag 1 juli 2027 (inwerkingtreding dinsdag 1 juli 2025 + 2 jaar); de Algemene termijnenwet is niet van toepassing (art. 4 onder a: termijn in jaren).',
    );
  });

  it('is Saturday 1 July 2028 when the law takes effect on 1 July 2026: a term in years never shifts (Atw art. 4 onder a)', () => {
    const due = rulebookDueDate(effective('2026-07-01'), programme(shipped.rulebook))!;
    expect(due).toMatchObject({ date: '2028-07-01', nominal: '2028-07-01', shifted: false, atw: { applies: false, article: 'art. 4 onder a' } });
    expect(due.text).toBe(
      'zaterdag 1 juli 2028 (inwerkingtreding woensdag 1 juli 2026 + 2 jaar); de Algemene termijnenwet is niet van toepassing (art. 4 onder a: termijn in jaren).',
    );
  });

  it('kept the old dating only for histories recorded before the term rules (TermRules legacy)', () => {
    // What workflows computed before: the old flag shifted every term, also one in years.
    expect(rulebookDueDate(effective('2026-07-01'), programme(shipped.rulebook), undefined, 'legacy')).toMatchObject({ date: '2028-07-03', shifted: true });
    const step = { ...programme(shipped.rulebook), applyTermijnenwet: false };
    expect(rulebookDueDate(effective('2026-07-01'), step, undefined, 'legacy')).toMatchObject({ date: '2028-07-01', shifted: false });
  });
});

/** Terms and dates as the statute phrases them, in rulebook versions from .3 on. */
describe('terms as the statute phrases them', () => {
  const v3 = versions.find((v) => v.rulebook.id === 'wvrv-2025-07-01.3')!.rulebook;
  const v2026 = versions.find((v) => v.rulebook.id === 'wvrv-2026-07-01')!.rulebook;
  const stepOf = (rb: Rulebook, key: string) => rb.steps.find((s) => s.key === key)!;
  /** A six-week term from an event, in a rulebook whose effective date is that event. */
  const sixWeeks = (level: 'formal-law' | 'ministerial-regulation') => {
    const step = { ...programme(v3), date: { kind: 'term' as const, amount: 6, unit: 'weeks' as const, from: 'effective-date' as const, source: { level, citation: 'test', verified: true } } };
    // Six weeks after Friday 12 February 2027 is Goede Vrijdag, 26 March 2027.
    return rulebookDueDate({ ...v3, effectiveDate: '2027-02-12' }, step)!;
  };

  it('dates the default programme two years after entry into force, unshifted by art. 4 onder a', () => {
    const due = rulebookDueDate(v3, stepOf(v3, 'volkshuisvestingsprogramma'))!;
    expect(due.date).toBe('2027-07-01');
    expect(due.text).toBe('donderdag 1 juli 2027 (inwerkingtreding dinsdag 1 juli 2025 + 2 jaar); de Algemene termijnenwet is niet van toepassing (art. 4 onder a: termijn in jaren).');
    const later = rulebookDueDate({ ...v3, effectiveDate: '2026-07-01' }, stepOf(v3, 'huisvestingsverordening'))!;
    expect(later).toMatchObject({ date: '2028-07-01', shifted: false });
  });

  it('moves a six-week term in a formal law that ends on Goede Vrijdag to the Tuesday after Easter (art. 1 lid 1)', () => {
    const due = sixWeeks('formal-law');
    expect(due).toMatchObject({ nominal: '2027-03-26', date: '2027-03-30', shifted: true, atw: { applies: true } });
    expect(due.skipped.map((d) => d.reason)).toEqual(['Goede Vrijdag', 'zaterdag', 'zondag', 'Tweede Paasdag']);
    expect(due.text).toMatch(/^vrijdag 26 maart 2027 \(inwerkingtreding vrijdag 12 februari 2027 \+ 6 weken\).*art\. 1.*dinsdag 30 maart 2027/);
  });

  it('does not move the same term set by a ministerial regulation (art. 5)', () => {
    const due = sixWeeks('ministerial-regulation');
    expect(due).toMatchObject({ date: '2027-03-26', shifted: false, atw: { applies: false, article: 'art. 5' } });
    expect(due.text).toContain('de Algemene termijnenwet is niet van toepassing (art. 5');
  });

  it('reads "uiterlijk 1 januari 2028" (a Saturday and Nieuwjaarsdag) as the rulebook chooses, and says it is a reading', () => {
    const ordinance = stepOf(v2026, 'huisvestingsverordening');
    const applies = rulebookDueDate(v2026, ordinance)!;
    expect(applies).toMatchObject({ nominal: '2028-01-01', date: '2028-01-03', shifted: true, atw: { applies: true, reading: expect.any(String) } });
    expect(applies.text).toContain('lezing');
    expect(applies.text).toContain('maandag 3 januari 2028');
    if (ordinance.date.kind !== 'fixed-date') throw new Error('the 2026 reading dates the ordinance as a fixed date');
    const fixed = { ...ordinance, date: { ...ordinance.date, reading: { applies: false, reason: 'een vaste datum is geen termijn' } } };
    const not = rulebookDueDate(v2026, fixed)!;
    expect(not).toMatchObject({ date: '2028-01-01', shifted: false, atw: { applies: false, reading: expect.any(String) } });
    expect(not.text).toContain('lezing');
    expect(not.text).toContain('een vaste datum is geen termijn');
  });

  it('takes the bid "vóór 1 juli" in 2029 (30 June is a Saturday) to Monday 2 July under the rulebook\'s reading', () => {
    const bid = stepOf(v3, 'prestatieafspraken-bod');
    const due = rulebookDueDate(v3, bid, 2029)!;
    expect(due).toMatchObject({ nominal: '2029-06-30', date: '2029-07-02', shifted: true, atw: { applies: true } });
    expect(due.text).toContain('lezing');
    expect(due.text).toContain('maandag 2 juli 2029');
    expect(rulebookDueDate(v3, bid, 2027)).toMatchObject({ date: '2027-06-30', shifted: false });
  });

  it('leaves the agreements of 15 December unshifted: confirmed only as practice (art. 5)', () => {
    // 15 December 2029 is a Saturday.
    const due = rulebookDueDate(v3, stepOf(v3, 'prestatieafspraken'), 2029)!;
    expect(due).toMatchObject({ date: '2029-12-15', shifted: false, atw: { applies: false, article: 'art. 5' } });
    expect(due.text).toContain('niet geverifieerd');
  });

  it('ships the 1 July 2026 reading with its own dates, each a fixed date marked unconfirmed', () => {
    expect(v2026.effectiveDate).toBe('2026-07-01');
    expect(rulebookDueDate(v2026, stepOf(v2026, 'volkshuisvestingsprogramma'))!.date).toBe('2027-07-01');
    for (const key of ['volkshuisvestingsprogramma', 'huisvestingsverordening']) {
      const { date } = stepOf(v2026, key);
      expect(date).toMatchObject({ kind: 'fixed-date', source: { verified: false, note: expect.stringContaining('onbevestigd') } });
    }
  });

  it('keeps the escalation ladder as project policy and calls its rungs mandatory, never statutory', () => {
    expect(v3.escalationLadder).toMatchObject({ basis: 'project-policy', nl: expect.stringContaining('geen wettelijke plicht') });
    for (const step of v3.steps) for (const rung of step.escalations) expect(rung).not.toHaveProperty('statutory');
    const ladder = escalationLadderOf(v3, stepOf(v3, 'volkshuisvestingsprogramma'));
    expect(ladder.rungs.map((r) => [r.rung, r.offsetDays, r.mandatory])).toEqual([[1, 0, true], [2, 14, true], [3, 30, true]]);
    // An old version without the field says the same of its ladder, reading its `statutory` flags as mandatory.
    expect(escalationLadderOf(shipped.rulebook, programme(shipped.rulebook))).toMatchObject({ basis: 'project-policy', nl: expect.stringContaining('geen wettelijke plicht') });
    expect(escalationLadderOf(shipped.rulebook, programme(shipped.rulebook)).rungs.every((r) => r.mandatory)).toBe(true);
    expect(stepOf(v3, 'wmo-beleidsplan').legalBasis.verified).toBe(false);
    expect(stepOf(v3, 'huisvestingsverordening').checklist.every((c) => c.verified === false && c.source)).toBe(true);
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
      'wvrv-2025-07-01.3': RELEASED['wvrv-2025-07-01.3'],
      'wvrv-2026-07-01': RELEASED['wvrv-2026-07-01'],
    });
  });

  it('names the bad field', () => {
    const bad = structuredClone(shipped.rulebook) as unknown as { steps: { reminders: { offsetDays: unknown }[] }[] };
    bad.steps[0].reminders[1].offsetDays = 'ninety';
    expect(() => parseRulebook(bad, 'test')).toThrow(RulebookValidationError);
    expect(() => parseRulebook(bad, 'test')).toThrow(/steps\.0\.reminders\.1\.offsetDays/);
  });

  it('refuses a yearly date that some years lack, and the old flag name beside a date phrased as the statute does', () => {
    const v3 = versions.find((v) => v.rulebook.id === 'wvrv-2025-07-01.3')!.rulebook;
    const bad = structuredClone(v3);
    const bid = bad.steps.find((s) => s.key === 'prestatieafspraken-bod')!;
    if (bid.date.kind !== 'yearly-date') throw new Error('the bid is a yearly date');
    bid.date.month = 2;
    bid.date.day = 29;
    bid.reminders[0] = { ...bid.reminders[0], mandatory: undefined, statutory: false };
    expect(() => parseRulebook(bad, 'test')).toThrow(/steps\.5\.date\.day: day 29 does not exist in month 2 every year/);
    expect(() => parseRulebook(bad, 'test')).toThrow(/steps\.5\.reminders\.0\.mandatory: is required/);
  });

  it('refuses a dependency on an unknown step', () => {
    const bad = structuredClone(shipped.rulebook);
    bad.steps[1].dependsOn = ['woonzorgvisie'];
    expect(() => parseRulebook(bad, 'test')).toThrow(/steps\.1\.dependsOn\.0: unknown step woonzorgvisie/);
  });
});
