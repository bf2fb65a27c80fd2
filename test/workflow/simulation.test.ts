/**
 * The load simulation against what really happens: three municipalities and their region, onboarded with
 * contacts of every role (one programme manager and the province on the weekly digest, an alderman and a
 * corporation who stopped optional mail), are simulated first, from the database, with no engine; then the
 * same workflows run on the time-skipping server with the real activities, dispatcher, digest workflow and
 * SMTP server through reminders, a passed term, three escalation rungs, a corporation's yearly bid and a
 * region's streefdatum. The SMTP server receives exactly the predicted mails: equal multisets of
 * (recipient, business key), each once.
 */
import { WEEKLY_DIGEST_WORKFLOW_ID } from '../../libs/contracts';
import { storeRulebook } from '../../libs/db/rulebook-store';
import { hashRulebook } from '../../libs/rulebook/rulebook-files';
import { parseRulebook } from '../../libs/rulebook/rulebook.schema';
import { readSimulationInput } from '../../libs/simulation/read-input';
import { simulate } from '../../libs/simulation/simulate';
import { programmeWorkflow, regionWorkflow, weeklyDigestWorkflow } from '../../workflows';
import { shippedRulebook } from '../support/rulebooks';
import { PINNED_TODAY, workflowHarness } from '../support/workflow-harness';

const h = workflowHarness('simulation-test');
const queue = 'simulation';

/**
 * The default rulebook as in force from 1 March 2029: the programme is due Saturday 1 March 2031 (a term in
 * years, never shifted), with its 90-, 30- and 7-day reminders (29 November, 30 January, 21 February), the
 * term passed and the first rung on Monday 3 March, the region's rung on 17 March and the province's on 31
 * March; the corporations' bid for 2031 "vóór 1 juli" (Monday 30 June: reminders 30 May and 23 June, its rung
 * 1 July); the region's consultation structure with a streefdatum of 15 January 2031 (reminders 16 December and 8 January).
 */
const base = shippedRulebook('wvrv-2025-07-01.3');
const rulebook = hashRulebook(
  parseRulebook(
    {
      ...base,
      id: 'test-simulation',
      effectiveDate: '2029-03-01',
      steps: base.steps.filter((s) => ['overlegstructuur', 'volkshuisvestingsprogramma', 'prestatieafspraken-bod'].includes(s.key)).map((s) => ({ ...s, dependsOn: [] })),
    },
    'test-simulation',
  ),
);
const until = '2031-07-10T00:00:00Z';

