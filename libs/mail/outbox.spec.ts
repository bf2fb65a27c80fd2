import { describeFailure, failureReason, isPermanentRefusal, retryDelayMs, SEND_FAILURE_REASONS } from './outbox';

describe('outbox delivery rules', () => {
  it('treats a 5xx answer as a permanent refusal and everything else as transient', () => {
    expect(isPermanentRefusal({ responseCode: 550, response: '550 5.1.1 no such user', message: 'x' })).toBe(true);
    expect(isPermanentRefusal({ responseCode: 451, response: '451 4.3.0 try later', message: 'x' })).toBe(false);
    expect(isPermanentRefusal({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1025' })).toBe(false);
    expect(isPermanentRefusal({ code: 'ETIMEDOUT', message: 'Greeting never received' })).toBe(false);
  });

  it('doubles the retry delay up to its maximum, with bounded jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 10].map((a) => retryDelayMs(a, 5000, 60000, mid))).toEqual([5000, 10000, 20000, 40000, 60000]);
    expect(retryDelayMs(1, 5000, 60000, () => 0)).toBe(4000);
    expect(retryDelayMs(1, 5000, 60000, () => 1)).toBe(6000);
  });

  it('describes a failure by the server answer when there is one', () => {
    expect(describeFailure({ responseCode: 550, response: '550 5.1.1 <x@y> unknown', message: 'Can\'t send mail' })).toBe('550 5.1.1 <x@y> unknown');
    expect(describeFailure({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' })).toBe('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1');
  });

  it('names a failure by a bounded reason code, never by the server text', () => {
    expect(failureReason({ responseCode: 550, response: '550 5.1.1 <x@y> unknown', message: 'x' })).toBe('smtp-5xx');
    expect(failureReason({ responseCode: 451, response: '451 4.3.0 try later', message: 'x' })).toBe('smtp-4xx');
    expect(failureReason({ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:1025' })).toBe('connection');
    expect(failureReason({ code: 'ESOCKET', message: 'socket closed' })).toBe('connection');
    expect(failureReason({ code: 'ETIMEDOUT', message: 'Greeting never received' })).toBe('timeout');
    expect(failureReason({ code: 'EAUTH', responseCode: undefined, message: 'Invalid login' })).toBe('auth');
    expect(failureReason({ message: 'relation "outbox" does not exist' })).toBe('other');
    expect(SEND_FAILURE_REASONS).toContain(failureReason({ code: 'EWHATEVER', message: 'x' }));
  });
});
