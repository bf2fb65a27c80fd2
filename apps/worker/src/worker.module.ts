import { DynamicModule, Module } from '@nestjs/common';
import type { RegieConfig } from '../../../libs/config/config';
import { ConfigModule } from '../../../libs/config/config.module';
import { DatabaseModule } from '../../../libs/db/database.module';
import { WorkerService } from './worker.service';

@Module({})
export class WorkerModule {
  static forRoot(config: RegieConfig): DynamicModule {
    return { module: WorkerModule, imports: [ConfigModule.forRoot(config), DatabaseModule], providers: [WorkerService] };
  }
}
