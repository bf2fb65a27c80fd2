/**
 * The fault harness the outage and crash tests share: a Postgres of a test's own that it stops and starts on
 * the same port, a Temporal process paused (SIGSTOP) and resumed, Regie's worker and dispatcher as real
 * processes to SIGKILL and start again, and the count of what the SMTP servers received per recipient and
 * business key. Every fault is done to a real process; nothing is simulated.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as path from 'node:path';
import { RunningPostgres, startEmbeddedPostgres } from '../../infra/postgres';
import { freePort } from '../../infra/supervisor';
import type { CaughtMail } from './smtp';

const root = path.resolve(__dirname, '..', '..');

/** A real Postgres process of one test (infra/postgres.ts, as `npm start` runs it), stopped and started on its own port and data. */
export class OwnPostgres {
  private constructor(
    private running: RunningPostgres | undefined,
    private readonly dataDir: string,
    readonly port: number,
    private readonly database: string,
  ) {}

  static async start(dataDir: string, database = 'regie'): Promise<OwnPostgres> {
    const port = await freePort();
    const running = await startEmbeddedPostgres({ dataDir, port, database, log: () => undefined });
    return new OwnPostgres(running, dataDir, port, database);
  }

  get url(): string {
    return `postgres://regie:regie-local@127.0.0.1:${this.port}/${this.database}`;
  }

  get isRunning(): boolean {
    return !!this.running;
  }

  /** A fast shutdown, as an operator's `pg_ctl stop` (clients see their connections end). */
  async stop(): Promise<void> {
    await this.running?.stop();
    this.running = undefined;
  }

  /** Starts it again on the same port and data, which it keeps. */
  async start(): Promise<void> {
    if (!this.running) this.running = await startEmbeddedPostgres({ dataDir: this.dataDir, port: this.port, database: this.database, log: () => undefined });
  }

  /** Down for `ms`, then up again. */
  async outage(ms: number): Promise<void> {
    await this.stop();
    await new Promise((resolve) => setTimeout(resolve, ms));
    await this.start();
  }
}

/** The process of the Temporal test or dev server listening on `address`'s port. */
export function temporalServerPid(address: string): number {
  const port = address.split(':').pop()!;
  const pid = execFileSync('bash', ['-c', `pgrep -f 'temporal.* ${port}( |$)' | head -1 || true`]).toString().trim();
  if (!pid) throw new Error(`no Temporal server process on port ${port}`);
  return Number(pid);
}

/** Runs `during` with the process stopped (SIGSTOP: it accepts nothing and answers nothing), and resumes it whatever happens. */
export async function whilePaused<T>(pid: number, during: () => Promise<T>): Promise<T> {
  process.kill(pid, 'SIGSTOP');
  try {
    return await during();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

export type AppName = 'worker' | 'dispatcher';
/** What each process prints once it works: the worker polls, the dispatcher sends. */
const READY: Record<AppName, RegExp> = { worker: /Polling task queue/, dispatcher: /Sending the outbox/ };

/** One of Regie's processes as production runs it (its own process; TypeScript through ts-node). */
export interface AppProcess {
  readonly name: AppName;
  readonly child: ChildProcess;
  /** Resolves once it works (see READY); rejects if it exits before. */
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  readonly alive: boolean;
  kill(signal?: NodeJS.Signals): void;
}

export function startApp(name: AppName, env: NodeJS.ProcessEnv): AppProcess {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, 'apps', name, 'src', 'main.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    let tail = '';
    const onData = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-10_000);
      if (READY[name].test(tail)) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    void exited.then(() => reject(new Error(`${name} exited (${child.signalCode ?? child.exitCode}) before it was ready`)));
  });
  ready.catch(() => undefined);
  child.stderr!.resume();
  return {
    name,
    child,
    ready,
    exited,
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** What the SMTP servers received, per recipient and business key (the header every Regie mail carries). */
export interface Deliveries {
  /** `recipient businessKey` -> how often, and under which Message-IDs. */
  byKey: Map<string, { count: number; messageIds: Set<string> }>;
  /** Keys received more than once. */
  repeated: string[];
}

export const deliveryKey = (recipient: string, businessKey: string) => `${recipient} ${businessKey}`;

export function countDeliveries(mails: CaughtMail[]): Deliveries {
  const byKey = new Map<string, { count: number; messageIds: Set<string> }>();
  for (const mail of mails) {
    const key = deliveryKey(mail.envelopeTo.join(','), String(mail.parsed.headers.get('x-regie-business-key')));
    const entry = byKey.get(key) ?? { count: 0, messageIds: new Set<string>() };
    entry.count++;
    entry.messageIds.add(String(mail.parsed.messageId));
    byKey.set(key, entry);
  }
  return { byKey, repeated: [...byKey].filter(([, v]) => v.count > 1).map(([k]) => k) };
}
