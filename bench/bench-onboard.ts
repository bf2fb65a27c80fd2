/**
 * `npm run bench:onboard`: onboards all 342 municipalities and 40 regions through the real API (one
 * POST /onboardings/all) on a real Temporal dev server (SQLite file, as `npm start` runs it) with the
 * real worker and an embedded Postgres, and compares with the raw engine: the same number of plain
 * workflow starts on the same server, in the same round. Prints each round and the medians.
 */
import 'reflect-metadata';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { Client as PgClient } from 'pg';
import { startEmbeddedPostgres } from '../infra/postgres';
import { againstGoal, benchTemporal, startBenchApps, temporalKind } from './apps';
import { freePort } from '../infra/supervisor';

const root = path.resolve(__dirname, '..', '..');
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms: number) => (ms / 1000).toFixed(2);

async function round(n: number, pgUrl: string, scratch: string) {
  const database = `bench_onboard_${n}`;
  const admin = new PgClient({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(pgUrl);
  url.pathname = `/${database}`;

  const env = await benchTemporal(path.join(scratch, `temporal-${n}`), pgUrl, `_${n}`);
  // No mail is due at onboarding under the default rulebook.
  const { apiUrl, dataSource, close } = await startBenchApps(env, url.toString(), { adminToken: 'bench-admin-token-0123456789', taskQueue: `bench-${n}` });
  try {
    const started = performance.now();
    const res = await fetch(`${apiUrl}/onboardings/all`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer bench-admin-token-0123456789' }, body: '{}' });
    const body = (await res.json()) as { municipalities: { created: number }; regions: { created: number }; failed: unknown[] };
    const onboarded = performance.now() - started;
    if (body.municipalities.created !== 342 || body.regions.created !== 40 || body.failed.length) throw new Error(`unexpected result ${JSON.stringify(body)}`);
    const expectedRows = 342 * 5 + 40 * 2;
    for (;;) {
      const [{ n: rows }] = await dataSource.query(`SELECT count(*)::int AS n FROM step_state`);
      if (rows >= expectedRows) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const readModel = performance.now() - started;

    // The raw engine: 382 plain starts on the same server and with the same concurrency (8 at a time).
    const rawStarted = performance.now();
    const ids = Array.from({ length: 382 }, (_, i) => `raw-${n}-${i}`);
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let id = ids.shift(); id; id = ids.shift()) {
          await env.client.workflow.start('rawBaseline', { workflowId: id, taskQueue: `raw-${n}` });
        }
      }),
    );
    const raw = performance.now() - rawStarted;
    return { onboarded, readModel, raw };
  } finally {
    await close();
    await env.teardown();
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const scratch = path.join(root, '.data', `bench-onboard-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  const pg = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres'), port: await freePort(), database: 'postgres', log: () => undefined });
  const results: { onboarded: number; readModel: number; raw: number }[] = [];
  try {
    for (let n = 1; n <= rounds; n++) {
      const r = await round(n, pg.url, scratch);
      results.push(r);
      console.log(
        `round ${n}: onboard 382 via API ${seconds(r.onboarded)} s (${(382 / (r.onboarded / 1000)).toFixed(0)}/s), ` +
          `read model complete ${seconds(r.readModel)} s; raw engine 382 starts ${seconds(r.raw)} s (${(382 / (r.raw / 1000)).toFixed(0)}/s)`,
      );
    }
  } finally {
    await pg.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const m = (key: 'onboarded' | 'readModel' | 'raw') => median(results.map((r) => r[key]));
  console.log(`\nmedian of ${rounds} rounds (342 municipalities + 40 regions, ${temporalKind}, 1 worker, 2 cores):`);
  console.log(`  onboarding call (workflows started and recorded)  ${seconds(m('onboarded'))} s   ${(382 / (m('onboarded') / 1000)).toFixed(0)} workflows/s`);
  console.log(`  until the read model shows every step             ${seconds(m('readModel'))} s`);
  console.log(`  raw engine, 382 plain workflow starts              ${seconds(m('raw'))} s   ${(382 / (m('raw') / 1000)).toFixed(0)} workflows/s`);
  console.log(`  onboarding call / raw starts                      ${againstGoal(m('onboarded') / m('raw'), 1.5)}`);
  console.log(`  read model complete / raw starts                  ${againstGoal(m('readModel') / m('raw'), 2)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
