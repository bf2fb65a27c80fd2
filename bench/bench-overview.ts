/**
 * `npm run bench:overview`: the national overview under 50 concurrent clients. Onboards all 342
 * municipalities and 40 regions (one POST /onboardings/all) on the real components, makes their states
 * mixed through the real API as the people who may write do (programme managers record progress, complete
 * and set streefdatums; provinces grant waivers), then loads each overview route from a child process
 * (load-client.ts, so the load does not share the API's event loop) for a fixed time after a warm-up, with
 * GET /health as the baseline measured in the same round, first and last. Prints each round, the medians
 * of the rounds and how far the goals are (overview data p95 under 50 ms and under 3x the baseline's p95);
 * asserts no timing: exits non-zero only when a request fails or answers another status.
 */
import 'reflect-metadata';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import * as path from 'node:path';
import { startEmbeddedPostgres } from '../infra/postgres';
import { freePort } from '../infra/supervisor';
import { addDays, type IsoDate } from '../libs/calendar';
import { registerSearchAttributes } from '../libs/temporal/search-attributes';
import { startBenchApps } from './apps';
import type { LoadRequest, LoadResult } from './load-client';

// Compiled, this file runs from dist/bench; with ts-node, from bench/.
const root = path.resolve(__dirname, ...(__filename.endsWith('.ts') ? ['..'] : ['..', '..']));
const temporalCli = path.join(root, '.tools', 'venv', 'bin', 'temporal');
const TOKEN = 'bench-admin-token-0123456789';
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const clients = Number(process.env.BENCH_CLIENTS ?? 50);
/** BENCH_PROFILE=1: after the rounds, one more overview data run under a CPU profile with its queries timed (`profiled`). */
const profiling = process.env.BENCH_PROFILE === '1';
const warmupMs = 1000;
/** Seeding writes in flight. */
const IN_FLIGHT = 10;
const GOAL_P95_MS = 50;
const GOAL_RATIO = 3;
const STEP = 'volkshuisvestingsprogramma';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] : NaN);
const ms = (x: number) => x.toFixed(1);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

type Answer = { status: number; body: any; headers: Headers }; // eslint-disable-line @typescript-eslint/no-explicit-any

