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

/** Polls `check` every 50 ms until it holds, or fails after `timeoutMs` naming what it waited for. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls until `check` returns a value (not undefined), or fails with the last error it saw. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  let last: unknown;
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

/** Waits until no immediate mail is pending or being sent (retries included), or fails after `timeoutMs`. */
export async function outboxSettled(dataSource: DataSource, timeoutMs = 30_000): Promise<void> {
  let open = 0;
  await until(
    'the outbox to settle',
    async () => {
      [{ open }] = await dataSource.query(`SELECT count(*)::int AS open FROM outbox WHERE delivery = 'immediate' AND status IN ('pending', 'sending')`);
      return open === 0;
    },
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}: ${open} mail(s) still in the outbox`);
  });
}

/**
 * Waits until the read model (step_state) holds at least `minRows` rows and has not changed for `quietMs`:
 * what a test needs before it compares two answers that must be equal "while nothing changed".
 */
export async function readModelSettled(dataSource: DataSource, minRows: number, quietMs = 1500, timeoutMs = 30_000): Promise<void> {
  let last = '';
  let since = Date.now();
  await until(
    `the read model to hold ${minRows} rows and stay unchanged for ${quietMs} ms`,
    async () => {
      const [{ n, digest }] = await dataSource.query(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(s::text, '|' ORDER BY s.owner_kind, s.owner_code, s.step_key, s.cycle_year), '')) AS digest FROM step_state s`,
      );
      const now = `${n}:${digest}`;
      if (now !== last) [last, since] = [now, Date.now()];
      return n >= minRows && Date.now() - since >= quietMs;
    },
    timeoutMs,
  );
}
