import { defaultPayloadConverter } from '@temporalio/common';
import { CORRELATION_HEADER, correlationIdOf, isCorrelationId, withCorrelationAttribute, withCorrelationId } from './correlation';
import { currentCorrelationId, runWithCorrelationId } from './correlation-context';
import { correlationActivityInterceptors, correlationClientInterceptor } from './temporal-correlation';

describe('the correlation id', () => {
  it('accepts a short printable id and refuses anything else', () => {
    expect(['3f1c2a9e-0b1d-4c7a-9e2f-1a2b3c4d5e6f', 'demo.1:a_b-c', 'x'].every(isCorrelationId)).toBe(true);
    expect(['', 'a b', 'a\nb', 'x'.repeat(101), 'é', 42, undefined].some(isCorrelationId)).toBe(false);
  });

  it('travels as a Temporal header and comes back out; a header that already has one keeps it', () => {
    const headers = withCorrelationId({}, 'req-1');
    expect(correlationIdOf(headers)).toBe('req-1');
    expect(correlationIdOf(withCorrelationId(headers, 'req-2'))).toBe('req-1');
    expect(withCorrelationId({}, undefined)).toEqual({});
    expect(correlationIdOf({})).toBeUndefined();
    expect(correlationIdOf({ [CORRELATION_HEADER]: defaultPayloadConverter.toPayload('not an id!') })).toBeUndefined();
    expect(correlationIdOf({ [CORRELATION_HEADER]: { metadata: {}, data: new Uint8Array([1]) } })).toBeUndefined();
    expect(withCorrelationAttribute({ a: 1 }, 'req-1')).toEqual({ a: 1, correlationId: 'req-1' });
    expect(withCorrelationAttribute({ a: 1 }, undefined)).toEqual({ a: 1 });
  });

  it('is added by the client interceptor to a start, a signal and an update sent while a request runs', async () => {
    const seen: unknown[] = [];
    const next = async (input: unknown) => {
      seen.push(input);
      return undefined as never;
    };
    await runWithCorrelationId('req-9', async () => {
      await correlationClientInterceptor.startWithDetails!({ headers: {} } as never, next);
      await correlationClientInterceptor.signal!({ headers: {} } as never, next);
      await correlationClientInterceptor.startUpdate!({ headers: {} } as never, next);
      await correlationClientInterceptor.startUpdateWithStart!({ workflowStartHeaders: {}, updateHeaders: {} } as never, next);
    });
    await correlationClientInterceptor.signal!({ headers: {} } as never, next);
    const ids = seen.map((s) => {
      const input = s as { headers?: never; workflowStartHeaders?: never; updateHeaders?: never };
      return input.headers ? correlationIdOf(input.headers) : [correlationIdOf(input.workflowStartHeaders), correlationIdOf(input.updateHeaders)];
    });
    expect(ids).toEqual(['req-9', 'req-9', 'req-9', ['req-9', 'req-9'], undefined]);
  });

  it('runs an activity with the id of its headers as the current one, and puts it in the activity’s log attributes', async () => {
    const { inbound, outbound } = correlationActivityInterceptors(undefined as never);
    const during = await inbound!.execute!({ args: [], headers: withCorrelationId({}, 'req-5') }, async () => currentCorrelationId());
    expect(during).toBe('req-5');
    expect(outbound!.getLogAttributes!({ activityType: 'x' }, (a) => a)).toEqual({ activityType: 'x', correlationId: 'req-5' });
    // Another execution without a header: no id, none made up.
    const other = correlationActivityInterceptors(undefined as never);
    expect(await other.inbound!.execute!({ args: [], headers: {} }, async () => currentCorrelationId())).toBeUndefined();
    expect(other.outbound!.getLogAttributes!({}, (a) => a)).toEqual({});
  });
});
