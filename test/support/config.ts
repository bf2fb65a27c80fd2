import { loadConfig, RegieConfig } from '../../libs/config/config';
import { testReferenceDataDir, testRulebookDir } from './paths';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_LINK_SECRET = 'test-link-secret-0123456789abcdef0123456789';

export function testConfig(processName: string, env: Record<string, string>): RegieConfig {
  return loadConfig(processName, {
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LINK_SECRET: TEST_LINK_SECRET,
    REFERENCE_DATA_DIR: testReferenceDataDir,
    RULEBOOK_DIR: testRulebookDir,
    TEMPORAL_TASK_QUEUE: `regie-test-${processName}`,
    ...env,
  });
}

/**
 * Runs `start` with these environment variables set and restores the environment after: the API reads its
 * rate limits from the environment when its module is built (apps/api/src/edge/rate-limits.ts).
 */
export async function withEnv<T>(vars: Record<string, string>, start: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await start();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
