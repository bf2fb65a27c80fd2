/**
 * The load generator of `bench-overview.ts`, in its own process so that it does not share the API's event
 * loop: forked with an IPC channel, it runs one target per message (`LoadRequest`) with `concurrency`
 * keep-alive loops over `node:http`, for a warm-up and then a fixed duration, and answers with every
 * measured request's latency and the statuses seen (`LoadResult`). Bodies are read to the end and dropped.
 */
import * as http from 'node:http';

export interface LoadRequest {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** The one status every answer must have. */
  status: number;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  name: string;
  /** Milliseconds, one per request started after the warm-up (none starts after the end). */
  latencies: number[];
  /** Every request answered, the warm-up's too. */
  total: number;
  /** How many answers had each status (measured requests only). */
  statuses: Record<string, number>;
  /** Requests of the measured window that failed or answered another status than asked, with the first few reasons (status and the start of the body). */
  wrong: number;
  errors: string[];
  /** Bytes of the body of the last answer (to show what a route sends). */
  bodyBytes: number;
  /** The measured window, in ms (from the end of the warm-up to the last answer). */
  windowMs: number;
}

function once(agent: http.Agent, url: URL, headers: Record<string, string>, expected: number): Promise<{ status: number; bytes: number; head: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'GET', headers, agent }, (res) => {
      let bytes = 0;
      let head = '';
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (res.statusCode !== expected && head.length < 200) head += chunk.toString('utf8', 0, 200);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, head: head.slice(0, 200) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function runLoad(job: LoadRequest): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const url = new URL(job.url);
  const started = performance.now();
  const measureFrom = started + job.warmupMs;
  const end = measureFrom + job.durationMs;
  const result: LoadResult = { name: job.name, latencies: [], total: 0, statuses: {}, wrong: 0, errors: [], bodyBytes: 0, windowMs: 0 };
  let last = measureFrom;
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        let status = 0;
        let failure: string | undefined;
        let head = '';
        try {
          const answer = await once(agent, url, job.headers, job.status);
          status = answer.status;
          head = answer.head;
          result.bodyBytes = answer.bytes;
        } catch (err) {
          failure = (err as Error).message;
        }
        const t1 = performance.now();
        result.total++;
        if (t0 < measureFrom) continue;
        last = Math.max(last, t1);
        result.latencies.push(t1 - t0);
        result.statuses[String(status)] = (result.statuses[String(status)] ?? 0) + 1;
        if (failure || status !== job.status) {
          result.wrong++;
          if (result.errors.length < 3) result.errors.push(failure ?? `${status} ${head}`);
        }
      }
    }),
  );
  agent.destroy();
  result.windowMs = last - measureFrom;
  return result;
}

if (require.main === module) {
  if (!process.send) throw new Error('load-client runs forked by bench-overview.ts, with an IPC channel');
  process.on('message', (job: LoadRequest | 'exit') => {
    if (job === 'exit') process.exit(0);
    runLoad(job).then(
      (result) => process.send!(result),
      (err) => process.send!({ name: job.name, fatal: String(err) }),
    );
  });
  process.send('ready');
}
