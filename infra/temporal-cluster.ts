/**
 * A Temporal cluster as a cluster runs: the open-source server (infra/install-temporal-server.sh) on
 * PostgreSQL persistence and visibility (schemas by its own temporal-sql-tool), the frontend, history,
 * matching and worker services each its own process, the `default` namespace. `npm run cluster`
 * (cluster.ts) starts it with the Web UI and Regie on top; the cluster tests start it on free ports and kill
 * and restart its services.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Child, portOpen, spawnChild, stopChild, waitFor } from './supervisor';

export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

export interface ClusterPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  /** Each service's Prometheus endpoint (one per process: they cannot share a port). */
  metrics: Record<TemporalService, number>;
}

export interface ClusterOptions {
  /** Config files go here. */
  dir: string;
  /** Where install-temporal-server.sh linked the binaries and schemas (`.tools`). */
  tools: string;
  /** The Postgres server (its user and password); the two databases are made on it. */
  db: URL;
  databases: { persistence: string; visibility: string };
  ports: ClusterPorts;
  shards: number;
  partitions: number;
  env?: NodeJS.ProcessEnv;
}

export interface TemporalCluster {
  address: string;
  services: Map<TemporalService, Child>;
  /** Starts one service (again, after a kill). */
  start(service: TemporalService): Child;
  /** SIGKILL, as a crash. */
  kill(service: TemporalService): Promise<void>;
  /** Stops every service, frontend last. */
  stop(): Promise<void>;
}

