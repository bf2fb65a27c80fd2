import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { canonicalJson } from '../../../../libs/rulebook/rulebook-files';
import { RegieError } from '../errors/regie-error';

/** An Idempotency-Key: 1-200 printable ASCII characters (a UUID fits). */
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Step writes that carry an `Idempotency-Key`. The key, scoped to the caller, is remembered with the route
 * and a hash of the body; its Temporal update id is derived from both, so a retry (after a 503 or a
 * timeout) reaches the same update, which Temporal applies once and answers with the first outcome. The
 * same key with another body or route is a 422.
 */
export class WriteRequests {
  constructor(private readonly dataSource: DataSource) {}

  /** The update id for this write; without a key, none (each request is a new write). */
  async updateId(input: { key: string | undefined; caller: string; route: string; body: unknown; workflowId: string }): Promise<string | undefined> {
    if (input.key === undefined) return undefined;
    if (!KEY_PATTERN.test(input.key)) {
      throw new RegieError('idempotency-key-invalid', 'invalid-input', 'Ongeldige Idempotency-Key: 1 tot 200 zichtbare ASCII-tekens / Invalid Idempotency-Key: 1 to 200 printable ASCII characters', 'Idempotency-Key');
    }
    const caller = sha256(input.caller);
    const bodyHash = sha256(canonicalJson(input.body ?? null));
    const updateId = `write-${sha256(`${caller}\n${input.key}`).slice(0, 40)}`;
    await this.dataSource.query(
      `INSERT INTO write_request (caller, idempotency_key, route, body_hash, workflow_id, update_id) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (caller, idempotency_key) DO NOTHING`,
      [caller, input.key, input.route, bodyHash, input.workflowId, updateId],
    );
    const [stored] = await this.dataSource.query(`SELECT route, body_hash FROM write_request WHERE caller = $1 AND idempotency_key = $2`, [caller, input.key]);
    if (stored.route !== input.route || stored.body_hash !== bodyHash) {
      throw new RegieError(
        'idempotency-key-reused',
        'unprocessable',
        'Deze Idempotency-Key is al gebruikt voor een andere wijziging; kies een nieuwe sleutel / This Idempotency-Key was used for another write; choose a new key',
        'Idempotency-Key',
      );
    }
    return updateId;
  }
}
