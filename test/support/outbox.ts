import type { DataSource } from 'typeorm';
import { TEST_LINK_SECRET } from './config';

/** What every test dispatcher shares: the test link secret and quick retries. */
export const TEST_DISPATCHER = {
  mailFrom: 'Regie <regie@test.example>',
  publicBaseUrl: 'https://regie.example',
  linkSecret: TEST_LINK_SECRET,
  actionLinkDays: 30,
  pollMs: 200,
  retryInitialMs: 200,
  retryMaxMs: 1000,
};

/** Waits until no immediate mail is pending or being sent (retries included), or fails after `timeoutMs`. */
export async function outboxSettled(dataSource: DataSource, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ open }] = await dataSource.query(`SELECT count(*)::int AS open FROM outbox WHERE delivery = 'immediate' AND status IN ('pending', 'sending')`);
    if (open === 0) return;
    if (Date.now() > deadline) throw new Error(`${open} mail(s) still in the outbox after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