function client(apiUrl: string) {
  return async (method: string, url: string, opts: { body?: unknown; token?: string; headers?: Record<string, string>; expect?: number } = {}): Promise<Answer> => {
    const res = await fetch(`${apiUrl}${url}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token ?? TOKEN}`, ...opts.headers },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    const body = res.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text;
    if (opts.expect !== undefined ? res.status !== opts.expect : res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 300)}`);
    return { status: res.status, body, headers: res.headers };
  };
}
type Call = ReturnType<typeof client>;

/** Runs `work` over `items` with at most `n` in flight. */
async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: n }, async () => { for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item); }));
}

/** A read-write token of a municipality's programme manager or a province, its organisation and contact created by the operator. */
async function actorToken(call: Call, kind: 'municipality' | 'province', code: string): Promise<string> {
  const role = kind === 'municipality' ? 'programme-manager' : 'province';
  const key = `${kind}-${code.toLowerCase()}`;
  await call('PUT', `/organisations/${key}`, { body: { kind, name: `${kind} ${code}`, code } });
  await call('PUT', `/organisations/${key}/contacts`, { body: { contacts: [{ email: `${role}@${key}.example`, name: `${role} ${code}`, role }] } });
  return (await call('POST', `/organisations/${key}/tokens`, { body: { name: `bench ${key}`, role, scope: 'read-write' } })).body.token;
}

interface OverviewJson {
  today: IsoDate;
  steps: { key: string }[];
  provinces: { code: string; name: string }[];
  municipalities: { code: string; provinceCode: string; cells: Record<string, { state: string }> }[];
}

/** What each municipality gets, by its place in code order: every kind of write the overview shows. */
function planOf(i: number, today: IsoDate) {
  return {
    progress: i % 3 === 0, // volkshuisvestingsprogramma in progress (still on track)
    complete: i % 5 === 0, // volkshuisvestingsprogramma done, with a council decision
    waiver: i % 7 === 0 && i % 5 !== 0, // volkshuisvestingsprogramma waived by the province
    waiveOrdinance: i % 9 === 0, // huisvestingsverordening waived by the province
    // wmo-beleidsplan's streefdatum: passed (late), or within the 90 days of "due soon"
    targetDate: i % 11 === 0 ? addDays(today, -20) : i % 4 === 0 ? addDays(today, 60) : undefined,
  };
}

function stateCounts(overview: OverviewJson): Map<string, Record<string, number>> {
  const counts = new Map<string, Record<string, number>>();
  for (const s of overview.steps) counts.set(s.key, {});
  for (const m of overview.municipalities) {
    for (const [key, cell] of Object.entries(m.cells)) {
      const c = counts.get(key) ?? counts.set(key, {}).get(key)!;
      c[cell.state] = (c[cell.state] ?? 0) + 1;
    }
  }
  return counts;
}

async function seed(call: Call): Promise<OverviewJson> {
  const first = (await call('GET', '/overview', { headers: { accept: 'application/json' } })).body as OverviewJson;
  const today = first.today;
  const municipalities = [...first.municipalities].sort((a, b) => a.code.localeCompare(b.code));
  const plans = municipalities.map((m, i) => ({ m, plan: planOf(i, today) }));

  const started = performance.now();
  const provinceTokens = new Map<string, string>();
  await pool(first.provinces, IN_FLIGHT, async (p) => void provinceTokens.set(p.code, await actorToken(call, 'province', p.code)));
  let writes = 0;
  const write = async (token: string, code: string, step: string, action: string, body: unknown) => {
    await call('POST', `/municipalities/${code}/steps/${step}/${action}`, { token, body, headers: { 'idempotency-key': `bench-${code}-${step}-${action}` }, expect: 201 });
    writes++;
  };
  await pool(plans, IN_FLIGHT, async ({ m, plan }) => {
    const own = plan.progress || plan.complete || plan.targetDate ? await actorToken(call, 'municipality', m.code) : '';
    const province = provinceTokens.get(m.provinceCode)!;
    if (plan.progress) await write(own, m.code, STEP, 'progress', { status: 'in-progress' });
    if (plan.complete) await write(own, m.code, STEP, 'complete', { evidence: { kind: 'council-decision', reference: 'Raadsbesluit 2027/1' } });
    if (plan.waiver) await write(province, m.code, STEP, 'waiver', { reason: 'Bench: ontheffing door de provincie' });
    if (plan.waiveOrdinance) await write(province, m.code, 'huisvestingsverordening', 'waiver', { reason: 'Bench: ontheffing door de provincie' });
    if (plan.targetDate) await write(own, m.code, 'wmo-beleidsplan', 'target-date', { date: plan.targetDate });
  });
  const written = performance.now() - started;

  // Until the read model (and so the overview) shows every write: the states each plan implies.
  const expected = {
    [`${STEP}:done`]: plans.filter((p) => p.plan.complete).length,
    [`${STEP}:waived`]: plans.filter((p) => p.plan.waiver).length,
    'huisvestingsverordening:waived': plans.filter((p) => p.plan.waiveOrdinance).length,
    'wmo-beleidsplan:late': plans.filter((p) => p.plan.targetDate && p.plan.targetDate < today).length,
    'wmo-beleidsplan:due-soon': plans.filter((p) => p.plan.targetDate && p.plan.targetDate > today).length,
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    const overview = (await call('GET', '/overview', { headers: { accept: 'application/json' } })).body as OverviewJson;
    const counts = stateCounts(overview);
    const missing = Object.entries(expected).filter(([k, n]) => {
      const [step, state] = k.split(':');
      return (counts.get(step)?.[state] ?? 0) !== n;
    });
    if (!missing.length) {
      console.log(`seeded ${writes} step writes (progress, complete, target-date as programme managers; waivers as provinces) in ${(written / 1000).toFixed(1)} s; overview shows them after ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return overview;
    }
    if (Date.now() > deadline) throw new Error(`the overview does not show the seeded states: ${JSON.stringify(missing)} vs ${JSON.stringify([...counts])}`);
    await sleep(250);
  }
}

