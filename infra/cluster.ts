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
import { PidFile, portOpen, spawnChild, Supervision, waitFor, waitForLine } from './supervisor';
import { startTemporalCluster } from './temporal-cluster';

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
  // The services' Prometheus endpoints: this port and the next three (history, matching, frontend, worker).
  metrics: port('REGIE_TEMPORAL_METRICS_PORT', 8000),
};
const shards = port('REGIE_CLUSTER_SHARDS', 4);
const log = (line: string) => console.log(`[cluster] ${line}`);

async function main(): Promise<void> {
  const install = spawnSync('bash', [path.join(root, 'infra', 'install-temporal-server.sh')], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error('infra/install-temporal-server.sh failed (see above)');
  mkdirSync(path.join(dataDir, 'temporal'), { recursive: true });
  const pidFile = new PidFile(path.join(dataDir, 'cluster-pids.json'));
  await pidFile.stopStale(log);

  // Stopped in this order: Regie first (its own start.ts stops its parts), the Temporal services in their order, Postgres last.
  const [regieStage, ui, temporal, postgres] = ['Regie (API, workers, dispatchers, mail)', 'the Temporal UI', 'the Temporal services', 'Postgres'];
  const run = new Supervision(pidFile, log, [[regieStage, 60_000], [ui, 20_000], [temporal, 60_000], [postgres, 30_000]]);

  try {
    for (const [name, p] of Object.entries(ports)) if (await portOpen(p)) throw new Error(`port ${p} (${name}) is in use; stop what uses it (npm start?) or set its variable (see README)`);
    const pg = run.track(postgres, spawnChild('postgres', process.execPath, [path.join(__dirname, 'postgres-process.js'), path.join(dataDir, 'postgres'), String(ports.postgres), 'regie'], env));
    const databaseUrl = (await waitForLine(pg, /^READY (\S+)/, 120_000))[1];
    const db = new URL(databaseUrl);
    log('setting up the Temporal schemas (temporal-sql-tool) and starting its four services');
    const membership = (p: number) => p + 10000;
    const cluster = await startTemporalCluster({
      dir: path.join(dataDir, 'temporal'),
      tools,
      db,
      databases: { persistence: 'temporal', visibility: 'temporal_visibility' },
      ports: {
        ...ports,
        metrics: { history: ports.metrics, matching: ports.metrics + 1, frontend: ports.metrics + 2, worker: ports.metrics + 3 },
        frontendMembership: membership(ports.frontend),
        historyMembership: membership(ports.history),
        matchingMembership: membership(ports.matching),
        workerMembership: membership(ports.worker),
      },
      shards,
      partitions: port('REGIE_TASK_QUEUE_PARTITIONS', 4),
      env,
    });
    for (const child of cluster.services.values()) run.track(temporal, child);
    run.stopStageWith(temporal, () => cluster.stop());
    const address = cluster.address;
    writeFileSync(path.join(dataDir, 'temporal', 'ui.yaml'), `port: ${ports.ui}\nenableUi: true\ntemporalGrpcAddress: ${address}\ndefaultNamespace: default\ncors:\n  cookieInsecure: true\n  unsafeAllowAllOrigins: true\n`);
    const uiServer = run.track(ui, spawnChild('temporal-ui', path.join(tools, 'temporal-ui-server'), ['--root', path.join(dataDir, 'temporal'), '--config', '.', '--env', 'ui', 'start'], env));
    await waitFor('Temporal Web UI', () => portOpen(ports.ui), 60_000, uiServer);

    log(`cluster up: ${cluster.services.size} services, ${shards} history shards, PostgreSQL persistence and visibility; UI http://localhost:${ports.ui}`);
    run.track(regieStage, spawnChild('regie', process.execPath, [path.join(__dirname, 'start.js')], {
      ...env,
      REGIE_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: address,
      REGIE_TEMPORAL_UI_URL: `http://localhost:${ports.ui}`,
      REGIE_WORKERS: env.REGIE_WORKERS ?? '2',
      REGIE_DISPATCHERS: env.REGIE_DISPATCHERS ?? '2',
    }));
  } catch (err) {
    log(`cluster failed: ${(err as Error).message}`);
    await run.stopAll(1);
  }
}

void main();
