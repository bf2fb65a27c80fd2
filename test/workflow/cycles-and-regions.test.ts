/**
 * The yearly prestatieafspraken cycle over three years (with continue-as-new) and a region's target-date
 * steps, on the time-skipping server with real activities, Postgres and SMTP.
 */
import { completeStep, programmeStateQuery, programmeWorkflowId, regionWorkflowId, setTargetDate, updateProgress } from '../../libs/contracts';
import { storeRulebook } from '../../libs/db/rulebook-store';
import { programmeWorkflow, regionWorkflow } from '../../workflows';
import { workflowHarness } from '../support/workflow-harness';
import { recordHistory } from '../support/histories';
import { rulebookWithSteps } from '../support/rulebooks';

const h = workflowHarness('cycles-test');

test('the yearly prestatieafspraken cycle repeats over three years, continues as new, and fires each moment once', async () => {
  // The workflow plans from "today", as onboarding does: the harness pins it to 25 November 2030.
  const rulebook = rulebookWithSteps('test-cycles', ['prestatieafspraken-bod', 'prestatieafspraken']);
  await storeRulebook(h.dataSource, rulebook, 'operator');
  await h.dataSource.query(`INSERT INTO onboarding (municipality_code, workflow_id, rulebook_id, programme_manager_email) VALUES ('GM0363', 'programme-GM0363', $1, 'pm@gm0363.example')`, [rulebook.rulebook.id]);
  await h.withWorker('cycles', async () => {
    const handle = await h.env.client.workflow.start(programmeWorkflow, {
      workflowId: programmeWorkflowId('GM0363'),
      taskQueue: 'cycles',
      args: [{
        owner: { kind: 'municipality', code: 'GM0363', name: 'Amsterdam', provinceCode: 'PV27', provinceName: 'Noord-Holland', regionCode: 'CR23', regionName: 'Groot-Amsterdam' },
        rulebook: rulebook.rulebook,
        rulebookHash: rulebook.hash,
        // Small, so the three years surely continue as new at least once.
        continueAsNewAfterEvents: 120,
      }],
    });
    await h.advanceTo('2030-12-10T12:00:00Z');
    // The 2030 agreements are concluded with the care and welfare providers involved.
    await handle.executeUpdate(updateProgress, { args: [{ step: 'prestatieafspraken:2030', checklist: { 'zorg-welzijn-betrokken': true, ondertekend: true }, by: 'PM' }] });
    await handle.executeUpdate(completeStep, { args: [{ step: 'prestatieafspraken:2030', evidence: { kind: 'document', reference: 'Prestatieafspraken 2031' }, by: 'PM' }] });
    await h.advanceTo('2033-12-31T12:00:00Z');

    const sent = await h.dataSource.query(
      `SELECT step, event, detail->>'firing' AS firing, detail->>'day' AS day FROM step_event
       WHERE workflow_id = 'programme-GM0363' AND (event LIKE 'reminder-%' OR event LIKE 'escalation-%' OR event IN ('overdue')) ORDER BY seq`,
    );
    expect(sent.map((e: Record<string, string>) => [e.step, e.event, e.firing, e.day])).toEqual([
      // 15 December 2030 is a Sunday: due Monday 16 December (Atw); 90 and 30 days before had passed on 25 November.
      ['prestatieafspraken:2030', 'reminder-queued', 'reminder-7d', '2030-12-09'],
      // 31 May 2031 is a Saturday: the reminder goes out on Friday 30 May.
      ['prestatieafspraken-bod:2031', 'reminder-queued', 'reminder-30d', '2031-05-30'],
      ['prestatieafspraken-bod:2031', 'reminder-queued', 'reminder-7d', '2031-06-23'],
      ['prestatieafspraken-bod:2031', 'overdue', null, null],
      ['prestatieafspraken-bod:2031', 'escalation-queued', 'escalation-1', '2031-07-01'],
      ['prestatieafspraken:2031', 'reminder-queued', 'reminder-90d', '2031-09-16'],
      // 15 November 2031 is a Saturday.
      ['prestatieafspraken:2031', 'reminder-queued', 'reminder-30d', '2031-11-14'],
      ['prestatieafspraken:2031', 'reminder-queued', 'reminder-7d', '2031-12-08'],
      ['prestatieafspraken:2031', 'overdue', null, null],
      ['prestatieafspraken:2031', 'escalation-queued', 'escalation-1', '2031-12-16'],
      ['prestatieafspraken-bod:2032', 'reminder-queued', 'reminder-30d', '2032-05-31'],
      ['prestatieafspraken-bod:2032', 'reminder-queued', 'reminder-7d', '2032-06-23'],
      ['prestatieafspraken-bod:2032', 'overdue', null, null],
      ['prestatieafspraken-bod:2032', 'escalation-queued', 'escalation-1', '2032-07-01'],
      ['prestatieafspraken:2032', 'reminder-queued', 'reminder-90d', '2032-09-16'],
      ['prestatieafspraken:2032', 'reminder-queued', 'reminder-30d', '2032-11-15'],
      ['prestatieafspraken:2032', 'reminder-queued', 'reminder-7d', '2032-12-08'],
      ['prestatieafspraken:2032', 'overdue', null, null],
      ['prestatieafspraken:2032', 'escalation-queued', 'escalation-1', '2032-12-16'],
      ['prestatieafspraken-bod:2033', 'reminder-queued', 'reminder-30d', '2033-05-31'],
      ['prestatieafspraken-bod:2033', 'reminder-queued', 'reminder-7d', '2033-06-23'],
      ['prestatieafspraken-bod:2033', 'overdue', null, null],
      ['prestatieafspraken-bod:2033', 'escalation-queued', 'escalation-1', '2033-07-01'],
      ['prestatieafspraken:2033', 'reminder-queued', 'reminder-90d', '2033-09-16'],
      ['prestatieafspraken:2033', 'reminder-queued', 'reminder-30d', '2033-11-15'],
      ['prestatieafspraken:2033', 'reminder-queued', 'reminder-7d', '2033-12-08'],
      ['prestatieafspraken:2033', 'overdue', null, null],
      ['prestatieafspraken:2033', 'escalation-queued', 'escalation-1', '2033-12-16'],
    ]);
    // Each moment reached the SMTP server once, across runs.
    await h.delivered();
    const keys = h.smtp.mails.map((m) => String(m.parsed.headers.get('x-regie-business-key')));
    expect(keys).toHaveLength(22);
    expect(new Set(keys).size).toBe(22);

    // It continued as new at least once, carrying its state: the next cycles already exist.
    const description = await handle.describe();
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
    // The first run's history ends in continue-as-new; the latest run carries on with the cycles.
    await recordHistory('continue-as-new', h.env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId));
    await recordHistory('yearly-cycles-continued', handle);
    const state = await handle.query(programmeStateQuery);
    expect(state.steps.map((s) => s.key).sort()).toEqual(
      expect.arrayContaining(['prestatieafspraken-bod:2034', 'prestatieafspraken:2034', 'prestatieafspraken:2033', 'prestatieafspraken-bod:2033']),
    );
    const [agreements2030] = await h.dataSource.query(`SELECT status, detail FROM step_state WHERE owner_code = 'GM0363' AND step = 'prestatieafspraken:2030'`);
    expect(agreements2030.status).toBe('done');
    expect(agreements2030.detail.checklist).toMatchObject({ 'zorg-welzijn-betrokken': true, ondertekend: true });
    const cycles = await h.dataSource.query(`SELECT step, cycle_year FROM step_state WHERE owner_code = 'GM0363' ORDER BY cycle_year, step`);
    expect(cycles.map((c: { step: string }) => c.step)).toEqual([
      'prestatieafspraken:2030', 'prestatieafspraken-bod:2031', 'prestatieafspraken:2031', 'prestatieafspraken-bod:2032', 'prestatieafspraken:2032',
      'prestatieafspraken-bod:2033', 'prestatieafspraken:2033', 'prestatieafspraken-bod:2034', 'prestatieafspraken:2034',
    ]);
  });
});

