/**
 * Behind a reverse proxy (TRUST_PROXY_HOPS), the rate limit counts each client by the address the proxy
 * forwards; without it, a forged X-Forwarded-For changes nothing and every request counts for the sender.
 */
import { TestApi } from '../support/api';
import { testConfig, withEnv } from '../support/config';
import { createTestDatabase, TestDatabase } from '../support/database';
import { createTimeSkippingEnv } from '../support/temporal';

let db: TestDatabase;
let env: Awaited<ReturnType<typeof createTimeSkippingEnv>>;
const apis: TestApi[] = [];

beforeAll(async () => {
  [db, env] = await Promise.all([createTestDatabase(), createTimeSkippingEnv()]);
});

afterAll(async () => {
  await Promise.all(apis.map((a) => a.close()));
  await Promise.all([db?.drop(), env?.teardown()]);
});

/** An API allowing 3 requests a client a minute (the limit is read from the environment when the app is built). */
async function start(hops: string): Promise<TestApi> {
  const api = await withEnv({ REGIE_RATE_LIMIT: '3' }, () =>
    TestApi.start(testConfig(`proxy-${hops}`, { DATABASE_URL: db.url, TEMPORAL_ADDRESS: env.address, SMTP_URL: 'smtp://127.0.0.1:2525', TRUST_PROXY_HOPS: hops })),
  );
  apis.push(api);
  return api;
}

const statuses = (api: TestApi, forwardedFor: string, n: number) =>
  Promise.all(Array.from({ length: n }, async () => (await fetch(`${api.baseUrl}/rulebooks`, { headers: { 'x-forwarded-for': forwardedFor } })).status));

test('with one trusted proxy, each forwarded client has its own limit', async () => {
  const api = await start('1');
  expect(await statuses(api, '203.0.113.7', 4)).toEqual(expect.arrayContaining([429]));
  expect((await statuses(api, '198.51.100.9', 1))[0]).not.toBe(429);
});

test('without a trusted proxy, X-Forwarded-For is ignored: the sender is the client', async () => {
  const api = await start('0');
  await statuses(api, '203.0.113.7', 3);
  expect(await statuses(api, '198.51.100.9', 1)).toEqual([429]);
});
