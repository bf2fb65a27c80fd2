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

/** The real Temporal dev server (the CLI from PyPI), for what the time-skipping server cannot do: list workflows. */
export async function createDevServerEnv(): Promise<TestWorkflowEnvironment> {
  const cli = temporalTestServerPath.replace(/temporal-test-server$/, 'temporal');
  if (!existsSync(cli)) throw new Error(`${cli} not found: run bash infra/install-tools.sh (npm test does)`);
  return TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: cli }, ip: '127.0.0.1', ui: false } });
}

/** Skips a time-skipping server's clock to an instant; workers keep running meanwhile. */
export async function advanceTo(env: TestWorkflowEnvironment, iso: string): Promise<void> {
  await env.sleep(Date.parse(iso) - (await env.currentTimeMs()));
}
