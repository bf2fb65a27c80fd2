import { Writable } from 'node:stream';
import { runWithCorrelationId } from './correlation-context';
import { createLogger, NestPinoLogger, prettyLine, TemporalPinoLogger } from './logger';

/** What the logger wrote, one entry per line. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines, json: () => lines.map((l) => JSON.parse(l)) };
}

describe('the process logger', () => {
  it('writes one JSON object a line naming the process, the level by name, the Nest context and the message', () => {
    const out = capture();
    const nest = new NestPinoLogger(createLogger({ processName: 'regie-test', format: 'json', level: 'info' }, out.stream));
    nest.log('Polling task queue regie', 'Worker');
    nest.warn('LISTEN connection lost');
    nest.debug('not at info');
    const [first, second] = out.json();
    expect(out.lines).toHaveLength(2);
    expect(first).toMatchObject({ level: 'info', process: 'regie-test', pid: process.pid, context: 'Worker', msg: 'Polling task queue regie' });
    expect(new Date(first.time).toISOString()).toBe(first.time);
    expect(second).toMatchObject({ level: 'warn', msg: 'LISTEN connection lost' });
    expect(second.context).toBeUndefined();
  });

  it('adds the correlation id of the request or activity in progress, and only then', async () => {
    const out = capture();
    const nest = new NestPinoLogger(createLogger({ processName: 'regie-test', format: 'json', level: 'info' }, out.stream));
    await runWithCorrelationId('req-42', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      nest.log('inside', 'Api');
    });
    nest.log('outside', 'Api');
    expect(out.json().map((e) => [e.msg, e.correlationId])).toEqual([
      ['inside', 'req-42'],
      ['outside', undefined],
    ]);
  });

  it('keeps an error’s stack: Nest’s error(message, stack, context) and an Error object', () => {
    const out = capture();
    const nest = new NestPinoLogger(createLogger({ processName: 'regie-test', format: 'json', level: 'info' }, out.stream));
    const err = new Error('boom');
    nest.error('Unhandled error', err.stack, 'Errors');
    nest.error(err);
    const [a, b] = out.json();
    expect(a).toMatchObject({ level: 'error', context: 'Errors', msg: 'Unhandled error' });
    expect(a.err.stack).toContain('boom');
    expect(b).toMatchObject({ level: 'error', msg: 'boom' });
    expect(b.err).toMatchObject({ type: 'Error', message: 'boom' });
  });

  it('writes the Temporal SDK’s entries with their attributes as fields', () => {
    const out = capture();
    const temporal = new TemporalPinoLogger(createLogger({ processName: 'regie-worker', format: 'json', level: 'debug' }, out.stream));
    temporal.debug('Activity completed', { activityType: 'recordStepEvents', correlationId: 'req-7', durationMs: 3, nanos: 5n });
    temporal.log('TRACE', 'below debug');
    expect(out.json()).toEqual([
      expect.objectContaining({ level: 'debug', context: 'Temporal', msg: 'Activity completed', activityType: 'recordStepEvents', correlationId: 'req-7', durationMs: 3, nanos: '5' }),
    ]);
  });

  it('writes a readable line for a person with LOG_FORMAT=pretty', () => {
    const out = capture();
    const nest = new NestPinoLogger(createLogger({ processName: 'regie-api', format: 'pretty', level: 'info' }, out.stream));
    runWithCorrelationId('abc', () => nest.log('Listening', 'Api'));
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} INFO  regie-api \[Api\] Listening \{"correlationId":"abc"\}$/);
    expect(prettyLine('not json')).toBe('not json\n');
  });
});
