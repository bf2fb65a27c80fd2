import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import { REGIE_CONFIG } from '../config/config.module';
import type { RegieConfig } from '../config/config';
import { createMailTransport } from './mailer';

export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');

@Global()
@Module({
  providers: [
    {
      provide: MAIL_TRANSPORT,
      inject: [REGIE_CONFIG],
      useFactory: (config: RegieConfig) => createMailTransport(config.smtp.url, config.smtp.maxConnections, config.smtp.dkim),
    },
  ],
  exports: [MAIL_TRANSPORT],
})
export class MailModule implements OnApplicationShutdown {
  constructor(@Inject(MAIL_TRANSPORT) private readonly transport: Transporter) {}

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
