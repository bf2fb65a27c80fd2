import { NestFactory } from '@nestjs/core';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { createApiApp } from '../apps/api/src/create-app';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { freeClusterPorts, startTemporalCluster } from '../infra/temporal-cluster';
import { loadConfig } from '../libs/config/config';

/**
 * The real API (listening on a free port) and the worker's Nest context, against a benchmark's Temporal
 * server and database. No mail is due in the benchmarks that use this, so SMTP points nowhere.
 */
export async function startBenchApps(env: { address: string }, databaseUrl: string, opts: { adminToken: string; taskQueue: string }) {
  const config = (name: string) =>
    loadConfig(name, {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: env.address,
      SMTP_URL: 'smtp://127.0.0.1:1',
      ADMIN_TOKEN: opts.adminToken,
      LINK_SECRET: 'bench-link-secret-0123456789abcdef0123',
      TEMPORAL_TASK_QUEUE: opts.taskQueue,
    });
  // A benchmark is one client sending as fast as it can: the per-client rate limit would measure itself.
  process.env.REGIE_RATE_LIMIT ??= '1000000';
  const api = await createApiApp(config('bench-api'), false);
  await api.listen(0, '127.0.0.1');
  const apiUrl = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config('bench-worker')), { logger: false });
  await worker.init();
  return {
    apiUrl,
    dataSource: api.get(DataSource),
    async close() {
      await worker.close();
      await api.close();
    },
  };
}

const root = path.resolve(__dirname, '..', '..');
/** BENCH_TEMPORAL=cluster: the benches run on the real cluster of `npm run cluster` instead of the dev server. */
export const onCluster = process.env.BENCH_TEMPORAL === 'cluster';
export const temporalKind = onCluster ? 'Temporal cluster: 4 service processes on PostgreSQL, 4 shards' : 'dev server with SQLite file';

/**
 * A bench's Temporal server: the dev server (SQLite file in `dir`, as `npm start` runs it), or with
 * BENCH_TEMPORAL=cluster a fresh real cluster (infra/temporal-cluster.ts: four service processes, PostgreSQL
 * persistence and visibility in databases `temporal<suffix>` of the bench's own Postgres).
 */
export async function benchTemporal(dir: string, pgUrl: string, suffix = ''): Promise<{ address: string; client: Client; connection: Connection; teardown(): Promise<void> }> {
  if (!onCluster) {
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: path.join(root, '.tools', 'venv', 'bin', 'temporal') }, ip: '127.0.0.1', ui: false, dbFilename: `${dir}.sqlite` },
    });
    return { address: env.address, client: env.client, connection: env.connection, teardown: () => env.teardown() };
  }
  const cluster = await startTemporalCluster({
    dir,
    tools: path.join(root, '.tools'),
    db: new URL(pgUrl),
    databases: { persistence: `temporal${suffix}`, visibility: `temporal_visibility${suffix}` },
    ports: await freeClusterPorts(),
    shards: 4,
    partitions: 4,
  });
  const connection = await Connection.connect({ address: cluster.address });
  return {
    address: cluster.address,
    client: new Client({ connection }),
    connection,
    async teardown() {
      await connection.close();
      await cluster.stop();
    },
  };
}

/** A ratio against the raw engine with its goal: `1.32x (goal <= 1.5x: met)`, or by how much it is missed. */
export function againstGoal(ratio: number, goal: number): string {
  return `${ratio.toFixed(2)}x (goal <= ${goal}x: ${ratio <= goal ? 'met' : `missed by ${(ratio - goal).toFixed(2)}x`})`;
}
