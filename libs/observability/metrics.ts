/**
 * Prometheus metrics (prom-client): one registry per process with Node's process metrics
 * (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `nodejs_eventloop_lag_seconds`, …), and a
 * small HTTP server for the processes that have no HTTP server of their own (worker, dispatcher). The
 * worker's server also answers the Temporal SDK's own metrics, which the SDK's exporter serves on a port of
 * its own on 127.0.0.1 (`upstream`): one scrape per process gets both.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** The text exposition format, version 0.0.4. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** A registry of this process's own, with the default process metrics (several in one test process never clash). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export interface MetricsServer {
  /** Where it answers, e.g. `http://127.0.0.1:43125/metrics` (the port the system picked for port 0). */
  url: string;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  registry: Registry;
  host: string;
  /** 0: a free port, picked by the system. */
  port: number;
  /** Another exporter's /metrics whose text is answered after the registry's (the Temporal SDK's). */
  upstream?: string;
}

/** The text a scrape gets: the registry's metrics, then the upstream's (its failure is the gauge `regie_temporal_sdk_metrics_up` 0, never a failed scrape). */
export function metricsText(registry: Registry, upstream?: string): () => Promise<string> {
  const up = upstream
    ? new Gauge({ name: 'regie_temporal_sdk_metrics_up', help: 'Whether the Temporal SDK metrics exporter answered this scrape (1) or not (0)', registers: [registry] })
    : undefined;
  return async () => {
    let sdk = '';
    if (upstream) {
      try {
        const res = await fetch(upstream, { signal: AbortSignal.timeout(3000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        sdk = await res.text();
        up!.set(1);
      } catch {
        up!.set(0);
      }
    }
    const own = await registry.metrics();
    return sdk ? `${own.endsWith('\n') ? own : `${own}\n`}${sdk}` : own;
  };
}

/** Serves `GET /metrics` (anything else 404, another method 405); resolves once it listens. */
export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  const text = metricsText(options.registry, options.upstream);
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: GET /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
      return;
    }
    text().then(
      (body) => res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`Metrics failed: ${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A port free on 127.0.0.1 now, for an exporter that binds its own (the Temporal SDK's) and cannot say which
 * port it got for 0. Another process could take it in between; the worker then fails to start, loudly.
 */
export async function freeLocalPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
