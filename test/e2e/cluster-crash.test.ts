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
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { startEmbeddedPostgres, RunningPostgres } from '../../infra/postgres';
import { freePort } from '../../infra/supervisor';
import { freeClusterPorts, startTemporalCluster, TemporalCluster } from '../../infra/temporal-cluster';
import { addDays, addYears, utcToAmsterdamDate } from '../../libs/calendar';
import { PROGRAMME_WORKFLOW_TYPE, programmeStateQuery } from '../../libs/contracts';
import { createDataSource } from '../../libs/db/data-source';
import { rulebookDueDate } from '../../libs/rulebook/schedule';
import { TestApi } from '../support/api';
import { TEST_ADMIN_TOKEN, TEST_LINK_SECRET, testConfig } from '../support/config';
import { shippedRulebook } from '../support/rulebooks';
import { SmtpCatcher } from '../support/smtp';

const FULL = process.env.CLUSTER_FULL === '1';
const KILLS = Number(process.env.CLUSTER_KILLS ?? (FULL ? 50 : 6));
const WAVE_MINUTES = Number(process.env.CLUSTER_WAVE_MINUTES ?? (FULL ? 5 : 2));
const root = path.resolve(__dirname, '..', '..');
const tools = path.join(root, '.tools');

let scratch: string;
let pg: RunningPostgres;
let pgPort: number;
let cluster: TemporalCluster;
let smtp: SmtpCatcher[] = [];
let api: TestApi;
let db: DataSource;
let temporal: Client;
let connection: Connection;
const workers = new Map<number, { child: ChildProcess; identity: Promise<string> }>();
const dispatchers: ChildProcess[] = [];
let vars: Record<string, string>;
let nextWorker = 0;
let stopping = false;

const log = (line: string) => process.stdout.write(`[cluster-crash] ${line}\n`);

function startPostgres(dataDir: string) {
  return startEmbeddedPostgres({ dataDir, port: pgPort, database: 'regie', log: () => undefined });
}

/** A worker as production runs it (its own process, TypeScript through ts-node); resolves its Temporal identity once it polls. */
function startWorker(): void {
  const n = nextWorker++;
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, 'apps', 'worker', 'src', 'main.ts')], {
    cwd: root,
    env: { ...process.env, ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const identity = new Promise<string>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/Polling task queue/.test(out)) resolve(String(child.pid));
    });
  });
  child.stderr!.resume();
  // A worker that dies on its own (it could not reach the frontend while that was down) is started again, as a supervisor would.
  child.on('exit', () => {
    if (workers.get(n)?.child === child && !stopping) {
      log(`worker ${n} exited by itself; starting another`);
      workers.delete(n);
      startWorker();
    }
  });
  workers.set(n, { child, identity });
}

