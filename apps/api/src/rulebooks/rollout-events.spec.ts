import { Logger } from '@nestjs/common';
import { RegieError } from '../errors/regie-error';
import { RolloutEventStreams, type RolloutSnapshot, snapshotFromRow, statusFromTables, STREAM_LIMITS } from './rollout-events';

const snap = (applied: number, status: RolloutSnapshot['status'] = 'running', total = 4, failed = 0): RolloutSnapshot => ({
  rulebookId: 'v2',
  status,
  total,
  applied,
  failed,
  pending: total - applied - failed,
});

/** A sink that keeps what the stream wrote, as events and comments. */
function sink() {
  const chunks: string[] = [];
  let ended = false;
  return {
    sink: { write: (c: string) => void chunks.push(c), end: () => void (ended = true) },
    get ended() {
      return ended;
    },
    events: () =>
      chunks
        .filter((c) => c.startsWith('event: '))
        .map((c) => ({ event: /^event: (\w+)/.exec(c)![1], data: JSON.parse(/^data: (.*)$/m.exec(c)![1]) as RolloutSnapshot })),
    comments: () => chunks.filter((c) => c.startsWith(':')),
    chunks,
  };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('the rollout status from the tables', () => {
  it('says what GET /rulebooks/:id/rollout says, without asking Temporal', () => {
    expect(statusFromTables(null, null)).toBeNull();
    expect(statusFromTables(null, 'running')).toBe('starting');
    // A re-run: the lock is taken, the row still holds the last run's counts.
    expect(statusFromTables('completed', 'running')).toBe('starting');
    expect(statusFromTables('running', 'running')).toBe('running');
    expect(statusFromTables('completed', 'completed')).toBe('completed');
    expect(statusFromTables('running', 'failed')).toBe('interrupted');
    expect(statusFromTables('running', 'interrupted')).toBe('interrupted');
    expect(statusFromTables('running', null)).toBe('interrupted');
    expect(statusFromTables('completed', null)).toBe('completed');
  });

  it('counts nothing before the first activity of a run', () => {
    expect(snapshotFromRow('v2', { rollout_status: 'completed', total: 6, applied: 6, failed: 0, run_status: 'running' })).toEqual({
      rulebookId: 'v2',
      status: 'starting',
      total: null,
      applied: 0,
      failed: 0,
      pending: null,
    });
    expect(snapshotFromRow('v2', { rollout_status: 'running', total: 6, applied: 2, failed: 1, run_status: 'running' })).toMatchObject({ total: 6, applied: 2, failed: 1, pending: 3 });
  });
});

describe('the event streams', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends the progress now, an event per change only, heartbeats while nothing changes, and a last event when completed', async () => {
    let current = snap(0);
    const streams = new RolloutEventStreams(async () => current, async () => true);
    const s = sink();
    const stop = streams.start('v2', 'operator', s.sink, current);
    expect(s.chunks[0]).toBe(`retry: ${STREAM_LIMITS.retryMs}\n\n`);

    await jest.advanceTimersByTimeAsync(STREAM_LIMITS.pollMs * 3);
    expect(s.events()).toHaveLength(1);
    current = snap(2);
    await jest.advanceTimersByTimeAsync(STREAM_LIMITS.pollMs);
    current = snap(2, 'running', 4, 1);
    await jest.advanceTimersByTimeAsync(STREAM_LIMITS.pollMs);
    await jest.advanceTimersByTimeAsync(STREAM_LIMITS.heartbeatMs);
    expect(s.comments().length).toBeGreaterThanOrEqual(1);
    current = snap(3, 'completed', 4, 1);
    await jest.advanceTimersByTimeAsync(STREAM_LIMITS.pollMs);

    expect(s.events().map((e) => [e.event, e.data.applied, e.data.failed, e.data.status])).toEqual([
      ['progress', 0, 0, 'running'],
      ['progress', 2, 0, 'running'],
      ['progress', 2, 1, 'running'],
      ['end', 3, 1, 'completed'],
    ]);
    expect(s.ended).toBe(true);
    expect(streams.openStreams).toBe(0);
    stop(); // after the end: harmless
    expect(streams.openStreams).toBe(0);
  });

  it('polls once per version however many streams follow it, and forgets a stream whose client went away', async () => {
    const read = jest.fn(async () => snap(1));
    const streams = new RolloutEventStreams(read, async () => true);
    const a = sink();
    const b = sink();
    const stopA = streams.start('v2', 'vng', a.sink, snap(1));
    streams.start('v2', 'operator', b.sink, snap(1));
    await jest.advanceTimersByTimeAsync(STREAM_LIMITS.pollMs * 4);
    expect(read).toHaveBeenCalledTimes(4);
    stopA();
    expect(a.ended).toBe(true);
    expect(streams.openStreams).toBe(1);
    streams.closeAll();
    expect(b.ended).toBe(true);
    await jest.advanceTimersByTimeAsync(STREAM_LIMITS.pollMs * 4);
    expect(read).toHaveBeenCalledTimes(4);
  });

  it('ends a stream after its longest time (EventSource reconnects), and a rollout whose workflow no longer runs as interrupted', async () => {
    const streams = new RolloutEventStreams(async () => snap(1), async () => true);
    const s = sink();
    streams.start('v2', 'operator', s.sink, snap(1));
    await jest.advanceTimersByTimeAsync(STREAM_LIMITS.maxStreamMs + STREAM_LIMITS.pollMs);
    expect(s.ended).toBe(true);
    expect(s.events().map((e) => e.event)).toEqual(['progress']);

    // Terminated from the Temporal UI: the tables still say running; Temporal says no, twice in a row.
    const stopped = new RolloutEventStreams(async () => snap(1), async () => false);
    const t = sink();
    stopped.start('v2', 'operator', t.sink, snap(1));
    await jest.advanceTimersByTimeAsync(STREAM_LIMITS.verifyMs * 2 + STREAM_LIMITS.pollMs * 2);
    expect(t.events().map((e) => [e.event, e.data.status])).toEqual([
      ['progress', 'running'],
      ['end', 'interrupted'],
    ]);
    expect(t.ended).toBe(true);
  });

  it('ends at once on a rollout that has finished', async () => {
    const streams = new RolloutEventStreams(async () => snap(4, 'completed'), async () => true);
    const s = sink();
    streams.start('v2', 'operator', s.sink, snap(4, 'completed'));
    expect(s.events().map((e) => e.event)).toEqual(['end']);
    expect(s.ended).toBe(true);
    expect(streams.openStreams).toBe(0);
  });

  it('keeps the streams open while the database is away for a moment', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    let fail = true;
    const streams = new RolloutEventStreams(async () => {
      if (fail) throw new Error('connection refused');
      return snap(2);
    }, async () => true);
    const s = sink();
    streams.start('v2', 'operator', s.sink, snap(1));
    await jest.advanceTimersByTimeAsync(STREAM_LIMITS.pollMs * 3);
    expect(s.ended).toBe(false);
    fail = false;
    await jest.advanceTimersByTimeAsync(STREAM_LIMITS.pollMs);
    expect(s.events().map((e) => e.data.applied)).toEqual([1, 2]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Progress of v2 not read: connection refused'));
    warn.mockRestore();
    streams.closeAll();
  });

  it('refuses a stream past the limit of one caller (429) and of the process (503)', async () => {
    const streams = new RolloutEventStreams(async () => snap(1), async () => true, { ...STREAM_LIMITS, perCaller: 2, total: 3 });
    const stops = [streams.start('v2', 'vng', sink().sink, snap(1)), streams.start('v2', 'vng', sink().sink, snap(1))];
    const refusal = (caller: string) => {
      try {
        streams.admit(caller);
        return null;
      } catch (err) {
        return err instanceof RegieError ? [err.code, err.category, err.retryAfterSeconds] : err;
      }
    };
    expect(refusal('vng')).toEqual(['too-many-streams', 'rate-limited', STREAM_LIMITS.retryAfterSeconds]);
    streams.start('v2', 'operator', sink().sink, snap(1));
    expect(refusal('someone')).toEqual(['streams-busy', 'unavailable', STREAM_LIMITS.retryAfterSeconds]);
    stops[0]();
    expect(refusal('vng')).toBeNull();
    streams.closeAll();
    await flush();
  });
});
