import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WEEKLY_DIGEST_WORKFLOW_ID, WEEKLY_DIGEST_WORKFLOW_TYPE } from '../../../libs/contracts';
import { NativeConnection, Worker } from '@temporalio/worker';
import { DataSource } from 'typeorm';
import { createActivities } from '../../../activities';
import { REGIE_CONFIG } from '../../../libs/config/config.module';
import type { RegieConfig } from '../../../libs/config/config';
import { createMetricsRegistry, MetricsServer, serveMetrics } from '../../../libs/observability/metrics';
import { correlationClientInterceptor } from '../../../libs/observability/temporal-correlation';
import { temporalConnectionOptions } from '../../../libs/temporal/connection';
import { registerSearchAttributes } from '../../../libs/temporal/search-attributes';
import { regieWorkerOptions } from './worker-options';

/** Where the Temporal SDK's own Prometheus exporter answers in this process, when main.ts installed one. */
export const SDK_METRICS_URL = Symbol('SDK_METRICS_URL');

/**
 * Owns the Temporal worker's lifecycle inside the Nest application context: starts polling once the
 * context is up, and on shutdown lets in-flight tasks finish before the context closes. Serves the
 * process's metrics and the SDK's at METRICS_HOST:WORKER_METRICS_PORT (`/metrics`; port 0, the default, a
 * free one, logged).
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private connection?: NativeConnection;
  private worker?: Worker;
  private running?: Promise<void>;
  private metrics?: MetricsServer;

  constructor(
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Optional() @Inject(SDK_METRICS_URL) private readonly sdkMetricsUrl?: string,
  ) {}

  /** Where this worker's /metrics answers (once started). */
  get metricsUrl(): string | undefined {
    return this.metrics?.url;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { temporal } = this.config;
    this.metrics = await serveMetrics({ registry: createMetricsRegistry(), host: this.config.metrics.host, port: this.config.metrics.workerPort, upstream: this.sdkMetricsUrl });
    this.logger.log(`Metrics at ${this.metrics.url}${this.sdkMetricsUrl ? ' (with the Temporal SDK metrics)' : ''}`);
    this.connection = await NativeConnection.connect(temporalConnectionOptions(temporal));
    await registerSearchAttributes(this.connection, temporal.namespace).catch((err) =>
      this.logger.warn(`Could not register search attributes (register them with the cluster's tools): ${err.message}`),
    );
    // The rollout's activities send updates to other workflows with it, carrying the activity's correlation id.
    const client = new Client({ connection: this.connection, namespace: temporal.namespace, interceptors: { workflow: [correlationClientInterceptor] } });
    this.worker = await Worker.create(
      regieWorkerOptions({
        connection: this.connection,
        namespace: temporal.namespace,
        taskQueue: temporal.taskQueue,
        activities: createActivities({
          dataSource: this.dataSource,
          regionGrouping: this.config.regionGrouping,
          // A client sharing the worker's connection (closed below).
          temporal: client,
        }),
      }),
    );
    this.running = this.worker.run();
    this.running.catch((err) => {
      this.logger.error(`Worker stopped with an error: ${err}`);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
    await this.ensureWeeklyDigest(client);
    this.logger.log(`Polling task queue ${temporal.taskQueue} on ${temporal.address} (namespace ${temporal.namespace})`);
  }

  /** The weekly digest's timer runs once per system: every worker asks for it, its workflow ID keeps it single. */
  private async ensureWeeklyDigest(client: Client): Promise<void> {
    try {
      await client.workflow.start(WEEKLY_DIGEST_WORKFLOW_TYPE, { workflowId: WEEKLY_DIGEST_WORKFLOW_ID, taskQueue: this.config.temporal.taskQueue, args: [] });
      this.logger.log(`Started the weekly digest (${WEEKLY_DIGEST_WORKFLOW_ID})`);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (!this.worker) {
      await this.metrics?.close();
      return;
    }
    this.logger.log(`Shutting down (${signal ?? 'close'}): finishing in-flight tasks`);
    if (this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running?.catch(() => undefined);
    await this.connection?.close();
    await this.metrics?.close();
    this.logger.log('Worker stopped');
  }
}
