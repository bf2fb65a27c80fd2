/**
 * Every request's correlation id, in one place: the client's `X-Request-Id` when it is a sane one
 * (`CORRELATION_ID_PATTERN`: letters, digits and `._:-`, at most 100), else a new UUID. The answer carries it
 * in `X-Request-Id`; the access guard and the audit log record it; a 500 returns it as `correlationId`; every
 * log line of the request has it; and the Temporal client interceptor sends it with every workflow start,
 * signal and update the request makes (libs/observability), so the workflow's and activities' log lines
 * have it too.
 */
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { isCorrelationId, REQUEST_ID_HEADER } from '../../../../libs/observability/correlation';
import { runWithCorrelationId } from '../../../../libs/observability/correlation-context';

type WithRequestId = Request & { requestId?: string };

/** The request's id (decided once, on first ask). */
export function requestIdOf(req: Request): string {
  const r = req as WithRequestId;
  if (!r.requestId) {
    const given = req.headers[REQUEST_ID_HEADER];
    r.requestId = isCorrelationId(given) ? given : randomUUID();
  }
  return r.requestId;
}

/** The first thing every request passes: its id decided and answered, and the rest of its handling run with it as the current id. */
export const requestId: RequestHandler = (req, res, next) => {
  const id = requestIdOf(req);
  res.setHeader('X-Request-Id', id);
  runWithCorrelationId(id, next);
};

/**
 * The same again after the body parsers: a parser resumes in the socket's callbacks, outside the context the
 * request started in, so the id is set once more right before the routes.
 */
export const requestIdContext: RequestHandler = (req, _res, next) => runWithCorrelationId(requestIdOf(req), next);
