import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import type { RegieConfig } from '../../../../libs/config/config';
import { correlationClientInterceptor } from '../../../../libs/observability/temporal-correlation';
import { temporalConnectionOptions } from '../../../../libs/temporal/connection';
import { registerSearchAttributes } from '../../../../libs/temporal/search-attributes';

/**
 * One Temporal client for the API process, connected at start and closed on shutdown. Every workflow
 * start, signal and update it sends carries the request's correlation id as a header.
 */
@Global()
@Module({
  providers: [
    {
      provide: Client,
      inject: [REGIE_CONFIG],
      useFactory: async (config: RegieConfig) => {
        const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
        // Workflows are started with search attributes, so they must exist before the first start.
        await registerSearchAttributes(connection, config.temporal.namespace).catch((err) =>
          new Logger('Temporal').warn(`Could not register search attributes (register them with the cluster's tools): ${err.message}`),
        );
        return new Client({ connection, namespace: config.temporal.namespace, interceptors: { workflow: [correlationClientInterceptor] } });
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
