import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox: the notification activity records the firing and one row per (business key, recipient) in one
 * transaction; dispatchers claim due rows (FOR UPDATE SKIP LOCKED), send, and record the server's answer.
 * A weekly digest is itself an outbox row, which the rows it bundles point to. Preferences per address
 * (immediate or weekly digest, optional mail stopped), acknowledgements through signed links, and refused
 * links, kept as proof.
 */
export class OutboxAndPreferences1764288000000 implements MigrationInterface {
  name = 'OutboxAndPreferences1764288000000';

  async up(q: QueryRunner): Promise<void> {
    // The firing as the workflow asked for it: the dispatcher renders each recipient's mail from it.
    await q.query(`ALTER TABLE notification ADD COLUMN request jsonb`);
    await q.query(`ALTER TABLE notification DROP CONSTRAINT IF EXISTS notification_status_check`);
    await q.query(`ALTER TABLE notification ADD CONSTRAINT notification_status_check CHECK (status IN ('recorded', 'sent', 'no-recipients', 'queued'))`);
    await q.query(`CREATE TABLE outbox (
      id bigserial PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('notification', 'digest')),
      -- The notification's business key, or the digest's own key (digest:<week>:<organisation>:<recipient>).
      business_key text NOT NULL,
      recipient text NOT NULL CHECK (recipient = lower(recipient)),
      -- The organisation the recipient receives this for (an organisation key, or the owner's code for an
      -- address named at onboarding): a digest bundles per recipient and organisation.
      organisation_key text NOT NULL,
      organisation_name text NOT NULL,
      language text NOT NULL CHECK (language IN ('nl', 'en')),
      delivery text NOT NULL CHECK (delivery IN ('immediate', 'digest')),
      -- Optional mail may be stopped by its recipient (one-click unsubscribe); a statutory escalation to an office holder may not.
      optional boolean NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled', 'unsubscribed', 'in-digest')),
      status_reason text,
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      lease_until timestamptz,
      lease_token uuid,
      message_id text NOT NULL,
      smtp_response text,
      last_error text,
      digest_id bigint REFERENCES outbox(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      CONSTRAINT outbox_business_key_recipient UNIQUE (business_key, recipient))`);
    await q.query(`CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('pending', 'sending') AND delivery = 'immediate'`);
    await q.query(`CREATE INDEX outbox_digest_pending ON outbox (recipient, organisation_key) WHERE status = 'pending' AND delivery = 'digest'`);
    await q.query(`CREATE INDEX outbox_digest_items ON outbox (digest_id) WHERE digest_id IS NOT NULL`);
    await q.query(`CREATE TABLE mail_preference (
      recipient text PRIMARY KEY CHECK (recipient = lower(recipient)),
      delivery text NOT NULL DEFAULT 'immediate' CHECK (delivery IN ('immediate', 'digest')),
      optional_stopped_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_via text NOT NULL)`);
    await q.query(`CREATE TABLE mail_acknowledgement (
      business_key text NOT NULL,
      recipient text NOT NULL,
      action text NOT NULL CHECK (action IN ('acknowledge', 'confirm-receipt')),
      owner_kind text NOT NULL,
      owner_code text NOT NULL,
      step text NOT NULL,
      acknowledged_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (business_key, recipient, action))`);
    await q.query(`CREATE INDEX mail_acknowledgement_step ON mail_acknowledgement (owner_code, step)`);
    await q.query(`CREATE TABLE mail_link_refusal (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      reason text NOT NULL CHECK (reason IN ('malformed', 'forged', 'expired', 'replayed', 'unknown')),
      action text,
      recipient text,
      business_key text,
      token_sha256 text NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['mail_link_refusal', 'mail_acknowledgement', 'mail_preference', 'outbox']) await q.query(`DROP TABLE ${table}`);
    await q.query(`ALTER TABLE notification DROP CONSTRAINT notification_status_check`);
    await q.query(`ALTER TABLE notification ADD CONSTRAINT notification_status_check CHECK (status IN ('recorded', 'sent', 'no-recipients'))`);
    await q.query(`ALTER TABLE notification DROP COLUMN request`);
  }
}
