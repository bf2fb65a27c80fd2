import { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { RegieConfig } from '../../../libs/config/config';
import { AppModule } from './app.module';
import { ErrorFilter } from './errors/error.filter';
import { validationPipe } from './errors/validation';

/** Builds the HTTP app exactly as production runs it; tests call this too. */
export async function createApiApp(config: RegieConfig, logger?: LoggerService | false): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: logger ?? undefined });
  app.useGlobalPipes(validationPipe);
  app.useGlobalFilters(new ErrorFilter());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Regie API')
      .setDescription('Wet versterking regie volkshuisvesting: statutory steps, due dates with their derivation, onboarding')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
