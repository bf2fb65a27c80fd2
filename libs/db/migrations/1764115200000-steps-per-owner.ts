import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Steps belong to an owner (a municipality or a region) and yearly steps have an instance per cycle:
 * the read model keys rows by owner and step instance, keeps the whole step as JSON beside the
 * columns that lists filter on, and gains region onboarding and rulebook rollouts.
 */
export class StepsPerOwner1764115200000 implements MigrationInterface {
  name = 'StepsPerOwner1764115200000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['step_state', 'step_event', 'notification']) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${table}_municipality_code_fkey`);
      await q.query(`ALTER TABLE ${table} RENAME COLUMN municipality_code TO owner_code`);
      await q.query(`ALTER TABLE ${table} ALTER COLUMN owner_code TYPE text`);
      await q.query(`ALTER TABLE ${table} ADD COLUMN owner_kind text`);
      await q.query(`UPDATE ${table} SET owner_kind = 'municipality'`);
      await q.query(`ALTER TABLE ${table} ALTER COLUMN owner_kind SET NOT NULL`);
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_owner_kind_check CHECK (owner_kind IN ('municipality', 'region'))`);
      // `step` is the step instance (`prestatieafspraken:2027`); `step_key` the rulebook step.
      await q.query(`ALTER TABLE ${table} RENAME COLUMN step_key TO step`);
    }
    await q.query(`ALTER TABLE step_state ADD COLUMN step_key text`);
    await q.query(`UPDATE step_state SET step_key = step`);
    await q.query(`ALTER TABLE step_state ALTER COLUMN step_key SET NOT NULL`);
    await q.query(`ALTER TABLE step_state ADD COLUMN cycle_year integer`);
    await q.query(`ALTER TABLE step_state ADD COLUMN late boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE step_state ADD COLUMN overdue_since date`);
    await q.query(`ALTER TABLE step_state ADD COLUMN detail jsonb`);
    await q.query(`UPDATE step_state SET detail = '{}'::jsonb`);
    await q.query(`ALTER TABLE step_state ALTER COLUMN detail SET NOT NULL`);
    // A target-date step has no date until its owner sets one.
    await q.query(`ALTER TABLE step_state ALTER COLUMN due_date DROP NOT NULL`);
    await q.query(`ALTER TABLE step_state ALTER COLUMN derivation DROP NOT NULL`);
    await q.query(`CREATE INDEX step_state_step_status ON step_state (step_key, status)`);
    await q.query(`CREATE INDEX step_state_overdue ON step_state (overdue) WHERE overdue`);
    await q.query(`DROP INDEX IF EXISTS step_event_step`);
    await q.query(`CREATE INDEX step_event_owner_step ON step_event (owner_code, step, seq)`);
    await q.query(`DROP INDEX IF EXISTS notification_step`);
    await q.query(`CREATE INDEX notification_owner_step ON notification (owner_code, step)`);

    await q.query(`ALTER TABLE onboarding ALTER COLUMN programme_manager_email DROP NOT NULL`);
    await q.query(`ALTER TABLE onboarding ADD COLUMN initial_steps jsonb`);
    await q.query(`CREATE TABLE region_onboarding (
      region_code text PRIMARY KEY REFERENCES region(code),
      workflow_id text NOT NULL UNIQUE,
      rulebook_id text NOT NULL REFERENCES rulebook_version(id),
      coordinator_email text,
      initial_steps jsonb,
      requested_at timestamptz NOT NULL DEFAULT now(),
      workflow_run_id text,
      workflow_started_at timestamptz)`);
    await q.query(`CREATE TABLE rulebook_rollout (
      rulebook_id text PRIMARY KEY REFERENCES rulebook_version(id),
      workflow_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('running', 'completed')),
      total integer NOT NULL,
      applied integer NOT NULL DEFAULT 0,
      failed integer NOT NULL DEFAULT 0,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz)`);
    await q.query(`CREATE TABLE rulebook_rollout_target (
      rulebook_id text NOT NULL REFERENCES rulebook_rollout(rulebook_id),
      workflow_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'applied', 'failed')),
      changed jsonb,
      error text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (rulebook_id, workflow_id))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rulebook_rollout_target`);
    await q.query(`DROP TABLE rulebook_rollout`);
    await q.query(`DROP TABLE region_onboarding`);
    await q.query(`ALTER TABLE onboarding DROP COLUMN initial_steps`);
    await q.query(`DELETE FROM onboarding WHERE programme_manager_email IS NULL`);
    await q.query(`ALTER TABLE onboarding ALTER COLUMN programme_manager_email SET NOT NULL`);
    await q.query(`DROP INDEX notification_owner_step`);
    await q.query(`DROP INDEX step_event_owner_step`);
    await q.query(`DROP INDEX step_state_overdue`);
    await q.query(`DROP INDEX step_state_step_status`);
    await q.query(`DELETE FROM step_state WHERE owner_kind <> 'municipality' OR due_date IS NULL OR step <> step_key`);
    await q.query(`ALTER TABLE step_state ALTER COLUMN derivation SET NOT NULL`);
    await q.query(`ALTER TABLE step_state ALTER COLUMN due_date SET NOT NULL`);
    for (const column of ['detail', 'overdue_since', 'late', 'cycle_year', 'step_key']) await q.query(`ALTER TABLE step_state DROP COLUMN ${column}`);
    for (const table of ['step_state', 'step_event', 'notification']) {
      await q.query(`DELETE FROM ${table} WHERE owner_kind <> 'municipality'`);
      await q.query(`ALTER TABLE ${table} RENAME COLUMN step TO step_key`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN owner_kind`);
      await q.query(`ALTER TABLE ${table} ALTER COLUMN owner_code TYPE varchar(6)`);
      await q.query(`ALTER TABLE ${table} RENAME COLUMN owner_code TO municipality_code`);
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_municipality_code_fkey FOREIGN KEY (municipality_code) REFERENCES municipality(code)`);
    }
    await q.query(`CREATE INDEX step_event_step ON step_event (municipality_code, step_key, seq)`);
    await q.query(`CREATE INDEX notification_step ON notification (municipality_code, step_key)`);
  }
}