interface Target {
  name: string;
  path: string;
  headers?: Record<string, string>;
  status: number;
  /** What the first answer must look like besides its status (content type, a part of the body). */
  probe?: (a: Answer) => string | null;
}

const json = { accept: 'application/json' };
const html = { accept: 'text/html' };
const isHtml = (needle: string) => (a: Answer) =>
  !a.headers.get('content-type')?.startsWith('text/html') ? `content-type ${a.headers.get('content-type')}` : String(a.body).includes(needle) ? null : `no ${needle} in the page`;
const isType = (type: string) => (a: Answer) => (a.headers.get('content-type')?.startsWith(type) ? null : `content-type ${a.headers.get('content-type')}`);

function targets(etag: string): Target[] {
  return [
    { name: 'overview data (JSON)', path: '/overview', headers: json, status: 200, probe: isType('application/json') },
    { name: 'overview data, If-None-Match (304)', path: '/overview', headers: { ...json, 'if-none-match': etag }, status: 304 },
    { name: 'map page (HTML)', path: `/overview?step=${STEP}`, headers: html, status: 200, probe: isHtml('<svg') },
    { name: 'filtered table page (HTML)', path: `/overview?step=${STEP}&province=PV27&state=on-track&sort=due`, headers: html, status: 200, probe: isHtml('<table') },
    { name: 'export CSV, one step', path: `/overview/export?step=${STEP}&format=csv`, status: 200, probe: isType('text/csv') },
    { name: 'export XLSX, one step', path: `/overview/export?step=${STEP}&format=xlsx`, status: 200, probe: isType('application/vnd.openxmlformats') },
    { name: 'export CSV, all steps', path: '/overview/export?steps=all&format=csv', status: 200, probe: isType('text/csv') },
    { name: 'municipality page GM0363 (HTML)', path: '/municipalities/GM0363', headers: html, status: 200, probe: isHtml('GM0363') },
  ];
}

const HEALTH: Target = { name: 'GET /health', path: '/health', status: 200 };

interface Figures {
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  bytes: number;
}

function figuresOf(r: LoadResult): Figures {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  return { requests: sorted.length, perSecond: sorted.length / (r.windowMs / 1000), p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), p99: quantile(sorted, 0.99), bytes: r.bodyBytes };
}

/** The load client, forked once and given one target at a time. */
async function startLoadClient(): Promise<{ run(job: LoadRequest): Promise<LoadResult>; stop(): void; child: ChildProcess }> {
  const compiled = !__filename.endsWith('.ts');
  const child = fork(path.join(__dirname, compiled ? 'load-client.js' : 'load-client.ts'), [], {
    execArgv: compiled ? [] : ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`load client exited with ${code} before it was ready`)));
  });
  return {
    child,
    run: (job) =>
      new Promise((resolve, reject) => {
        child.once('message', (m: LoadResult & { fatal?: string }) => (m.fatal ? reject(new Error(`load client: ${m.fatal}`)) : resolve(m)));
        child.send(job);
      }),
    stop: () => void child.send('exit'),
  };
}

/** What `profiled` saw: the API process's CPU by function and by module, and each database query's time. */
interface Profile {
  cpu: { profile: CpuProfile; wallMs: number };
  queries: Map<string, { times: number[]; params: unknown[] }>;
}
const SAMPLING_US = 200;
interface CpuProfile {
  startTime: number;
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Runs `work` with a CPU profile of this process (the API, the worker and the bench's own code share it;
 * the load client does not) and every `dataSource.query` timed by its SQL (from the call until the rows
 * are back, so including the wait for one of the pool's connections).
 */
async function profiled<T>(dataSource: { query: (...args: any[]) => Promise<any> }, work: () => Promise<T>): Promise<{ result: T; profile: Profile }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const queries = new Map<string, { times: number[]; params: unknown[] }>();
  const original = dataSource.query;
  dataSource.query = async function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      const sql = String(args[0]).replace(/\s+/g, ' ').trim();
      (queries.get(sql) ?? queries.set(sql, { times: [], params: (args[1] as unknown[]) ?? [] }).get(sql)!).times.push(performance.now() - t0);
    }
  };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_US });
  await session.post('Profiler.start');
  const t0 = performance.now();
  try {
    const result = await work();
    const wallMs = performance.now() - t0;
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    return { result, profile: { cpu: { profile, wallMs }, queries } };
  } finally {
    session.disconnect();
    dataSource.query = original;
  }
}

