import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { HTTP_STATUS_BY_CATEGORY, RegieError } from './regie-error';

/** Maps domain errors to HTTP; a 500 hides its details from the caller and logs them under a correlation id. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (error instanceof RegieError) {
      // The message names the field too, for a person reading it without the structured `field`.
      const names = !error.field || error.userMessage.includes(error.field);
      res.status(HTTP_STATUS_BY_CATEGORY[error.category]).json({
        error: error.code,
        message: names ? error.userMessage : `${error.userMessage} (veld ${error.field})`,
        ...(error.field ? { field: error.field } : {}),
      });
      return;
    }
    if (error instanceof HttpException) {
      const body = error.getResponse();
      res.status(error.getStatus()).json(typeof body === 'string' ? { error: 'http-error', message: body } : body);
      return;
    }
    const correlationId = randomUUID();
    this.logger.error(`Unhandled error ${correlationId}: ${(error as Error)?.stack ?? error}`);
    res.status(500).json({ error: 'internal-error', message: 'Interne fout / Internal error', correlationId });
  }
}