test('the SMTP server receives exactly the mails the simulation predicted, one per recipient and business key', async () => {
  await storeRulebook(h.dataSource, rulebook, 'operator');
  const startedAt = new Date(PINNED_TODAY);
  const q = (sql: string, params: unknown[] = []) => h.dataSource.query(sql, params);
  for (const [code, pm] of [['GM0363', 'pm@gm0363.example'], ['GM0384', null], ['GM0437', 'pm@gm0437.example']]) {
    await q(`INSERT INTO onboarding (municipality_code, workflow_id, rulebook_id, programme_manager_email, workflow_started_at) VALUES ($1, $2, $3, $4, $5)`, [
      code, `programme-${code}`, rulebook.rulebook.id, pm, startedAt,
    ]);
  }
  await q(`INSERT INTO region_onboarding (region_code, workflow_id, rulebook_id, initial_steps, workflow_started_at) VALUES ('CR23', 'region-CR23', $1, $2, $3)`, [
    rulebook.rulebook.id, JSON.stringify({ overlegstructuur: { targetDate: '2031-01-15' } }), startedAt,
  ]);
  await q(`INSERT INTO organisation (key, kind, name, code) VALUES
    ('amsterdam', 'municipality', 'Gemeente Amsterdam', 'GM0363'), ('diemen', 'municipality', 'Gemeente Diemen', 'GM0384'),
    ('groot-amsterdam', 'region', 'Regio Groot-Amsterdam', 'CR23'), ('noord-holland', 'province', 'Provincie Noord-Holland', 'PV27'),
    ('ymere', 'housing-corporation', 'Ymere', NULL), ('eigen-haard', 'housing-corporation', 'Eigen Haard', NULL)`);
  await q(`INSERT INTO organisation_municipality (organisation_key, municipality_code) VALUES ('ymere', 'GM0363'), ('ymere', 'GM0384'), ('eigen-haard', 'GM0437')`);
  await q(`INSERT INTO contact (organisation_key, email, role, language) VALUES
    ('amsterdam', 'wethouder@amsterdam.example', 'alderman', 'nl'),
    ('diemen', 'wethouder@diemen.example', 'alderman', 'en'),
    ('diemen', 'pm@diemen.example', 'programme-manager', 'nl'),
    ('groot-amsterdam', 'regio@groot-amsterdam.example', 'regional-coordinator', 'nl'),
    ('noord-holland', 'wonen@noord-holland.example', 'province', 'nl'),
    ('ymere', 'bod@ymere.example', 'housing-corporation', 'nl'),
    ('eigen-haard', 'bod@eigenhaard.example', 'housing-corporation', 'nl')`);
  // Weekly digests for Amsterdam's programme manager and the province; Diemen's alderman and Eigen Haard stopped optional mail.
  await q(`INSERT INTO mail_preference (recipient, delivery, optional_stopped_at, updated_via) VALUES
    ('pm@gm0363.example', 'digest', NULL, 'test'), ('wonen@noord-holland.example', 'digest', NULL, 'test'),
    ('wethouder@diemen.example', 'immediate', now(), 'one-click'), ('bod@eigenhaard.example', 'immediate', now(), 'one-click')`);

  // The prediction, before anything runs: from the database, pure, no engine.
  const input = await readSimulationInput(h.dataSource, 'corop');
  expect(input.owners.map((o) => o.workflowId)).toEqual(['region-CR23', 'programme-GM0363', 'programme-GM0384', 'programme-GM0437']);
  const predicted = simulate({ ...input, from: Date.parse(PINNED_TODAY), until: Date.parse(until) });

  await h.withWorker(queue, async () => {
    await h.env.client.workflow.start(weeklyDigestWorkflow, { workflowId: WEEKLY_DIGEST_WORKFLOW_ID, taskQueue: queue });
    for (const owner of input.owners) {
      await h.env.client.workflow.start(owner.input.owner.kind === 'region' ? regionWorkflow : programmeWorkflow, { workflowId: owner.workflowId, taskQueue: queue, args: [owner.input] });
    }
    await h.advanceTo(until);
  });
  await h.delivered();

  const received = h.smtp.mails.map((m) => `${m.envelopeTo.join(',')} ${m.parsed.headers.get('x-regie-business-key')}`).sort();
  const expected = predicted.mails.map((m) => `${m.recipient} ${m.businessKey}`).sort();
  expect(received).toEqual(expected);
  expect(new Set(received).size).toBe(received.length);
  // 29 mails at once (15 for the programmes, 12 for the bids, 2 for the region) and 8 digests: 7 of Amsterdam's
  // programme manager, one week each, and one of the province with the three municipalities' third rung.
  expect(predicted.mails.filter((m) => m.kind !== 'digest')).toHaveLength(29);
  expect(predicted.mails.filter((m) => m.kind === 'digest').map((m) => m.businessKey)).toEqual([
    'digest:2030-12-02:GM0363:pm@gm0363.example',
    'digest:2031-02-03:GM0363:pm@gm0363.example',
    'digest:2031-02-24:GM0363:pm@gm0363.example',
    'digest:2031-03-10:GM0363:pm@gm0363.example',
    'digest:2031-04-07:noord-holland:wonen@noord-holland.example',
    'digest:2031-06-02:GM0363:pm@gm0363.example',
    'digest:2031-06-30:GM0363:pm@gm0363.example',
    'digest:2031-07-07:GM0363:pm@gm0363.example',
  ]);

  // What the run covered: reminders, rungs on every level, digests, an optional mail not sent and a mandatory one sent.
  const kinds = (mails: typeof predicted.mails) => [...new Set(mails.map((m) => (m.kind === 'escalation' ? `escalation-${m.rung}` : m.kind)))].sort();
  expect(kinds(predicted.mails)).toEqual(['digest', 'escalation-1', 'escalation-2', 'reminder']);
  expect(predicted.deliveries.filter((d) => d.delivery === 'digest' && d.role === 'province').map((d) => d.firingKey)).toEqual(['escalation-3', 'escalation-3', 'escalation-3']);
  expect(predicted.deadlines.map((d) => `${d.owner} ${d.step}`)).toEqual(expect.arrayContaining(['GM0363 volkshuisvestingsprogramma', 'CR23 overlegstructuur']));
  const diemen = predicted.deliveries.filter((d) => d.recipient === 'wethouder@diemen.example');
  expect(diemen.filter((d) => d.delivery === 'unsubscribed').map((d) => d.firingKey)).toEqual(['reminder-30d', 'reminder-7d']);
  expect(diemen.filter((d) => d.delivery === 'immediate').map((d) => d.firingKey)).toEqual(['escalation-1']);
  // Eigen Haard is no office holder: its bid's rung is optional to it, and it stopped optional mail.
  expect(predicted.deliveries.filter((d) => d.recipient === 'bod@eigenhaard.example').map((d) => [d.firingKey, d.delivery])).toEqual([
    ['reminder-30d', 'unsubscribed'],
    ['reminder-7d', 'unsubscribed'],
    ['escalation-1', 'unsubscribed'],
  ]);
  // The outbox agrees row by row: the same recipients unsubscribed, the same bundled into digests.
  const outbox: { business_key: string; recipient: string; status: string; digest: string | null }[] = await h.dataSource.query(
    `SELECT o.business_key, o.recipient, o.status, d.business_key AS digest FROM outbox o LEFT JOIN outbox d ON d.id = o.digest_id WHERE o.kind = 'notification'`,
  );
  const rows = (list: { businessKey: string; recipient: string; state: string }[]) => list.map((r) => `${r.recipient} ${r.businessKey} ${r.state}`).sort();
  expect(rows(outbox.map((r) => ({ businessKey: r.business_key, recipient: r.recipient, state: r.status === 'in-digest' ? r.digest! : r.status })))).toEqual(
    rows(predicted.deliveries.map((d) => ({ businessKey: d.businessKey, recipient: d.recipient, state: d.delivery === 'digest' ? d.digest! : d.delivery === 'immediate' ? 'sent' : d.delivery }))),
  );
});
