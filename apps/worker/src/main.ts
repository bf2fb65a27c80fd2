import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfigOrExit, processLogger } from '../../../libs/config/bootstrap';
import { WorkerModule } from './worker.module';

/**
 * The worker process: a Nest application context (no HTTP). Nest owns the signals: SIGTERM or SIGINT
 * closes the context, whose shutdown hook drains the Temporal worker. The SDK runtime is told not to
 * handle signals itself, so the two never race.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit('regie-worker');
  const logger = processLogger(config.processName);
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('INFO', ({ level, message, meta }) => {
      const line = `${message}${meta && Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : ''}`;
      if (level === 'ERROR') logger.error(line, 'Temporal');
      else if (level === 'WARN') logger.warn(line, 'Temporal');
      else logger.log(line, 'Temporal');
    }),
  });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}

main().catch((err) => {
  console.error('[regie-worker] failed to start:', err);
  process.exit(1);
});
