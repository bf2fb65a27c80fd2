/**
 * The correlation id of the work in progress in this process: the API runs each request inside it (from the
 * edge, `apps/api/src/edge/http-edge.ts`), the worker each activity (`temporal-correlation.ts`). Whoever logs
 * or calls Temporal meanwhile finds it here without passing it along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<string>();

/** Runs `fn` with `id` as the current correlation id (for everything it starts, also asynchronously). */
export const runWithCorrelationId = <T>(id: string, fn: () => T): T => storage.run(id, fn);

/** The id of the request or activity this code runs for, if any. */
export const currentCorrelationId = (): string | undefined => storage.getStore();
