import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../../../../libs/db/json';
import { requestIdOf } from '../edge/request-id';
import { HTTP_STATUS_BY_CATEGORY, RegieError } from './regie-error';
import { inLanguage, languageOf, langQuery, renderPage, wantsHtml } from '../pages/page-render';

/** The routes that answer a browser with pages (apps/api/src/pages/): there a refusal is a page too. */
const PAGE_PATHS = /^\/(municipalities|regions|provinces|overview|app)(\/|$)/;

/** Framework HTTP errors (Nest's 404 for a route that does not exist, the throttler's 429): one code and message per status. */
export const HTTP_ERRORS: Record<number, { error: string; message: string }> = {
  400: { error: 'invalid-input', message: 'Ongeldig verzoek / Bad request' },
  401: { error: 'unauthorized', message: 'Niet aangemeld / Unauthorized' },
  403: { error: 'forbidden', message: 'Geen toegang / Forbidden' },
  404: { error: 'not-found', message: 'Niet gevonden / Not found' },
  405: { error: 'method-not-allowed', message: 'Methode niet toegestaan / Method not allowed' },
  413: { error: 'body-too-large', message: 'Verzoek te groot / Request body too large' },
  415: { error: 'unsupported-media-type', message: 'Mediatype niet ondersteund / Unsupported media type' },
  429: { error: 'rate-limited', message: 'Te veel verzoeken: probeer het na Retry-After seconden opnieuw / Too many requests: retry after Retry-After seconds' },
};

/** Maps domain errors to HTTP; a 500 hides its details from the caller and logs them under the request's correlation id (its X-Request-Id). */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    if ((error instanceof RegieError || error instanceof HttpException) && PAGE_PATHS.test(req.path) && wantsHtml(req)) return this.page(error, req, res);
    if (error instanceof RegieError) {
      const regie = error;
      // The message names the field too, for a person reading it without the structured `field`.
      const names = !regie.field || regie.userMessage.includes(regie.field);
      if (regie.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(regie.retryAfterSeconds))));
      res.status(HTTP_STATUS_BY_CATEGORY[regie.category]).json({
        error: regie.code,
        message: names ? regie.userMessage : `${regie.userMessage} (veld ${regie.field})`,
        ...(regie.field ? { field: regie.field } : {}),
      });
      return;
    }
    if (error instanceof HttpException) {
      // The framework's own message may quote the path (with whatever it holds): answer by status only.
      const status = error.getStatus();
      const known = HTTP_ERRORS[status] ?? { error: status >= 500 ? 'internal-error' : 'http-error', message: `HTTP ${status}` };
      res.status(status).json(known);
      return;
    }
    const cause = (error as { driverError?: unknown })?.driverError ?? error;
    if (isDatabaseUnavailable(cause)) {
      this.logger.warn(`Database unavailable: ${(cause as Error)?.message ?? cause}`);
      res.setHeader('Retry-After', '10');
      res.status(503).json({ error: 'database-unavailable', message: 'De database is niet bereikbaar: probeer het over 10 seconden opnieuw / The database is unavailable: retry in 10 seconds' });
      return;
    }
    const correlationId = requestIdOf(req);
    this.logger.error(`Unhandled error ${correlationId}: ${(error as Error)?.stack ?? error}`);
    res.status(500).json({ error: 'internal-error', message: 'Interne fout / Internal error', correlationId });
  }

  /**
   * A browser on a page route: not signed in, a GET goes to the sign-in page and comes back here after
   * (`next`); any other refusal is a page with the same status and the message in the page's language.
   */
  private page(error: RegieError | HttpException, req: Request, res: Response): void {
    const language = languageOf(req);
    const status = error instanceof RegieError ? HTTP_STATUS_BY_CATEGORY[error.category] : error.getStatus();
    if (status === 401 && req.method === 'GET') {
      const lq = langQuery(language);
      res.redirect(303, `/auth/sign-in${lq}${lq ? '&' : '?'}next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    if (error instanceof RegieError && error.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
    const message = error instanceof RegieError ? error.userMessage : (HTTP_ERRORS[status]?.message ?? `HTTP ${status}`);
    const html = renderPage(res, status, language, 'page-error', {
      status,
      notFound: status === 404,
      forbidden: status === 403,
      signIn: status === 401,
      next: encodeURIComponent(req.originalUrl),
      message: inLanguage(message, language),
    });
    res.send(html);
  }
}
