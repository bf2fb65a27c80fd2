import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { createActivities } from '../../activities';
import { regieWorkerOptions } from '../../apps/worker/src/worker-options';
import { OutboxDispatcher } from '../../libs/mail/dispatcher';
import { outboxSettled, TEST_DISPATCHER } from './outbox';
import { createDataSource } from '../../libs/db/data-source';
import { createMailTransport } from '../../libs/mail/mailer';
import { registerSearchAttributes } from '../../libs/temporal/search-attributes';
import { createTestDatabase, TestDatabase } from './database';
import { SmtpCatcher } from './smtp';
import { advanceTo, createTimeSkippingEnv } from './temporal';

/**
 * Every workflow test starts on this instant: later than any real date the suite will run on, so the
 * expectations do not expire (the time-skipping clock starts at the real date and only moves forward).
 * Years after the last published decree count only the statutory holidays.
 */
export const PINNED_TODAY = '2030-11-25T12:00:00Z';

export interface WorkflowHarness {
  env: TestWorkflowEnvironment;
  dataSource: DataSource;
  smtp: SmtpCatcher;
  /** The real outbox dispatcher, sending to this file's SMTP server while the file runs. */
  dispatcher: OutboxDispatcher;
  /** Waits until the outbox holds nothing due (everything sent, refused, cancelled or waiting for a digest). */
  delivered(): Promise<void>;
  /** The real activities, on this file's database. */
  activities(): ReturnType<typeof createActivities>;
  /** Runs `fn` while a real worker polls `taskQueue` (with the real activities unless others are given). */
  withWorker<T>(taskQueue: string, fn: () => Promise<T>, activities?: ReturnType<typeof createActivities>): Promise<T>;
  advanceTo(iso: string): Promise<void>;
}

/**
 * Workflow tests on the time-skipping server with the real activities, a real Postgres (a fresh database
 * per file) and a real SMTP server. Each test gets its own server, its clock set to PINNED_TODAY: one
 * test's years must not put the next test's moments in the past.
 */
export function workflowHarness(name: string): WorkflowHarness {
  let db: TestDatabase;
  let mail: Transporter;
  const h = {
    activities: () => createActivities({ dataSource: h.dataSource }),
    delivered: () => outboxSettled(h.dataSource),
    async withWorker<T>(taskQueue: string, fn: () => Promise<T>, activities = h.activities()): Promise<T> {
      // The worker options production uses (workflows, interceptors), with this test's activities.
      const worker = await Worker.create(regieWorkerOptions({ connection: h.env.nativeConnection, taskQueue, activities }));
      return worker.runUntil(fn);
    },
    advanceTo: (iso: string) => advanceTo(h.env, iso),
  } as WorkflowHarness;

  beforeAll(async () => {
    [db, h.smtp] = await Promise.all([createTestDatabase(), SmtpCatcher.start()]);
    h.dataSource = createDataSource(db.url, name);
    await h.dataSource.initialize();
    mail = createMailTransport(h.smtp.url, 2);
    h.dispatcher = new OutboxDispatcher({ ...TEST_DISPATCHER, dataSource: h.dataSource, databaseUrl: db.url, mail });
    await h.dispatcher.start();
  });
  afterAll(async () => {
    await h.dispatcher?.stop();
    mail?.close();
    await h.dataSource?.destroy();
    await Promise.all([h.smtp?.close(), db?.drop()]);
  });
  beforeEach(async () => {
    h.env = await createTimeSkippingEnv();
    await registerSearchAttributes(h.env.connection, 'default');
    await advanceTo(h.env, PINNED_TODAY);
  });
  afterEach(async () => {
    await h.env?.teardown();
  });
  return h;
}
