import { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { RegieConfig } from '../../../libs/config/config';
import { AppModule } from './app.module';
import { installHttpEdge } from './edge/http-edge';
import { ErrorFilter } from './errors/error.filter';
import { validationPipe } from './errors/validation';

/** Builds the HTTP app exactly as production runs it; tests call this too. */
export async function createApiApp(config: RegieConfig, logger?: LoggerService | false): Promise<INestApplication> {
  // Nest's own body parsers are off: the edge installs bounded ones (apps/api/README.md).
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger: logger ?? undefined, bodyParser: false });
  // Behind a reverse proxy, rate limits and the audit log count the client X-Forwarded-For names (TRUST_PROXY_HOPS), not the proxy.
  if (config.http.trustProxy > 0) app.set('trust proxy', config.http.trustProxy);
  installHttpEdge(app);
  app.useGlobalPipes(validationPipe);
  app.useGlobalFilters(new ErrorFilter());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Regie API')
      .setDescription('Wet versterking regie volkshuisvesting: statutory steps, due dates with their derivation, onboarding')
      .setVersion('0.1.0')
      .addBearerAuth()
      .addCookieAuth('regie_session')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
