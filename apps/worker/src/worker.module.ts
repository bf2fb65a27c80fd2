import { DynamicModule, Module } from '@nestjs/common';
import type { RegieConfig } from '../../../libs/config/config';
import { ConfigModule } from '../../../libs/config/config.module';
import { DatabaseModule } from '../../../libs/db/database.module';
import { SDK_METRICS_URL, WorkerService } from './worker.service';

@Module({})
export class WorkerModule {
  /** `sdkMetricsUrl`: where the Temporal SDK's Prometheus exporter answers, when the process installed one (main.ts). */
  static forRoot(config: RegieConfig, options: { sdkMetricsUrl?: string } = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule],
      providers: [WorkerService, ...(options.sdkMetricsUrl ? [{ provide: SDK_METRICS_URL, useValue: options.sdkMetricsUrl }] : [])],
    };
  }
}
