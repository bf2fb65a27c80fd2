import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit, processLogger } from '../../../libs/config/bootstrap';
import { DispatcherModule } from './dispatcher.module';

/**
 * The mail dispatcher process: sends the outbox. Run as many as you like (claims skip each other's rows).
 * SIGTERM or SIGINT stops claiming and finishes the mails in flight.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit('regie-dispatcher');
  const app = await NestFactory.createApplicationContext(DispatcherModule.forRoot(config), { logger: processLogger(config).nest });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}

main().catch((err) => {
  console.error('[regie-dispatcher] failed to start:', err);
  process.exit(1);
});
