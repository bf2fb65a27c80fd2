/**
 * The dispatcher's LISTEN connection, cut by the real Postgres server (as a restart or a network cut
 * would), is connected again without a restart of the dispatcher.
 */
import { DataSource } from 'typeorm';
import { createDataSource } from '../../libs/db/data-source';
import { OutboxDispatcher } from '../../libs/mail/dispatcher';
import { createMailTransport } from '../../libs/mail/mailer';
import { createTestDatabase, TestDatabase } from '../support/database';
import { TEST_DISPATCHER, until } from '../support/outbox';
import { SmtpCatcher } from '../support/smtp';

let db: TestDatabase;
let dataSource: DataSource;
let smtp: SmtpCatcher;

beforeAll(async () => {
  [db, smtp] = await Promise.all([createTestDatabase(), SmtpCatcher.start()]);
  dataSource = createDataSource(db.url, 'dispatcher-reconnect-test');
  await dataSource.initialize();
});
afterAll(async () => {
  await dataSource?.destroy();
  await Promise.all([smtp?.close(), db?.drop()]);
});

const listeners = async (): Promise<number[]> =>
  (
    await dataSource.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'regie-dispatcher-listen'`)
  ).map((r: { pid: number }) => r.pid);

test('a LISTEN connection terminated by the server comes back, repeatedly, while the dispatcher keeps running', async () => {
  const warnings: string[] = [];
  const mail = createMailTransport(smtp.url, 1);
  const dispatcher = new OutboxDispatcher({
    ...TEST_DISPATCHER,
    dataSource,
    databaseUrl: db.url,
    mail,
    log: { log: () => undefined, warn: (m) => warnings.push(m), error: () => undefined },
  });
  await dispatcher.start();
  try {
    for (let round = 1; round <= 3; round++) {
      const [before] = await listeners();
      expect(before).toEqual(expect.any(Number));
      await dataSource.query(`SELECT pg_terminate_backend($1)`, [before]);
      await until(`a new LISTEN connection (round ${round})`, async () => {
        const now = await listeners();
        return now.length === 1 && now[0] !== before;
      }, 20_000);
    }
    expect(warnings.filter((w) => w.startsWith('LISTEN connection lost'))).toHaveLength(3);
  } finally {
    await dispatcher.stop();
    mail.close();
  }
  // Stopped: it does not connect again.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await listeners()).toEqual([]);
});
