// A real, certified OpenID provider (oidc-provider) as its own process: the package is ESM-only and the
// tests are CommonJS. Configuration is one JSON object, in argv[2] or in OIDC_TEST_PROVIDER:
//   { "clientId", "clientSecret", "redirectUri", "accounts": [{ "sub", "email", "email_verified", ... }],
//     "port"?: number (default a free one), "claimsInIdToken"?: boolean }
// Listens on 127.0.0.1 and prints `oidc-provider ready <issuer>` on stdout. The provider's own
// development login and consent pages serve the interactions: any password, the login is the account's sub.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2] ?? process.env.OIDC_TEST_PROVIDER ?? 'null');
if (!config?.clientId || !config.clientSecret || !config.redirectUri || !Array.isArray(config.accounts)) {
  console.error('oidc-provider: give { clientId, clientSecret, redirectUri, accounts } as JSON in argv[2] or OIDC_TEST_PROVIDER');
  process.exit(2);
}
const accounts = new Map(config.accounts.map((account) => [account.sub, account]));

const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(config.port ?? 0, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: config.clientId,
      client_secret: config.clientSecret,
      redirect_uris: [config.redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-signing-key', alg: 'RS256', use: 'sig' }] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['preferred_username', 'name'],
  },
  // By default scope claims go to userinfo only when an access token is issued; this puts them in the ID token.
  conformIdTokenClaims: !config.claimsInIdToken,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, userinfo: { enabled: true } },
  async findAccount(_ctx, id) {
    const account = accounts.get(id);
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ ...account, sub: id }) };
  },
});
server.on('request', provider.callback());

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
console.log(`oidc-provider ready ${issuer}`);
