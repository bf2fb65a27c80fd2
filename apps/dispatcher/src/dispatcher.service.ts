import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { REGIE_CONFIG } from '../../../libs/config/config.module';
import type { RegieConfig } from '../../../libs/config/config';
import { OutboxDispatcher } from '../../../libs/mail/dispatcher';
import { MAIL_TRANSPORT } from '../../../libs/mail/mail.module';

/** Runs one outbox dispatcher in this process; on shutdown it finishes the mails it has claimed. */
@Injectable()
export class DispatcherService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Dispatcher');
  private dispatcher?: OutboxDispatcher;

  constructor(
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(MAIL_TRANSPORT) private readonly mail: Transporter,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { config } = this;
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
    });
    await this.dispatcher.start();
    this.logger.log(`Sending the outbox through ${new URL(config.smtp.url).host} (${config.smtp.maxConnections} connections)`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.dispatcher?.stop();
    this.logger.log('Dispatcher stopped');
  }
}
