import { isDatabaseUnavailable, isPermanentDatabaseError, jsonbText } from './json';

describe('database errors', () => {
  it('tell an outage (retry later) from bad data (no retry mends it)', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006']) expect(isDatabaseUnavailable({ code })).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    for (const code of ['22P05', '23505', '42P01']) expect(isDatabaseUnavailable({ code })).toBe(false);
    expect(isPermanentDatabaseError({ code: '22P05' })).toBe(true);
    expect(isPermanentDatabaseError({ code: '23505' })).toBe(true);
    expect(isPermanentDatabaseError({ code: '08006' })).toBe(false);
  });

  it('writes a NUL character as U+FFFD, which jsonb takes', () => {
    expect(JSON.parse(jsonbText({ a: ['x\u0000y'], b: 1 }))).toEqual({ a: ['x\uFFFDy'], b: 1 });
  });
});
