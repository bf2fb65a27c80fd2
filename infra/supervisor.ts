import { ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as readline from 'node:readline';

export interface Child {
  name: string;
  proc: ChildProcess;
  /** Emits 'line' for every line the component prints. */
  lines: EventEmitter;
  exited: Promise<number | null>;
}

const colours = [36, 33, 35, 32, 34, 31];

/**
 * Spawns a component in its own process group (so a terminal's Ctrl-C reaches only the supervisor,
 * which stops components in order) and prefixes each output line with the component's name.
 */
export function spawnChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = new EventEmitter();
  const tag = `\x1b[${colours[name.length % colours.length]}m[${name}]\x1b[0m`;
  for (const stream of [proc.stdout!, proc.stderr!]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`${tag} ${line}\n`);
      lines.emit('line', line);
    });
  }
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { name, proc, lines, exited };
}

/** Sends SIGTERM and waits; after the grace period the whole process group gets SIGKILL. */
export async function stopChild(child: Child, graceMs: number): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([child.exited, timeout])) === 'timeout') {
    console.log(`[start] ${child.name} did not stop within ${graceMs / 1000} s; killing it`);
    try {
      process.kill(-child.proc.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await child.exited;
  }
}

export function waitForLine(child: Child, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${child.name} was not ready within ${timeoutMs / 1000} s`)), timeoutMs);
    const onLine = (line: string) => {
      const match = line.match(pattern);
      if (match) {
        clearTimeout(timer);
        child.lines.off('line', onLine);
        resolve(match);
      }
    };
    child.lines.on('line', onLine);
    child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${child.name} exited (code ${code}) before it was ready`));
    });
  });
}

/** A port nothing listens on now, for servers started by tests and benchmarks. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, child?: Child): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child && (child.proc.exitCode !== null || child.proc.signalCode !== null)) throw new Error(`${what}: process exited`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000} s`);
}

/**
 * What `npm start` and `npm run cluster` share: the children a run started, kept in its pid file; one that
 * exits unexpectedly stops everything; SIGINT (Ctrl-C) or SIGTERM stops them stage by stage, in the order
 * given (each stage's children together, SIGTERM then SIGKILL after its grace period), then the process exits.
 */
export class Supervision {
  private readonly stages = new Map<string, { graceMs: number; children: Child[]; stop?: () => Promise<void> }>();
  private stopping = false;

  constructor(
    private readonly pidFile: PidFile,
    private readonly log: (line: string) => void,
    stages: [name: string, graceMs: number][],
  ) {
    for (const [name, graceMs] of stages) this.stages.set(name, { graceMs, children: [] });
    process.on('SIGINT', () => void this.stopAll(0));
    process.on('SIGTERM', () => void this.stopAll(0));
  }

  track(stage: string, child: Child): Child {
    this.stage(stage).children.push(child);
    this.pidFile.record([...this.stages.values()].flatMap((s) => s.children));
    void child.exited.then((code) => {
      if (this.stopping) return;
      this.log(`${child.name} exited unexpectedly (code ${code}); stopping everything`);
      void this.stopAll(1);
    });
    return child;
  }

  /** Stops a stage with `stop` rather than a SIGTERM to each child (the Temporal cluster stops its services in its own order). */
  stopStageWith(stage: string, stop: () => Promise<void>): void {
    this.stage(stage).stop = stop;
  }

  async stopAll(code: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log(`stopping: ${[...this.stages.keys()].join(', then ')}`);
    for (const { graceMs, children, stop } of this.stages.values()) {
      if (stop) await stop();
      else await Promise.all(children.map((c) => stopChild(c, graceMs)));
    }
    this.pidFile.record([]);
    this.log('all stopped');
    process.exit(code);
  }

  private stage(name: string) {
    const stage = this.stages.get(name);
    if (!stage) throw new Error(`no stage ${name}`);
    return stage;
  }
}

/**
 * Remembers the process groups this run started, so the next start can stop what a killed run
 * (SIGKILL skips every exit hook) left behind. A recorded pid is only signalled while its command line
 * still matches, so a reused pid of an unrelated process is never touched.
 */
export class PidFile {
  constructor(private readonly file: string) {}

  record(children: Child[]): void {
    const entries = children.map((c) => ({ name: c.name, pid: c.proc.pid, cmdline: cmdline(c.proc.pid!) }));
    writeFileSync(this.file, JSON.stringify(entries, null, 2));
  }

  async stopStale(log: (line: string) => void): Promise<void> {
    if (!existsSync(this.file)) return;
    const entries: { name: string; pid: number; cmdline: string }[] = JSON.parse(readFileSync(this.file, 'utf8'));
    for (const entry of entries.reverse()) {
      if (!entry.pid || cmdline(entry.pid) !== entry.cmdline) continue;
      log(`stopping ${entry.name} (pid ${entry.pid}) left running by an earlier run`);
      try {
        process.kill(-entry.pid, 'SIGTERM');
      } catch {
        continue;
      }
      for (let i = 0; i < 100 && cmdline(entry.pid) === entry.cmdline; i++) await new Promise((r) => setTimeout(r, 100));
      if (cmdline(entry.pid) === entry.cmdline) process.kill(-entry.pid, 'SIGKILL');
    }
    writeFileSync(this.file, '[]');
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}
