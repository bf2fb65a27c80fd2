import 'reflect-metadata';
import { loadConfigOrExit, processLogger } from '../../../libs/config/bootstrap';
import { createApiApp } from './create-app';

async function main(): Promise<void> {
  const config = loadConfigOrExit('regie-api');
  const logger = processLogger(config).nest;
  const app = await createApiApp(config, logger);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(config.http.port, config.http.host);
  logger.log(`Listening on ${config.http.publicBaseUrl} (OpenAPI docs at ${config.http.publicBaseUrl}/docs; metrics for the operator at ${config.http.publicBaseUrl}/metrics)`, 'Api');
}

main().catch((err) => {
  console.error('[regie-api] failed to start:', err);
  process.exit(1);
});