function printProfile(p: Profile, requests: number, file: string): void {
  const { profile, wallMs } = p.cpu;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let total = 0;
  let profiler = 0;
  let unsampled = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const frame = byNode.get(id)!;
    at += profile.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one (as DevTools counts), up to 10 intervals: a longer gap
    // is this process waiting for a core on a busy machine, not the function's own time.
    const gap = profile.timeDeltas[i + 1] ?? 0;
    const us = Math.min(gap, 10 * SAMPLING_US);
    unsampled += gap - us;
    // After the run: the profiler stopping and handing over its profile (in this thread), not the API's time.
    if (at - profile.startTime > wallMs * 1000 || frame.url.startsWith('node:inspector')) {
      profiler += us;
      return;
    }
    const file = frame.url.replace(/^file:\/\//, '');
    const where = file ? `${path.relative(root, file)}:${frame.lineNumber + 1}` : '';
    const fn = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
    const module = pkg ?? (file.startsWith('node:') ? 'node (built-in modules)' : file ? path.relative(root, file).replace(/^dist\//, '') : frame.functionName || '(native)');
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byModule.set(module, (byModule.get(module) ?? 0) + us);
    total += us;
  });
  writeFileSync(file, JSON.stringify(profile));
  const idle = byModule.get('(idle)') ?? 0;
  const busy = total - idle;
  const top = (m: Map<string, number>, n: number) => [...m].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, n);
  const share = (us: number) => `${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}% of busy  ${(us / 1000 / requests).toFixed(2).padStart(6)} ms/request`;
  console.log(
    `\nprofile of the API process (with the worker) during one more "overview data (JSON)" run: ${requests} requests (warm-up included) in ${(wallMs / 1000).toFixed(1)} s, ` +
      `main thread busy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms, waiting for a core ${(unsampled / 1000).toFixed(0)} ms, the profiler's own ${(profiler / 1000).toFixed(0)} ms left out; written to ${path.relative(root, file)}`,
  );
  console.log('  self time by module:');
  for (const [k, us] of top(byModule, 12)) console.log(`    ${share(us)}  ${k}`);
  console.log('  self time by function:');
  for (const [k, us] of top(byFunction, 15)) console.log(`    ${share(us)}  ${k}`);
  console.log('  database queries (from the call to the rows, including the wait for one of the pool\'s connections):');
  for (const [sql, { times }] of [...p.queries].sort((a, b) => b[1].times.length - a[1].times.length).slice(0, 6)) {
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`    ${String(times.length).padStart(6)} calls  p50 ${ms(quantile(sorted, 0.5)).padStart(6)} ms  p95 ${ms(quantile(sorted, 0.95)).padStart(6)} ms  ${sql.slice(0, 90)}`);
  }
}

