import { MigrationInterface, QueryRunner } from 'typeorm';
import { parseDigestBusinessKey, parseFiringKey, parseNotificationBusinessKey, parseStepInstanceKey } from '../../contracts/keys';

/**
 * The facts readers filter and join on get their own columns instead of being read out of a business key:
 * a notification's rulebook step (`step_key`), its cycle year, its firing key and an escalation's rung, and a
 * weekly digest's week (`outbox.week_of`). Added nullable and backfilled: from the stored request
 * (`notification.request`, which holds `stepKey`, `cycleYear`, `firingKey` and `rung`), and for rows recorded
 * before requests were stored (and digests) once from their keys, with the parsers of
 * `libs/contracts/keys.ts`, the one place a key is taken apart. New rows get them from the activity that
 * writes them. They stay nullable: `rung` and `cycle_year` do not apply to every row, and a row whose key
 * cannot be read keeps null rather than stop the migration.
 */
export class NotificationFacts1796083200000 implements MigrationInterface {
  name = 'NotificationFacts1796083200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification ADD COLUMN step_key text`);
    await q.query(`ALTER TABLE notification ADD COLUMN cycle_year integer`);
    await q.query(`ALTER TABLE notification ADD COLUMN firing_key text`);
    await q.query(`ALTER TABLE notification ADD COLUMN rung integer`);
    await q.query(`ALTER TABLE outbox ADD COLUMN week_of date`);

    await q.query(
      `UPDATE notification SET step_key = request->>'stepKey', cycle_year = (request->>'cycleYear')::integer,
         firing_key = request->>'firingKey', rung = (request->>'rung')::integer
       WHERE request IS NOT NULL`,
    );

    const older: { business_key: string; step: string }[] = await q.query(
      `SELECT business_key, step FROM notification WHERE step_key IS NULL OR firing_key IS NULL`,
    );
    const facts = older.flatMap(({ business_key, step }) => {
      try {
        const { firingKey } = parseNotificationBusinessKey(business_key);
        const { stepKey, cycleYear } = parseStepInstanceKey(step);
        const firing = parseFiringKey(firingKey);
        return [{ business_key, step_key: stepKey, cycle_year: cycleYear, firing_key: firingKey, rung: firing.kind === 'escalation' ? firing.rung : null }];
      } catch {
        return [];
      }
    });
    if (facts.length) {
      await q.query(
        `UPDATE notification n SET step_key = coalesce(n.step_key, f.step_key), cycle_year = coalesce(n.cycle_year, f.cycle_year),
           firing_key = coalesce(n.firing_key, f.firing_key), rung = coalesce(n.rung, f.rung)
         FROM jsonb_to_recordset($1::jsonb) AS f(business_key text, step_key text, cycle_year integer, firing_key text, rung integer)
         WHERE n.business_key = f.business_key`,
        [JSON.stringify(facts)],
      );
    }

    const digests: { id: string; business_key: string }[] = await q.query(`SELECT id, business_key FROM outbox WHERE kind = 'digest' AND week_of IS NULL`);
    const weeks = digests.flatMap(({ id, business_key }) => {
      try {
        return [{ id, week_of: parseDigestBusinessKey(business_key).weekOf }];
      } catch {
        return [];
      }
    });
    if (weeks.length) {
      await q.query(
        `UPDATE outbox o SET week_of = w.week_of FROM jsonb_to_recordset($1::jsonb) AS w(id bigint, week_of date) WHERE o.id = w.id`,
        [JSON.stringify(weeks)],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP COLUMN week_of`);
    for (const column of ['rung', 'firing_key', 'cycle_year', 'step_key']) await q.query(`ALTER TABLE notification DROP COLUMN ${column}`);
  }
}
