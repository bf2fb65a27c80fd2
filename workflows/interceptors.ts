/**
 * Workflow interceptors (the worker registers this module in `interceptors.workflowModules`, see
 * apps/worker/src/worker-options.ts; not part of the bundle's entry `index.ts`). They carry the request's
 * correlation id through the workflow: taken from the headers of the start, a signal or an update, added to
 * every log line of the workflow (`correlationId`), and passed on as a header to the activities, child
 * workflows, signals it sends and its next run after continue-as-new.
 *
 * Deterministic: the id comes only from headers in the workflow's history, so a replay sees the same ids.
 * Headers are not part of the commands Temporal compares on replay, so histories recorded before these
 * interceptors replay unchanged (test/workflow/replay.test.ts).
 */
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { correlationIdOf, withCorrelationAttribute, withCorrelationId } from '../libs/observability/correlation';

export const interceptors: WorkflowInterceptorsFactory = () => {
  // The factory runs once per workflow run: this is that run's id, the one of the latest request that reached it.
  let id: string | undefined;
  const take = (headers: Parameters<typeof correlationIdOf>[0]) => {
    id = correlationIdOf(headers) ?? id;
  };
  return {
    // The start's headers as soon as the activation that starts the run arrives, so the SDK's own
    // "Workflow started" line (logged before the inbound interceptors run) has the id too.
    internals: [
      {
        activate: (input, next) => {
          for (const job of input.activation.jobs ?? []) if (job.initializeWorkflow?.headers) take(job.initializeWorkflow.headers as Parameters<typeof correlationIdOf>[0]);
          return next(input);
        },
      },
    ],
    inbound: [
      {
        execute: (input, next) => {
          take(input.headers);
          return next(input);
        },
        handleSignal: (input, next) => {
          take(input.headers);
          return next(input);
        },
        handleUpdate: (input, next) => {
          take(input.headers);
          return next(input);
        },
      },
    ],
    outbound: [
      {
        getLogAttributes: (attributes, next) => next(withCorrelationAttribute(attributes, id)),
        scheduleActivity: (input, next) => next({ ...input, headers: withCorrelationId(input.headers, id) }),
        scheduleLocalActivity: (input, next) => next({ ...input, headers: withCorrelationId(input.headers, id) }),
        startChildWorkflowExecution: (input, next) => next({ ...input, headers: withCorrelationId(input.headers, id) }),
        signalWorkflow: (input, next) => next({ ...input, headers: withCorrelationId(input.headers, id) }),
        continueAsNew: (input, next) => next({ ...input, headers: withCorrelationId(input.headers, id) }),
      },
    ],
  };
};
