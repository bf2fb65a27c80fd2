import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `Idempotency-Key` of a step write, remembered per caller: the key becomes the Temporal update id, so
 * a retry after a timeout applies once and answers the first answer; the body's hash lets the same key with
 * another body be refused (422) instead of silently answering for a different request.
 */
export class IdempotentWrites1796112000000 implements MigrationInterface {
  name = 'IdempotentWrites1796112000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE write_request (
      caller text NOT NULL,
      idempotency_key text NOT NULL,
      route text NOT NULL,
      body_hash text NOT NULL,
      workflow_id text NOT NULL,
      update_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (caller, idempotency_key))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE write_request`);
  }
}
