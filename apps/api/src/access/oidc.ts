import { pathToFileURL } from 'node:url';
import { constants as vmConstants, runInThisContext } from 'node:vm';
import { ConfigError } from '../../../../libs/config/config';
import { RegieError } from '../errors/regie-error';
import { isAddress } from './sessions.service';

// openid-client is ESM-only; this file is CommonJS. Only its types are imported statically.
type OpenidClient = typeof import('openid-client', { with: { 'resolution-mode': 'import' } });
type Configuration = import('openid-client', { with: { 'resolution-mode': 'import' } }).Configuration;

/** Sign-in through an organisation's own identity provider; read from OIDC_* and PUBLIC_BASE_URL. */
export interface OidcConfig {
  /** The issuer URL, as in the provider's discovery document (OIDC_ISSUER). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The claim that carries the e-mail address (OIDC_EMAIL_CLAIM, default 'email'). */
  emailClaim: string;
  /** `${PUBLIC_BASE_URL}/auth/oidc/callback`, registered at the provider. */
  redirectUri: string;
}

/** What the caller keeps between `start` and `finish` (a short-lived, signed cookie, say); never shown to the user. */
export interface OidcPending {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface OidcIdentity {
  /** Trimmed and lower-cased. */
  email: string;
  /** The provider's `sub`: stable per user at this issuer. */
  subject: string;
}

/** Standard claims that only come with a scope beyond `openid email` (OpenID Connect Core 5.4). */
const SCOPE_OF_CLAIM: Record<string, string> = {
  preferred_username: 'profile',
  name: 'profile',
  nickname: 'profile',
  given_name: 'profile',
  family_name: 'profile',
  phone_number: 'phone',
};


/**
 * The authorization code flow with PKCE (S256), state and nonce, against one configured provider.
 * `start` gives the URL to send the browser to and what to remember; `finish` takes the URL the provider
 * sent the browser back to. openid-client checks state, the ID token's signature, issuer, audience,
 * expiry and nonce. Nothing here logs, and no error message carries a token, a code or the secret.
 */
export class OidcSignIn {
  private constructor(
    private readonly client: OpenidClient,
    private readonly configuration: Configuration,
    private readonly config: OidcConfig,
  ) {}

  static async discover(config: OidcConfig): Promise<OidcSignIn> {
    const issuer = parseUrl(config.issuer, 'OIDC_ISSUER');
    const redirect = parseUrl(config.redirectUri, 'PUBLIC_BASE_URL');
    for (const [url, name] of [[issuer, 'OIDC_ISSUER'], [redirect, 'PUBLIC_BASE_URL']] as const) {
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
        throw new ConfigError(name, 'must use https: for OpenID sign-in, except for localhost');
      }
    }
    if (!config.clientId) throw new ConfigError('OIDC_CLIENT_ID', 'is empty');
    if (!config.clientSecret) throw new ConfigError('OIDC_CLIENT_SECRET', 'is empty');
    if (!config.emailClaim) throw new ConfigError('OIDC_EMAIL_CLAIM', 'is empty');

    const client = await loadOpenidClient();
    try {
      const configuration = await client.discovery(
        issuer,
        config.clientId,
        { redirect_uris: [config.redirectUri], response_types: ['code'] },
        client.ClientSecretBasic(config.clientSecret),
        { execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [], timeout: 10 },
      );
      return new OidcSignIn(client, configuration, config);
    } catch (err) {
      throw new RegieError(
        'oidc-unavailable',
        'unavailable',
        'De identiteitsprovider van uw organisatie is niet bereikbaar / Your organisation\'s identity provider cannot be reached',
        undefined,
        `OpenID discovery at ${issuer.origin} failed: ${describe(err)}`,
      );
    }
  }

  /** The scope asked for: `openid email`, plus the scope the configured claim comes with. */
  get scope(): string {
    const extra = SCOPE_OF_CLAIM[this.config.emailClaim];
    return ['openid', 'email', ...(extra ? [extra] : [])].join(' ');
  }

