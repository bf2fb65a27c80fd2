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
