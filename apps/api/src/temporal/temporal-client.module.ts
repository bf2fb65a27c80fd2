import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import type { RegieConfig } from '../../../../libs/config/config';
import { temporalConnectionOptions } from '../../../../libs/temporal/connection';

/** One Temporal client for the API process, connected lazily-safe at start and closed on shutdown. */
@Global()
@Module({
  providers: [
    {
      provide: Client,
      inject: [REGIE_CONFIG],
      useFactory: async (config: RegieConfig) => {
        const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
        return new Client({ connection, namespace: config.temporal.namespace });
      },
    },
  ],
  exports: [Client],
})
export class TemporalClientModule implements OnApplicationShutdown {
  constructor(@Inject(Client) private readonly client: Client) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.connection.close();
  }
}
