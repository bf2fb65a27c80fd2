/**
 * The real dispatcher process, killed with SIGKILL in the middle of a batch, then started again: nothing
 * is lost and nothing is sent twice. The one window SMTP leaves (the server accepted a mail, the
 * dispatcher died before recording it) is shown too: at most the mail in flight arrives again, with the
 * same Message-ID, and its row says so. Every part is real: Postgres, the SMTP server, the process.
 */
import { DataSource } from 'typeorm';
import { createActivities } from '../../activities';
import { notificationBusinessKey, NotificationRequest } from '../../libs/contracts';
import { createDataSource } from '../../libs/db/data-source';
import { storeRulebook } from '../../libs/db/rulebook-store';
import { rulebookDueDate } from '../../libs/rulebook/schedule';
import { TEST_ADMIN_TOKEN, TEST_LINK_SECRET } from '../support/config';
import { createTestDatabase, TestDatabase } from '../support/database';
import { AppProcess, startApp } from '../support/faults';
import { until } from '../support/outbox';
import { testRulebook } from '../support/rulebooks';
import { SmtpCatcher, SmtpCatcherOptions } from '../support/smtp';

const MAILS = 24;
const rulebook = testRulebook('test-crash', { effectiveDate: '2032-07-01' });
const definition = rulebook.rulebook.steps[0];

let db: TestDatabase;
let dataSource: DataSource;
const children: AppProcess[] = [];

beforeEach(async () => {
  db = await createTestDatabase();
  dataSource = createDataSource(db.url, 'crash-test');
  await dataSource.initialize();
  await storeRulebook(dataSource, rulebook, 'operator');
  await dataSource.query(`INSERT INTO onboarding (municipality_code, workflow_id, rulebook_id, programme_manager_email) VALUES ('GM0363', 'programme-GM0363', $1, 'pm@gm0363.example')`, [
    rulebook.rulebook.id,
  ]);
  // MAILS firings queued by the real notification activity, one mail each.
  const { sendNotification } = createActivities({ dataSource });
  const due = rulebookDueDate(rulebook.rulebook, definition)!;
  for (let i = 1; i <= MAILS; i++) {
    const firingKey = `reminder-${i}`;
    const request: NotificationRequest = {
      businessKey: notificationBusinessKey('programme-GM0363', definition.key, due.date, firingKey),
      workflowId: 'programme-GM0363',
      owner: { kind: 'municipality', code: 'GM0363' },
      step: definition.key,
      stepKey: definition.key,
      cycleYear: null,
      kind: 'reminder',
      firingKey,
      offsetDays: i,
      roles: ['programme-manager'],
      mandatory: false,
      dateKind: 'statutory',
      due,
      sequence: 0,
      openChecklist: [],
      rulebookId: rulebook.rulebook.id,
      rulebookHash: rulebook.hash,
      stateSeq: 1,
    };
    await sendNotification(request);
  }
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  await dataSource?.destroy();
  await db?.drop();
});

/** The dispatcher as its own process (the shared fault harness), one SMTP connection, a 5-second lease. */
function startDispatcher(smtp: SmtpCatcher): AppProcess {
  const dispatcher = startApp('dispatcher', {
    DATABASE_URL: db.url,
    SMTP_URL: smtp.url,
    SMTP_MAX_CONNECTIONS: '1',
    MAIL_LEASE_SECONDS: '5',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LINK_SECRET: TEST_LINK_SECRET,
    PUBLIC_BASE_URL: 'https://regie.example',
    MAIL_FROM: 'Regie <regie@test.example>',
  });
  children.push(dispatcher);
  return dispatcher;
}

const sentRows = async () => Number((await dataSource.query(`SELECT count(*) AS n FROM outbox WHERE status = 'sent'`))[0].n);

/** Kills the first dispatcher at the moment `killAt` picks, starts a second one, and waits until every row is sent. */
async function crashAndRecover(killAt: (kill: () => void, accepted: () => number) => SmtpCatcherOptions) {
  let first: AppProcess | undefined;
  let smtp: SmtpCatcher | undefined;
  let killed!: () => void;
  const wasKilled = new Promise<void>((resolve) => (killed = resolve));
  const kill = () => {
    first!.kill();
    killed();
  };
  smtp = await SmtpCatcher.start(killAt(kill, () => smtp!.mails.length));
  first = startDispatcher(smtp);
  await wasKilled;
  await first.exited;
  expect(first.child.signalCode).toBe('SIGKILL');
  const sentBeforeRestart = await sentRows();
  startDispatcher(smtp);
  await until('every row sent', async () => (await sentRows()) === MAILS, 60_000);
  await smtp.close();
  const counts = new Map<string, number>();
  for (const m of smtp.mails) counts.set(String(m.parsed.messageId), (counts.get(String(m.parsed.messageId)) ?? 0) + 1);
  const rows = await dataSource.query(`SELECT message_id, status, status_reason, attempts FROM outbox ORDER BY id`);
  return { counts, rows, sentBeforeRestart };
}

test('SIGKILL while a mail is in flight, before the server accepted it: after a restart every mail arrived exactly once', async () => {
  let struck = false;
  const { counts, rows, sentBeforeRestart } = await crashAndRecover((kill, accepted) => ({
    // The tenth mail's data has arrived; the nine before it are accepted and recorded. Kill before answering.
    beforeAccept: async () => {
      if (struck || accepted() !== 9) return;
      struck = true;
      await until('the nine accepted mails recorded', async () => (await sentRows()) === 9, 10_000);
      kill();
      throw new Error('the dispatcher died before the server accepted this mail');
    },
  }));
  expect(sentBeforeRestart).toBe(9);
  // Nothing lost, nothing twice: one arrival per outbox row, by the row's own Message-ID.
  expect(counts.size).toBe(MAILS);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(new Set(rows.map((r: { message_id: string }) => r.message_id))).toEqual(new Set(counts.keys()));
  // The rows the dead dispatcher had claimed were taken over after their lease, and say so.
  const interrupted = rows.filter((r: { status_reason: string | null }) => r.status_reason === 'sent again after an interrupted attempt (same Message-ID)');
  expect(interrupted.length).toBeGreaterThanOrEqual(1);
  expect(rows.every((r: { status: string }) => r.status === 'sent')).toBe(true);
});

test('SIGKILL right after the server accepted a mail (the SMTP window): nothing lost, at most that one mail again, with the same Message-ID', async () => {
  let accepted: string | undefined;
  const { counts, rows } = await crashAndRecover((kill, count) => ({
    afterAccept: (mail) => {
      if (count() !== 5 || accepted) return;
      accepted = String(mail.parsed.messageId);
      kill();
    },
  }));
  expect(counts.size).toBe(MAILS);
  const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  // Only the mail accepted in the instant of the kill may have arrived twice; a receiving client that
  // de-duplicates by Message-ID shows it once.
  expect(twice.every((id) => id === accepted)).toBe(true);
  expect([...counts.values()].every((n) => n <= 2)).toBe(true);
  if (twice.length) {
    expect(rows.find((r: { message_id: string }) => r.message_id === accepted)).toMatchObject({ status: 'sent', status_reason: 'sent again after an interrupted attempt (same Message-ID)' });
  }
  console.log(`SMTP window: the mail accepted at the kill arrived ${counts.get(accepted!)} time(s)`);
});
