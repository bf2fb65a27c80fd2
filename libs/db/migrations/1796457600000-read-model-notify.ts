import { MigrationInterface, QueryRunner } from 'typeorm';

/** What the national overview is built from (apps/api/src/overview/overview.service.ts). */
const TABLES = ['step_state', 'region_member', 'region', 'municipality'];

/**
 * The read model says when it changed: a statement-level trigger on each table the overview is built from
 * sends `NOTIFY read_model_changed` (delivered at commit, once per transaction and table), so an API keeps
 * its built overview until then instead of asking the database on every request. Existing data is untouched.
 */
export class ReadModelNotify1796457600000 implements MigrationInterface {
  name = 'ReadModelNotify1796457600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION notify_read_model_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('read_model_changed', TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    for (const table of TABLES) {
      await q.query(`CREATE TRIGGER ${table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION notify_read_model_changed()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await q.query(`DROP TRIGGER ${table}_changed ON ${table}`);
    await q.query(`DROP FUNCTION notify_read_model_changed()`);
  }
}