/** The same query alone, one at a time, with no other load: what Postgres itself needs for it. */
async function timeAlone(dataSource: { query: (sql: string, params?: unknown[]) => Promise<unknown> }, sql: string, params: unknown[], n = 50): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await dataSource.query(sql, params);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const scratch = path.join(root, '.data', `bench-overview-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  const pg = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres'), port: await freePort(), database: 'regie_bench', log: () => undefined });
  let env: TestWorkflowEnvironment | undefined;
  let apps: Awaited<ReturnType<typeof startBenchApps>> | undefined;
  let load: Awaited<ReturnType<typeof startLoadClient>> | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaned ??= (async () => {
      load?.child.kill();
      await apps?.close().catch(() => undefined);
      await env?.teardown().catch(() => undefined);
      await pg.stop().catch(() => undefined);
      rmSync(scratch, { recursive: true, force: true });
    })());
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  let wrong = 0;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      // The server's own warnings (task retries while 382 workflows start on one SQLite file) would drown the figures.
      server: { executable: { type: 'existing-path', path: temporalCli }, ip: '127.0.0.1', ui: false, dbFilename: path.join(scratch, 'temporal.sqlite'), log: { format: 'pretty', level: 'error' } },
    });
    await registerSearchAttributes(env.connection, 'default');
    apps = await startBenchApps(env, pg.url, { adminToken: TOKEN, taskQueue: 'bench-overview' });
    const call = client(apps.apiUrl);

    const started = performance.now();
    const onboarded = (await call('POST', '/onboardings/all', { body: {} })).body;
    if (onboarded.municipalities.created !== 342 || onboarded.regions.created !== 40 || onboarded.failed.length) throw new Error(`unexpected onboarding ${JSON.stringify(onboarded)}`);
    const expectedRows = 342 * 5 + 40 * 2;
    while ((await apps.dataSource.query(`SELECT count(*)::int AS n FROM step_state`))[0].n < expectedRows) await sleep(100);
    console.log(`onboarded 342 municipalities and 40 regions; read model complete after ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const overview = await seed(call);
    const counts = stateCounts(overview);
    const total: Record<string, number> = {};
    console.log('\nstates in the overview (municipalities per step key; region steps show their region\'s state):');
    for (const [step, c] of counts) {
      for (const [state, n] of Object.entries(c)) total[state] = (total[state] ?? 0) + n;
      console.log(`  ${step.padEnd(28)} ${Object.entries(c).map(([s, n]) => `${s} ${n}`).join(', ')}`);
    }
    console.log(`  ${'all step keys'.padEnd(28)} ${Object.entries(total).map(([s, n]) => `${s} ${n}`).join(', ')}`);
    if (Object.keys(total).length < 4) throw new Error(`the overview shows only ${Object.keys(total).length} states: ${JSON.stringify(total)}`);

    const first = await call('GET', '/overview', { headers: json });
    const etag = first.headers.get('etag');
    if (!etag) throw new Error('GET /overview answered without an ETag');
    const list = targets(etag);
    // Every target once, before any load: its status and what it sends.
    for (const t of [HEALTH, ...list]) {
      const a = await call('GET', t.path, { token: t === HEALTH ? undefined : TOKEN, headers: t.headers, expect: t.status });
      const bad = t.probe?.(a);
      if (bad) throw new Error(`${t.name}: ${bad}`);
    }

    load = await startLoadClient();
    const job = (t: Target): LoadRequest => ({
      name: t.name,
      url: `${apps!.apiUrl}${t.path}`,
      headers: { ...(t === HEALTH ? {} : { authorization: `Bearer ${TOKEN}` }), ...t.headers },
      status: t.status,
      concurrency: clients,
      warmupMs,
      durationMs: seconds * 1000,
    });
    const measure = async (t: Target): Promise<Figures> => {
      const r = await load!.run(job(t));
      if (r.wrong) {
        wrong += r.wrong;
        console.log(`  ${t.name}: ${r.wrong} requests failed or answered another status than ${t.status}: ${r.errors.join('; ')} (${JSON.stringify(r.statuses)})`);
      }
      return figuresOf(r);
    };

    console.log(`\n${clients} clients from a child process, ${warmupMs / 1000} s warm-up then ${seconds} s per target, ${rounds} rounds; ratio = p95 / the round's /health p95 (the better of first and last)`);
    const header = `  ${'target'.padEnd(36)} ${'requests'.padStart(8)} ${'req/s'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'ratio'.padStart(7)} ${'body'.padStart(9)}`;
    const line = (name: string, f: Figures, ratio: number | null) =>
      `  ${name.padEnd(36)} ${String(f.requests).padStart(8)} ${f.perSecond.toFixed(0).padStart(7)} ${ms(f.p50).padStart(8)} ${ms(f.p95).padStart(8)} ${ms(f.p99).padStart(8)} ${(ratio === null ? '' : `${ratio.toFixed(2)}x`).padStart(7)} ${`${(f.bytes / 1024).toFixed(0)} KiB`.padStart(9)}`;
    const results: { baseline: Figures; healthFirst: Figures; healthLast: Figures; byTarget: Figures[] }[] = [];
    for (let n = 1; n <= rounds; n++) {
      const healthFirst = await measure(HEALTH);
      const byTarget: Figures[] = [];
      for (const t of list) byTarget.push(await measure(t));
      const healthLast = await measure(HEALTH);
      const baseline = healthFirst.p95 <= healthLast.p95 ? healthFirst : healthLast;
      results.push({ baseline, healthFirst, healthLast, byTarget });
      console.log(`\nround ${n}:\n${header}`);
      console.log(line('GET /health (first)', healthFirst, null));
      list.forEach((t, i) => console.log(line(t.name, byTarget[i], byTarget[i].p95 / baseline.p95)));
      console.log(line('GET /health (last)', healthLast, null));
    }

    const med = (pick: (r: (typeof results)[number]) => number) => median(results.map(pick));
    const medFigures = (pick: (r: (typeof results)[number]) => Figures): Figures => ({
      requests: med((r) => pick(r).requests),
      perSecond: med((r) => pick(r).perSecond),
      p50: med((r) => pick(r).p50),
      p95: med((r) => pick(r).p95),
      p99: med((r) => pick(r).p99),
      bytes: med((r) => pick(r).bytes),
    });
    console.log(`\nmedian of ${rounds} rounds (each figure its own median; ratio: the median of the rounds' ratios):\n${header}`);
    console.log(line('GET /health (baseline)', medFigures((r) => r.baseline), null));
    list.forEach((t, i) => console.log(line(t.name, medFigures((r) => r.byTarget[i]), med((r) => r.byTarget[i].p95 / r.baseline.p95))));

    const p95 = med((r) => r.byTarget[0].p95);
    const ratio = med((r) => r.byTarget[0].p95 / r.baseline.p95);
    const verdict = (value: number, goal: number, unit: string) =>
      value < goal ? `met, ${(goal - value).toFixed(unit === 'ms' ? 1 : 2)} ${unit} under` : `missed, ${(value - goal).toFixed(unit === 'ms' ? 1 : 2)} ${unit} over`;
    console.log(`\ngoals for the overview data (GET /overview, JSON, 200), median of ${rounds} rounds:`);
    console.log(`  p95 under ${GOAL_P95_MS} ms:              p95 ${ms(p95)} ms: ${verdict(p95, GOAL_P95_MS, 'ms')} (${(p95 / GOAL_P95_MS).toFixed(2)}x the goal)`);
    console.log(`  p95 under ${GOAL_RATIO}x the baseline's p95: ${ratio.toFixed(2)}x (baseline p95 ${ms(med((r) => r.baseline.p95))} ms): ${verdict(ratio, GOAL_RATIO, 'x')}`);

    if (profiling) {
      // A run of its own, after the rounds: the profiler and the timed queries slow what they watch.
      const { result, profile } = await profiled(apps.dataSource, () => load!.run(job(list[0])));
      if (result.wrong) wrong += result.wrong;
      const f = figuresOf(result);
      printProfile(profile, result.total, path.join(root, '.data', 'bench-overview.cpuprofile'));
      console.log(`  (the profiled run itself: ${f.requests} requests, p50 ${ms(f.p50)} ms, p95 ${ms(f.p95)} ms)`);
      // The most frequent query (the fingerprint every GET /overview makes), alone.
      const [sql, { params }] = [...profile.queries].sort((a, b) => b[1].times.length - a[1].times.length)[0];
      const alone = await timeAlone(apps.dataSource, sql, params);
      console.log(`  the most frequent query alone, 50 times one after another: p50 ${ms(quantile(alone, 0.5))} ms, p95 ${ms(quantile(alone, 0.95))} ms`);
    }
    load.stop();
  } finally {
    await cleanUp();
  }
  if (wrong) {
    console.error(`\n${wrong} requests failed or answered a wrong status`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
