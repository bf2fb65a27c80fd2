import { TestWorkflowEnvironment } from '@temporalio/testing';
import { existsSync } from 'node:fs';
import { temporalTestServerPath } from './paths';

/** The real time-skipping test server, installed from PyPI by infra/install-tools.sh (never downloaded here). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  if (!existsSync(temporalTestServerPath)) {
    throw new Error(`${temporalTestServerPath} not found: run bash infra/install-tools.sh (npm test does)`);
  }
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath } },
  });
}
