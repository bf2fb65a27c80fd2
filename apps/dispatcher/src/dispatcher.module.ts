import { DynamicModule, Module } from '@nestjs/common';
import type { RegieConfig } from '../../../libs/config/config';
import { ConfigModule } from '../../../libs/config/config.module';
import { DatabaseModule } from '../../../libs/db/database.module';
import { MailModule } from '../../../libs/mail/mail.module';
import { DispatcherService } from './dispatcher.service';

@Module({})
export class DispatcherModule {
  static forRoot(config: RegieConfig): DynamicModule {
    return { module: DispatcherModule, imports: [ConfigModule.forRoot(config), DatabaseModule, MailModule], providers: [DispatcherService] };
  }
}
