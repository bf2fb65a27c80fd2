import { mailLinks, signLink, verifyLink } from './links';

const secret = 'unit-test-link-secret-0123456789abcdef';
const now = Date.UTC(2031, 0, 6, 9);
const payload = { act: 'acknowledge' as const, rcp: 'wethouder@gm0363.example', key: 'bk-1', lang: 'nl' as const, exp: now / 1000 + 3600 };

describe('signed links', () => {
  it('verifies its own token and returns the payload', () => {
    expect(verifyLink(secret, signLink(secret, payload), now)).toEqual({ ok: true, payload });
  });

  it('refuses a token signed with another secret, or with a changed payload, as forged', () => {
    expect(verifyLink('another-secret-of-sufficient-length-000', signLink(secret, payload), now)).toMatchObject({ ok: false, reason: 'forged' });
    const [, signature] = signLink(secret, payload).split('.');
    const tampered = Buffer.from(JSON.stringify({ ...payload, rcp: 'attacker@example.com' })).toString('base64url');
    expect(verifyLink(secret, `${tampered}.${signature}`, now)).toMatchObject({ ok: false, reason: 'forged', payload: { rcp: 'attacker@example.com' } });
  });

  it('refuses an expired token, naming what it was for', () => {
    expect(verifyLink(secret, signLink(secret, payload), now + 3600_000)).toEqual({ ok: false, reason: 'expired', payload });
  });

  it.each(['', 'abc', 'not.a.token', `${'a'.repeat(20)}.${'b'.repeat(10)}`])('refuses %j as malformed', (token) => {
    expect(verifyLink(secret, token, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('gives optional mail a one-click URL and a mandatory notice none; actions are scoped to one recipient and notification', () => {
    const optional = mailLinks({ secret, publicBaseUrl: 'https://regie.example/', recipient: 'a@b.example', language: 'en', optional: true, action: { kind: 'confirm-receipt', businessKey: 'bk-2', validDays: 30 }, nowMs: now });
    expect(optional.unsubscribeUrl).toMatch(/^https:\/\/regie\.example\/mail\/unsubscribe\/[\w-]+\.[\w-]+$/);
    const token = optional.action!.url.split('/').pop()!;
    expect(verifyLink(secret, token, now)).toEqual({ ok: true, payload: { act: 'confirm-receipt', rcp: 'a@b.example', key: 'bk-2', lang: 'en', exp: now / 1000 + 30 * 86400 } });
    const mandatory = mailLinks({ secret, publicBaseUrl: 'https://regie.example', recipient: 'a@b.example', language: 'nl', optional: false, action: null, nowMs: now });
    expect(mandatory.unsubscribeUrl).toBeNull();
    expect(mandatory.preferencesUrl).toMatch(/^https:\/\/regie\.example\/mail\/preferences\//);
  });
});
