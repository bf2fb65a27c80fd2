import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Runtime } from '@temporalio/worker';
import { loadConfigOrExit, processLogger } from '../../../libs/config/bootstrap';
import { TemporalPinoLogger } from '../../../libs/observability/logger';
import { freeLocalPort } from '../../../libs/observability/metrics';
import { WorkerModule } from './worker.module';

/**
 * The worker process: a Nest application context (no HTTP). Nest owns the signals: SIGTERM or SIGINT
 * closes the context, whose shutdown hook drains the Temporal worker. The SDK runtime is told not to
 * handle signals itself, so the two never race. The SDK logs through the process's logger (with the
 * workflow's or activity's attributes and correlation id), and exports its metrics on a port of its own on
 * 127.0.0.1, which the worker's /metrics answers together with its own (worker.service.ts).
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit('regie-worker');
  const { log, nest } = processLogger(config);
  const sdkMetricsAddress = `127.0.0.1:${await freeLocalPort()}`;
  Runtime.install({
    shutdownSignals: [],
    logger: new TemporalPinoLogger(log),
    telemetryOptions: {
      // The SDK core's own (native) log lines go through the same logger, not straight to the console.
      logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } },
      // Prometheus names: counters end in _total, durations are histograms in seconds with the unit in the name.
      metrics: { prometheus: { bindAddress: sdkMetricsAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true } },
    },
  });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, { sdkMetricsUrl: `http://${sdkMetricsAddress}/metrics` }), { logger: nest });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}

main().catch((err) => {
  console.error('[regie-worker] failed to start:', err);
  process.exit(1);
});
