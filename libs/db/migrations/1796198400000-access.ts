import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who may do what (libs/access): sign-in links by mail (only their hash is kept), sessions in Postgres,
 * API tokens per organisation (hash and a visible prefix), and the append-only audit log. Existing data is
 * untouched: contacts become the people who sign in.
 */
export class Access1796198400000 implements MigrationInterface {
  name = 'Access1796198400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE sign_in_link (
      token_hash text PRIMARY KEY,
      email text NOT NULL CHECK (email = lower(email)),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      -- A newer link for the same address makes this one useless.
      superseded_at timestamptz)`);
    await q.query(`CREATE INDEX sign_in_link_open ON sign_in_link (email) WHERE used_at IS NULL AND superseded_at IS NULL`);

    await q.query(`CREATE TABLE web_session (
      id_hash text PRIMARY KEY,
      email text NOT NULL CHECK (email = lower(email)),
      via text NOT NULL CHECK (via IN ('mail', 'oidc')),
      -- Chosen after sign-in when the person is a contact in several organisations or roles.
      organisation_key text REFERENCES organisation(key) ON DELETE CASCADE,
      role text,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      ended_at timestamptz,
      ended_reason text,
      CHECK ((organisation_key IS NULL) = (role IS NULL)))`);
    await q.query(`CREATE INDEX web_session_email ON web_session (email) WHERE ended_at IS NULL`);

    await q.query(`CREATE TABLE oidc_pending (
      state_hash text PRIMARY KEY,
      nonce text NOT NULL,
      code_verifier text NOT NULL,
      expires_at timestamptz NOT NULL)`);

    await q.query(`CREATE TABLE api_token (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_key text NOT NULL REFERENCES organisation(key) ON DELETE CASCADE,
      role text NOT NULL,
      scope text NOT NULL CHECK (scope IN ('read', 'read-write')),
      name text NOT NULL,
      prefix text NOT NULL UNIQUE,
      token_hash text NOT NULL UNIQUE,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      revoked_by text,
      last_used_at timestamptz)`);
    await q.query(`CREATE INDEX api_token_organisation ON api_token (organisation_key)`);

    await q.query(`CREATE TABLE audit_log (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      actor_kind text NOT NULL CHECK (actor_kind IN ('person', 'token', 'operator')),
      actor text NOT NULL,
      organisation_key text,
      role text,
      action text NOT NULL,
      target text,
      outcome text NOT NULL CHECK (outcome IN ('allowed', 'refused', 'failed')),
      status integer NOT NULL,
      code text,
      request_id text NOT NULL,
      method text NOT NULL,
      path text NOT NULL)`);
    await q.query(`CREATE INDEX audit_log_organisation ON audit_log (organisation_key, id)`);
    // Append-only, enforced by the database for every connection, the app's own (a superuser) included.
    await q.query(`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
    // ALWAYS: the triggers fire even with session_replication_role = replica.
    await q.query(`ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_update`);
    await q.query(`ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate`);

    // Anonymous refusals are counted per client and minute, so a flood cannot fill the audit log.
    await q.query(`CREATE TABLE anonymous_refusal (
      client text NOT NULL,
      minute timestamptz NOT NULL,
      refusals integer NOT NULL,
      PRIMARY KEY (client, minute))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE anonymous_refusal`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_append_only()`);
    await q.query(`DROP TABLE api_token`);
    await q.query(`DROP TABLE oidc_pending`);
    await q.query(`DROP TABLE web_session`);
    await q.query(`DROP TABLE sign_in_link`);
  }
}
