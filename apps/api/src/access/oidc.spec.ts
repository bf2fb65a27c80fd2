import { ConfigError } from '../../../../libs/config/config';
import { RegieError } from '../errors/regie-error';
import { emailFrom, OidcConfig, OidcSignIn } from './oidc';

// The flow itself runs against a real provider in test/integration/oidc.test.ts.
const CONFIG: OidcConfig = {
  issuer: 'https://login.gemeente.example',
  clientId: 'regie',
  clientSecret: 'secret',
  emailClaim: 'email',
  redirectUri: 'https://regie.example/auth/oidc/callback',
};

describe('OidcSignIn.discover refuses a bad configuration before any request', () => {
  test.each([
    [{ issuer: 'http://login.gemeente.example' }, 'Configuration error: OIDC_ISSUER must use https: for OpenID sign-in, except for localhost'],
    [{ issuer: 'login.gemeente.example' }, 'Configuration error: OIDC_ISSUER is not a URL'],
    [{ redirectUri: 'http://regie.example/auth/oidc/callback' }, 'Configuration error: PUBLIC_BASE_URL must use https: for OpenID sign-in, except for localhost'],
    [{ clientSecret: '' }, 'Configuration error: OIDC_CLIENT_SECRET is empty'],
    [{ emailClaim: '' }, 'Configuration error: OIDC_EMAIL_CLAIM is empty'],
  ])('%j', async (change, message) => {
    const err = await OidcSignIn.discover({ ...CONFIG, ...change }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(message);
  });
});

describe('emailFrom', () => {
  const codeOf = (claims: Record<string, unknown>, claim = 'email') => {
    try {
      emailFrom(claims, claim);
      return undefined;
    } catch (err) {
      return (err as RegieError).code;
    }
  };

  test('trims and lower-cases; a missing email_verified is no refusal', () => {
    expect(emailFrom({ email: '  Jan.Jansen@Gemeente.Example\t' }, 'email')).toBe('jan.jansen@gemeente.example');
    expect(emailFrom({ email: 'a@b.example', email_verified: true }, 'email')).toBe('a@b.example');
  });

  test('refuses email_verified false, also sent as a string', () => {
    expect(codeOf({ email: 'a@b.example', email_verified: false })).toBe('oidc-email-unverified');
    expect(codeOf({ email: 'a@b.example', email_verified: 'false' })).toBe('oidc-email-unverified');
  });

  test('refuses a missing claim and a value that is no address', () => {
    expect(codeOf({})).toBe('oidc-email-missing');
    expect(codeOf({ email: 'jan' })).toBe('oidc-email-missing');
    expect(codeOf({ email: 'jan @gemeente.example' })).toBe('oidc-email-missing');
    expect(codeOf({ email: ['a@b.example'] })).toBe('oidc-email-missing');
  });

  test('email_verified speaks about the email claim only', () => {
    expect(emailFrom({ upn: 'A@B.example', email_verified: false }, 'upn')).toBe('a@b.example');
  });
});
