import { Client, isGrpcServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { RegieError } from '../errors/regie-error';

/** How long an API call may wait for Temporal before the caller gets a 503 (well within 10 s). */
export const TEMPORAL_DEADLINE_MS = 8000;
/** What a client should wait before it retries (with the same Idempotency-Key where the route takes one). */
const RETRY_AFTER_SECONDS = { unavailable: 10, busy: 2 };

/**
 * Every call the API makes to Temporal goes through here: with a deadline, so a server that is down or does
 * not answer is a 503 with Retry-After instead of a hang, and Temporal's limit on a workflow's updates in
 * flight a 429. Each call the API makes is safe to repeat (an update by its id, a start by its workflow id).
 */
export async function callTemporal<T>(client: Client, call: () => Promise<T>): Promise<T> {
  try {
    return await client.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, call);
  } catch (err) {
    throw temporalFault(err) ?? err;
  }
}

/**
 * Temporal unreachable or too slow (503), or the workflow's updates in flight at Temporal's limit (429): each
 * with the time to wait before retrying. Anything else is not a fault of the server's availability: null.
 */
export function temporalFault(err: unknown): RegieError | null {
  const grpc = [err, (err as { cause?: unknown })?.cause].find(isGrpcServiceError);
  // gRPC status codes: 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE, 8 RESOURCE_EXHAUSTED.
  if (grpc?.code === 8) {
    return new RegieError('workflow-busy', 'rate-limited', 'Te veel gelijktijdige wijzigingen op deze workflow: probeer het zo opnieuw met dezelfde Idempotency-Key / Too many concurrent writes to this workflow: retry soon with the same Idempotency-Key', undefined, undefined, RETRY_AFTER_SECONDS.busy);
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || grpc?.code === 4 || grpc?.code === 14) {
    return new RegieError('temporal-unavailable', 'unavailable', 'Temporal is niet bereikbaar: probeer het over 10 seconden opnieuw / Temporal is unavailable: retry in 10 seconds', undefined, String(err), RETRY_AFTER_SECONDS.unavailable);
  }
  return null;
}
