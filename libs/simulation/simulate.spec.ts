import * as path from 'node:path';
import { ownerWorkflowId, OwnerRef } from '../contracts';
import type { MailPreferenceState, OwnerScope, RecipientCandidate } from '../mail/recipient-rules';
import { hashRulebook, readRulebookDir } from '../rulebook/rulebook-files';
import { parseRulebook } from '../rulebook/rulebook.schema';
import { simulate, SimulatedOwner, SimulationInput } from './simulate';
import { compareLoads, summarise } from './summary';
import { mailsPerWeekSvg } from './chart';
import { rulebookLoad } from './rulebook-load';

const shipped = readRulebookDir(path.join(__dirname, '..', 'rulebook', 'versions')).find((r) => r.rulebook.id === 'wvrv-2025-07-01.3')!.rulebook;
const programme = shipped.steps.find((s) => s.key === 'volkshuisvestingsprogramma')!;
/**
 * The law in force on 1 July 2029, the programme only: due Tuesday 1 July 2031 (a term in years never
 * shifts). Reminders 30 days before (Friday 30 May, as 1 June is a Sunday) and 7 days (Tuesday 24 June) to
 * the programme manager and the alderman; rungs on Wednesday 2 July (programme manager and alderman),
 * Tuesday 15 July (the region) and Thursday 31 July (the province), each a mandatory notice.
 */
const small = hashRulebook(
  parseRulebook(
    {
      ...shipped,
      id: 'test-simulation',
      effectiveDate: '2029-07-01',
      steps: [{ ...programme, dependsOn: [], reminders: programme.reminders.filter((r) => r.offsetDays <= 30) }],
    },
    'test-simulation',
  ),
);
const at = (iso: string) => Date.parse(iso);

const region = { code: 'CR23', name: 'Groot-Amsterdam' };
const ref = (code: string, name: string): OwnerRef => ({ kind: 'municipality', code, name, provinceCode: 'PV27', provinceName: 'Noord-Holland', regionCode: region.code, regionName: region.name });
const scope = (code: string, name: string): OwnerScope => ({ code, name, municipalityCodes: [code], region, provinceCodes: ['PV27'] });
const owner = (code: string, name: string, rest: Partial<SimulatedOwner> = {}): SimulatedOwner => ({
  workflowId: ownerWorkflowId({ kind: 'municipality', code }),
  input: { owner: ref(code, name), rulebook: small.rulebook, rulebookHash: small.hash },
  startedAt: at('2031-05-01T00:00:00Z'),
  scope: scope(code, name),
  ...rest,
});
const org = (key: string, kind: 'municipality' | 'region' | 'province', code: string) => ({ key, kind, name: key, code, municipalities: [] });
const candidates: RecipientCandidate[] = [
  { source: 'onboarding', email: 'pm@gm0363.example', owner: { kind: 'municipality', code: 'GM0363', name: 'Amsterdam' } },
  { source: 'contact', email: 'wethouder@amsterdam.example', role: 'alderman', language: 'nl', organisation: org('amsterdam', 'municipality', 'GM0363') },
  { source: 'contact', email: 'gestopt@diemen.example', role: 'alderman', language: 'nl', organisation: org('diemen', 'municipality', 'GM0384') },
  { source: 'contact', email: 'regio@groot-amsterdam.example', role: 'regional-coordinator', language: 'nl', organisation: org('groot-amsterdam', 'region', 'CR23') },
  { source: 'contact', email: 'wonen@noord-holland.example', role: 'province', language: 'nl', organisation: org('noord-holland', 'province', 'PV27') },
];
/** Amsterdam's programme manager and the province read the weekly digest; Diemen's alderman stopped optional mail. */
const preferences = new Map<string, MailPreferenceState>([
  ['pm@gm0363.example', { delivery: 'digest', stopped: false }],
  ['wonen@noord-holland.example', { delivery: 'digest', stopped: false }],
  ['gestopt@diemen.example', { delivery: 'immediate', stopped: true }],
]);
/** 1 May up to 1 September 2031, Amsterdam midnights. */
const period = { from: at('2031-04-30T22:00:00Z'), until: at('2031-08-31T22:00:00Z') };
const run = (owners: SimulatedOwner[], extra: Partial<SimulationInput> = {}) => simulate({ owners, candidates, preferences, ...period, ...extra });
const key = (code: string, due: string, firing: string) => `programme-${code}:volkshuisvestingsprogramma:${due}:${firing}`;
const iso = (ms: number) => new Date(ms).toISOString();

