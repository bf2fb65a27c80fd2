import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WEEKLY_DIGEST_WORKFLOW_ID, WEEKLY_DIGEST_WORKFLOW_TYPE } from '../../../libs/contracts';
import { NativeConnection, Worker } from '@temporalio/worker';
import { DataSource } from 'typeorm';
import { createActivities } from '../../../activities';
import { REGIE_CONFIG } from '../../../libs/config/config.module';
import type { RegieConfig } from '../../../libs/config/config';
import { temporalConnectionOptions } from '../../../libs/temporal/connection';
import { registerSearchAttributes } from '../../../libs/temporal/search-attributes';

/**
 * Owns the Temporal worker's lifecycle inside the Nest application context: starts polling once the
 * context is up, and on shutdown lets in-flight tasks finish before the context closes.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private connection?: NativeConnection;
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { temporal } = this.config;
    this.connection = await NativeConnection.connect(temporalConnectionOptions(temporal));
    await registerSearchAttributes(this.connection, temporal.namespace).catch((err) =>
      this.logger.warn(`Could not register search attributes (register them with the cluster's tools): ${err.message}`),
    );
    const client = new Client({ connection: this.connection, namespace: temporal.namespace });
    this.worker = await Worker.create({
      connection: this.connection,
      namespace: temporal.namespace,
      taskQueue: temporal.taskQueue,
      workflowsPath: require.resolve('../../../workflows'),
      activities: createActivities({
        dataSource: this.dataSource,
        regionGrouping: this.config.regionGrouping,
        // The rollout's activities send updates to other workflows; a client shares the worker's connection (closed below).
        temporal: client,
      }),
    });
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
    if (!this.worker) return;
    this.logger.log(`Shutting down (${signal ?? 'close'}): finishing in-flight tasks`);
    if (this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running?.catch(() => undefined);
    await this.connection?.close();
    this.logger.log('Worker stopped');
  }
}