test("a region's target-date steps remind the coordinator as planned dates, and become late, not overdue", async () => {
  const rulebook = rulebookWithSteps('test-region', ['overlegstructuur', 'woonzorganalyse']);
  await storeRulebook(h.dataSource, rulebook, 'operator');
  await h.dataSource.query(`INSERT INTO region_onboarding (region_code, workflow_id, rulebook_id, coordinator_email) VALUES ('CR23', 'region-CR23', $1, 'regio@groot-amsterdam.example')`, [rulebook.rulebook.id]);
  await h.withWorker('region', async () => {
    const handle = await h.env.client.workflow.start(regionWorkflow, {
      workflowId: regionWorkflowId('CR23'),
      taskQueue: 'region',
      args: [{
        owner: { kind: 'region', code: 'CR23', name: 'Groot-Amsterdam', provinceCode: 'PV27', provinceName: 'Noord-Holland', regionCode: 'CR23', regionName: 'Groot-Amsterdam' },
        rulebook: rulebook.rulebook,
        rulebookHash: rulebook.hash,
        initialSteps: { overlegstructuur: { status: 'done', evidence: [{ kind: 'document', reference: 'Convenant regio 2026', recordedBy: 'Import' }] } },
      }],
    });
    const set = await handle.executeUpdate(setTargetDate, { args: [{ step: 'woonzorganalyse', date: '2031-03-03', by: 'Regio Groot-Amsterdam' }] });
    expect(set).toMatchObject({ dateKind: 'target', due: { date: '2031-03-03', text: 'maandag 3 maart 2031 (streefdatum, vastgesteld door Regio Groot-Amsterdam); gepland, geen wettelijke termijn; de Algemene termijnenwet is niet van toepassing (art. 1 lid 1: geen in een wet gestelde termijn).' } });
    await h.advanceTo('2031-04-01T00:00:00Z');
    await recordHistory('region-target-date', handle);
    const state = await handle.query(programmeStateQuery);
    expect(state.steps.find((s) => s.key === 'woonzorganalyse')).toMatchObject({ overdue: false, late: true, overdueSince: '2031-03-04' });
    expect(state.firings.map((f) => [f.step, f.key, f.day, f.outcome])).toEqual([
      // 1 February 2031 is a Saturday.
      ['woonzorganalyse', 'reminder-30d', '2031-01-31', 'queued'],
      ['woonzorganalyse', 'reminder-7d', '2031-02-24', 'queued'],
      ['woonzorganalyse', 'deadline-passed', '2031-03-04', 'recorded'],
    ]);
    await h.delivered();
    const mails = h.smtp.mails.filter((m) => String(m.parsed.headers.get('x-regie-business-key')).startsWith('region-CR23:'));
    expect(mails.map((m) => [m.envelopeTo.join(), m.parsed.subject])).toEqual([
      ['regio@groot-amsterdam.example', 'Herinnering: Woonzorganalyse (behoefteanalyse wonen en zorg) Groot-Amsterdam – gepland maandag 3 maart 2031'],
      ['regio@groot-amsterdam.example', 'Herinnering: Woonzorganalyse (behoefteanalyse wonen en zorg) Groot-Amsterdam – gepland maandag 3 maart 2031'],
    ]);
    expect(mails[0].parsed.text).toContain('Over 30 dagen verloopt de geplande datum (streefdatum) voor het woonzorganalyse (behoefteanalyse wonen en zorg) van regio Groot-Amsterdam (CR23).');
    expect(mails[0].parsed.text).not.toContain('wettelijke termijn:');
    const rows = await h.dataSource.query(`SELECT step, status, late, overdue FROM step_state WHERE owner_kind = 'region' AND owner_code = 'CR23' ORDER BY step`);
    expect(rows).toEqual([
      { step: 'overlegstructuur', status: 'done', late: false, overdue: false },
      { step: 'woonzorganalyse', status: 'open', late: true, overdue: false },
    ]);
  });
});

