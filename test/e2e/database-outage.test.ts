/**
 * Postgres stopped and started under a running API: while it is down, reads and writes answer 503 with
 * Retry-After within seconds (the pool's connect timeout), never hang or 500; once it is back, the same
 * API process answers again without a restart, and nothing stored before is lost. A dedicated real
 * Postgres process (infra/postgres.ts, as `npm start` runs it), so that stopping it touches no other test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RunningPostgres, startEmbeddedPostgres } from '../../infra/postgres';
import { TestApi } from '../support/api';
import { testConfig } from '../support/config';
import { createTimeSkippingEnv } from '../support/temporal';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

let dir: string;
let port: number;
let pg: RunningPostgres | undefined;
let env: TestWorkflowEnvironment;
let api: TestApi;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
const startPostgres = () => startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port, database: 'regie', log: () => undefined });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'regie-db-outage-'));
  port = await freePort();
  [pg, env] = await Promise.all([startPostgres(), createTimeSkippingEnv()]);
  api = await TestApi.start(testConfig('e2e-db-outage', { DATABASE_URL: pg.url, TEMPORAL_ADDRESS: env.address, SMTP_URL: 'smtp://127.0.0.1:2525' }));
});
afterAll(async () => {
  await api?.close().catch(() => undefined);
  await pg?.stop();
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

test('503 with Retry-After while Postgres is down, and answers again once it is back, without a restart', async () => {
  const before = await api.request('GET', '/municipalities/GM0363/steps');
  expect(before.status).toBe(200);
  const organisations = await api.request('GET', '/municipalities?province=PV27');
  expect(organisations.status).toBe(200);

  await pg!.stop();
  pg = undefined;
  for (const [method, route, body] of [
    ['GET', '/municipalities/GM0363/steps', undefined],
    ['GET', '/steps?overdue=true', undefined],
    ['POST', '/onboardings', { municipalityCode: 'GM0014', programmeManagerEmail: 'pm@groningen.example' }],
  ] as const) {
    const started = Date.now();
    const down = await api.request(method, route, body);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(down).toMatchObject({ status: 503, body: { error: 'database-unavailable' } });
    expect(Number(down.headers['retry-after'])).toBeGreaterThan(0);
  }

  pg = await startPostgres();
  let after = await api.request('GET', '/municipalities?province=PV27');
  for (let i = 0; i < 50 && after.status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    after = await api.request('GET', '/municipalities?province=PV27');
  }
  expect(after.status).toBe(200);
  expect(after.body).toEqual(organisations.body);
});
