import { NestFactory } from '@nestjs/core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { createApiApp } from '../apps/api/src/create-app';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { loadConfig } from '../libs/config/config';

/**
 * The real API (listening on a free port) and the worker's Nest context, against a benchmark's Temporal
 * server and database. No mail is due in the benchmarks that use this, so SMTP points nowhere.
 */
export async function startBenchApps(env: TestWorkflowEnvironment, databaseUrl: string, opts: { adminToken: string; taskQueue: string }) {
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