test("a yearly step imported as done counts for its current cycle only: next year's cycle opens", async () => {
  const rulebook = rulebookWithSteps('test-import-cycle', ['prestatieafspraken-bod', 'prestatieafspraken']);
  await storeRulebook(h.dataSource, rulebook, 'operator');
  await h.dataSource.query(`INSERT INTO onboarding (municipality_code, workflow_id, rulebook_id, programme_manager_email) VALUES ('GM0014', 'programme-GM0014', $1, 'pm@gm0014.example')`, [rulebook.rulebook.id]);
  await h.withWorker('import-cycle', async () => {
    const handle = await h.env.client.workflow.start(programmeWorkflow, {
      workflowId: programmeWorkflowId('GM0014'),
      taskQueue: 'import-cycle',
      args: [{
        owner: { kind: 'municipality', code: 'GM0014', name: 'Groningen', provinceCode: 'PV20', provinceName: 'Groningen', regionCode: 'CR03', regionName: 'Overig Groningen' },
        rulebook: rulebook.rulebook,
        rulebookHash: rulebook.hash,
        initialSteps: { prestatieafspraken: { status: 'done', evidence: [{ kind: 'document', reference: 'Prestatieafspraken 2031', recordedBy: 'Import' }] } },
      }],
    });
    await h.advanceTo('2031-01-05T12:00:00Z');
    const steps = (await handle.query(programmeStateQuery)).steps.map((s) => [s.key, s.status]);
    expect(steps).toEqual(expect.arrayContaining([['prestatieafspraken:2030', 'done'], ['prestatieafspraken:2031', 'open']]));
  });
});
