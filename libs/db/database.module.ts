import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { REGIE_CONFIG } from '../config/config.module';
import type { RegieConfig } from '../config/config';
import { createDataSource } from './data-source';
import { migrate } from './migrate';

/**
 * The Postgres connection, migrated before anything uses it (under an advisory lock, so processes
 * starting together do not race). Closed on shutdown.
 */
@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [REGIE_CONFIG],
      useFactory: async (config: RegieConfig) => {
        const dataSource = createDataSource(config.databaseUrl, config.processName);
        await dataSource.initialize();
        const applied = await migrate(dataSource);
        new Logger('Database').log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Schema up to date');
        return dataSource;
      },
    },
  ],
  exports: [DataSource],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
