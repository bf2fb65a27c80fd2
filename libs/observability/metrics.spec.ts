import { Gauge, Registry } from 'prom-client';
import { createMetricsRegistry, freeLocalPort, METRICS_CONTENT_TYPE, serveMetrics } from './metrics';

describe('the metrics server', () => {
  it('answers GET /metrics in the text format with the process metrics, and nothing else', async () => {
    const server = await serveMetrics({ registry: createMetricsRegistry(), host: '127.0.0.1', port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(METRICS_CONTENT_TYPE);
      const text = await res.text();
      expect(text).toMatch(/^process_cpu_seconds_total \d/m);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
      expect(text).not.toContain('regie_temporal_sdk_metrics_up');
      expect((await fetch(server.url.replace('/metrics', '/'))).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('answers an upstream exporter’s metrics after its own, and says when the upstream does not answer', async () => {
    const sdkRegistry = new Registry();
    new Gauge({ name: 'temporal_test_gauge', help: 'stands for the SDK exporter', registers: [sdkRegistry] }).set(7);
    const sdk = await serveMetrics({ registry: sdkRegistry, host: '127.0.0.1', port: 0 });
    const worker = await serveMetrics({ registry: createMetricsRegistry(), host: '127.0.0.1', port: 0, upstream: sdk.url });
    const nowhere = await serveMetrics({ registry: createMetricsRegistry(), host: '127.0.0.1', port: 0, upstream: `http://127.0.0.1:${await freeLocalPort()}/metrics` });
    try {
      const text = await (await fetch(worker.url)).text();
      expect(text).toMatch(/^process_cpu_seconds_total /m);
      expect(text).toMatch(/^temporal_test_gauge 7$/m);
      expect(text).toMatch(/^regie_temporal_sdk_metrics_up 1$/m);
      const down = await (await fetch(nowhere.url)).text();
      expect(down).toMatch(/^regie_temporal_sdk_metrics_up 0$/m);
      expect(down).toMatch(/^process_cpu_seconds_total /m);
    } finally {
      await Promise.all([sdk.close(), worker.close(), nowhere.close()]);
    }
  });

  it('refuses a port in use, loudly', async () => {
    const first = await serveMetrics({ registry: createMetricsRegistry(), host: '127.0.0.1', port: 0 });
    try {
      const port = Number(new URL(first.url).port);
      await expect(serveMetrics({ registry: createMetricsRegistry(), host: '127.0.0.1', port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
