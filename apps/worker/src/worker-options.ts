import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { correlationActivityInterceptors } from '../../../libs/observability/temporal-correlation';

/** The workflow bundle's entry and the workflow interceptors' module (bundled with it). */
export const WORKFLOWS_PATH = require.resolve('../../../workflows');
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../../../workflows/interceptors')];

/**
 * The options every Regie worker is created with, in production (`worker.service.ts`) and in the tests
 * (`test/support/workflow-harness.ts`): the workflows, the activities given, and the interceptors that carry
 * the correlation id into workflow and activity logs. One place, so a test runs what production runs.
 */
export function regieWorkerOptions(options: {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  activities: object;
}): WorkerOptions {
  return {
    ...options,
    workflowsPath: WORKFLOWS_PATH,
    interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES, activity: [correlationActivityInterceptors] },
  };
}