describe('the load simulation', () => {
  const result = run([owner('GM0363', 'Amsterdam'), owner('GM0384', 'Diemen')]);

  it('predicts every mail the SMTP server will receive: one per recipient and business key, digests included', () => {
    expect(result.mails.map((m) => [iso(m.at), m.recipient, m.businessKey, m.kind, m.role])).toEqual([
      ['2031-05-30T07:00:00.000Z', 'wethouder@amsterdam.example', key('GM0363', '2031-07-01', 'reminder-30d'), 'reminder', 'alderman'],
      ['2031-06-02T06:00:00.000Z', 'pm@gm0363.example', 'digest:2031-06-02:GM0363:pm@gm0363.example', 'digest', 'programme-manager'],
      ['2031-06-24T07:00:00.000Z', 'wethouder@amsterdam.example', key('GM0363', '2031-07-01', 'reminder-7d'), 'reminder', 'alderman'],
      ['2031-06-30T06:00:00.000Z', 'pm@gm0363.example', 'digest:2031-06-30:GM0363:pm@gm0363.example', 'digest', 'programme-manager'],
      // The first rung is a mandatory notice to an office holder: Diemen's alderman gets it although optional mail is stopped.
      ['2031-07-02T07:00:00.000Z', 'gestopt@diemen.example', key('GM0384', '2031-07-01', 'escalation-1'), 'escalation', 'alderman'],
      ['2031-07-02T07:00:00.000Z', 'wethouder@amsterdam.example', key('GM0363', '2031-07-01', 'escalation-1'), 'escalation', 'alderman'],
      ['2031-07-07T06:00:00.000Z', 'pm@gm0363.example', 'digest:2031-07-07:GM0363:pm@gm0363.example', 'digest', 'programme-manager'],
      ['2031-07-15T07:00:00.000Z', 'regio@groot-amsterdam.example', key('GM0363', '2031-07-01', 'escalation-2'), 'escalation', 'regional-coordinator'],
      ['2031-07-15T07:00:00.000Z', 'regio@groot-amsterdam.example', key('GM0384', '2031-07-01', 'escalation-2'), 'escalation', 'regional-coordinator'],
      // Both municipalities' third rung reach the province in one digest on Monday 4 August.
      ['2031-08-04T06:00:00.000Z', 'wonen@noord-holland.example', 'digest:2031-08-04:noord-holland:wonen@noord-holland.example', 'digest', 'province'],
    ]);
    expect(result.mails.find((m) => m.recipient === 'wonen@noord-holland.example')!.items).toEqual([key('GM0363', '2031-07-01', 'escalation-3'), key('GM0384', '2031-07-01', 'escalation-3')]);
    // A digest is optional only if everything in it is: the rung in it is not.
    expect(result.mails.filter((m) => m.kind === 'digest').map((m) => m.optional)).toEqual([true, true, false, false]);
  });

  it('does not count an optional mail to a recipient who stopped it, and says so', () => {
    const diemen = result.deliveries.filter((d) => d.recipient === 'gestopt@diemen.example');
    expect(diemen.map((d) => [d.firingKey, d.optional, d.delivery])).toEqual([
      ['reminder-30d', true, 'unsubscribed'],
      ['reminder-7d', true, 'unsubscribed'],
      ['escalation-1', false, 'immediate'],
    ]);
    expect(result.mails.filter((m) => m.recipient === 'gestopt@diemen.example').map((m) => m.kind)).toEqual(['escalation']);
  });

  it('keeps every firing with whom it reached, and the deadlines that notify no one', () => {
    expect(result.notifications.map((n) => [iso(n.at), n.owner.code, n.businessKey.split(':').pop(), n.recipients])).toEqual([
      ['2031-05-30T07:00:00.000Z', 'GM0363', 'reminder-30d', ['pm@gm0363.example', 'wethouder@amsterdam.example']],
      ['2031-05-30T07:00:00.000Z', 'GM0384', 'reminder-30d', ['gestopt@diemen.example']],
      ['2031-06-24T07:00:00.000Z', 'GM0363', 'reminder-7d', ['pm@gm0363.example', 'wethouder@amsterdam.example']],
      ['2031-06-24T07:00:00.000Z', 'GM0384', 'reminder-7d', ['gestopt@diemen.example']],
      ['2031-07-02T07:00:00.000Z', 'GM0363', 'escalation-1', ['pm@gm0363.example', 'wethouder@amsterdam.example']],
      ['2031-07-02T07:00:00.000Z', 'GM0384', 'escalation-1', ['gestopt@diemen.example']],
      ['2031-07-15T07:00:00.000Z', 'GM0363', 'escalation-2', ['regio@groot-amsterdam.example']],
      ['2031-07-15T07:00:00.000Z', 'GM0384', 'escalation-2', ['regio@groot-amsterdam.example']],
      ['2031-07-31T07:00:00.000Z', 'GM0363', 'escalation-3', ['wonen@noord-holland.example']],
      ['2031-07-31T07:00:00.000Z', 'GM0384', 'escalation-3', ['wonen@noord-holland.example']],
    ]);
    expect(result.deadlines.map((d) => [iso(d.at), d.owner, d.event])).toEqual([
      ['2031-07-02T07:00:00.000Z', 'GM0363', 'overdue'],
      ['2031-07-02T07:00:00.000Z', 'GM0384', 'overdue'],
    ]);
  });

  it('summarises per day, week, role and province', () => {
    const s = summarise(result, period.from, period.until);
    expect(s).toMatchObject({
      from: '2031-05-01',
      until: '2031-09-01',
      mails: 10,
      notifications: 10,
      withoutRecipients: 0,
      deliveries: { immediate: 6, digest: 5, unsubscribed: 2, cancelled: 0, afterPeriod: 0 },
      digests: 4,
      deadlines: 2,
      peakWeek: { week: '2031-06-30', mails: 3 },
      perRole: { alderman: 4, 'programme-manager': 3, 'regional-coordinator': 2, province: 1 },
      perProvince: [{ code: 'PV27', mails: 10 }],
      perKind: { reminder: 2, digest: 4, escalation: 4 },
    });
    expect(s.busiestDays.slice(0, 2)).toEqual([
      { day: '2031-07-02', mails: 2 },
      { day: '2031-07-15', mails: 2 },
    ]);
    // Every week from the Monday before the start to the last one, the quiet ones too.
    expect(s.perWeek[0]).toEqual({ week: '2031-04-28', mails: 0 });
    expect(s.perWeek.at(-1)).toEqual({ week: '2031-08-25', mails: 0 });
    expect(s.perWeek.reduce((sum, w) => sum + w.mails, 0)).toBe(10);
  });

  it('replays an update as the workflow received it: a change notice, the moments of the new date, and a digest item it overtook dropped', () => {
    // The province extends Amsterdam's term on Wednesday 25 June to 1 October; the 7-day reminder waits in the programme manager's digest.
    const extended = owner('GM0363', 'Amsterdam', {
      updates: [{ at: at('2031-06-25T10:00:00Z'), update: { kind: 'extend', input: { step: 'volkshuisvestingsprogramma', to: '2031-10-01', reason: 'Raadsvergadering verschoven', grantedBy: 'Provincie Noord-Holland' } } }],
    });
    const r = run([extended]);
    expect(r.mails.map((m) => [iso(m.at), m.recipient, m.businessKey])).toEqual([
      ['2031-05-30T07:00:00.000Z', 'wethouder@amsterdam.example', key('GM0363', '2031-07-01', 'reminder-30d')],
      ['2031-06-02T06:00:00.000Z', 'pm@gm0363.example', 'digest:2031-06-02:GM0363:pm@gm0363.example'],
      ['2031-06-24T07:00:00.000Z', 'wethouder@amsterdam.example', key('GM0363', '2031-07-01', 'reminder-7d')],
      ['2031-06-25T10:00:00.000Z', 'wethouder@amsterdam.example', key('GM0363', '2031-10-01', 'change-notice')],
      ['2031-06-30T06:00:00.000Z', 'pm@gm0363.example', 'digest:2031-06-30:GM0363:pm@gm0363.example'],
    ]);
    // The digest of 30 June holds the change notice; the reminder for the old date is dropped, as the dispatcher drops it.
    expect(r.mails.at(-1)!.items).toEqual([key('GM0363', '2031-10-01', 'change-notice')]);
    expect(r.deliveries.find((d) => d.businessKey === key('GM0363', '2031-07-01', 'reminder-7d') && d.recipient === 'pm@gm0363.example')!.delivery).toBe('cancelled');
    // No rung for the old date; the new date's first reminder (Monday 1 September) lies after the period.
    expect(r.notifications.map((n) => n.businessKey.split(':').slice(-2).join(':'))).toEqual([
      '2031-07-01:reminder-30d',
      '2031-07-01:reminder-7d',
      '2031-10-01:change-notice',
    ]);
    expect(r.deadlines).toEqual([]);
  });

  it('shows what a new rulebook version would change when applied at the start, and draws both runs', () => {
    // The same law read as in force a year later: due 1 July 2032, nothing of this period fires any more, one change notice each.
    const later = hashRulebook(parseRulebook({ ...small.rulebook, id: 'test-simulation-later', effectiveDate: '2030-07-01' }, 'test-simulation-later'));
    const owners = [owner('GM0363', 'Amsterdam'), owner('GM0384', 'Diemen')];
    const after = run(owners, { apply: later });
    expect(after.mails.map((m) => [iso(m.at), m.recipient, m.businessKey])).toEqual([
      ['2031-05-01T00:00:00.000Z', 'wethouder@amsterdam.example', key('GM0363', '2032-07-01', 'change-notice')],
      ['2031-05-05T06:00:00.000Z', 'pm@gm0363.example', 'digest:2031-05-05:GM0363:pm@gm0363.example'],
    ]);
    // Diemen's alderman stopped optional mail: a change notice is optional.
    expect(after.deliveries.filter((d) => d.recipient === 'gestopt@diemen.example').map((d) => d.delivery)).toEqual(['unsubscribed']);
    const before = summarise(result, period.from, period.until);
    const afterSummary = summarise(after, period.from, period.until);
    const c = compareLoads(before, afterSummary);
    expect(c.mails).toEqual({ before: 10, after: 2 });
    expect(c.weeks[0]).toEqual({ week: '2031-04-28', before: 0, after: 1 });
    expect(c.perKind).toContainEqual({ kind: 'change-notice', before: 0, after: 1 });
    expect(c.busiestDays.changed).toContainEqual({ day: '2031-07-02', before: 2, after: 0 });
    const svg = mailsPerWeekSvg({ title: 'Mails per week', series: { label: 'test-simulation', weeks: before.perWeek }, compare: { label: 'test-simulation-later', weeks: afterSummary.perWeek } });
    expect(svg).toMatch(/^<svg [^>]*role="img"/);
    expect(svg).toContain('<title id="regie-load-title">Mails per week</title>');
    expect(svg).toContain('<polyline');
    expect(svg).not.toMatch(/<style|<script| style=/);
  });

  it('gives a rulebook page the load as it stands and with the version applied today, drawn together', () => {
    const later = hashRulebook(parseRulebook({ ...small.rulebook, id: 'test-simulation-later', effectiveDate: '2030-07-01' }, 'test-simulation-later'));
    const load = rulebookLoad({ owners: [owner('GM0363', 'Amsterdam'), owner('GM0384', 'Diemen')], candidates, preferences }, later, at('2031-05-01T00:00:00Z'), { years: 1 });
    expect([load.before.mails, load.after.mails]).toEqual([10, 2]);
    expect(load.svg).toContain('<title id="regie-load-title">Mails per week, vanaf donderdag 1 mei 2031</title>');
    expect(load.svg).toContain('met test-simulation-later, vandaag toegepast');
  });

  it('counts an update the model refuses instead of applying it', () => {
    const r = run([owner('GM0363', 'Amsterdam', { updates: [{ at: at('2031-06-01T10:00:00Z'), update: { kind: 'targetDate', input: { step: 'volkshuisvestingsprogramma', date: '2031-09-01', by: 'PM' } } }] })]);
    expect(r.refusedUpdates).toBe(1);
    expect(r.mails).toHaveLength(run([owner('GM0363', 'Amsterdam')]).mails.length);
  });
});
