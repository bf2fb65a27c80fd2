/**
 * Regie on a real Temporal cluster (infra/temporal-cluster.ts: the open-source server on PostgreSQL, its four
 * services as processes), with two worker and two dispatcher processes, through a wave of reminders for all
 * 342 municipalities that real time brings (the rulebook's reminder times fall a minute apart, no sleeping
 * for days): worker processes are SIGKILLed and started again all through the wave, a history service and a
 * frontend are killed and restarted, and Postgres (the cluster's store and Regie's, one server) is stopped and
 * started. Afterwards every expected mail arrived exactly once at the SMTP servers (counted there, per
 * recipient and business key; a repeat is allowed only as the documented SMTP-window re-send, with the same
 * Message-ID, counted apart), no workflow failed, the read model matches the workflows' own state, and both
 * workers and both dispatchers took work (each dispatcher sends to an SMTP server of its own).
 *
 * `npm test` runs a short wave (CLUSTER_KILLS 6 over 2 minutes, the history service and the frontend killed
 * once); `npm run test:cluster` the full one (50 kills over 5 minutes, and Postgres stopped and started).
 */
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { freeClusterPorts, startTemporalCluster, TemporalCluster } from '../../infra/temporal-cluster';
import { addDays, addYears, utcToAmsterdamDate } from '../../libs/calendar';
import { PROGRAMME_WORKFLOW_TYPE, programmeStateQuery } from '../../libs/contracts';
import { createDataSource } from '../../libs/db/data-source';
import { rulebookDueDate } from '../../libs/rulebook/schedule';
import { TestApi } from '../support/api';
import { TEST_ADMIN_TOKEN, TEST_LINK_SECRET, testConfig } from '../support/config';
import { AppProcess, countDeliveries, deliveryKey, OwnPostgres, startApp } from '../support/faults';
import { shippedRulebook } from '../support/rulebooks';
import { SmtpCatcher } from '../support/smtp';

const FULL = process.env.CLUSTER_FULL === '1';
const KILLS = Number(process.env.CLUSTER_KILLS ?? (FULL ? 50 : 6));
const WAVE_MINUTES = Number(process.env.CLUSTER_WAVE_MINUTES ?? (FULL ? 5 : 2));
const root = path.resolve(__dirname, '..', '..');
const tools = path.join(root, '.tools');

let scratch: string;
let pg: OwnPostgres;
let cluster: TemporalCluster;
let smtp: SmtpCatcher[] = [];
let api: TestApi;
let db: DataSource;
let temporal: Client;
let connection: Connection;
const workers = new Map<number, AppProcess>();
const dispatchers: AppProcess[] = [];
let vars: Record<string, string>;
let nextWorker = 0;
let stopping = false;

const log = (line: string) => process.stdout.write(`[cluster-crash] ${line}\n`);

/** A worker process; one that dies on its own (it could not reach the frontend while that was down) is started again, as a supervisor would. */
function startWorker(): AppProcess {
  const n = nextWorker++;
  const worker = startApp('worker', vars);
  void worker.exited.then(() => {
    if (workers.get(n) === worker && !stopping) {
      log(`worker ${n} exited by itself; starting another`);
      workers.delete(n);
      startWorker();
    }
  });
  workers.set(n, worker);
  return worker;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch {
      /* a component is down on purpose; ask again */
    }
    await sleep(500);
  }
  throw new Error(`${what} not reached within ${timeoutMs / 1000} s; last: ${JSON.stringify(last)?.slice(0, 500)}`);
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'regie-cluster-'));
  pg = await OwnPostgres.start(path.join(scratch, 'postgres'));
  cluster = await startTemporalCluster({
    dir: path.join(scratch, 'temporal'),
    tools,
    db: new URL(pg.url),
    databases: { persistence: 'temporal', visibility: 'temporal_visibility' },
    ports: await freeClusterPorts(),
    shards: 4,
    partitions: 4,
  });
  smtp = await Promise.all([SmtpCatcher.start(), SmtpCatcher.start()]);
  vars = {
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: cluster.address,
    SMTP_URL: smtp[0].url,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LINK_SECRET: TEST_LINK_SECRET,
    PUBLIC_BASE_URL: 'https://regie.example',
    MAIL_FROM: 'Regie <regie@test.example>',
    REGIE_RATE_LIMIT: '1000000',
    TEMPORAL_TASK_QUEUE: 'regie-cluster',
  };
  process.env.REGIE_RATE_LIMIT = '1000000';
  api = await TestApi.start(testConfig('cluster-crash', vars));
  db = createDataSource(pg.url, 'cluster-crash-test');
  await db.initialize();
  connection = await Connection.connect({ address: cluster.address });
  temporal = new Client({ connection });
  startWorker();
  startWorker();
  for (const catcher of smtp) dispatchers.push(startApp('dispatcher', { ...vars, SMTP_URL: catcher.url, MAIL_LEASE_SECONDS: '10' }));
  await Promise.all([...workers.values(), ...dispatchers].map((p) => p.ready));
  log('cluster, two workers and two dispatchers up');
}, 600_000);

