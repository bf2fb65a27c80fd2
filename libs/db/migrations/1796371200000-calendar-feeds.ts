import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Calendar feeds (apps/api/src/calendar-feeds): one row per person, organisation and what the feed covers
 * (the organisation's whole reach, or one municipality with its region). The feed's secret is derived from
 * the row's id with the server's link secret, so it is never stored; the row keeps only its SHA-256, to
 * find the row by the secret in the URL. A revoked row stays, as proof of what was handed out. Existing data
 * is untouched.
 */
export class CalendarFeeds1796371200000 implements MigrationInterface {
  name = 'CalendarFeeds1796371200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE calendar_feed (
      id uuid PRIMARY KEY,
      email text NOT NULL CHECK (email = lower(email)),
      organisation_key text NOT NULL REFERENCES organisation(key) ON DELETE CASCADE,
      covers text NOT NULL CHECK (covers IN ('organisation', 'municipality')),
      municipality_code varchar(6) REFERENCES municipality(code),
      secret_hash text NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      CHECK ((covers = 'municipality') = (municipality_code IS NOT NULL)))`);
    // One live feed per person, organisation and coverage: asking again gives the same feed.
    await q.query(`CREATE UNIQUE INDEX calendar_feed_live ON calendar_feed (email, organisation_key, covers, coalesce(municipality_code, '')) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE calendar_feed`);
  }
}
