import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { changedRows } from '../../../../libs/db/returning';
import { hashSecret } from '../../../../libs/access/secrets';
import type { RegieConfig } from '../../../../libs/config/config';
import { REGIE_CONFIG } from '../../../../libs/config/config.module';
import { OidcSignIn } from './oidc';
import { RegieError } from '../errors/regie-error';

/** How long a sign-in at the OpenID provider may take between leaving Regie and coming back. */
const PENDING_MINUTES = 10;

/**
 * OpenID Connect sign-in for organisations with their own identity provider (OIDC_ISSUER, OIDC_CLIENT_ID,
 * OIDC_CLIENT_SECRET, OIDC_EMAIL_CLAIM). What `start` hands the provider (state, nonce, PKCE verifier)
 * waits in Postgres under the state's hash, taken once by the callback.
 */
@Injectable()
export class OidcService {
  private client?: Promise<OidcSignIn>;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(REGIE_CONFIG) private readonly config: RegieConfig,
  ) {}

  get enabled(): boolean {
    return !!this.config.access.oidc;
  }

  private signIn(): Promise<OidcSignIn> {
    const oidc = this.config.access.oidc;
    if (!oidc) throw new RegieError('oidc-not-configured', 'not-found', 'Aanmelden via OpenID Connect is hier niet ingesteld / OpenID Connect sign-in is not configured here');
    // Discovered once; a failed discovery is tried again at the next sign-in.
    this.client ??= OidcSignIn.discover({ ...oidc, redirectUri: `${this.config.http.publicBaseUrl}/auth/oidc/callback` }).catch((err) => {
      this.client = undefined;
      throw err;
    });
    return this.client;
  }

  async start(): Promise<string> {
    const { url, pending } = await (await this.signIn()).start();
    await this.db.query(`DELETE FROM oidc_pending WHERE expires_at < now()`);
    await this.db.query(`INSERT INTO oidc_pending (state_hash, nonce, code_verifier, expires_at) VALUES ($1, $2, $3, now() + make_interval(mins => $4))`, [
      hashSecret(pending.state),
      pending.nonce,
      pending.codeVerifier,
      PENDING_MINUTES,
    ]);
    return url;
  }

  /** The address the provider vouches for; the pending sign-in is spent whatever the outcome. */
  async finish(callbackPathAndQuery: string, state: unknown): Promise<string> {
    const client = await this.signIn();
    const [pending] =
      typeof state === 'string' && state.length <= 500
        ? await changedRows(this.db, `DELETE FROM oidc_pending WHERE state_hash = $1 AND expires_at > now() RETURNING nonce, code_verifier`, [hashSecret(state)])
        : [];
    if (!pending) throw new RegieError('oidc-failed', 'unauthorized', 'Deze aanmelding is verlopen of al afgerond: begin opnieuw / This sign-in expired or was completed already: start again');
    const { email } = await client.finish(callbackPathAndQuery, { state: state as string, nonce: pending.nonce, codeVerifier: pending.code_verifier });
    return email;
  }
}