  async start(): Promise<{ url: string; pending: OidcPending }> {
    const c = this.client;
    const pending: OidcPending = { state: c.randomState(), nonce: c.randomNonce(), codeVerifier: c.randomPKCECodeVerifier() };
    const url = c.buildAuthorizationUrl(this.configuration, {
      response_type: 'code',
      redirect_uri: this.config.redirectUri,
      scope: this.scope,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await c.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  /**
   * `callbackUrl` is the URL the browser came back on, absolute or just path and query: only its query
   * counts, set on the configured redirect URI (behind a proxy the request's own host may differ).
   */
  async finish(callbackUrl: string, pending: OidcPending): Promise<OidcIdentity> {
    const c = this.client;
    // A lost or tampered cookie, say: refused like any other failed callback.
    if (![pending?.state, pending?.nonce, pending?.codeVerifier].every((v) => typeof v === 'string' && v !== '')) {
      throw failed(new Error('no pending sign-in (state, nonce and code verifier) for this callback'));
    }
    let claims: Record<string, unknown>;
    let accessToken: string;
    try {
      const current = new URL(this.config.redirectUri);
      current.search = new URL(callbackUrl, this.config.redirectUri).search;
      const tokens = await c.authorizationCodeGrant(this.configuration, current, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = { ...tokens.claims() };
      accessToken = tokens.access_token;
    } catch (err) {
      throw failed(err);
    }
    const subject = String(claims.sub);

    if (claims[this.config.emailClaim] === undefined) {
      // Providers often put scope claims only in userinfo when they also issue an access token.
      if (!this.configuration.serverMetadata().userinfo_endpoint) throw emailMissing(this.config.emailClaim, 'ID token, no userinfo endpoint');
      try {
        claims = { ...(await c.fetchUserInfo(this.configuration, accessToken, subject)) };
      } catch (err) {
        throw failed(err);
      }
    }
    return { email: emailFrom(claims, this.config.emailClaim), subject };
  }
}

/** Reads, checks and normalises the address; `email_verified` speaks about the `email` claim only. */
export function emailFrom(claims: Record<string, unknown>, emailClaim: string): string {
  const value = claims[emailClaim];
  const email = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!isAddress(email)) throw emailMissing(emailClaim, value === undefined ? 'claims' : 'claims (not an address)');
  // Some providers send the boolean as a string.
  if (emailClaim === 'email' && (claims.email_verified === false || claims.email_verified === 'false')) {
    throw new RegieError(
      'oidc-email-unverified',
      'unauthorized',
      'Uw identiteitsprovider meldt dat uw e-mailadres niet is bevestigd / Your identity provider says your e-mail address is not verified',
      undefined,
      'OpenID sign-in refused: email_verified is false',
    );
  }
  return email;
}

function emailMissing(claim: string, where: string): RegieError {
  return new RegieError(
    'oidc-email-missing',
    'unauthorized',
    'Uw identiteitsprovider gaf geen e-mailadres door / Your identity provider did not send an e-mail address',
    undefined,
    `OpenID sign-in refused: claim "${claim}" missing from ${where}`,
  );
}

function failed(err: unknown): RegieError {
  return new RegieError(
    'oidc-failed',
    'unauthorized',
    'Inloggen bij uw identiteitsprovider is mislukt; probeer het opnieuw / Sign-in at your identity provider failed; please try again',
    undefined,
    `OpenID sign-in failed: ${describe(err)}`,
  );
}

/**
 * What went wrong, for the log: name, code and message of an openid-client error, the message of the
 * error it wraps (fixed texts naming a parameter or claim, never its value), the provider's error code and
 * HTTP status. Nothing else of a `cause`: that can hold a response body or the callback's parameters, and
 * so the authorization code.
 */
function describe(err: unknown): string {
  if (typeof err !== 'object' || err === null || typeof (err as Error).message !== 'string') return String(err);
  const e = err as Error & { code?: unknown; error?: unknown; error_description?: unknown; status?: unknown; cause?: unknown };
  const parts = [`${e.name}: ${e.message}`];
  if (typeof e.code === 'string') parts.push(`code ${e.code}`);
  const cause = e.cause as { message?: unknown } | undefined;
  if (typeof cause?.message === 'string') parts.push(`because ${cause.message}`);
  // A 401 from the token endpoint comes as WWW-Authenticate challenges: their `error` is the provider's code.
  const challenged = Array.isArray(e.cause) ? (e.cause as Array<{ parameters?: { error?: unknown } }>).map((c) => c.parameters?.error) : [];
  const providerError = [e.error, ...challenged].find((x): x is string => typeof x === 'string');
  if (providerError) parts.push(`provider error ${providerError}${typeof e.error_description === 'string' ? ` (${e.error_description})` : ''}`);
  if (typeof e.status === 'number') parts.push(`HTTP ${e.status}`);
  return parts.join(', ');
}

function parseUrl(value: string, name: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a URL');
  }
}

function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
}

let openidClient: Promise<OpenidClient> | undefined;

/**
 * With `module: node16` TypeScript keeps `import()` in CommonJS output, so compiled code (and ts-node)
 * loads the package natively. Jest runs test code in a vm context whose dynamic import needs
 * --experimental-vm-modules; there, and only there, the import runs in Node's main context with Node's
 * own loader instead (Node prints an ExperimentalWarning for that once).
 */
function loadOpenidClient(): Promise<OpenidClient> {
  openidClient ??= import('openid-client').catch((err: unknown) => {
    if ((err as { code?: unknown }).code !== 'ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG') throw err;
    const importInMainContext = runInThisContext('(specifier) => import(specifier)', {
      importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    }) as (specifier: string) => Promise<OpenidClient>;
    // An absolute URL, as that context resolves bare names from the working directory.
    return importInMainContext(pathToFileURL(require.resolve('openid-client')).href);
  });
  openidClient.catch(() => (openidClient = undefined));
  return openidClient;
}