/** The server's configuration: PostgreSQL (postgres12 plugin) for both stores, each service on its own ports, metrics for Prometheus. */
function serverConfig(db: URL, o: ClusterOptions, metricsPort: number): string {
  const store = (database: string, conns: number) => `
      sql:
        pluginName: "postgres12"
        databaseName: "${database}"
        connectAddr: "${db.hostname}:${db.port}"
        connectProtocol: "tcp"
        user: "${decodeURIComponent(db.username)}"
        password: "${decodeURIComponent(db.password)}"
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: "1h"`;
  const service = (grpc: number, membership: number, extra = '') => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${extra}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${o.shards}
  datastores:
    postgres-default:${store(o.databases.persistence, 20)}
    postgres-visibility:${store(o.databases.visibility, 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "127.0.0.1:${metricsPort}"
services:
  frontend:${service(o.ports.frontend, o.ports.frontendMembership, `\n      httpPort: ${o.ports.frontendHttp}`)}
  history:${service(o.ports.history, o.ports.historyMembership)}
  matching:${service(o.ports.matching, o.ports.matchingMembership)}
  worker:${service(o.ports.worker, o.ports.workerMembership)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${o.ports.frontend}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${path.join(o.dir, 'dynamicconfig.yaml')}"
  pollInterval: "10s"
`;
}

/** Settings a cluster needs for Regie: updates (every step write is one), and search attributes visible at once. */
const dynamicConfig = (partitions: number) => `frontend.enableUpdateWorkflowExecution:
  - value: true
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
matching.numTaskqueueReadPartitions:
  - value: ${partitions}
matching.numTaskqueueWritePartitions:
  - value: ${partitions}
`;

/** The PostgreSQL schemas of persistence and visibility, created or brought up to date by the server's own tool (idempotent). */
function setupSchemas(db: URL, o: ClusterOptions): void {
  const sqlTool = path.join(o.tools, 'temporal-sql-tool');
  const schema = path.join(o.tools, 'temporal-schema', 'postgresql', 'v12');
  const base = ['--plugin', 'postgres12', '--ep', db.hostname, '-p', db.port, '-u', decodeURIComponent(db.username), '--pw', decodeURIComponent(db.password)];
  const run = (args: string[], tolerate?: RegExp) => {
    const r = spawnSync(sqlTool, [...base, ...args], { encoding: 'utf8' });
    const out = `${r.stdout}${r.stderr}`;
    if (r.status !== 0 && !(tolerate && tolerate.test(out))) throw new Error(`temporal-sql-tool ${args.join(' ')} failed: ${out.trim().split('\n').slice(-3).join(' ')}`);
  };
  for (const [database, dir] of [
    [o.databases.persistence, 'temporal'],
    [o.databases.visibility, 'visibility'],
  ]) {
    run(['--db', database, 'create-database'], /already exists/);
    // setup-schema -v 0.0 makes the version table (harmless when it is there); update-schema applies what is missing.
    run(['--db', database, 'setup-schema', '-v', '0.0'], /already exists/);
    run(['--db', database, 'update-schema', '-d', path.join(schema, dir, 'versioned')]);
  }
}


/**
 * A free port in 20000-31999: below the kernel's ephemeral range (32768 and up), where no outgoing connection
 * and no port-0 listener (`freePort`) can take it between choosing it and the service binding it, which may
 * be many seconds later (the frontend starts after the history service); Temporal also keeps membership
 * ports in a smallint column.
 */
async function lowFreePort(taken: Set<number>): Promise<number> {
  for (;;) {
    const p = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(p) && !(await portOpen(p))) {
      taken.add(p);
      return p;
    }
  }
}

/** A cluster on free ports (tests, benches): every service's gRPC, HTTP, membership and metrics port its own. */
export async function freeClusterPorts(): Promise<ClusterPorts> {
  const taken = new Set<number>();
  const port = () => lowFreePort(taken);
  return {
    frontend: await port(),
    frontendHttp: await port(),
    frontendMembership: await port(),
    history: await port(),
    historyMembership: await port(),
    matching: await port(),
    matchingMembership: await port(),
    worker: await port(),
    workerMembership: await port(),
    metrics: { history: await port(), matching: await port(), frontend: await port(), worker: await port() },
  };
}

/** Makes the databases and schemas, writes the configuration, starts the four services and the namespace. */
export async function startTemporalCluster(o: ClusterOptions): Promise<TemporalCluster> {
  mkdirSync(o.dir, { recursive: true });
  setupSchemas(o.db, o);
  // One file per service: the same cluster, each its own metrics port.
  const configFile = (service: TemporalService) => path.join(o.dir, `config-${service}.yaml`);
  for (const service of TEMPORAL_SERVICES) writeFileSync(configFile(service), serverConfig(o.db, o, o.ports.metrics[service]), { mode: 0o600 });
  writeFileSync(path.join(o.dir, 'dynamicconfig.yaml'), dynamicConfig(o.partitions));
  const services = new Map<TemporalService, Child>();
  const start = (service: TemporalService) => {
    const child = spawnChild(`temporal-${service}`, path.join(o.tools, 'temporal-server'), ['--config-file', configFile(service), '--allow-no-auth', 'start', '--service', service], o.env ?? process.env);
    services.set(service, child);
    return child;
  };
  const stop = async () => {
    await Promise.all((['worker', 'matching', 'history'] as const).map((s) => services.get(s)).filter((c): c is Child => !!c).map((c) => stopChild(c, 20_000)));
    const frontend = services.get('frontend');
    if (frontend) await stopChild(frontend, 20_000);
  };
  const address = `127.0.0.1:${o.ports.frontend}`;
  try {
    // History first, alone: on a new database the first service to start writes the cluster's metadata, and
    // services starting together race for it (the loser exits).
    start('history');
    await waitFor('Temporal history service', () => portOpen(o.ports.history), 120_000, services.get('history'));
    for (const service of TEMPORAL_SERVICES) if (service !== 'history') start(service);
    await waitFor('Temporal frontend', () => portOpen(o.ports.frontend), 120_000, services.get('frontend'));
    const cli = path.join(o.tools, 'venv', 'bin', 'temporal');
    const cliRun = (args: string[]) => spawnSync(cli, [...args, '--address', address], { encoding: 'utf8' });
    // The default namespace: a cluster has none until it is made (the dev server makes it itself).
    await waitFor(
      'namespace default',
      async () => {
        // Described is not yet usable: the services' namespace caches refresh every few seconds; a count answers once they have it.
        if (cliRun(['operator', 'namespace', 'describe', '--namespace', 'default']).status === 0) return cliRun(['workflow', 'count', '--namespace', 'default']).status === 0;
        cliRun(['operator', 'namespace', 'create', '--namespace', 'default', '--retention', '30d']);
        return false;
      },
      120_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    address,
    services,
    start,
    async kill(service) {
      const child = services.get(service);
      if (!child) return;
      try {
        process.kill(-child.proc.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await child.exited;
    },
    stop,
  };
}
