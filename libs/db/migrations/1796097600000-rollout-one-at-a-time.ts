import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One rollout at a time, and versions in order.
 *
 * `rulebook_version.seq` is the publication order: Postgres numbers every version as it is stored, so a
 * version published later is newer, whatever effective date it names (a correction that moves the law's
 * date back is still the newer reading). Versions stored before this migration are numbered by
 * `published_at`, then id. One convention refines it: an id ending in `.N` is revision N of the id before
 * it (`wvrv-2025-07-01`, `.2`, `.3`), and a family's revisions keep the order of N whatever order they
 * were stored in (a trigger permutes the family's numbers on every insert). That matters for the shipped
 * files, which a fresh database stores in file-name order (`wvrv-2025-07-01.json` after `.3.json`).
 *
 * `rulebook_rollout_run` records every apply (who asked: the API or a workflow started directly; which
 * version the workflows followed before; an override to an older version with its reason) and is the lock:
 * the partial unique index lets only one row be `running`. The API inserts that row before it starts the
 * workflow, so two applies at the same instant cannot both pass; the workflow releases it when it
 * completes or fails, and the API releases a row whose workflow is gone (terminated, timed out).
 * Rollouts recorded before are copied in: completed ones as completed, the latest unfinished one as
 * running (its workflow may still run during the deploy; the API checks), older unfinished ones as
 * interrupted.
 */
export class RolloutOneAtATime1796097600000 implements MigrationInterface {
  name = 'RolloutOneAtATime1796097600000';

  async up(q: QueryRunner): Promise<void> {
    // bigserial fills existing rows in no particular order; they are renumbered right after.
    await q.query(`ALTER TABLE rulebook_version ADD COLUMN seq bigserial`);
    await q.query(
      `UPDATE rulebook_version v SET seq = o.n
       FROM (SELECT id, row_number() OVER (ORDER BY published_at, id) AS n FROM rulebook_version) o
       WHERE v.id = o.id`,
    );
    await q.query(`SELECT setval('rulebook_version_seq_seq', (SELECT coalesce(max(seq), 0) + 1 FROM rulebook_version), false)`);
    // Deferred: putting a family's revisions in order (below) permutes numbers within one statement.
    await q.query(`ALTER TABLE rulebook_version ADD CONSTRAINT rulebook_version_seq_key UNIQUE (seq) DEFERRABLE INITIALLY DEFERRED`);
    await q.query(`CREATE FUNCTION rulebook_version_order_revisions(family_base text) RETURNS void LANGUAGE sql AS $$
      WITH family AS (
        SELECT id, seq, CASE WHEN id = family_base THEN 1 ELSE substring(id FROM length(family_base) + 2)::numeric END AS revision
        FROM rulebook_version
        WHERE id = family_base
           OR (left(id, length(family_base) + 1) = family_base || '.' AND substring(id FROM length(family_base) + 2) ~ '^[0-9]+$')
      ),
      wanted AS (SELECT id, row_number() OVER (ORDER BY revision, seq) AS r FROM family),
      slots AS (SELECT seq, row_number() OVER (ORDER BY seq) AS r FROM family)
      UPDATE rulebook_version v SET seq = slots.seq FROM wanted JOIN slots USING (r) WHERE v.id = wanted.id AND v.seq <> slots.seq
    $$`);
    await q.query(`CREATE FUNCTION rulebook_version_revisions_in_order() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM rulebook_version_order_revisions(regexp_replace(NEW.id, '[.][0-9]+$', ''));
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER rulebook_version_revisions_in_order AFTER INSERT ON rulebook_version
      FOR EACH ROW EXECUTE FUNCTION rulebook_version_revisions_in_order()`);
    await q.query(`SELECT rulebook_version_order_revisions(b) FROM (SELECT DISTINCT regexp_replace(id, '[.][0-9]+$', '') AS b FROM rulebook_version) f`);

    await q.query(`CREATE TABLE rulebook_rollout_run (
      id bigserial PRIMARY KEY,
      rulebook_id text NOT NULL REFERENCES rulebook_version(id),
      workflow_id text NOT NULL,
      workflow_run_id text,
      status text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
      requested_via text NOT NULL CHECK (requested_via IN ('api', 'workflow')),
      previous_rulebook_id text REFERENCES rulebook_version(id),
      override boolean NOT NULL DEFAULT false,
      override_reason text,
      error text,
      requested_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      CHECK (NOT override OR override_reason IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX rulebook_rollout_run_one_running ON rulebook_rollout_run (status) WHERE status = 'running'`);
    await q.query(`CREATE INDEX rulebook_rollout_run_rulebook ON rulebook_rollout_run (rulebook_id)`);

    await q.query(
      `INSERT INTO rulebook_rollout_run (rulebook_id, workflow_id, status, requested_via, requested_at, finished_at)
       SELECT rulebook_id, workflow_id,
         CASE WHEN status = 'completed' THEN 'completed'
              WHEN row_number() OVER (PARTITION BY status ORDER BY started_at DESC, rulebook_id) = 1 THEN 'running'
              ELSE 'interrupted' END,
         'api', started_at, finished_at
       FROM rulebook_rollout ORDER BY started_at, rulebook_id`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rulebook_rollout_run`);
    await q.query(`DROP TRIGGER rulebook_version_revisions_in_order ON rulebook_version`);
    await q.query(`DROP FUNCTION rulebook_version_revisions_in_order()`);
    await q.query(`DROP FUNCTION rulebook_version_order_revisions(text)`);
    await q.query(`ALTER TABLE rulebook_version DROP COLUMN seq`);
  }
}
