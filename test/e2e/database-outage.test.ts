/**
 * Postgres stopped and started under a running API: while it is down, reads and writes answer 503 with
 * Retry-After within seconds (the pool's connect timeout), never hang or 500; once it is back, the same
 * API process answers again without a restart, and nothing stored before is lost. A dedicated real
 * Postgres process (the shared fault harness, test/support/faults.ts), so that stopping it touches no other test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TestApi } from '../support/api';
import { testConfig } from '../support/config';
import { OwnPostgres } from '../support/faults';
import { createTimeSkippingEnv } from '../support/temporal';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

let dir: string;
let pg: OwnPostgres;
let env: TestWorkflowEnvironment;
let api: TestApi;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'regie-db-outage-'));
  [pg, env] = await Promise.all([OwnPostgres.start(path.join(dir, 'postgres')), createTimeSkippingEnv()]);
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

  await pg.stop();
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

  await pg.start();
  let after = await api.request('GET', '/municipalities?province=PV27');
  for (let i = 0; i < 50 && after.status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    after = await api.request('GET', '/municipalities?province=PV27');
  }
  expect(after.status).toBe(200);
  expect(after.body).toEqual(organisations.body);
});
