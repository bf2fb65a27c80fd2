import { Injectable } from '@nestjs/common';
import type { Request, RequestHandler } from 'express';
import { Counter, Histogram, Registry } from 'prom-client';
import { createMetricsRegistry } from '../../../../libs/observability/metrics';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const DOCS = /^\/docs(\/|-json$|-yaml$|$)/;

/**
 * The route a request took, as its template (`/municipalities/:code/steps`), never the raw path: the
 * labels stay a bounded set and hold no codes, addresses or tokens. `/docs` for the OpenAPI page and its
 * files; `unmatched` for what no route took (a 404 for a path that does not exist, a refusal at the edge
 * before routing).
 */
export function routeTemplate(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${req.baseUrl ?? ''}${route.path}`;
  return DOCS.test(req.path) ? '/docs' : 'unmatched';
}

/** The API process's metrics: Node's process metrics and every HTTP request by method, route template and status. */
@Injectable()
export class ApiMetrics {
  readonly registry: Registry = createMetricsRegistry();
  private readonly requests = new Counter({
    name: 'regie_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'regie_http_request_duration_seconds',
    help: 'Time from a request’s arrival to the end of its answer, by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** Express middleware, first of all: counts and times every request once its answer is out (`aborted` when the client left before). */
  readonly middleware: RequestHandler = (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const labels = {
        method: METHODS.has(req.method) ? req.method : 'other',
        route: routeTemplate(req),
        status: res.writableFinished ? String(res.statusCode) : 'aborted',
      };
      this.requests.inc(labels);
      this.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