function startDispatcher(catcher: SmtpCatcher): ChildProcess {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, 'apps', 'dispatcher', 'src', 'main.ts')], {
    cwd: root,
    env: { ...process.env, ...vars, SMTP_URL: catcher.url, MAIL_LEASE_SECONDS: '10' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.resume();
  child.stderr!.resume();
  dispatchers.push(child);
  return child;
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
  pgPort = await freePort();
  pg = await startPostgres(path.join(scratch, 'postgres'));
  cluster = await startTemporalCluster({
    dir: path.join(scratch, 'temporal'),
    tools,
    db: new URL(pg.url),
    databases: { persistence: 'temporal', visibility: 'temporal_visibility' },
    ports: await freeClusterPorts(freePort),
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
  smtp.forEach((s) => startDispatcher(s));
  await Promise.all([...workers.values()].map((w) => w.identity));
  log('cluster, two workers and two dispatchers up');
}, 600_000);

afterAll(async () => {
  stopping = true;
  for (const { child } of workers.values()) child.kill('SIGKILL');
  for (const child of dispatchers) child.kill('SIGKILL');
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

test(`${KILLS} worker kills and restarted services during a wave of reminders for all 342: every mail once, nothing stuck`, async () => {
  // WAVE_MINUTES rulebook versions, each with its one reminder a minute after the last; the municipalities
  // split over them, so the mails come over WAVE_MINUTES minutes, by the rulebooks' own times.
  const base = shippedRulebook('wvrv-2025-07-01.3');
  const programme = base.steps.find((s) => s.key === 'volkshuisvestingsprogramma')!;
  const firstAt = Math.ceil((Date.now() + 90_000) / 60_000) * 60_000;
  const versions: string[] = [];
  for (let i = 0; i < WAVE_MINUTES; i++) {
    const fireAt = firstAt + i * 60_000;
    const day = utcToAmsterdamDate(fireAt);
    const id = `cluster-${new Date(fireAt).toISOString().slice(0, 16).replace(/[-:T]/g, '')}`;
    const book = { ...base, id, title: `Cluster wave ${i + 1}`, effectiveDate: addYears(addDays(day, 7), -2), reminderSchedule: { time: amsterdamTime(fireAt), timeZone: 'Europe/Amsterdam' as const, workingDaysOnly: false }, steps: [] as typeof base.steps };
    const due = rulebookDueDate(book, programme)!.date;
    const offsetDays = Math.round((Date.parse(due) - Date.parse(day)) / 86_400_000);
    book.steps = [{ ...programme, dependsOn: [], reminders: [{ offsetDays, roles: ['programme-manager'], mandatory: false }], escalations: [] }];
    expect((await api.request('POST', '/rulebooks', book)).status).toBe(201);
    versions.push(id);
  }
  const municipalities: string[] = (await db.query(`SELECT code FROM municipality ORDER BY code`)).map((r: { code: string }) => r.code);
  expect(municipalities).toHaveLength(342);
  // Each municipality under its group's version, with its programme manager; 10 onboardings in flight.
  const queue = municipalities.map((code, n) => ({ code, rulebookId: versions[n % versions.length] }));
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const res = await api.request('POST', '/onboardings', { municipalityCode: next.code, programmeManagerEmail: `pm@${next.code.toLowerCase()}.example`, rulebookId: next.rulebookId });
        expect({ code: next.code, status: res.status }).toEqual({ code: next.code, status: 201 });
      }
    }),
  );
  await until('every programme in the read model', () => db.query(`SELECT count(*)::int AS n FROM step_state WHERE owner_kind = 'municipality'`), (r) => r[0].n === 342, 300_000);
  log(`onboarded; the first reminders fall at ${new Date(firstAt).toISOString()}`);

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
      await pg.stop();
      await sleep(5_000);
      pg = await startPostgres(pg.dataDir);
    }]);
  }
  let killed = 0;
  for (let k = 0; k < KILLS; k++) {
    const alive = [...workers.entries()].filter(([, w]) => w.child.exitCode === null && w.child.signalCode === null);
    const [n, victim] = alive[Math.floor(Math.random() * alive.length)];
    victim.child.kill('SIGKILL');
    workers.delete(n);
    killed++;
    startWorker();
    for (const [at, outage] of outages) if (at === k) await outage();
    await sleep(interval);
  }
  log(`${killed} workers killed`);

  // Every reminder recorded and its mail sent; then count at the SMTP servers.
  const expected = await until(
    'every reminder recorded and sent',
    () => db.query(`SELECT count(*)::int AS notifications, count(*) FILTER (WHERE o.status = 'sent')::int AS sent FROM notification n JOIN outbox o ON o.business_key = n.business_key WHERE n.kind = 'reminder'`),
    (r) => r[0].notifications === 342 && r[0].sent === 342,
    600_000,
  );
  expect(expected[0]).toEqual({ notifications: 342, sent: 342 });
  const rows: { business_key: string; recipient: string; message_id: string; attempts: number }[] = await db.query(
    `SELECT o.business_key, o.recipient, o.message_id, o.attempts FROM outbox o JOIN notification n ON n.business_key = o.business_key WHERE n.kind = 'reminder'`,
  );
  const received = new Map<string, { count: number; messageIds: Set<string> }>();
  for (const mail of smtp.flatMap((s) => s.mails)) {
    const key = `${mail.envelopeTo.join(',')} ${mail.parsed.headers.get('x-regie-business-key')}`;
    const entry = received.get(key) ?? { count: 0, messageIds: new Set<string>() };
    entry.count++;
    entry.messageIds.add(String(mail.parsed.messageId));
    received.set(key, entry);
  }
  const missing = rows.filter((r) => !received.has(`${r.recipient} ${r.business_key}`));
  const resent = [...received.entries()].filter(([, v]) => v.count > 1);
  expect(missing).toEqual([]);
  // A repeat is only the SMTP window (accepted, the dispatcher killed before recording it): the same Message-ID again.
  for (const [key, v] of resent) expect({ key, messageIds: v.messageIds.size }).toEqual({ key, messageIds: 1 });
  expect(received.size).toBe(rows.length);
  log(`mails: ${rows.length} expected, ${received.size} received once or more, ${resent.length} SMTP-window re-send(s)`);
  // Both dispatchers sent (each has an SMTP server of its own).
  expect(smtp.map((s) => s.mails.length).every((n) => n > 0)).toBe(true);
  log(`per dispatcher: ${smtp.map((s) => s.mails.length).join(' and ')}`);

  // No workflow failed or is stuck; the read model matches each workflow's own state (a sample of 30).
  expect(await temporal.workflow.count(`WorkflowType = '${PROGRAMME_WORKFLOW_TYPE}' AND ExecutionStatus = 'Failed'`)).toMatchObject({ count: 0 });
  expect(await temporal.workflow.count(`WorkflowType = '${PROGRAMME_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`)).toMatchObject({ count: 342 });
  const sample = municipalities.filter((_, i) => i % 12 === 0);
  const identities = new Set<string>();
  for (const code of sample) {
    const handle = temporal.workflow.getHandle(`programme-${code}`);
    const history = await handle.fetchHistory();
    for (const e of history.events ?? []) {
      const identity = e.workflowTaskStartedEventAttributes?.identity ?? e.activityTaskStartedEventAttributes?.identity;
      if (identity) identities.add(identity);
    }
    const readModel: { step: string; status: string; due: string | null }[] = await db.query(
      `SELECT step, status, due_date::text AS due FROM step_state WHERE owner_kind = 'municipality' AND owner_code = $1 ORDER BY step`,
      [code],
    );
    const state = await handle.query(programmeStateQuery);
    const own = state.steps.map((s) => ({ step: s.key, status: s.status, due: s.due?.date ?? null })).sort((a, b) => a.step.localeCompare(b.step));
    expect({ code, steps: readModel }).toEqual({ code, steps: own });
  }
  // More than one worker process took tasks (every restart is a new process, so usually many).
  expect(identities.size).toBeGreaterThan(1);
  log(`worker identities seen in ${sample.length} histories: ${identities.size}`);
}, 1_800_000);
