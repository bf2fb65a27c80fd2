/**
 * The correlation id across Temporal, on the Node side (the workflow side is `workflows/interceptors.ts`):
 * a client interceptor puts the current id (`correlation-context.ts`) into the headers of every workflow
 * start, signal and update it sends, and an activity interceptor takes it out again, runs the activity
 * with it as the current id (so a client call the activity makes carries it on) and adds it to the
 * activity's log attributes.
 */
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { correlationIdOf, withCorrelationAttribute, withCorrelationId } from './correlation';
import { currentCorrelationId, runWithCorrelationId } from './correlation-context';

/** For `new Client({ interceptors: { workflow: [correlationClientInterceptor] } })`. */
export const correlationClientInterceptor: WorkflowClientInterceptor = {
  startWithDetails: (input, next) => next({ ...input, headers: withCorrelationId(input.headers, currentCorrelationId()) }),
  signalWithStart: (input, next) => next({ ...input, headers: withCorrelationId(input.headers, currentCorrelationId()) }),
  signal: (input, next) => next({ ...input, headers: withCorrelationId(input.headers, currentCorrelationId()) }),
  startUpdate: (input, next) => next({ ...input, headers: withCorrelationId(input.headers, currentCorrelationId()) }),
  startUpdateWithStart: (input, next) => {
    const id = currentCorrelationId();
    return next({ ...input, workflowStartHeaders: withCorrelationId(input.workflowStartHeaders, id), updateHeaders: withCorrelationId(input.updateHeaders, id) });
  },
};

/** For the worker's `interceptors.activity`: called once per activity execution, so the id it keeps is that execution's. */
export const correlationActivityInterceptors: ActivityInterceptorsFactory = () => {
  let id: string | undefined;
  return {
    inbound: {
      execute: (input, next) => {
        id = correlationIdOf(input.headers);
        return id ? runWithCorrelationId(id, () => next(input)) : next(input);
      },
    },
    outbound: {
      getLogAttributes: (attributes, next) => next(withCorrelationAttribute(attributes, id)),
    },
  };
};
