import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { REGIE_CONFIG } from '../../../libs/config/config.module';
import type { RegieConfig } from '../../../libs/config/config';
import { OutboxDispatcher } from '../../../libs/mail/dispatcher';
import { DispatcherMetrics } from '../../../libs/mail/dispatcher-metrics';
import { MAIL_TRANSPORT } from '../../../libs/mail/mail.module';
import { createMetricsRegistry, MetricsServer, serveMetrics } from '../../../libs/observability/metrics';

/**
 * Runs one outbox dispatcher in this process, with its Prometheus metrics at METRICS_HOST:DISPATCHER_METRICS_PORT
 * (`/metrics`; port 0, the default, a free one, logged); on shutdown it finishes the mails it has claimed.
 */
@Injectable()
export class DispatcherService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Dispatcher');
  private dispatcher?: OutboxDispatcher;
  private metrics?: MetricsServer;

  constructor(
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(MAIL_TRANSPORT) private readonly mail: Transporter,
  ) {}

  /** Where this dispatcher's /metrics answers (once started). */
  get metricsUrl(): string | undefined {
    return this.metrics?.url;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config } = this;
    const registry = createMetricsRegistry();
    const observer = new DispatcherMetrics(registry, this.dataSource);
    this.metrics = await serveMetrics({ registry, host: config.metrics.host, port: config.metrics.dispatcherPort });
    this.logger.log(`Metrics at ${this.metrics.url}`);
    this.dispatcher = new OutboxDispatcher({
      dataSource: this.dataSource,
      databaseUrl: config.databaseUrl,
      mail: this.mail,
      mailFrom: config.smtp.from,
      publicBaseUrl: config.http.publicBaseUrl,
      linkSecret: config.links.secret,
      actionLinkDays: config.links.actionLinkDays,
      batchSize: config.smtp.maxConnections * 4,
      leaseSeconds: config.smtp.leaseSeconds,
      log: this.logger,
      observer,
    });
    await this.dispatcher.start();
    this.logger.log(`Sending the outbox through ${new URL(config.smtp.url).host} (${config.smtp.maxConnections} connections)`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.dispatcher?.stop();
    await this.metrics?.close();
    this.logger.log('Dispatcher stopped');
  }
}