afterAll(async () => {
  stopping = true;
  for (const p of [...workers.values(), ...dispatchers]) p.kill();
  await db?.destroy().catch(() => undefined);
  await connection?.close().catch(() => undefined);
  await api?.close().catch(() => undefined);
  await cluster?.stop();
  await Promise.all(smtp.map((s) => s.close()));
  await pg?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 120_000);

/** Amsterdam wall-clock HH:MM of an instant. */
const amsterdamTime = (epochMs: number) => new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(epochMs);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

/**
 * The wave's rulebook versions: for each of WAVE_MINUTES minutes one whose reminder falls at that minute (the
 * programme due a week later) and one whose first escalation rung does (the programme due days ago, so its
 * deadline has passed on onboarding; the rung goes to the programme manager and the province, a mandatory
 * notice). So the mails come over WAVE_MINUTES minutes, by the rulebooks' own times, no time skipped.
 */
function waveRulebooks(firstAt: number) {
  const base = shippedRulebook('wvrv-2025-07-01.3');
  const programme = base.steps.find((s) => s.key === 'volkshuisvestingsprogramma')!;
  return Array.from({ length: WAVE_MINUTES }, (_, i) => {
    const fireAt = firstAt + i * 60_000;
    const day = utcToAmsterdamDate(fireAt);
    const stamp = new Date(fireAt).toISOString().slice(0, 16).replace(/[-:T]/g, '');
    const version = (kind: 'reminder' | 'escalation', dueAround: string) => {
      const book = {
        ...base,
        id: `cluster-${kind}-${stamp}`,
        title: `Cluster wave ${i + 1} (${kind})`,
        effectiveDate: addYears(dueAround, -2),
        reminderSchedule: { time: amsterdamTime(fireAt), timeZone: 'Europe/Amsterdam' as const, workingDaysOnly: false },
        steps: [] as typeof base.steps,
      };
      const due = rulebookDueDate(book, programme)!.date;
      const reminders = kind === 'reminder' ? [{ offsetDays: daysBetween(day, due), roles: ['programme-manager' as const], mandatory: false }] : [];
      const escalations = kind === 'escalation' ? [{ rung: 1, offsetDays: daysBetween(due, day), roles: ['programme-manager' as const, 'province' as const], mandatory: true }] : [];
      book.steps = [{ ...programme, dependsOn: [], reminders, escalations }];
      return book;
    };
    return { reminder: version('reminder', addDays(day, 7)), escalation: version('escalation', addDays(day, -3)) };
  });
}

test(`${KILLS} worker kills and restarted services during a wave of reminders and escalations for all 342: every mail once, nothing stuck`, async () => {
  const firstAt = Math.ceil((Date.now() + 90_000) / 60_000) * 60_000;
  const books = waveRulebooks(firstAt);
  for (const { reminder, escalation } of books) {
    for (const book of [reminder, escalation]) expect({ id: book.id, status: (await api.request('POST', '/rulebooks', book)).status }).toEqual({ id: book.id, status: 201 });
  }
  // Each province's officer, who receives the escalations of its municipalities.
  const provinces: { code: string; name: string }[] = await db.query(`SELECT code, name FROM province ORDER BY code`);
  for (const p of provinces) {
    const key = `provincie-${p.code.toLowerCase()}`;
    expect((await api.request('PUT', `/organisations/${key}`, { kind: 'province', name: p.name, code: p.code })).status).toBe(201);
    expect((await api.request('PUT', `/organisations/${key}/contacts`, { contacts: [{ email: `termijnen@${p.code.toLowerCase()}.example`, role: 'province' }] })).status).toBe(200);
  }
  const municipalities: { code: string; province: string }[] = await db.query(`SELECT code, province_code AS province FROM municipality ORDER BY code`);
  expect(municipalities).toHaveLength(342);
  // Alternately a reminder's and an escalation's version, spread over the minutes; 10 onboardings in flight.
  const plan = municipalities.map((m, n) => ({ ...m, kind: n % 2 ? ('escalation' as const) : ('reminder' as const), rulebookId: books[Math.floor(n / 2) % books.length][n % 2 ? 'escalation' : 'reminder'].id }));
  const queue = [...plan];
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const res = await api.request('POST', '/onboardings', { municipalityCode: next.code, programmeManagerEmail: `pm@${next.code.toLowerCase()}.example`, rulebookId: next.rulebookId });
        expect({ code: next.code, status: res.status }).toEqual({ code: next.code, status: 201 });
      }
    }),
  );
  await until('every programme in the read model', () => db.query(`SELECT count(*)::int AS n FROM step_state WHERE owner_kind = 'municipality'`), (r) => r[0].n === 342, 300_000);
  log(`onboarded; the first reminders and escalations fall at ${new Date(firstAt).toISOString()}`);

  // Faults all through the wave: a worker killed every few seconds and started again; the history service, the frontend and (full) Postgres once each.
  const waveEnd = firstAt + WAVE_MINUTES * 60_000;
  const faultsFrom = firstAt - 10_000;
  await sleep(Math.max(0, faultsFrom - Date.now()));
  const interval = Math.max(2_000, (waveEnd + 20_000 - Date.now()) / KILLS);
  const outages: [number, () => Promise<void>][] = [
    [Math.floor(KILLS / 3), async () => {
      log('killing the history service');
      await cluster.kill('history');
      await sleep(3_000);
      cluster.start('history');
    }],
    [Math.floor((2 * KILLS) / 3), async () => {
      log('killing the frontend');
      await cluster.kill('frontend');
      await sleep(3_000);
      cluster.start('frontend');
    }],
  ];
  if (FULL) {
    outages.push([Math.floor(KILLS / 2), async () => {
      log('stopping Postgres (the cluster\'s store and Regie\'s)');
      await pg.outage(5_000);
    }]);
  }
  let killed = 0;
  for (let k = 0; k < KILLS; k++) {
    const alive = [...workers.entries()].filter(([, w]) => w.alive);
    const [n, victim] = alive[Math.floor(Math.random() * alive.length)];
    workers.delete(n);
    victim.kill('SIGKILL');
    killed++;
    startWorker();
    for (const [at, outage] of outages) if (at === k) await outage();
    await sleep(interval);
  }
  log(`${killed} workers killed`);

  // Every firing recorded and its mails sent: one notification per municipality (a reminder or a rung), one
  // mail to its programme manager, and for a rung one to its province's officer too.
  const escalated = plan.filter((p) => p.kind === 'escalation');
  const expectedMails = new Map<string, number>([['reminder', 342 - escalated.length], ['escalation', 2 * escalated.length]]);
  const sent = await until(
    'every reminder and rung recorded and sent',
    () => db.query(`SELECT n.kind, count(DISTINCT n.business_key)::int AS notifications, count(*) FILTER (WHERE o.status = 'sent')::int AS sent
                    FROM notification n JOIN outbox o ON o.business_key = n.business_key GROUP BY n.kind ORDER BY n.kind`),
    (r: { kind: string; sent: number }[]) => r.length === expectedMails.size && r.every((k) => k.sent === expectedMails.get(k.kind)),
    600_000,
  );
  expect(sent).toEqual([
    { kind: 'escalation', notifications: escalated.length, sent: 2 * escalated.length },
    { kind: 'reminder', notifications: 342 - escalated.length, sent: 342 - escalated.length },
  ]);
  // Who should have received what, from the plan (not from the outbox), against what the SMTP servers received.
  const rows: { business_key: string; recipient: string; code: string; kind: string }[] = await db.query(
    `SELECT o.business_key, o.recipient, n.owner_code AS code, n.kind FROM outbox o JOIN notification n ON n.business_key = o.business_key`,
  );
  const expected = plan.flatMap((p) => [`pm@${p.code.toLowerCase()}.example`, ...(p.kind === 'escalation' ? [`termijnen@${p.province.toLowerCase()}.example`] : [])].map((recipient) => `${p.code} ${p.kind} ${recipient}`));
  expect(rows.map((r) => `${r.code} ${r.kind} ${r.recipient}`).sort()).toEqual(expected.sort());
  const received = countDeliveries(smtp.flatMap((s) => s.mails));
  expect(rows.filter((r) => !received.byKey.has(deliveryKey(r.recipient, r.business_key)))).toEqual([]);
  expect(received.byKey.size).toBe(rows.length);
  // A repeat is only the SMTP window (accepted, the dispatcher killed before recording it): the same Message-ID again.
  for (const key of received.repeated) expect({ key, messageIds: received.byKey.get(key)!.messageIds.size }).toEqual({ key, messageIds: 1 });
  log(`mails: ${rows.length} expected (${expectedMails.get('reminder')} reminders, ${expectedMails.get('escalation')} escalations), ${received.byKey.size} received once or more, ${received.repeated.length} SMTP-window re-send(s)`);
  // Both dispatchers sent (each has an SMTP server of its own).
  expect(smtp.map((s) => s.mails.length).every((n) => n > 0)).toBe(true);
  log(`per dispatcher: ${smtp.map((s) => s.mails.length).join(' and ')}`);

  // No workflow failed or is stuck; the read model matches each workflow's own state (a sample of 58, every twelfth two, reminders and escalations both).
  expect(await temporal.workflow.count(`WorkflowType = '${PROGRAMME_WORKFLOW_TYPE}' AND ExecutionStatus = 'Failed'`)).toMatchObject({ count: 0 });
  expect(await temporal.workflow.count(`WorkflowType = '${PROGRAMME_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`)).toMatchObject({ count: 342 });
  const sample = plan.filter((_, i) => i % 12 === 0 || i % 12 === 1);
  const identities = new Set<string>();
  for (const { code, kind } of sample) {
    const handle = temporal.workflow.getHandle(`programme-${code}`);
    const history = await handle.fetchHistory();
    for (const e of history.events ?? []) {
      const identity = e.workflowTaskStartedEventAttributes?.identity ?? e.activityTaskStartedEventAttributes?.identity;
      if (identity) identities.add(identity);
    }
    const readModel: { step: string; status: string; overdue: boolean; due: string | null }[] = await db.query(
      `SELECT step, status, overdue, due_date::text AS due FROM step_state WHERE owner_kind = 'municipality' AND owner_code = $1 ORDER BY step`,
      [code],
    );
    const state = await handle.query(programmeStateQuery);
    const own = state.steps.map((s) => ({ step: s.key, status: s.status, overdue: s.overdue, due: s.due?.date ?? null })).sort((a, b) => a.step.localeCompare(b.step));
    expect({ code, steps: readModel }).toEqual({ code, steps: own });
    expect({ code, kind, overdue: readModel[0].overdue }).toEqual({ code, kind, overdue: kind === 'escalation' });
  }
  // More than one worker process took tasks (every restart is a new process, so usually many).
  expect(identities.size).toBeGreaterThan(1);
  log(`worker identities seen in ${sample.length} histories: ${identities.size}`);
}, 1_800_000);
