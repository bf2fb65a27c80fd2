import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764028800000 implements MigrationInterface {
  name = 'InitialSchema1764028800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE province (code varchar(4) PRIMARY KEY, name text NOT NULL)`);
    await q.query(`CREATE TABLE municipality (
      code varchar(6) PRIMARY KEY CHECK (code ~ '^GM[0-9]{4}$'),
      name text NOT NULL,
      province_code varchar(4) NOT NULL REFERENCES province(code))`);
    await q.query(`CREATE TABLE region (code text PRIMARY KEY, name text NOT NULL, grouping text NOT NULL)`);
    await q.query(`CREATE TABLE region_member (
      region_code text NOT NULL REFERENCES region(code),
      municipality_code varchar(6) NOT NULL REFERENCES municipality(code),
      PRIMARY KEY (region_code, municipality_code))`);
    await q.query(`CREATE INDEX region_member_municipality ON region_member (municipality_code)`);
    await q.query(`CREATE TABLE rulebook_version (
      id text PRIMARY KEY,
      content jsonb NOT NULL,
      content_hash char(64) NOT NULL,
      source text NOT NULL CHECK (source IN ('file', 'operator')),
      published_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE onboarding (
      municipality_code varchar(6) PRIMARY KEY REFERENCES municipality(code),
      workflow_id text NOT NULL UNIQUE,
      rulebook_id text NOT NULL REFERENCES rulebook_version(id),
      programme_manager_email text NOT NULL,
      requested_at timestamptz NOT NULL DEFAULT now(),
      workflow_run_id text,
      workflow_started_at timestamptz)`);
    await q.query(`CREATE TABLE step_state (
      municipality_code varchar(6) NOT NULL REFERENCES municipality(code),
      step_key text NOT NULL,
      workflow_id text NOT NULL,
      status text NOT NULL,
      overdue boolean NOT NULL DEFAULT false,
      date_kind text NOT NULL CHECK (date_kind IN ('statutory', 'target')),
      due_date date NOT NULL,
      derivation jsonb NOT NULL,
      rulebook_id text NOT NULL,
      rulebook_hash char(64) NOT NULL,
      last_event text NOT NULL,
      last_event_at timestamptz NOT NULL,
      seq integer NOT NULL,
      PRIMARY KEY (municipality_code, step_key))`);
    await q.query(`CREATE TABLE step_event (
      workflow_id text NOT NULL,
      seq integer NOT NULL,
      municipality_code varchar(6) NOT NULL REFERENCES municipality(code),
      step_key text NOT NULL,
      event text NOT NULL,
      detail jsonb NOT NULL,
      occurred_at timestamptz NOT NULL,
      PRIMARY KEY (workflow_id, seq))`);
    await q.query(`CREATE INDEX step_event_step ON step_event (municipality_code, step_key, seq)`);
    await q.query(`CREATE TABLE notification (
      business_key text PRIMARY KEY,
      workflow_id text NOT NULL,
      municipality_code varchar(6) NOT NULL REFERENCES municipality(code),
      step_key text NOT NULL,
      kind text NOT NULL,
      due_date date NOT NULL,
      rulebook_id text NOT NULL,
      recipients text[] NOT NULL,
      subject text,
      status text NOT NULL CHECK (status IN ('recorded', 'sent', 'no-recipients')),
      message_id text,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz)`);
    await q.query(`CREATE INDEX notification_step ON notification (municipality_code, step_key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['notification', 'step_event', 'step_state', 'onboarding', 'rulebook_version', 'region_member', 'region', 'municipality', 'province']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
