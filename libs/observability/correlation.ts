/**
 * The correlation id of one request, as it travels: the API takes it from `X-Request-Id` (or makes one) and
 * answers it in the same header; Temporal carries it as a header on a workflow's start, signals and updates,
 * and the workflow passes it on to its activities, child workflows and its next run (continue-as-new).
 * Every log line on the way carries it as `correlationId`.
 *
 * Pure and deterministic: the workflow interceptors (`workflows/interceptors.ts`) import this file, so
 * nothing here may touch Node or the clock.
 */
import { defaultPayloadConverter, type Headers } from '@temporalio/common';

/** The HTTP header a client may send and the API always answers (lower case, as Node reads it). */
export const REQUEST_ID_HEADER = 'x-request-id';
/** The Temporal header that carries it. */
export const CORRELATION_HEADER = 'regie-correlation-id';
/** The log attribute that holds it, in every process. */
export const CORRELATION_ATTRIBUTE = 'correlationId';

/** What a client's id may look like (anything else is replaced by a fresh one): printable, short, no spaces. */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

export const isCorrelationId = (value: unknown): value is string => typeof value === 'string' && CORRELATION_ID_PATTERN.test(value);

/** The id in a set of Temporal headers, if there is a sane one. */
export function correlationIdOf(headers: Headers | undefined): string | undefined {
  const payload = headers?.[CORRELATION_HEADER];
  if (!payload) return undefined;
  try {
    const value = defaultPayloadConverter.fromPayload<unknown>(payload);
    return isCorrelationId(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The headers with the id added; headers that already carry one keep theirs (the first request's id wins on the way down). */
export function withCorrelationId(headers: Headers, id: string | undefined): Headers {
  if (!id || headers[CORRELATION_HEADER]) return headers;
  return { ...headers, [CORRELATION_HEADER]: defaultPayloadConverter.toPayload(id) };
}

/** Log attributes with the id, when there is one. */
export const withCorrelationAttribute = (attributes: Record<string, unknown>, id: string | undefined): Record<string, unknown> =>
  id ? { ...attributes, [CORRELATION_ATTRIBUTE]: id } : attributes;
