/**
 * OpenID Connect sign-in against a real, certified OpenID provider (oidc-provider in its own process),
 * through its real login and consent pages: the address it returns, and the callbacks it must refuse.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { OidcConfig, OidcSignIn } from '../../apps/api/src/access/oidc';
import { RegieError } from '../../apps/api/src/errors/regie-error';
import { RunningOidcProvider, signInAt, startOidcProvider, TestAccount } from '../support/oidc-provider';

const CLIENT = { clientId: 'regie-test', clientSecret: 'regie-test-secret-that-is-long-enough', redirectUri: 'http://127.0.0.1:3999/auth/oidc/callback' };
const ACCOUNTS: TestAccount[] = [
  { sub: 'alice', email: ' Alice.de.Vries@Gemeente.Example ', email_verified: true },
  { sub: 'bob', email: 'bob@gemeente.example', email_verified: false },
  { sub: 'carol', preferred_username: 'Carol@Gemeente.Example' },
];

let withUserinfo: RunningOidcProvider;
let withIdTokenClaims: RunningOidcProvider;

beforeAll(async () => {
  [withUserinfo, withIdTokenClaims] = await Promise.all([
    startOidcProvider({ ...CLIENT, accounts: ACCOUNTS }),
    startOidcProvider({ ...CLIENT, accounts: ACCOUNTS, claimsInIdToken: true }),
  ]);
});

afterAll(async () => {
  await Promise.all([withUserinfo?.stop(), withIdTokenClaims?.stop()]);
});

const config = (issuer: string, emailClaim = 'email'): OidcConfig => ({ ...CLIENT, issuer, emailClaim });

/** Start, sign in at the provider as `login`, and return what `finish` needs. */
async function callbackFor(signIn: OidcSignIn, login: string) {
  const { url, pending } = await signIn.start();
  return { callback: await signInAt(url, login), pending };
}

async function refusal(promise: Promise<unknown>): Promise<RegieError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegieError);
  return err as RegieError;
}

describe.each([
  ['scope claims through userinfo', () => withUserinfo],
  ['scope claims in the ID token', () => withIdTokenClaims],
])('OpenID sign-in (%s)', (_, provider) => {
  test('returns the address, trimmed and lower-cased, and the subject', async () => {
    const signIn = await OidcSignIn.discover(config(provider().issuer));
    const { url, pending } = await signIn.start();
    const asked = new URL(url).searchParams;
    expect(asked.get('response_type')).toBe('code');
    expect(asked.get('scope')).toBe('openid email');
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('state')).toBe(pending.state);
    expect(asked.get('nonce')).toBe(pending.nonce);
    expect(asked.get('redirect_uri')).toBe(CLIENT.redirectUri);
    expect(asked.get('code_challenge')).not.toBe(pending.codeVerifier);

    const callback = await signInAt(url, 'alice');
    expect(callback.startsWith(`${CLIENT.redirectUri}?`)).toBe(true);
    expect(new URL(callback).searchParams.get('state')).toBe(pending.state);
    // The controller may pass just the path and query it was called on.
    const { pathname, search } = new URL(callback);
    await expect(signIn.finish(`${pathname}${search}`, pending)).resolves.toEqual({ email: 'alice.de.vries@gemeente.example', subject: 'alice' });
  });

  test('refuses an address the provider says is not verified', async () => {
    const signIn = await OidcSignIn.discover(config(provider().issuer));
    const { callback, pending } = await callbackFor(signIn, 'bob');
    const err = await refusal(signIn.finish(callback, pending));
    expect(err).toMatchObject({ code: 'oidc-email-unverified', category: 'unauthorized' });
    expect(err.userMessage).toMatch(/niet is bevestigd \/ .*not verified/);
  });

  test('refuses an account without the claim', async () => {
    const signIn = await OidcSignIn.discover(config(provider().issuer));
    const { callback, pending } = await callbackFor(signIn, 'carol');
    expect(await refusal(signIn.finish(callback, pending))).toMatchObject({ code: 'oidc-email-missing', category: 'unauthorized' });
  });

  test('reads the configured claim, asking for the scope it comes with', async () => {
    const signIn = await OidcSignIn.discover(config(provider().issuer, 'preferred_username'));
    const { url, pending } = await signIn.start();
    expect(new URL(url).searchParams.get('scope')).toBe('openid email profile');
    const callback = await signInAt(url, 'carol');
    await expect(signIn.finish(callback, pending)).resolves.toEqual({ email: 'carol@gemeente.example', subject: 'carol' });
  });
});

