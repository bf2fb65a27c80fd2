import * as path from 'node:path';
import { readRulebookDir } from '../rulebook/rulebook-files';
import { ProgrammeSteps } from './programme-steps';
import { LoopCommand, runUntil, stepLoop } from './step-loop';

const current = readRulebookDir(path.join(__dirname, '..', 'rulebook', 'versions')).find((r) => r.rulebook.id === 'wvrv-2025-07-01.3')!;
const at = (iso: string) => Date.parse(iso);
const owner = { kind: 'municipality' as const, code: 'GM0363', name: 'Amsterdam', provinceCode: 'PV27', provinceName: 'Noord-Holland', regionCode: 'CR23', regionName: 'Groot-Amsterdam' };
const model = () => new ProgrammeSteps({ owner, rulebook: current.rulebook, rulebookHash: current.hash }, { workflowId: 'programme-GM0363', termRules: () => 'statute' });

describe('the workflow loop as pure code', () => {
  it('yields what the workflow performs, in its order: new steps and skipped moments, search attributes, then a wait for the next moment', () => {
    const clock = at('2027-03-02T10:00:00Z');
    const loop = stepLoop(model(), () => clock);
    const seen: LoopCommand['kind'][] = [];
    for (let r = loop.next(); !r.done && seen.length < 6; r = loop.next()) {
      seen.push(r.value.kind);
      if (r.value.kind === 'wait') {
        // The programme's 90-day reminder, Friday 2 April 2027 09:00 (summer time).
        expect(new Date(r.value.until).toISOString()).toBe('2027-04-02T07:00:00.000Z');
        break;
      }
    }
    expect(seen).toEqual(['turn', 'record', 'publish', 'turn', 'wait']);
  });

  it('runs until a moment with a simulated clock; an update that changes no date does not end the wait, one that does re-plans', () => {
    // The programme and the ordinance are due Thursday 1 July 2027; the ordinance is extended to 1 December on 1 May.
    const notified: string[] = [];
    const notify = ({ request }: { request: { businessKey: string } }, when: number) => {
      notified.push(`${new Date(when).toISOString()} ${request.businessKey.split(':').slice(-2).join(':')}`);
      return { outcome: 'queued' as const, recipients: ['pm@gm0363.example'] };
    };
    const m = model();
    const run = runUntil(m, {
      startedAt: at('2027-03-02T10:00:00Z'),
      until: at('2027-07-01T00:00:00Z'),
      notify,
      updates: [
        { at: at('2027-04-10T10:00:00Z'), update: { kind: 'progress', input: { step: 'volkshuisvestingsprogramma', status: 'in-progress', by: 'PM' } } },
        { at: at('2027-05-01T10:00:00Z'), update: { kind: 'extend', input: { step: 'huisvestingsverordening', to: '2027-12-01', reason: 'later', grantedBy: 'Provincie' } } },
      ],
    });
    expect(run).toEqual({ end: 'until', clock: at('2027-06-24T07:00:00Z'), refused: 0 });
    expect(notified).toEqual([
      '2027-04-02T07:00:00.000Z 2027-07-01:reminder-90d',
      '2027-04-02T07:00:00.000Z 2027-07-01:reminder-90d',
      '2027-05-01T10:00:00.000Z 2027-12-01:change-notice',
      // The corporations' bid for 2027, due Wednesday 30 June.
      '2027-05-31T07:00:00.000Z 2027-06-30:reminder-30d',
      '2027-06-01T07:00:00.000Z 2027-07-01:reminder-30d',
      // The ordinance's new date (1 December): its 180-day reminder, Friday 4 June.
      '2027-06-04T07:00:00.000Z 2027-12-01:reminder-180d',
      '2027-06-23T07:00:00.000Z 2027-06-30:reminder-7d',
      '2027-06-24T07:00:00.000Z 2027-07-01:reminder-7d',
    ]);
    expect(m.stepNow('volkshuisvestingsprogramma').status).toBe('in-progress');
  });
});
