import { DataSource } from 'typeorm';

/** Arbitrary but fixed key: every Regie process takes this lock before migrating. */
const MIGRATION_LOCK_KEY = 7_233_0363;

/**
 * Runs pending migrations under a Postgres advisory lock, so several processes starting at once
 * (API, workers) do not race: the first migrates, the others wait and then find nothing to do.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