describe('OpenID sign-in refuses a callback', () => {
  let signIn: OidcSignIn;
  beforeAll(async () => {
    signIn = await OidcSignIn.discover(config(withUserinfo.issuer));
  });

  test('with another state than the one started', async () => {
    const { callback, pending } = await callbackFor(signIn, 'alice');
    const err = await refusal(signIn.finish(callback, { ...pending, state: 'not-the-state-we-sent' }));
    expect(err).toMatchObject({ code: 'oidc-failed', category: 'unauthorized' });
    expect(err.message).toMatch(/state/);
  });

  test('of another sign-in (its own state, but not our nonce and verifier)', async () => {
    const ours = await signIn.start();
    const theirs = await callbackFor(signIn, 'alice');
    const err = await refusal(signIn.finish(theirs.callback, { ...ours.pending, state: theirs.pending.state }));
    expect(err).toMatchObject({ code: 'oidc-failed' });
    expect(err.message).toMatch(/invalid_grant/);
  });

  test('with a wrong nonce', async () => {
    const { callback, pending } = await callbackFor(signIn, 'alice');
    const err = await refusal(signIn.finish(callback, { ...pending, nonce: 'not-the-nonce-we-sent' }));
    expect(err).toMatchObject({ code: 'oidc-failed' });
    expect(err.message).toMatch(/nonce/);
  });

  test('replayed: the same code twice', async () => {
    const { callback, pending } = await callbackFor(signIn, 'alice');
    await expect(signIn.finish(callback, pending)).resolves.toMatchObject({ subject: 'alice' });
    const err = await refusal(signIn.finish(callback, pending));
    expect(err).toMatchObject({ code: 'oidc-failed', category: 'unauthorized' });
    expect(err.message).toMatch(/invalid_grant/);
    // What gets logged names the failure, never the code or the secret.
    const code = new URL(callback).searchParams.get('code')!;
    expect(err.message).not.toContain(code);
    expect(err.message).not.toContain(CLIENT.clientSecret);
  });

  test('without the pending sign-in it belongs to', async () => {
    const { callback } = await callbackFor(signIn, 'alice');
    const err = await refusal(signIn.finish(callback, undefined as unknown as Parameters<OidcSignIn['finish']>[1]));
    expect(err).toMatchObject({ code: 'oidc-failed', category: 'unauthorized' });
  });

  test('that reports an error instead of a code', async () => {
    const { pending } = await signIn.start();
    const callback = `${CLIENT.redirectUri}?error=access_denied&state=${pending.state}&iss=${encodeURIComponent(withUserinfo.issuer)}`;
    expect(await refusal(signIn.finish(callback, pending))).toMatchObject({ code: 'oidc-failed' });
  });
});

describe('OpenID discovery', () => {
  test('of an issuer that does not answer is a coded error', async () => {
    const err = await refusal(OidcSignIn.discover(config('http://127.0.0.1:9/')));
    expect(err).toMatchObject({ code: 'oidc-unavailable', category: 'unavailable' });
  });

  test('with a wrong client secret fails at the first token request', async () => {
    const signIn = await OidcSignIn.discover({ ...config(withUserinfo.issuer), clientSecret: 'wrong-secret' });
    const { callback, pending } = await callbackFor(signIn, 'alice');
    const err = await refusal(signIn.finish(callback, pending));
    expect(err).toMatchObject({ code: 'oidc-failed' });
    expect(err.message).toMatch(/invalid_client/);
    expect(err.message).not.toContain('wrong-secret');
  });

  test('outside Jest loads openid-client natively (ts-node, CommonJS as tsc compiles it)', async () => {
    const root = path.resolve(__dirname, '..', '..');
    const script = `require('./apps/api/src/access/oidc.ts').OidcSignIn.discover(${JSON.stringify(config(withUserinfo.issuer))})
      .then((s) => s.start()).then(({ url }) => console.log(new URL(url).origin), (e) => { console.error(e); process.exit(1); });`;
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.trim()).toBe(withUserinfo.issuer);
  });
});
