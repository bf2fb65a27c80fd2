/**
 * `npm run cluster`: Regie on a real Temporal cluster, run as a cluster runs. The open-source Temporal server
 * (built once by infra/install-temporal-server.sh) on PostgreSQL persistence and visibility (schemas set up
 * by its own temporal-sql-tool), its frontend, history, matching and worker services as separate processes
 * with REGIE_CLUSTER_SHARDS history shards, Temporal's Web UI server; then `infra/start.ts` with
 * TEMPORAL_ADDRESS and DATABASE_URL pointing there, which runs the mail catcher, REGIE_WORKERS workers,
 * REGIE_DISPATCHERS dispatchers (2 each by default) and the API. One Postgres server holds the cluster's two
 * databases and Regie's. Ctrl-C stops Regie first, then the Temporal services (frontend last), Postgres last.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Child, PidFile, portOpen, spawnChild, stopChild, waitFor, waitForLine } from './supervisor';

const root = path.resolve(__dirname, '..', '..');
const env = process.env;
const dataDir = path.resolve(env.REGIE_DATA_DIR ?? path.join(root, '.data', 'cluster'));
const tools = path.resolve(env.REGIE_TOOLS_DIR ?? path.join(root, '.tools'));
const port = (name: string, fallback: number) => Number(env[name] ?? fallback);
const ports = {
  postgres: port('REGIE_POSTGRES_PORT', 5434),
  frontend: port('REGIE_TEMPORAL_PORT', 7233),
  frontendHttp: port('REGIE_TEMPORAL_HTTP_PORT', 7243),
  history: port('REGIE_TEMPORAL_HISTORY_PORT', 7234),
  matching: port('REGIE_TEMPORAL_MATCHING_PORT', 7235),
  worker: port('REGIE_TEMPORAL_WORKER_PORT', 7239),
  ui: port('REGIE_TEMPORAL_UI_PORT', 8233),
  metrics: port('REGIE_TEMPORAL_METRICS_PORT', 8000),
};
const shards = port('REGIE_CLUSTER_SHARDS', 4);
const SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
const log = (line: string) => console.log(`[cluster] ${line}`);

/** The server's configuration: PostgreSQL (postgres12 plugin) for both stores, each service on its own ports, metrics for Prometheus. */
function serverConfig(db: URL): string {
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
  numHistoryShards: ${shards}
  datastores:
    postgres-default:${store('temporal', 20)}
    postgres-visibility:${store('temporal_visibility', 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "127.0.0.1:${ports.metrics}"
services:
  frontend:${service(ports.frontend, ports.frontend + 10000, `\n      httpPort: ${ports.frontendHttp}`)}
  history:${service(ports.history, ports.history + 10000)}
  matching:${service(ports.matching, ports.matching + 10000)}
  worker:${service(ports.worker, ports.worker + 10000)}
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
      rpcAddress: "127.0.0.1:${ports.frontend}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${path.join(dataDir, 'temporal', 'dynamicconfig.yaml')}"
  pollInterval: "10s"
`;
}

/** Settings a cluster needs for Regie: updates (every step write is one), and search attributes visible at once. */
const DYNAMIC_CONFIG = `frontend.enableUpdateWorkflowExecution:
  - value: true
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
matching.numTaskqueueReadPartitions:
  - value: ${port('REGIE_TASK_QUEUE_PARTITIONS', 4)}
matching.numTaskqueueWritePartitions:
  - value: ${port('REGIE_TASK_QUEUE_PARTITIONS', 4)}
`;

/** The PostgreSQL schemas of persistence and visibility, created or brought up to date by the server's own tool (idempotent). */
function setupSchemas(db: URL): void {
  const sqlTool = path.join(tools, 'temporal-sql-tool');
  const schema = path.join(tools, 'temporal-schema', 'postgresql', 'v12');
  const base = ['--plugin', 'postgres12', '--ep', db.hostname, '-p', db.port, '-u', decodeURIComponent(db.username), '--pw', decodeURIComponent(db.password)];
  const run = (args: string[], tolerate?: RegExp) => {
    const r = spawnSync(sqlTool, [...base, ...args], { encoding: 'utf8' });
    const out = `${r.stdout}${r.stderr}`;
    if (r.status !== 0 && !(tolerate && tolerate.test(out))) throw new Error(`temporal-sql-tool ${args.join(' ')} failed: ${out.trim().split('\n').slice(-3).join(' ')}`);
  };
  for (const [database, dir] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ]) {
    run(['--db', database, 'create-database'], /already exists/);
    // setup-schema -v 0.0 makes the version table (harmless when it is there); update-schema applies what is missing.
    run(['--db', database, 'setup-schema', '-v', '0.0'], /already exists/);
    run(['--db', database, 'update-schema', '-d', path.join(schema, dir, 'versioned')]);
  }
}

async function main(): Promise<void> {
  const install = spawnSync('bash', [path.join(root, 'infra', 'install-temporal-server.sh')], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error('infra/install-temporal-server.sh failed (see above)');
  mkdirSync(path.join(dataDir, 'temporal'), { recursive: true });
  const pidFile = new PidFile(path.join(dataDir, 'cluster-pids.json'));
  await pidFile.stopStale(log);

  const children: Child[] = [];
  let regie: Child | undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping: Regie (API, workers, dispatchers, mail), then the Temporal services and the UI, Postgres last');
    if (regie) await stopChild(regie, 60_000);
    const byName = (name: string) => children.find((c) => c.name === name);
    await Promise.all(['temporal-ui', 'temporal-worker', 'temporal-matching', 'temporal-history'].map((n) => byName(n)).filter((c): c is Child => !!c).map((c) => stopChild(c, 20_000)));
    for (const name of ['temporal-frontend', 'postgres']) {
      const c = byName(name);
      if (c) await stopChild(c, 30_000);
    }
    pidFile.record([]);
    log('all stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  const track = (child: Child) => {
    children.push(child);
    pidFile.record(regie ? [...children, regie] : children);
    void child.exited.then((code) => {
      if (!stopping) {
        log(`${child.name} exited unexpectedly (code ${code}); stopping everything`);
        void stopAll(1);
      }
    });
    return child;
  };

  try {
    for (const [name, p] of Object.entries(ports)) if (await portOpen(p)) throw new Error(`port ${p} (${name}) is in use; stop what uses it (npm start?) or set its variable (see README)`);
    const pg = track(spawnChild('postgres', process.execPath, [path.join(__dirname, 'postgres-process.js'), path.join(dataDir, 'postgres'), String(ports.postgres), 'regie'], env));
    const databaseUrl = (await waitForLine(pg, /^READY (\S+)/, 120_000))[1];
    const db = new URL(databaseUrl);
    log('setting up the Temporal schemas (temporal-sql-tool)');
    setupSchemas(db);
    const configFile = path.join(dataDir, 'temporal', 'config.yaml');
    writeFileSync(configFile, serverConfig(db), { mode: 0o600 });
    writeFileSync(path.join(dataDir, 'temporal', 'dynamicconfig.yaml'), DYNAMIC_CONFIG);

    const server = path.join(tools, 'temporal-server');
    for (const service of SERVICES) {
      track(spawnChild(`temporal-${service}`, server, ['--config-file', configFile, '--allow-no-auth', 'start', '--service', service], env));
    }
    const address = `127.0.0.1:${ports.frontend}`;
    await waitFor('Temporal frontend', () => portOpen(ports.frontend), 120_000, children.find((c) => c.name === 'temporal-frontend'));
    const cli = path.join(tools, 'venv', 'bin', 'temporal');
    const cliRun = (args: string[]) => spawnSync(cli, [...args, '--address', address], { encoding: 'utf8' });
    // The default namespace: a cluster has none until it is made (the dev server makes it itself).
    await waitFor(
      'namespace default',
      async () => {
        if (cliRun(['operator', 'namespace', 'describe', '--namespace', 'default']).status === 0) return true;
        cliRun(['operator', 'namespace', 'create', '--namespace', 'default', '--retention', '30d']);
        return false;
      },
      120_000,
    );
    writeFileSync(path.join(dataDir, 'temporal', 'ui.yaml'), `port: ${ports.ui}\nenableUi: true\ntemporalGrpcAddress: ${address}\ndefaultNamespace: default\ncors:\n  cookieInsecure: true\n  unsafeAllowAllOrigins: true\n`);
    track(spawnChild('temporal-ui', path.join(tools, 'temporal-ui-server'), ['--root', path.join(dataDir, 'temporal'), '--config', '.', '--env', 'ui', 'start'], env));
    await waitFor('Temporal Web UI', () => portOpen(ports.ui), 60_000, children.find((c) => c.name === 'temporal-ui'));

    log(`cluster up: ${SERVICES.length} services, ${shards} history shards, PostgreSQL persistence and visibility; UI http://localhost:${ports.ui}`);
    regie = spawnChild('regie', process.execPath, [path.join(__dirname, 'start.js')], {
      ...env,
      REGIE_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: address,
      REGIE_TEMPORAL_UI_URL: `http://localhost:${ports.ui}`,
      REGIE_WORKERS: env.REGIE_WORKERS ?? '2',
      REGIE_DISPATCHERS: env.REGIE_DISPATCHERS ?? '2',
    });
    pidFile.record([...children, regie]);
    void regie.exited.then((code) => {
      if (!stopping) {
        log(`Regie exited (code ${code}); stopping the cluster`);
        void stopAll(code ?? 1);
      }
    });
  } catch (err) {
    log(`cluster failed: ${(err as Error).message}`);
    await stopAll(1);
  }
}

void main();
