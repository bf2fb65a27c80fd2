import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DispatcherModule } from '../../apps/dispatcher/src/dispatcher.module';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { freePort } from '../../infra/supervisor';
import { TestApi } from './api';
import { testConfig } from './config';
import { createTestDatabase, TestDatabase } from './database';
import { SmtpCatcher } from './smtp';
import { createDevServerEnv, createTimeSkippingEnv } from './temporal';

export interface TestSystem {
  env: TestWorkflowEnvironment;
  db: TestDatabase;
  smtp: SmtpCatcher;
  api: TestApi;
  worker: INestApplicationContext;
  /** The mail dispatcher's Nest context, as its process builds it. */
  dispatcher: INestApplicationContext;
  stop(): Promise<void>;
}

/**
 * The whole system for an end-to-end test, every part real: a fresh database, a Temporal server (the
 * time-skipping one, or the dev server where a test must list workflows), an SMTP server in this process,
 * the HTTP API and the worker's Nest context, both built exactly as production builds them.
 * `publicAtOwnAddress`: the API listens on a free port picked first and PUBLIC_BASE_URL is that very address
 * (`http://127.0.0.1:<port>`), so a link in a mail opens in a real browser and the pages' Origin check holds
 * (`api.publicBaseUrl === api.baseUrl`); the browser tests need it.
 */
export async function startTestSystem(
  name: string,
  opts: { devServer?: boolean; vars?: Record<string, string>; publicAtOwnAddress?: boolean } = {},
): Promise<TestSystem> {
  const [env, db, smtp, port] = await Promise.all([
    opts.devServer ? createDevServerEnv() : createTimeSkippingEnv(),
    createTestDatabase(),
    SmtpCatcher.start(),
    opts.publicAtOwnAddress ? freePort() : 0,
  ]);
  const own: Record<string, string> = opts.publicAtOwnAddress ? { PUBLIC_BASE_URL: `http://127.0.0.1:${port}` } : {};
  const vars: Record<string, string> = { DATABASE_URL: db.url, TEMPORAL_ADDRESS: env.address, SMTP_URL: smtp.url, ...opts.vars, ...own };
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(testConfig(name, vars)), { logger: false });
  await worker.init();
  const dispatcher = await NestFactory.createApplicationContext(DispatcherModule.forRoot(testConfig(`${name}-dispatcher`, vars)), { logger: false });
  await dispatcher.init();
  const api = await TestApi.start(testConfig(name, vars), port);
  return {
    env,
    db,
    smtp,
    api,
    worker,
    dispatcher,
    async stop() {
      await dispatcher.close();
      await worker.close();
      await api.close();
      await Promise.all([env.teardown(), smtp.close(), db.drop()]);
    },
  };
}

/** The HTTP API alone, on a fresh database and a time-skipping server (no worker, no mail): integration tests. */
export async function startTestApi(name: string): Promise<Omit<TestSystem, 'smtp' | 'worker' | 'dispatcher'>> {
  const [env, db] = await Promise.all([createTimeSkippingEnv(), createTestDatabase()]);
  const api = await TestApi.start(testConfig(name, { DATABASE_URL: db.url, TEMPORAL_ADDRESS: env.address, SMTP_URL: 'smtp://127.0.0.1:2525' }));
  return {
    env,
    db,
    api,
    async stop() {
      await api.close();
      await Promise.all([env.teardown(), db.drop()]);
    },
  };
}
