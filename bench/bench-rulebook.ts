/**
 * `npm run bench:rulebook`: a law change at full scale. Onboards all 342 municipalities and 40 regions
 * through the real API on a real Temporal dev server (SQLite file, as `npm start` runs it) with the real
 * worker and an embedded Postgres; then, for each of N rulebook versions in sequence (each a new
 * effective date), publishes, previews and applies it, and times until every moved step's read-model row
 * shows its new date. In the same run, the raw engine: the same 382 updates sent straight from the
 * Temporal client (a no-op re-apply, answered "already applied"), and the next version's real re-dating
 * sent straight from the client without the rollout workflow. Prints figures; asserts no timing.
 */
import 'reflect-metadata';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { startEmbeddedPostgres } from '../infra/postgres';
import { freePort } from '../infra/supervisor';
import { applyRulebook, ApplyRulebookResult } from '../libs/contracts';
import { findRulebook } from '../libs/db/rulebook-store';
import { registerSearchAttributes } from '../libs/temporal/search-attributes';
import { againstGoal, benchTemporal, startBenchApps, temporalKind } from './apps';

const root = path.resolve(__dirname, '..', '..');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const TOKEN = 'bench-admin-token-0123456789';
/** As many updates in flight as a rollout batch has (the default of workflows/rollout.workflow.ts). */
const CONCURRENCY = 10;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms: number) => (ms / 1000).toFixed(2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RunResult {
  id: string;
  moved: number;
  preview: number;
  readModel: number;
  rollout: number;
  /** The next version applied with the same updates straight from the client, no rollout workflow. */
  direct: number;
  raw: number;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const scratch = path.join(root, '.data', `bench-rulebook-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  const pg = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres'), port: await freePort(), database: 'regie_bench', log: () => undefined });
  let env: Awaited<ReturnType<typeof benchTemporal>> | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaned ??= (async () => {
      await env?.teardown().catch(() => undefined);
      await pg.stop().catch(() => undefined);
      rmSync(scratch, { recursive: true, force: true });
    })());
  // Ctrl-C still stops the servers and removes the scratch folder.
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    env = await benchTemporal(path.join(scratch, 'temporal'), pg.url);
    await registerSearchAttributes(env.connection, 'default');
    const results = await benchmark(env, pg.url);
    const m = (key: keyof Omit<RunResult, 'id'>) => median(results.map((r) => r[key]));
    console.log(`\nmedian of ${runs} runs (342 municipalities + 40 regions, ${temporalKind}, 1 worker, ${CONCURRENCY} updates in flight):`);
    console.log(`  preview from the read model (${m('moved')} steps move)            ${seconds(m('preview'))} s`);
    console.log(`  apply until every moved step shows its new date        ${seconds(m('readModel'))} s   ${(m('moved') / (m('readModel') / 1000)).toFixed(0)} steps/s, ${(382 / (m('readModel') / 1000)).toFixed(0)} workflows/s`);
    console.log(`  apply until the rollout reports completed              ${seconds(m('rollout'))} s`);
    console.log(`  same re-dating sent straight from the client          ${seconds(m('direct'))} s   (no rollout workflow, no progress, no resume)`);
    console.log(`  raw engine, 382 no-op updates from the client          ${seconds(m('raw'))} s   ${(382 / (m('raw') / 1000)).toFixed(0)} updates/s`);
    console.log(`  rollout / straight from the client                     ${(m('readModel') / m('direct')).toFixed(2)}x   (the rollout's own overhead)`);
    console.log(`  new dates in the read model / raw engine no-op         ${againstGoal(m('readModel') / m('raw'), 3)}   (overhead plus the workflows' re-dating work)`);
  } finally {
    await cleanUp();
  }
}

async function benchmark(env: Awaited<ReturnType<typeof benchTemporal>>, databaseUrl: string): Promise<RunResult[]> {
  // Onboarded without contacts: change notices have no recipients, no mail is sent.
  const { apiUrl, dataSource, close } = await startBenchApps(env, databaseUrl, { adminToken: TOKEN, taskQueue: 'bench-rulebook' });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const call = async (method: string, url: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${apiUrl}${url}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  try {
    const onboardStart = performance.now();
    const onboarded = await call('POST', '/onboardings/all', {});
    if (onboarded.municipalities.created !== 342 || onboarded.regions.created !== 40 || onboarded.failed.length) throw new Error(`unexpected onboarding ${JSON.stringify(onboarded)}`);
    const expectedRows = 342 * 5 + 40 * 2;
    while ((await dataSource.query(`SELECT count(*)::int AS n FROM step_state`))[0].n < expectedRows) await sleep(100);
    console.log(`onboarded 342 municipalities and 40 regions; read model complete after ${seconds(performance.now() - onboardStart)} s`);

    const base = await call('GET', '/rulebooks/wvrv-2025-07-01.2');
    delete base.hash;
    type Moved = { owner: { code: string }; step: string; to: string };
    const publish = async (k: number) => {
      const effectiveDate = new Date(Date.UTC(2025, 6 + k, 1)).toISOString().slice(0, 10);
      const id = `bench-${effectiveDate}`;
      await call('POST', '/rulebooks', { ...base, id, title: `Bench: in werking ${effectiveDate}`, effectiveDate });
      return id;
    };
    /** Whether every moved step's read-model row shows its new date under this version. */
    const allShown = async (moved: Moved[], id: string) => {
      const [{ n: shown }] = await dataSource.query(
        `SELECT count(*)::int AS n FROM step_state s
         JOIN unnest($1::text[], $2::text[], $3::date[]) AS m(code, step, due) ON s.owner_code = m.code AND s.step = m.step
         WHERE s.due_date = m.due AND s.rulebook_id = $4`,
        [moved.map((m) => m.owner.code), moved.map((m) => m.step), moved.map((m) => m.to), id],
      );
      return shown === moved.length;
    };
    const targets: string[] = (
      await dataSource.query(
        `SELECT workflow_id FROM onboarding WHERE workflow_started_at IS NOT NULL UNION SELECT workflow_id FROM region_onboarding WHERE workflow_started_at IS NOT NULL`,
      )
    ).map((r: { workflow_id: string }) => r.workflow_id);
    /** The 382 applyRulebook updates from the Temporal client, CONCURRENCY in flight. */
    const sendStraight = async (id: string) => {
      const stored = (await findRulebook(dataSource, id))!;
      const queue = [...targets];
      const results: ApplyRulebookResult[] = [];
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let workflowId = queue.shift(); workflowId; workflowId = queue.shift()) {
            results.push(await env.client.workflow.getHandle(workflowId).executeUpdate(applyRulebook, { args: [{ rulebook: stored.rulebook, rulebookHash: stored.hash }] }));
          }
        }),
      );
      return results;
    };

    const results: RunResult[] = [];
    for (let n = 1; n <= runs; n++) {
      // Two versions per run, each a month later than the last: every open programme and ordinance step moves.
      const id = await publish(2 * n - 1);
      const previewStart = performance.now();
      const preview = await call('GET', `/rulebooks/${id}/preview`);
      const previewMs = performance.now() - previewStart;
      const moved: Moved[] = preview.moved;

      const started = performance.now();
      await call('POST', `/rulebooks/${id}/apply`);
      let readModel = 0;
      let rollout = 0;
      while (!readModel || !rollout) {
        if (!readModel && (await allShown(moved, id))) readModel = performance.now() - started;
        if (!rollout) {
          const progress = await call('GET', `/rulebooks/${id}/rollout`);
          if (progress.status === 'completed') {
            rollout = performance.now() - started;
            if (progress.failed || progress.applied !== 382) throw new Error(`rollout of ${id} ended with ${JSON.stringify(progress)}`);
          }
        }
        await sleep(50);
      }
      // One change notice per moved date, recorded once (the bench has no contacts, so none is mailed).
      const notices = async () =>
        (await dataSource.query(`SELECT count(*)::int AS n, count(DISTINCT business_key)::int AS keys FROM notification WHERE kind = 'change-notice' AND rulebook_id = $1`, [id]))[0];
      for (let waited = 0; (await notices()).n < moved.length && waited < 120_000; waited += 200) await sleep(200);
      const recorded = await notices();
      if (recorded.n !== moved.length || recorded.keys !== moved.length) throw new Error(`${moved.length} dates moved, but ${recorded.n} change notices (${recorded.keys} keys) recorded`);

      // The raw engine: the same 382 updates, same version (so each answers "already applied"), straight from the client.
      const rawStart = performance.now();
      const noOps = await sendStraight(id);
      const raw = performance.now() - rawStart;
      if (noOps.some((r) => !r.alreadyApplied)) throw new Error('a raw update was not a no-op');

      // The same re-dating as the rollout, for the next version, straight from the client: what the rollout adds.
      const directId = await publish(2 * n);
      const directMoved: Moved[] = (await call('GET', `/rulebooks/${directId}/preview`)).moved;
      const directStart = performance.now();
      await sendStraight(directId);
      while (!(await allShown(directMoved, directId))) await sleep(50);
      const direct = performance.now() - directStart;

      results.push({ id, moved: moved.length, preview: previewMs, readModel, rollout, direct, raw });
      console.log(
        `run ${n}: ${id}: ${moved.length} step dates move; preview ${seconds(previewMs)} s; ` +
          `read model shows every new date after ${seconds(readModel)} s, rollout completed after ${seconds(rollout)} s; ` +
          `${directId} straight from the client ${seconds(direct)} s; raw engine 382 no-op updates ${seconds(raw)} s`,
      );
    }
    return results;
  } finally {
    await close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
